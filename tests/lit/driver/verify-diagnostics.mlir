// RUN: %mlc-opt %s --split-input-file --verify-diagnostics
// RUN: not %mlc-opt %s --split-input-file 2>&1 | %filecheck %s --check-prefix=LOC

// A verifier error is located at the op; the annotation names the line below it.
func.func @matmul_mismatch(%a: tensor<2x8xf32>, %b: tensor<9x4xf32>) -> tensor<2x4xf32> {
  // expected-error @+1 {{'graph.matmul' op contracting dimensions differ: lhs has 8, rhs has 9}}
  %c = graph.matmul %a, %b : (tensor<2x8xf32>, tensor<9x4xf32>) -> tensor<2x4xf32>
  func.return %c : tensor<2x4xf32>
}
// LOC: verify-diagnostics.mlir:7:3: error: 'graph.matmul' op contracting dimensions differ
// LOC-NEXT: %c = graph.matmul
// LOC-NEXT: ^

// -----

// An undefined value is reported at its use.
func.func @undefined(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{use of undefined value '%nope'}}
  %c = graph.relu %nope : tensor<4xf32>
  func.return %c : tensor<4xf32>
}
// LOC: verify-diagnostics.mlir:19:19: error: use of undefined value '%nope'

// -----

// A designator of @below and a same-line annotation both work.
func.func @unknown_op(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @below {{Operation graph.frobnicate is not registered}}
  %c = graph.frobnicate %a : tensor<4xf32>
  func.return %c : tensor<4xf32>
}

// -----

func.func @same_line(%a: tensor<4xf32>) -> tensor<4xi32> {
  %c = graph.relu %a : (tensor<4xf32>) -> tensor<4xi32> // expected-error {{does not match the inferred type tensor<4xf32>}}
  func.return %c : tensor<4xi32>
}

// -----

// A value used before its definition in the same block is an error (xDSL does not check it).
func.func @use_before_def(%a: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{'graph.relu' op operand '%later' is used before it is defined}}
  %b = graph.relu %later : tensor<4xf32>
  %later = graph.exp %a : tensor<4xf32>
  func.return %b : tensor<4xf32>
}
