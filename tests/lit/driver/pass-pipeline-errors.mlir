// RUN: not %mlc-opt %s -p no-such-pass 2>&1 | %filecheck %s --check-prefix=UNKNOWN
// RUN: not %mlc-opt %s -p 'cse{bogus=1}' 2>&1 | %filecheck %s --check-prefix=OPTION
// RUN: not %mlc-opt %s -t no-such-target 2>&1 | %filecheck %s --check-prefix=TARGET
// RUN: %mlc-opt %s -p 'builtin.module(cse,dce)' | %filecheck %s

// Bad pipelines, options and targets are clear errors, never tracebacks.
// UNKNOWN: error: invalid pass pipeline 'no-such-pass': Unrecognized passes: ['no-such-pass']
// OPTION: error: invalid pass pipeline 'cse{bogus=1}'
// TARGET: error: unknown target 'no-such-target'

// mlir-opt's nested spelling of a flat pipeline is accepted.
// CHECK-LABEL: func.func @f
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = graph.relu %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// RUN: not %mlc-opt %s -p 'cse{x=a/b}' 2>&1 | %filecheck %s --check-prefix=SYNTAX
// SYNTAX: error: invalid pass pipeline 'cse{x=a/b}': Unknown token at column 8
