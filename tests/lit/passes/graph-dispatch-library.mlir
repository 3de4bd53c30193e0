// RUN: %mlc-opt %s --split-input-file --verify-diagnostics -p 'graph-dispatch-library{ops=linear,relu}' | %filecheck %s
// RUN: %mlc-opt %s --split-input-file -p 'graph-dispatch-library{ops="matmul:my.gemm"}' | %filecheck %s --check-prefix=GEMM

// matmul + bias add is a linear layer: env.linear takes w.T (the course's (out, in) layout),
// here a transpose of the argument; relu goes to env.relu. Calls are pure (dataflow).
// CHECK-LABEL: func.func @mlp_layer
// CHECK:         graph.dataflow
// CHECK:           %[[WT:.*]] = graph.transpose %w {perm = array<i64: 1, 0>} : (tensor<8x3xf32>) -> tensor<3x8xf32>
// CHECK:           %[[L:.*]] = graph.call_lib "env.linear"(%x, %[[WT]], %b) {pure} : (tensor<4x8xf32>, tensor<3x8xf32>, tensor<3xf32>) -> tensor<4x3xf32>
// CHECK:           graph.call_lib "env.relu"(%[[L]]) {pure}
// CHECK-NOT:       graph.matmul
// GEMM-LABEL:  func.func @mlp_layer
// GEMM:          %[[M:.*]] = graph.call_lib "my.gemm"(%x, %w) {pure} : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
// GEMM:          graph.add %[[M]], %b
// GEMM:          graph.relu
func.func @mlp_layer(%x: tensor<4x8xf32>, %w: tensor<8x3xf32>, %b: tensor<3xf32>) -> tensor<4x3xf32> {
  %y = graph.dataflow -> tensor<4x3xf32> {
    %h0 = graph.matmul %x, %w : (tensor<4x8xf32>, tensor<8x3xf32>) -> tensor<4x3xf32>
    %h1 = graph.add %h0, %b : (tensor<4x3xf32>, tensor<3xf32>) -> tensor<4x3xf32>
    %h2 = graph.relu %h1 : tensor<4x3xf32>
    graph.output %h2 : tensor<4x3xf32>
  }
  func.return %y : tensor<4x3xf32>
}

// -----

// A constant weight is transposed at compile time; the add may have the bias first; an
// already transposed weight is used as it is.
// CHECK-LABEL: func.func @folded
// CHECK:         %[[WT:.*]] = graph.constant dense<{{\[\[}}1.000000e+00, 3.000000e+00, 5.000000e+00], [2.000000e+00, 4.000000e+00, 6.000000e+00]]> : tensor<2x3xf32>
// CHECK:         %[[L:.*]] = graph.call_lib "env.linear"(%x, %[[WT]], %b) {pure}
// CHECK:         graph.call_lib "env.linear"(%[[L]], %v, %b) {pure}
func.func @folded(%x: tensor<4x3xf32>, %b: tensor<2xf32>, %v: tensor<2x2xf32>) -> tensor<4x2xf32> {
  %c = graph.constant dense<[[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]> : tensor<3x2xf32>
  %h = graph.matmul %x, %c : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y = graph.add %b, %h : (tensor<2xf32>, tensor<4x2xf32>) -> tensor<4x2xf32>
  %vt = graph.transpose %v {perm = array<i64: 1, 0>} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  %h2 = graph.matmul %y, %vt : (tensor<4x2xf32>, tensor<2x2xf32>) -> tensor<4x2xf32>
  %z = graph.add %h2, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  func.return %z : tensor<4x2xf32>
}

// -----

// Not a linear layer: the matmul result is used twice, or the add broadcasts it.
// CHECK-LABEL: func.func @not_linear
// CHECK-NOT:     env.linear
// CHECK:         graph.matmul
// CHECK:         graph.add
// CHECK:         graph.add
func.func @not_linear(%x: tensor<4x3xf32>, %w: tensor<3x2xf32>, %b: tensor<2xf32>) -> (tensor<4x2xf32>, tensor<4x2xf32>) {
  %h = graph.matmul %x, %w : (tensor<4x3xf32>, tensor<3x2xf32>) -> tensor<4x2xf32>
  %y = graph.add %h, %b : (tensor<4x2xf32>, tensor<2xf32>) -> tensor<4x2xf32>
  %z = graph.add %h, %y : tensor<4x2xf32>
  func.return %y, %z : tensor<4x2xf32>, tensor<4x2xf32>
}
