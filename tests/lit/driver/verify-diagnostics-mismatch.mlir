// RUN: not %mlc-opt %s --split-input-file --verify-diagnostics 2>&1 | %filecheck %s

// An expectation that is not produced fails, naming the annotation's line.
func.func @fine(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{this never happens}}
  %c = graph.relu %a : tensor<4xf32>
  func.return %c : tensor<4xf32>
}
// CHECK: verify-diagnostics-mismatch.mlir:5:6: error: expected error "this never happens" was not produced

// -----

// A diagnostic that is not expected fails too.
func.func @bad(%a: tensor<4xf32>) -> tensor<4xf32> {
  %c = graph.transpose %a {perm = array<i64: 1>} : tensor<4xf32>
  func.return %c : tensor<4xf32>
}
// CHECK: verify-diagnostics-mismatch.mlir:15:3: error: unexpected error: 'graph.transpose' op perm [1] is not a permutation of the 1 axes
