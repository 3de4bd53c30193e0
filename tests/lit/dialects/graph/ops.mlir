// RUN: %mlc-opt %s | %mlc-opt | %filecheck %s
// RUN: %mlc-opt %s --print-op-generic | %mlc-opt | %filecheck %s
// RUN: %mlc-opt %s --print-op-generic | %filecheck %s --check-prefix=GENERIC

// Every op of the graph dialect round-trips through its custom form (first RUN) and its
// generic form (second RUN); the third checks a few generic spellings, parameters in `{...}`.

// -----------------------------------------------------------------------------------------------
// Structure
// -----------------------------------------------------------------------------------------------

// Constants: float, integer, i1, splat and 0-d.
// CHECK-LABEL: func.func @constants
// CHECK:  graph.constant dense<[[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>
// CHECK:  graph.constant dense<[1, -2, 3]> : tensor<3xi64>
// CHECK:  graph.constant dense<[true, false]> : tensor<2xi1>
// CHECK:  graph.constant dense<5.000000e-01> : tensor<2x2xf64>
// CHECK:  graph.constant dense<7> : tensor<i32>
// GENERIC-LABEL: "func.func"() <{sym_name = "constants"
// GENERIC: "graph.constant"() {value = dense<[[1.000000e+00, 2.000000e+00]]> : tensor<1x2xf32>} : () -> tensor<1x2xf32>
func.func @constants() -> (tensor<1x2xf32>, tensor<3xi64>, tensor<2xi1>, tensor<2x2xf64>, tensor<i32>) {
  %a = graph.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
  %b = graph.constant dense<[1, -2, 3]> : tensor<3xi64>
  %c = graph.constant dense<[true, false]> : tensor<2xi1>
  %d = graph.constant dense<0.5> : tensor<2x2xf64>
  %e = graph.constant dense<7> : tensor<i32>
  func.return %a, %b, %c, %d, %e : tensor<1x2xf32>, tensor<3xi64>, tensor<2xi1>, tensor<2x2xf64>, tensor<i32>
}

// A dataflow region with one result, one with two, and one with none.
// CHECK-LABEL: func.func @dataflow
// CHECK:       %[[Y:.*]] = graph.dataflow -> tensor<4xf32> {
// CHECK-NEXT:    %[[T:.*]] = graph.relu %x : tensor<4xf32>
// CHECK-NEXT:    graph.output %[[T]] : tensor<4xf32>
// CHECK-NEXT:  }
// CHECK:       graph.dataflow -> (tensor<4xf32>, tensor<4xf32>) {
// CHECK:         graph.output %{{.*}}, %{{.*}} : tensor<4xf32>, tensor<4xf32>
// CHECK:       graph.dataflow {
// CHECK-NEXT:    graph.output
// CHECK-NEXT:  }
// GENERIC-LABEL: "func.func"() <{sym_name = "dataflow"
// GENERIC:       "graph.dataflow"() ({
// GENERIC:         "graph.output"(%{{.*}}) : (tensor<4xf32>) -> ()
// GENERIC:       }) : () -> tensor<4xf32>
func.func @dataflow(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = graph.dataflow -> tensor<4xf32> {
    %t = graph.relu %x : tensor<4xf32>
    graph.output %t : tensor<4xf32>
  }
  %p:2 = graph.dataflow -> (tensor<4xf32>, tensor<4xf32>) {
    %n = graph.neg %y : tensor<4xf32>
    %e = graph.exp %y : tensor<4xf32>
    graph.output %n, %e : tensor<4xf32>, tensor<4xf32>
  }
  graph.dataflow {
    graph.output
  }
  func.return %p#1 : tensor<4xf32>
}

// call_tir of a destination-passing function over buffers (inputs, then outputs); call_lib
// with and without `pure`, with one and two results.
func.func @relu_kernel(%x: memref<4xf32>, %y: memref<4xf32>) {
  func.return
}
// CHECK-LABEL: func.func @calls
// CHECK:  graph.call_tir @relu_kernel(%x) : (tensor<4xf32>) -> tensor<4xf32>
// CHECK:  graph.call_lib "env.linear"(%x, %w) {pure} : (tensor<4xf32>, tensor<8x4xf32>) -> tensor<8xf32>
// CHECK:  graph.call_lib "env.split"(%x) : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>)
// GENERIC-LABEL: "func.func"() <{sym_name = "calls"
// GENERIC: "graph.call_tir"(%{{.*}}) {callee = @relu_kernel} : (tensor<4xf32>) -> tensor<4xf32>
// GENERIC: "graph.call_lib"(%{{.*}}, %{{.*}}) {callee = "env.linear", pure} : (tensor<4xf32>, tensor<8x4xf32>) -> tensor<8xf32>
func.func @calls(%x: tensor<4xf32>, %w: tensor<8x4xf32>) -> tensor<4xf32> {
  %y = graph.call_tir @relu_kernel(%x) : (tensor<4xf32>) -> tensor<4xf32>
  %z = graph.dataflow -> tensor<8xf32> {
    %l = graph.call_lib "env.linear"(%x, %w) {pure} : (tensor<4xf32>, tensor<8x4xf32>) -> tensor<8xf32>
    graph.output %l : tensor<8xf32>
  }
  %s:2 = graph.call_lib "env.split"(%x) : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>)
  func.return %y : tensor<4xf32>
}

// -----------------------------------------------------------------------------------------------
// Elementwise
// -----------------------------------------------------------------------------------------------

// Binary ops: the short form when all types agree, the long one when broadcasting.
// CHECK-LABEL: func.func @binary
// CHECK:  graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
// CHECK:  graph.sub %a, %a : tensor<2x3xf32>
// CHECK:  graph.mul %a, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
// CHECK:  graph.div %c, %a : (tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
// CHECK:  graph.max %i, %i : tensor<3xi32>
// CHECK:  graph.min %j, %j : tensor<3xi64>
// CHECK:  graph.pow %d, %d : tensor<4xf64>
// CHECK:  graph.add %s, %s : tensor<f32>
// GENERIC-LABEL: "func.func"() <{sym_name = "binary"
// GENERIC: "graph.add"(%{{.*}}, %{{.*}}) : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
func.func @binary(%a: tensor<2x3xf32>, %b: tensor<3xf32>, %c: tensor<2x1xf32>, %s: tensor<f32>,
                  %i: tensor<3xi32>, %j: tensor<3xi64>, %d: tensor<4xf64>) {
  %0 = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %1 = graph.sub %a, %a : tensor<2x3xf32>
  %2 = graph.mul %a, %s : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>
  %3 = graph.div %c, %a : (tensor<2x1xf32>, tensor<2x3xf32>) -> tensor<2x3xf32>
  %4 = graph.max %i, %i : tensor<3xi32>
  %5 = graph.min %j, %j : tensor<3xi64>
  %6 = graph.pow %d, %d : tensor<4xf64>
  %7 = graph.add %s, %s : tensor<f32>
  func.return
}

// Unary ops, on f32 and the other float types; neg, abs and relu also on integers.
// CHECK-LABEL: func.func @unary
// CHECK:  graph.neg %x : tensor<4xf32>
// CHECK:  graph.abs %x : tensor<4xf32>
// CHECK:  graph.exp %x : tensor<4xf32>
// CHECK:  graph.log %x : tensor<4xf32>
// CHECK:  graph.sqrt %x : tensor<4xf32>
// CHECK:  graph.rsqrt %x : tensor<4xf32>
// CHECK:  graph.tanh %x : tensor<4xf32>
// CHECK:  graph.sigmoid %x : tensor<4xf32>
// CHECK:  graph.relu %x : tensor<4xf32>
// CHECK:  graph.erf %x : tensor<4xf32>
// CHECK:  graph.gelu %x : tensor<4xf32>
// CHECK:  graph.exp %h : tensor<2xf16>
// CHECK:  graph.tanh %bh : tensor<2xbf16>
// CHECK:  graph.sqrt %d : tensor<f64>
// CHECK:  graph.neg %i : tensor<3xi32>
// CHECK:  graph.abs %i : tensor<3xi32>
// CHECK:  graph.relu %i : tensor<3xi32>
func.func @unary(%x: tensor<4xf32>, %h: tensor<2xf16>, %bh: tensor<2xbf16>, %d: tensor<f64>,
                 %i: tensor<3xi32>) {
  %0 = graph.neg %x : tensor<4xf32>
  %1 = graph.abs %x : tensor<4xf32>
  %2 = graph.exp %x : tensor<4xf32>
  %3 = graph.log %x : tensor<4xf32>
  %4 = graph.sqrt %x : tensor<4xf32>
  %5 = graph.rsqrt %x : tensor<4xf32>
  %6 = graph.tanh %x : tensor<4xf32>
  %7 = graph.sigmoid %x : tensor<4xf32>
  %8 = graph.relu %x : tensor<4xf32>
  %9 = graph.erf %x : tensor<4xf32>
  %10 = graph.gelu %x : tensor<4xf32>
  %11 = graph.exp %h : tensor<2xf16>
  %12 = graph.tanh %bh : tensor<2xbf16>
  %13 = graph.sqrt %d : tensor<f64>
  %14 = graph.neg %i : tensor<3xi32>
  %15 = graph.abs %i : tensor<3xi32>
  %16 = graph.relu %i : tensor<3xi32>
  func.return
}

// clip with both, one or no bound (f32 and f64 scalars); cast between element types; where.
// CHECK-LABEL: func.func @clip_cast_where
// CHECK:  graph.clip %x {min = 0.000000e+00 : f32, max = 6.000000e+00 : f32} : tensor<4xf32>
// CHECK:  graph.clip %x {max = 1.000000e+00 : f64} : tensor<4xf32>
// CHECK:  graph.clip %x : tensor<4xf32>
// CHECK:  graph.cast %x : (tensor<4xf32>) -> tensor<4xi32>
// CHECK:  graph.cast %x : (tensor<4xf32>) -> tensor<4xi1>
// CHECK:  graph.cast %x : (tensor<4xf32>) -> tensor<4xbf16>
// CHECK:  graph.where %c, %x, %s : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
// GENERIC-LABEL: "func.func"() <{sym_name = "clip_cast_where"
// GENERIC: "graph.clip"(%{{.*}}) {min = 0.000000e+00 : f32, max = 6.000000e+00 : f32} : (tensor<4xf32>) -> tensor<4xf32>
func.func @clip_cast_where(%x: tensor<4xf32>, %c: tensor<4xi1>, %s: tensor<f32>) {
  %0 = graph.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
  %1 = graph.clip %x {max = 1.0 : f64} : tensor<4xf32>
  %2 = graph.clip %x : tensor<4xf32>
  %3 = graph.cast %x : (tensor<4xf32>) -> tensor<4xi32>
  %4 = graph.cast %x : (tensor<4xf32>) -> tensor<4xi1>
  %5 = graph.cast %x : (tensor<4xf32>) -> tensor<4xbf16>
  %6 = graph.where %c, %x, %s : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
  func.return
}

// -----------------------------------------------------------------------------------------------
// Linear algebra and neural-network ops
// -----------------------------------------------------------------------------------------------

// matmul: 2-D, batched with broadcasting batch dims, vector operands, integers.
// CHECK-LABEL: func.func @matmul
// CHECK:  graph.matmul %a, %b : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
// CHECK:  graph.matmul %ba, %bb : (tensor<5x1x2x8xf32>, tensor<3x8x4xf32>) -> tensor<5x3x2x4xf32>
// CHECK:  graph.matmul %v, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
// CHECK:  graph.matmul %v, %v : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
// CHECK:  graph.matmul %i, %i : tensor<3x3xi64>
func.func @matmul(%a: tensor<2x8xf32>, %b: tensor<8x4xf32>, %ba: tensor<5x1x2x8xf32>,
                  %bb: tensor<3x8x4xf32>, %v: tensor<8xf32>, %i: tensor<3x3xi64>) {
  %0 = graph.matmul %a, %b : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %1 = graph.matmul %ba, %bb : (tensor<5x1x2x8xf32>, tensor<3x8x4xf32>) -> tensor<5x3x2x4xf32>
  %2 = graph.matmul %v, %b : (tensor<8xf32>, tensor<8x4xf32>) -> tensor<4xf32>
  %3 = graph.matmul %v, %v : (tensor<8xf32>, tensor<8xf32>) -> tensor<f32>
  %4 = graph.matmul %i, %i : tensor<3x3xi64>
  func.return
}

// einsum: a matrix product, a trace-like diagonal and a reduction to a scalar.
// CHECK-LABEL: func.func @einsum
// CHECK:  graph.einsum %a, %b {equation = "ik,kj->ij"} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
// CHECK:  graph.einsum %s {equation = "ii->i"} : (tensor<3x3xf32>) -> tensor<3xf32>
// CHECK:  graph.einsum %a {equation = "ij->"} : (tensor<2x8xf32>) -> tensor<f32>
// GENERIC-LABEL: "func.func"() <{sym_name = "einsum"
// GENERIC: "graph.einsum"(%{{.*}}, %{{.*}}) {equation = "ik,kj->ij"} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
func.func @einsum(%a: tensor<2x8xf32>, %b: tensor<8x4xf32>, %s: tensor<3x3xf32>) {
  %0 = graph.einsum %a, %b {equation = "ik,kj->ij"} : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
  %1 = graph.einsum %s {equation = "ii->i"} : (tensor<3x3xf32>) -> tensor<3xf32>
  %2 = graph.einsum %a {equation = "ij->"} : (tensor<2x8xf32>) -> tensor<f32>
  func.return
}

// conv2d with padding and bias, strided and dilated, grouped (depthwise); attributes omitted
// take their defaults.
// CHECK-LABEL: func.func @conv2d
// CHECK:  graph.conv2d %x, %w, %bias {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
// CHECK:  graph.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x2x2xf32>
// CHECK:  graph.conv2d %x, %dw {groups = 3 : i64} : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x6x6xf32>
// GENERIC-LABEL: "func.func"() <{sym_name = "conv2d"
// GENERIC: "graph.conv2d"(%{{.*}}, %{{.*}}, %{{.*}}) {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64}
func.func @conv2d(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %bias: tensor<4xf32>,
                  %dw: tensor<3x1x3x3xf32>) {
  %0 = graph.conv2d %x, %w, %bias {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  %1 = graph.conv2d %x, %w {strides = array<i64: 2, 2>, dilations = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x2x2xf32>
  %2 = graph.conv2d %x, %dw {groups = 3 : i64} : (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x6x6xf32>
  func.return
}

// Pooling: plain, padded, ceil_mode (the last window starts inside the input), dilated, and
// avg with count_include_pad.
// CHECK-LABEL: func.func @pool
// CHECK:  graph.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
// CHECK:  graph.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32>
// CHECK:  graph.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x6x6xf32>
// CHECK:  graph.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
// CHECK:  graph.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = 1 : i64, count_include_pad = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x3xf32>
func.func @pool(%x: tensor<1x4x8x8xf32>) {
  %0 = graph.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %1 = graph.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x5x5xf32>
  %2 = graph.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, dilations = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x6x6xf32>
  %3 = graph.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, padding = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  %4 = graph.avg_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 3, 3>, padding = array<i64: 1, 1, 1, 1>, ceil_mode = 1 : i64, count_include_pad = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x3xf32>
  func.return
}

// Normalizations: lrn, softmax and log_softmax (explicit and default axis), layer_norm with
// gamma broadcasting, batch_norm.
// CHECK-LABEL: func.func @normalization
// CHECK:  graph.lrn %x {size = 3 : i64, alpha = 1.000000e-04 : f32, beta = 7.500000e-01 : f32, bias = 1.000000e+00 : f32} : tensor<1x4x8x8xf32>
// CHECK:  graph.softmax %m {axis = 1 : i64} : tensor<2x10xf32>
// CHECK:  graph.softmax %m : tensor<2x10xf32>
// CHECK:  graph.log_softmax %m {axis = -2 : i64} : tensor<2x10xf32>
// CHECK:  graph.layer_norm %m, %g, %b {axis = -1 : i64, epsilon = 1.000000e-05 : f32} : (tensor<2x10xf32>, tensor<10xf32>, tensor<1xf32>) -> tensor<2x10xf32>
// CHECK:  graph.batch_norm %x, %c, %c, %c, %c {epsilon = 1.000000e-03 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
func.func @normalization(%x: tensor<1x4x8x8xf32>, %m: tensor<2x10xf32>, %g: tensor<10xf32>,
                         %b: tensor<1xf32>, %c: tensor<4xf32>) {
  %0 = graph.lrn %x {size = 3 : i64, alpha = 1.0e-04 : f32, beta = 0.75 : f32, bias = 1.0 : f32} : tensor<1x4x8x8xf32>
  %1 = graph.softmax %m {axis = 1 : i64} : tensor<2x10xf32>
  %2 = graph.softmax %m : tensor<2x10xf32>
  %3 = graph.log_softmax %m {axis = -2 : i64} : tensor<2x10xf32>
  %4 = graph.layer_norm %m, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x10xf32>, tensor<10xf32>, tensor<1xf32>) -> tensor<2x10xf32>
  %5 = graph.batch_norm %x, %c, %c, %c, %c {epsilon = 1.0e-03 : f64} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  func.return
}

// -----------------------------------------------------------------------------------------------
// Reductions
// -----------------------------------------------------------------------------------------------

// Each reduction, with and without keepdims, negative axes, all axes to a 0-d result, and no
// axes at all (numpy: the identity).
// CHECK-LABEL: func.func @reductions
// CHECK:  graph.reduce_sum %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
// CHECK:  graph.reduce_mean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
// CHECK:  graph.reduce_max %x {axes = array<i64: -2>} : (tensor<2x3xf32>) -> tensor<3xf32>
// CHECK:  graph.reduce_min %i {axes = array<i64: 0, 1>, keepdims = 0 : i64} : (tensor<2x3xi32>) -> tensor<i32>
// CHECK:  graph.reduce_sum %x {axes = array<i64>} : tensor<2x3xf32>
// GENERIC-LABEL: "func.func"() <{sym_name = "reductions"
// GENERIC: "graph.reduce_sum"(%{{.*}}) {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
func.func @reductions(%x: tensor<2x3xf32>, %i: tensor<2x3xi32>) {
  %0 = graph.reduce_sum %x {axes = array<i64: 1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  %1 = graph.reduce_mean %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x1xf32>
  %2 = graph.reduce_max %x {axes = array<i64: -2>} : (tensor<2x3xf32>) -> tensor<3xf32>
  %3 = graph.reduce_min %i {axes = array<i64: 0, 1>, keepdims = 0 : i64} : (tensor<2x3xi32>) -> tensor<i32>
  %4 = graph.reduce_sum %x {axes = array<i64>} : tensor<2x3xf32>
  func.return
}

// -----------------------------------------------------------------------------------------------
// Shape ops
// -----------------------------------------------------------------------------------------------

// CHECK-LABEL: func.func @shape_ops
// CHECK:  graph.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
// CHECK:  graph.reshape %s : (tensor<f32>) -> tensor<1x1xf32>
// CHECK:  graph.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// CHECK:  graph.broadcast_to %v : (tensor<3xf32>) -> tensor<2x3xf32>
// CHECK:  graph.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
// CHECK:  graph.concat %x, %v2 {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
// CHECK:  graph.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
// CHECK:  graph.slice %x {starts = array<i64: -1, 0>, ends = array<i64: -3, 100>, steps = array<i64: -1, 2>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
// CHECK:  graph.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 1, 3>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
// CHECK:  graph.rearrange %img {pattern = "b c h w -> b (c h w)"} : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
// CHECK:  graph.rearrange %img {pattern = "b c h w -> (b h) 1 w (c) ()"} : (tensor<2x3x4x5xf32>) -> tensor<8x1x5x3x1xf32>
// GENERIC-LABEL: "func.func"() <{sym_name = "shape_ops"
// GENERIC: "graph.transpose"(%{{.*}}) {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
// GENERIC: "graph.rearrange"(%{{.*}}) {pattern = "b c h w -> b (c h w)"} : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
func.func @shape_ops(%x: tensor<2x3xf32>, %s: tensor<f32>, %v: tensor<3xf32>, %v2: tensor<2x1xf32>,
                     %img: tensor<2x3x4x5xf32>) {
  %0 = graph.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
  %1 = graph.reshape %s : (tensor<f32>) -> tensor<1x1xf32>
  %2 = graph.transpose %x {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  %3 = graph.broadcast_to %v : (tensor<3xf32>) -> tensor<2x3xf32>
  %4 = graph.concat %x, %x {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  %5 = graph.concat %x, %v2 {axis = -1 : i64} : (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>
  %6 = graph.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 2, 3>, steps = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %7 = graph.slice %x {starts = array<i64: -1, 0>, ends = array<i64: -3, 100>, steps = array<i64: -1, 2>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  %8 = graph.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 1, 3>} : (tensor<2x3xf32>) -> tensor<1x3xf32>
  %9 = graph.rearrange %img {pattern = "b c h w -> b (c h w)"} : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
  %10 = graph.rearrange %img {pattern = "b c h w -> (b h) 1 w (c) ()"} : (tensor<2x3x4x5xf32>) -> tensor<8x1x5x3x1xf32>
  func.return
}

// -----------------------------------------------------------------------------------------------
// Dynamic dimensions and the generic form as the spec writes it
// -----------------------------------------------------------------------------------------------

// `?` dimensions propagate through the rules; a stated type may be more or less static than
// the inferred one where the two are compatible.
// CHECK-LABEL: func.func @dynamic
// CHECK:  graph.add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
// CHECK:  graph.matmul %x, %w : (tensor<?x3xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>
// CHECK:  graph.relu %x : (tensor<?x3xf32>) -> tensor<5x3xf32>
// CHECK:  graph.reshape %x : (tensor<?x3xf32>) -> tensor<?xf32>
// CHECK:  graph.rearrange %x {pattern = "n c -> c n"} : (tensor<?x3xf32>) -> tensor<3x?xf32>
func.func @dynamic(%x: tensor<?x3xf32>, %b: tensor<3xf32>, %w: tensor<3x?xf32>) {
  %0 = graph.add %x, %b : (tensor<?x3xf32>, tensor<3xf32>) -> tensor<?x3xf32>
  %1 = graph.matmul %x, %w : (tensor<?x3xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>
  %2 = graph.relu %x : (tensor<?x3xf32>) -> tensor<5x3xf32>
  %3 = graph.reshape %x : (tensor<?x3xf32>) -> tensor<?xf32>
  %4 = graph.rearrange %x {pattern = "n c -> c n"} : (tensor<?x3xf32>) -> tensor<3x?xf32>
  func.return
}

// The generic form, parameters in the attribute dictionary: `N : i64`, `F : f32` or `F : f64`,
// `array<i64: ...>` and strings.
// CHECK-LABEL: func.func @generic_input
// CHECK:  graph.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
// CHECK:  graph.softmax %x {axis = 0 : i64} : tensor<4x8xf32>
// CHECK:  graph.clip %x {min = -1.000000e+00 : f64, max = 1.000000e+00 : f32} : tensor<4x8xf32>
// CHECK:  graph.einsum %x {equation = "ij->ji"} : (tensor<4x8xf32>) -> tensor<8x4xf32>
// CHECK:  graph.dataflow -> tensor<4x8xf32> {
// CHECK:    graph.call_lib "env.id"(%x) {pure} : (tensor<4x8xf32>) -> tensor<4x8xf32>
// CHECK:  graph.call_tir @relu_kernel
func.func @generic_input(%x: tensor<4x8xf32>, %v: tensor<4xf32>) {
  %0 = "graph.transpose"(%x) {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %1 = "graph.softmax"(%x) {axis = 0 : i64} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %2 = "graph.clip"(%x) {min = -1.0 : f64, max = 1.0 : f32} : (tensor<4x8xf32>) -> tensor<4x8xf32>
  %3 = "graph.einsum"(%x) {equation = "ij->ji"} : (tensor<4x8xf32>) -> tensor<8x4xf32>
  %4 = "graph.dataflow"() ({
    %5 = "graph.call_lib"(%x) {callee = "env.id", pure} : (tensor<4x8xf32>) -> tensor<4x8xf32>
    "graph.output"(%5) : (tensor<4x8xf32>) -> ()
  }) : () -> tensor<4x8xf32>
  %6 = "graph.call_tir"(%v) {callee = @relu_kernel} : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}
