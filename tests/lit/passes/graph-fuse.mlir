// RUN: %mlc-opt %s --split-input-file -p convert-graph-to-tensor,graph-fuse | %filecheck %s
// RUN: %mlc-opt %s --split-input-file -p 'convert-graph-to-tensor,graph-fuse{max-depth=2}' | %filecheck %s --check-prefix=DEPTH2

// matmul + bias add + relu: one call_tir; in the kernel the matmul accumulates into the only
// buffer and one epilogue block (add and relu inlined together) reads it.
// With max-depth=2 the relu stays out of the matmul's group.
// DEPTH2-LABEL: func.func @mlp_layer
// DEPTH2-NEXT:    %[[T:.*]] = graph.call_tir @fused_matmul_add(%x, %w, %b)
// DEPTH2-NEXT:    graph.call_tir @relu_0(%[[T]])
// CHECK-LABEL: func.func @mlp_layer
// CHECK-NEXT:    %[[R:.*]] = graph.call_tir @fused_matmul_add_relu(%x, %w, %b)
// CHECK-NEXT:    func.return %[[R]]
// CHECK-LABEL: func.func @fused_matmul_add_relu(%x: memref<2x4xf32>, %w: memref<4x3xf32>, %b: memref<3xf32>, %relu: memref<2x3xf32>)
// CHECK-SAME:      attributes {tensor.num_inputs = 3 : i64}
// CHECK-NEXT:    %[[ACC:.*]] = tensor.alloc_buffer : memref<2x3xf32>
// CHECK-NOT:     tensor.alloc_buffer
// CHECK:         tensor.block "matmul"({{.*}}reduce(4, %r)) {{.*}} writes(%[[ACC]][
// CHECK:         tensor.block "relu"({{.*}}) reads(%[[ACC]][%{{.*}}, %{{.*}}], %b[%{{.*}}]) writes(%relu[
// CHECK:           arith.addf
// CHECK:           arith.maximumf
// CHECK-NOT:     tensor.block
// CHECK:         func.return
// CHECK-NOT:   func.func @matmul_0
// CHECK-NOT:   func.func @add_0
// CHECK-NOT:   func.func @relu_0
func.func @mlp_layer(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %0 = graph.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
  %1 = graph.add %0, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %2 = graph.relu %1 : tensor<2x3xf32>
  func.return %2 : tensor<2x3xf32>
}

// -----

// A five-op elementwise chain: one kernel, one block, no buffer.
// CHECK-LABEL: func.func @chain
// CHECK-NEXT:    graph.call_tir @fused_mul_add_relu_tanh_sub(%x, %y)
// CHECK-LABEL: func.func @fused_mul_add_relu_tanh_sub(%x: memref<8xf32>, %y: memref<8xf32>, %sub: memref<8xf32>)
// CHECK-NOT:     tensor.alloc_buffer
// CHECK:         tensor.block "sub"
// CHECK-COUNT-2:   memref.load
// CHECK:           arith.mulf
// CHECK:           arith.addf
// CHECK:           arith.maximumf
// CHECK:           math.tanh
// CHECK:           arith.subf
// CHECK-NOT:     tensor.block
func.func @chain(%x: tensor<8xf32>, %y: tensor<8xf32>) -> tensor<8xf32> {
  %0 = graph.mul %x, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %1 = graph.add %0, %x : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  %2 = graph.relu %1 : tensor<8xf32>
  %3 = graph.tanh %2 : tensor<8xf32>
  %4 = graph.sub %3, %y : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  func.return %4 : tensor<8xf32>
}

// -----

// A value with two consumers fuses with both where they meet again (its post-dominator).
// CHECK-LABEL: func.func @two_consumers
// CHECK-NEXT:    %[[S:.*]] = graph.call_tir @fused_exp_relu_neg_add(%x)
// CHECK-NEXT:    func.return %[[S]]
// CHECK-LABEL: func.func @fused_exp_relu_neg_add(%x: memref<8xf32>, %s: memref<8xf32>)
// CHECK:         tensor.block "add"
// CHECK-COUNT-1:   math.exp
// CHECK-NOT:     tensor.block
func.func @two_consumers(%x: tensor<8xf32>) -> tensor<8xf32> {
  %e = graph.exp %x : tensor<8xf32>
  %a = graph.relu %e : tensor<8xf32>
  %n = graph.neg %e : tensor<8xf32>
  %s = graph.add %a, %n : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  func.return %s : tensor<8xf32>
}

// -----

// ... but not when the value also leaves the function: it stays the result of its own call.
// CHECK-LABEL: func.func @two_consumers_escaping
// CHECK-NEXT:    %[[E:.*]] = graph.call_tir @exp_0(%x)
// CHECK-NEXT:    %[[S:.*]] = graph.call_tir @fused_relu_neg_add(%[[E]])
// CHECK-NEXT:    func.return %[[S]], %[[E]]
func.func @two_consumers_escaping(%x: tensor<8xf32>) -> (tensor<8xf32>, tensor<8xf32>) {
  %e = graph.exp %x : tensor<8xf32>
  %a = graph.relu %e : tensor<8xf32>
  %n = graph.neg %e : tensor<8xf32>
  %s = graph.add %a, %n : (tensor<8xf32>, tensor<8xf32>) -> tensor<8xf32>
  func.return %s, %e : tensor<8xf32>, tensor<8xf32>
}

// -----

// ... nor when a consumer is a matmul: producers never fuse into a contraction. The matmul
// takes its elementwise consumer, which reads %e as an input.
// CHECK-LABEL: func.func @shared_by_matmul
// CHECK-NEXT:    %[[E:.*]] = graph.call_tir @exp_0(%x)
// CHECK-NEXT:    %[[S:.*]] = graph.call_tir @fused_matmul_add(%[[E]])
// CHECK-NEXT:    func.return %[[S]]
func.func @shared_by_matmul(%x: tensor<2x2xf32>) -> tensor<2x2xf32> {
  %e = graph.exp %x : tensor<2x2xf32>
  %m = graph.matmul %e, %e : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  %s = graph.add %m, %e : (tensor<2x2xf32>, tensor<2x2xf32>) -> tensor<2x2xf32>
  func.return %s : tensor<2x2xf32>
}

// -----

// softmax's elementwise neighbours join its stages: the scale is inlined into the max and
// exp reductions' reads, the add after it into the normalizing output block.
// CHECK-LABEL: func.func @softmax_neighbours
// CHECK:         graph.dataflow
// CHECK-NEXT:      %[[R:.*]] = graph.call_tir @fused_mul_softmax_add(%x, %s, %m)
// CHECK-NEXT:      graph.output %[[R]]
// CHECK-LABEL: func.func @fused_mul_softmax_add(%x: memref<2x3xf32>, %s: memref<1xf32>, %m: memref<2x3xf32>, %add: memref<2x3xf32>)
// CHECK-NEXT:    %max = tensor.alloc_buffer : memref<2xf32>
// CHECK-NEXT:    %exp = tensor.alloc_buffer : memref<2x3xf32>
// CHECK-NEXT:    %sum = tensor.alloc_buffer : memref<2xf32>
// CHECK-NOT:     tensor.alloc_buffer
// CHECK:         tensor.block "max"({{.*}}) reads(%x[{{.*}}], %s[0]) writes(%max[
// CHECK:           arith.mulf
// CHECK:           arith.maximumf
// CHECK:         tensor.block "exp"({{.*}}) reads(%max[{{.*}}], %x[{{.*}}], %s[0]) writes(%exp[
// CHECK:         tensor.block "sum"
// CHECK:         tensor.block "add"({{.*}}) reads(%m[{{.*}}], %exp[{{.*}}], %sum[{{.*}}]) writes(%add[
// CHECK:           arith.divf
// CHECK:           arith.addf
// CHECK-NOT:     tensor.block
func.func @softmax_neighbours(%x: tensor<2x3xf32>, %s: tensor<1xf32>, %m: tensor<2x3xf32>) -> tensor<2x3xf32> {
  %r = graph.dataflow -> tensor<2x3xf32> {
    %0 = graph.mul %x, %s : (tensor<2x3xf32>, tensor<1xf32>) -> tensor<2x3xf32>
    %1 = graph.softmax %0 {axis = 1 : i64} : tensor<2x3xf32>
    %2 = graph.add %1, %m : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
    graph.output %2 : tensor<2x3xf32>
  }
  func.return %r : tensor<2x3xf32>
}

// -----

// conv2d (with its bias stage) + relu: pad and accumulation stay, bias and relu are one block.
// CHECK-LABEL: func.func @conv_bias_relu
// CHECK-NEXT:    graph.call_tir @fused_conv2d_relu(%x, %w, %b)
// CHECK-LABEL: func.func @fused_conv2d_relu(
// CHECK-NEXT:    %pad = tensor.alloc_buffer
// CHECK-NEXT:    %[[ACC:.*]] = tensor.alloc_buffer : memref<1x3x4x4xf32>
// CHECK-NOT:     tensor.alloc_buffer
// CHECK:         tensor.block "pad"
// CHECK:         tensor.block "conv2d_acc"({{.*}}) {{.*}} writes(%[[ACC]][
// CHECK:         tensor.block "relu"({{.*}}) reads(%[[ACC]][{{.*}}], %b[{{.*}}]) writes(%relu[
// CHECK:           arith.addf
// CHECK:           arith.maximumf
// CHECK-NOT:     tensor.block
func.func @conv_bias_relu(%x: tensor<1x2x4x4xf32>, %w: tensor<3x2x3x3xf32>, %b: tensor<3xf32>) -> tensor<1x3x4x4xf32> {
  %0 = graph.conv2d %x, %w, %b {padding = array<i64: 1, 1, 1, 1>} : (tensor<1x2x4x4xf32>, tensor<3x2x3x3xf32>, tensor<3xf32>) -> tensor<1x3x4x4xf32>
  %1 = graph.relu %0 : tensor<1x3x4x4xf32>
  func.return %1 : tensor<1x3x4x4xf32>
}

// -----

// A transformer block: every matmul takes its elementwise epilogue (scale, residual add,
// bias + gelu); layer_norm and softmax stand alone (their producers and consumers belong to
// matmul groups: never two reductions in one group); k^T feeds a matmul and stays alone.
// CHECK-LABEL: func.func @transformer
// CHECK:         graph.dataflow
// CHECK-NEXT:      %[[H:.*]] = graph.call_tir @layer_norm_0(%x, %g, %be)
// CHECK-NEXT:      %[[Q:.*]] = graph.call_tir @matmul_0(%[[H]], %wq)
// CHECK-NEXT:      %[[K:.*]] = graph.call_tir @matmul_0(%[[H]], %wk)
// CHECK-NEXT:      %[[V:.*]] = graph.call_tir @matmul_0(%[[H]], %wv)
// CHECK-NEXT:      %[[KT:.*]] = graph.call_tir @transpose_0(%[[K]])
// CHECK-NEXT:      %[[SS:.*]] = graph.call_tir @fused_matmul_mul(%[[Q]], %[[KT]], %scale)
// CHECK-NEXT:      %[[P:.*]] = graph.call_tir @softmax_0(%[[SS]])
// CHECK-NEXT:      %[[X1:.*]] = graph.call_tir @fused_matmul_add(%[[P]], %[[V]], %x)
// CHECK-NEXT:      %[[H2:.*]] = graph.call_tir @layer_norm_0(%[[X1]], %g, %be)
// CHECK-NEXT:      %[[A:.*]] = graph.call_tir @fused_matmul_add_gelu(%[[H2]], %w1, %b1)
// CHECK-NEXT:      %[[O:.*]] = graph.call_tir @fused_matmul_add_1(%[[A]], %w2, %[[X1]])
// CHECK-NEXT:      graph.output %[[O]]
// CHECK-LABEL: func.func @fused_matmul_add_gelu(
// CHECK-NEXT:    %[[U:.*]] = tensor.alloc_buffer : memref<4x16xf32>
// CHECK:         tensor.block "matmul"
// CHECK:         tensor.block "gelu"({{.*}}) reads(%[[U]][{{.*}}], %b1[{{.*}}]) writes(%a[
// CHECK:           arith.addf
// CHECK:           math.erf
// CHECK-NOT:     tensor.block
// CHECK:         func.return
// CHECK-NOT:   func.func @add_
// CHECK-NOT:   func.func @gelu_
func.func @transformer(%x: tensor<4x8xf32>, %g: tensor<8xf32>, %be: tensor<8xf32>, %wq: tensor<8x8xf32>, %wk: tensor<8x8xf32>, %wv: tensor<8x8xf32>, %scale: tensor<1xf32>, %w1: tensor<8x16xf32>, %b1: tensor<16xf32>, %w2: tensor<16x8xf32>) -> tensor<4x8xf32> {
  %r = graph.dataflow -> tensor<4x8xf32> {
    %h = graph.layer_norm %x, %g, %be {axis = -1 : i64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    %q = graph.matmul %h, %wq : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %k = graph.matmul %h, %wk : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %v = graph.matmul %h, %wv : (tensor<4x8xf32>, tensor<8x8xf32>) -> tensor<4x8xf32>
    %kt = graph.transpose %k {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
    %s = graph.matmul %q, %kt : (tensor<4x8xf32>, tensor<8x4xf32>) -> tensor<4x4xf32>
    %ss = graph.mul %s, %scale : (tensor<4x4xf32>, tensor<1xf32>) -> tensor<4x4xf32>
    %p = graph.softmax %ss {axis = -1 : i64} : tensor<4x4xf32>
    %c = graph.matmul %p, %v : (tensor<4x4xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %x1 = graph.add %x, %c : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    %h2 = graph.layer_norm %x1, %g, %be {axis = -1 : i64} : (tensor<4x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<4x8xf32>
    %u = graph.matmul %h2, %w1 : (tensor<4x8xf32>, tensor<8x16xf32>) -> tensor<4x16xf32>
    %ub = graph.add %u, %b1 : (tensor<4x16xf32>, tensor<16xf32>) -> tensor<4x16xf32>
    %a = graph.gelu %ub : tensor<4x16xf32>
    %d = graph.matmul %a, %w2 : (tensor<4x16xf32>, tensor<16x8xf32>) -> tensor<4x8xf32>
    %o = graph.add %x1, %d : (tensor<4x8xf32>, tensor<4x8xf32>) -> tensor<4x8xf32>
    graph.output %o : tensor<4x8xf32>
  }
  func.return %r : tensor<4x8xf32>
}
