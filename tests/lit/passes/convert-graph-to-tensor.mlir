// RUN: %mlc-opt %s --split-input-file --verify-diagnostics -p convert-graph-to-tensor | %filecheck %s

// Each op becomes a call_tir of a destination-passing kernel: inputs, then the output.
// CHECK-LABEL: func.func @bias_relu
// CHECK:         %[[A:.*]] = graph.call_tir @add_0(%x, %b) : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
// CHECK:         %[[R:.*]] = graph.call_tir @relu_0(%[[A]]) : (tensor<2x4xf32>) -> tensor<2x4xf32>
// CHECK:         func.return %[[R]] : tensor<2x4xf32>
// CHECK-LABEL: func.func @add_0(%lhs: memref<2x4xf32>, %rhs: memref<4xf32>, %add: memref<2x4xf32>)
// CHECK-SAME:      attributes {tensor.num_inputs = 2 : i64}
// CHECK:         tensor.block "add"
// CHECK-SAME:      reads(%lhs[%v_i0, %v_i1], %rhs[%v_i1]) writes(%add[%v_i0, %v_i1])
// CHECK:           arith.addf
// CHECK-LABEL: func.func @relu_0(%x: memref<2x4xf32>, %relu: memref<2x4xf32>)
// CHECK:           arith.maximumf
func.func @bias_relu(%x: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
  %0 = graph.add %x, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
  %1 = graph.relu %0 : tensor<2x4xf32>
  func.return %1 : tensor<2x4xf32>
}

// -----

// Identical ops (op, types, attributes) share one kernel; a different attribute or type
// gets its own. Ops inside dataflow regions are converted in place.
// CHECK-LABEL: func.func @shared
// CHECK:         graph.dataflow
// CHECK:           %[[S0:.*]] = graph.call_tir @softmax_0(%x)
// CHECK:           %[[S1:.*]] = graph.call_tir @softmax_0(%[[S0]])
// CHECK:           %[[S2:.*]] = graph.call_tir @softmax_1(%[[S1]])
// CHECK:           graph.output %[[S2]]
// CHECK-LABEL: func.func @softmax_0(%x: memref<2x3xf32>, %softmax: memref<2x3xf32>)
// CHECK:         tensor.block "max"
// CHECK:         tensor.block "exp"
// CHECK:         tensor.block "sum"
// CHECK:         tensor.block "softmax"
// CHECK-LABEL: func.func @softmax_1(%x: memref<2x3xf32>, %softmax: memref<2x3xf32>)
// CHECK-NOT:   func.func @softmax_2
func.func @shared(%x: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %r = graph.dataflow -> tensor<2x3xf32> {
    %0 = graph.softmax %x {axis = 1 : i64} : tensor<2x3xf32>
    %1 = graph.softmax %0 {axis = 1 : i64} : tensor<2x3xf32>
    %2 = graph.softmax %1 {axis = 0 : i64} : tensor<2x3xf32>
    graph.output %2 : tensor<2x3xf32>
  }
  func.return %r : tensor<2x3xf32>
}

// -----

// Matmul: a reduction block over the contracted axis; constants and the generic form work.
// CHECK-LABEL: func.func @linear
// CHECK:         %[[W:.*]] = graph.constant
// CHECK:         graph.call_tir @matmul_0(%x, %[[W]]) : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
// CHECK-LABEL: func.func @matmul_0(%lhs: memref<1x3xf32>, %rhs: memref<3x2xf32>, %matmul: memref<1x2xf32>)
// CHECK:         tensor.block "matmul"({{.*}}reduce(3, %r))
// CHECK:           tensor.init
func.func @linear(%x: tensor<1x3xf32>) -> tensor<1x2xf32> {
  %w = graph.constant dense<1.0> : tensor<3x2xf32>
  %y = "graph.matmul"(%x, %w) : (tensor<1x3xf32>, tensor<3x2xf32>) -> tensor<1x2xf32>
  func.return %y : tensor<1x2xf32>
}

// -----

// conv2d with padding and bias: pad, reduction and epilogue stages in one kernel.
// CHECK-LABEL: func.func @conv
// CHECK:         graph.call_tir @conv2d_0(%x, %w, %b)
// CHECK-LABEL: func.func @conv2d_0(%x: memref<1x2x4x4xf32>, %weight: memref<3x2x3x3xf32>, %bias: memref<3xf32>, %conv2d: memref<1x3x4x4xf32>)
// CHECK-SAME:      attributes {tensor.num_inputs = 3 : i64}
// CHECK:         tensor.alloc_buffer : memref<1x2x6x6xf32>
// CHECK:         tensor.block "pad"
// CHECK:         tensor.block "conv2d_acc"
// CHECK:         tensor.block "conv2d"
func.func @conv(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %y = graph.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  func.return %y : tensor<1x3x4x4xf32>
}

// -----

// A dynamic dimension: not supported yet.
func.func @dynamic(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
  // expected-error @+1 {{convert-graph-to-tensor: 'graph.exp' op cannot be converted: dynamic shapes are not supported yet: tensor<?x4xf32>}}
  %y = graph.exp %x : tensor<?x4xf32>
  func.return %y : tensor<?x4xf32>
}

// -----

// An empty result: a kernel with nothing to compute.
// CHECK-LABEL: func.func @empty
// CHECK:         graph.call_tir @exp_0(%x) : (tensor<0x3xf32>) -> tensor<0x3xf32>
// CHECK-LABEL: func.func @exp_0(%x: memref<0x3xf32>, %exp: memref<0x3xf32>)
// CHECK-NEXT:    func.return
func.func @empty(%x: tensor<0x3xf32>) -> tensor<0x3xf32> {
  %y = graph.exp %x : tensor<0x3xf32>
  func.return %y : tensor<0x3xf32>
}

// -----

// bf16 has no tensor-program equivalent yet: the pass fails at the op, naming itself.
func.func @bf16(%x: tensor<4xbf16>) -> tensor<4xbf16> {
  // expected-error @+1 {{convert-graph-to-tensor: 'graph.relu' op cannot be converted: element type bf16 has no tensor-program equivalent yet}}
  %y = graph.relu %x : tensor<4xbf16>
  func.return %y : tensor<4xbf16>
}
