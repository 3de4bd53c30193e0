// RUN: %mlc-opt %s --split-input-file --verify-diagnostics

// One case per verifier rule of the graph dialect; each message quotes what it got and says
// what was expected.

// =============================== Structure ===============================

// A constant's value must have the result type.
func.func @constant_type() {
  // expected-error @+1 {{'graph.constant' op value type tensor<2xf32> does not match the result type tensor<3xf32>}}
  %c = "graph.constant"() {value = dense<1.0> : tensor<2xf32>} : () -> tensor<3xf32>
  func.return
}

// -----

// A constant needs its value.
func.func @constant_missing_value() {
  // expected-error @+1 {{attribute 'value' expected}}
  %c = "graph.constant"() : () -> tensor<3xf32>
  func.return
}

// -----

// Unknown attributes are rejected, also on ops without parameters.
func.func @constant_unknown_attr() {
  // expected-error @+1 {{'graph.constant' op unknown attribute 'scale' (expected: 'value')}}
  %c = "graph.constant"() {value = dense<1.0> : tensor<2xf32>, scale = 2.0 : f32} : () -> tensor<2xf32>
  func.return
}

// -----

// What graph.output yields must be what graph.dataflow returns.
func.func @dataflow_output_types(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.dataflow' op 'graph.output' yields (tensor<4xf32>) but the op returns (tensor<4xi32>)}}
  %y = graph.dataflow -> tensor<4xi32> {
    %t = graph.relu %x : tensor<4xf32>
    graph.output %t : tensor<4xf32>
  }
  func.return
}

// -----

// The number of yielded values must match too.
func.func @dataflow_output_count(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.output' yields (tensor<4xf32>, tensor<4xf32>) but the op returns (tensor<4xf32>)}}
  %y = graph.dataflow -> tensor<4xf32> {
    graph.output %x, %x : tensor<4xf32>, tensor<4xf32>
  }
  func.return
}

// -----

// A dataflow region must end with graph.output.
func.func @dataflow_no_output(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.dataflow' op region must end with 'graph.output', found 'graph.relu'}}
  %y = "graph.dataflow"() ({
    %t = graph.relu %x : tensor<4xf32>
  }) : () -> tensor<4xf32>
  func.return
}

// -----

// Dataflow regions hold pure ops only: call_lib without `pure` may have side effects.
func.func @dataflow_impure(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.dataflow' op may only contain pure operations, but 'graph.call_lib' is not pure}}
  %y = graph.dataflow -> tensor<4xf32> {
    %t = graph.call_lib "env.print"(%x) : (tensor<4xf32>) -> tensor<4xf32>
    graph.output %t : tensor<4xf32>
  }
  func.return
}

// -----

// graph.output terminates graph.dataflow and nothing else.
func.func @output_outside_dataflow(%x: tensor<4xf32>) {
  // expected-error @+1 {{expects parent op 'graph.dataflow'}}
  graph.output %x : tensor<4xf32>
}

// -----

// call_tir's callee must exist.
func.func @call_tir_undefined(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.call_tir' op callee @missing is not defined in this module}}
  %y = graph.call_tir @missing(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

// A callee over buffers takes the inputs, then one buffer per result.
func.func @kernel(%x: memref<4xf32>, %y: memref<4xf32>) {
  func.return
}
func.func @call_tir_arity(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.call_tir' op callee @kernel takes 2 buffers, but the call passes 2 inputs and 1 outputs (3 buffers)}}
  %y = graph.call_tir @kernel(%x, %x) : (tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

// Each buffer must have the shape and element type of its tensor.
func.func @kernel(%x: memref<4xf32>, %y: memref<8xf32>) {
  func.return
}
func.func @call_tir_signature(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.call_tir' op callee parameter #1 has type memref<8xf32>, which does not match output #0 of type tensor<4xf32>}}
  %y = graph.call_tir @kernel(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

// A destination-passing callee writes its outputs; it does not return them.
func.func @kernel(%x: memref<4xf32>, %y: memref<4xf32>) -> memref<4xf32> {
  func.return %y : memref<4xf32>
}
func.func @call_tir_callee_results(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.call_tir' op callee @kernel returns (memref<4xf32>), but a destination-passing callee returns nothing}}
  %y = graph.call_tir @kernel(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// -----

// A destination-passing call returns at least its one destination.
func.func @call_lib_no_result(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.call_lib' op must return at least one tensor (its destination)}}
  graph.call_lib "env.print"(%x) : (tensor<4xf32>) -> ()
  func.return
}

// -----

// call_lib knows `callee` and `pure`, nothing else.
func.func @call_lib_unknown_attr(%x: tensor<4xf32>) {
  // expected-error @+1 {{'graph.call_lib' op unknown attribute 'pur' (expected: 'callee', 'pure')}}
  %y = graph.call_lib "env.id"(%x) {pur} : (tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// =============================== Elementwise ===============================

// -----

// Binary ops broadcast like numpy; 3 and 4 do not.
func.func @broadcast(%a: tensor<2x3xf32>, %b: tensor<4xf32>) {
  // expected-error @+1 {{'graph.add' op operand shapes 2x3, 4 are not broadcastable (dimension 1 of the result: 3 vs 4)}}
  %c = graph.add %a, %b : (tensor<2x3xf32>, tensor<4xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// Binary operands share one element type (no implicit promotion).
func.func @binary_element_types(%a: tensor<3xf32>, %b: tensor<3xf64>) {
  // expected-error @+1 {{'graph.mul' op operands have different element types: #0 is f32, #1 is f64}}
  %c = graph.mul %a, %b : (tensor<3xf32>, tensor<3xf64>) -> tensor<3xf32>
  func.return
}

// -----

// The stated result type must be the inferred one.
func.func @result_type(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'graph.sub' op result type tensor<3xf32> does not match the inferred type tensor<2x3xf32>}}
  %c = graph.sub %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

// `?` is compatible with any size, but two static sizes must agree.
func.func @result_type_dynamic(%a: tensor<?x3xf32>) {
  // expected-error @+1 {{'graph.relu' op result type tensor<?x4xf32> does not match the inferred type tensor<?x3xf32>}}
  %c = graph.relu %a : (tensor<?x3xf32>) -> tensor<?x4xf32>
  func.return
}

// -----

// Arithmetic is not defined on i1.
func.func @binary_bool(%a: tensor<3xi1>) {
  // expected-error @+1 {{'graph.add' op lhs must have a numeric element type (not i1), got tensor<3xi1>}}
  %c = graph.add %a, %a : tensor<3xi1>
  func.return
}

// -----

// ... nor are unary ops such as neg.
func.func @unary_bool(%a: tensor<3xi1>) {
  // expected-error @+1 {{'graph.neg' op operand must have a numeric element type (not i1), got tensor<3xi1>}}
  %c = graph.neg %a : tensor<3xi1>
  func.return
}

// -----

// Transcendental ops are float-only.
func.func @float_only(%a: tensor<3xi32>) {
  // expected-error @+1 {{'graph.exp' op operand must have a floating-point element type, got tensor<3xi32>}}
  %c = graph.exp %a : tensor<3xi32>
  func.return
}

// -----

// Element types are the ones numpy has.
func.func @element_type(%a: tensor<3xindex>) {
  // expected-error @+1 {{'graph.relu' op operand #0 has element type index, which the graph dialect does not support (expected one of f16, bf16, f32, f64, i1, i8, i16, i32, i64)}}
  %c = graph.relu %a : tensor<3xindex>
  func.return
}

// -----

// Operands are ranked tensors.
func.func @not_a_tensor(%a: memref<3xf32>) {
  // expected-error @+1 {{'graph.relu' op operand 'input' at position 0 does not verify}}
  %c = "graph.relu"(%a) : (memref<3xf32>) -> tensor<3xf32>
  func.return
}

// -----

// clip's bounds must be ordered.
func.func @clip_bounds(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.clip' op min 6.0 is greater than max 0.0}}
  %c = graph.clip %a {min = 6.0 : f32, max = 0.0 : f32} : tensor<3xf32>
  func.return
}

// -----

// clip's bounds are float scalars.
func.func @clip_bound_type(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.clip' op attribute 'min' must be a float (`F : f32` or `F : f64`), got 0 : i64}}
  %c = graph.clip %a {min = 0 : i64} : tensor<3xf32>
  func.return
}

// -----

// Unary ops take no parameters.
func.func @unary_unknown_attr(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.relu' op unknown attribute 'axis' (expected: none)}}
  %c = graph.relu %a {axis = 0 : i64} : tensor<3xf32>
  func.return
}

// -----

// cast keeps the shape.
func.func @cast_shape(%a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.cast' op result shape 4 differs from operand shape 3}}
  %c = graph.cast %a : (tensor<3xf32>) -> tensor<4xi32>
  func.return
}

// -----

// where's condition is i1.
func.func @where_cond(%c: tensor<3xf32>, %a: tensor<3xf32>) {
  // expected-error @+1 {{'graph.where' op condition must be a tensor of i1, got tensor<3xf32>}}
  %y = graph.where %c, %a, %a : tensor<3xf32>
  func.return
}

// -----

// where's two values share one element type.
func.func @where_values(%c: tensor<3xi1>, %a: tensor<3xf32>, %b: tensor<3xi32>) {
  // expected-error @+1 {{'graph.where' op value operands have different element types: #0 is f32, #1 is i32}}
  %y = graph.where %c, %a, %b : (tensor<3xi1>, tensor<3xf32>, tensor<3xi32>) -> tensor<3xf32>
  func.return
}

// =============================== Linear algebra ===============================

// -----

// matmul contracts lhs's last dimension with rhs's second to last.
func.func @matmul_contracting(%a: tensor<2x8xf32>, %b: tensor<9x4xf32>) {
  // expected-error @+1 {{'graph.matmul' op contracting dimensions differ: lhs has 8, rhs has 9}}
  %c = graph.matmul %a, %b : (tensor<2x8xf32>, tensor<9x4xf32>) -> tensor<2x4xf32>
  func.return
}

// -----

// matmul's batch dimensions broadcast.
func.func @matmul_batch(%a: tensor<2x2x8xf32>, %b: tensor<3x8x4xf32>) {
  // expected-error @+1 {{'graph.matmul' op batch dimensions 2 and 3 are not broadcastable}}
  %c = graph.matmul %a, %b : (tensor<2x2x8xf32>, tensor<3x8x4xf32>) -> tensor<3x2x4xf32>
  func.return
}

// -----

// matmul needs at least vectors.
func.func @matmul_scalar(%a: tensor<f32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'graph.matmul' op matmul operands must have rank >= 1, got scalar and 3}}
  %c = graph.matmul %a, %b : (tensor<f32>, tensor<3xf32>) -> tensor<f32>
  func.return
}

// -----

// einsum needs the explicit form.
func.func @einsum_implicit(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op einsum equation 'ij' must have the explicit form 'inputs->output' with exactly one '->'}}
  %c = graph.einsum %a {equation = "ij"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// One einsum term per operand.
func.func @einsum_terms(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op einsum equation 'ij,jk->ik' has 2 inputs, op has 1 operands}}
  %c = graph.einsum %a {equation = "ij,jk->ik"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// One index per operand dimension.
func.func @einsum_rank(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op einsum term 'ijk' has 3 indices, operand 0 has rank 2}}
  %c = graph.einsum %a {equation = "ijk->i"} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// An index has one size (or 1, which broadcasts).
func.func @einsum_sizes(%a: tensor<2x3xf32>, %b: tensor<4x5xf32>) {
  // expected-error @+1 {{'graph.einsum' op einsum index 'j' has size 3 and 4 in different operands}}
  %c = graph.einsum %a, %b {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<4x5xf32>) -> tensor<2x5xf32>
  func.return
}

// -----

// Output indices come from the inputs.
func.func @einsum_output_index(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op einsum output index 'k' does not appear in any input}}
  %c = graph.einsum %a {equation = "ij->ik"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// Output indices are distinct.
func.func @einsum_output_repeat(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op einsum output 'ii' repeats an index}}
  %c = graph.einsum %a {equation = "ij->ii"} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  func.return
}

// -----

// Indices are letters (no ellipsis).
func.func @einsum_letters(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op einsum term '...j' may only contain letters}}
  %c = graph.einsum %a {equation = "...j->j"} : (tensor<2x3xf32>) -> tensor<3xf32>
  func.return
}

// -----

// einsum requires its equation.
func.func @einsum_missing_equation(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op requires attribute 'equation' (a string)}}
  %c = graph.einsum %a : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// The equation is a string.
func.func @einsum_equation_type(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.einsum' op attribute 'equation' must be a string, got 1 : i64}}
  %c = graph.einsum %a {equation = 1 : i64} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// conv2d: input channels = weight's I x groups.
func.func @conv_channels(%x: tensor<1x3x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op input channels differ: input has 3, weight expects 2 x 1 groups}}
  %y = graph.conv2d %x, %w : (tensor<1x3x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

// conv2d: the groups divide the output channels.
func.func @conv_groups(%x: tensor<1x4x8x8xf32>, %w: tensor<3x2x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op output channels 3 are not divisible by groups 2}}
  %y = graph.conv2d %x, %w {groups = 2 : i64} : (tensor<1x4x8x8xf32>, tensor<3x2x3x3xf32>) -> tensor<1x3x6x6xf32>
  func.return
}

// -----

// conv2d: groups are positive.
func.func @conv_groups_zero(%x: tensor<1x4x8x8xf32>, %w: tensor<4x2x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op groups must be positive, got 0}}
  %y = graph.conv2d %x, %w {groups = 0 : i64} : (tensor<1x4x8x8xf32>, tensor<4x2x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

// conv2d: one bias per output channel.
func.func @conv_bias(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op bias must have shape 4 (one per output channel), got 3}}
  %y = graph.conv2d %x, %w, %b : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

// conv2d: the (dilated) window fits the padded input.
func.func @conv_window(%x: tensor<1x3x4x4xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op window of effective size 5 does not fit input size 4 with padding 0+0}}
  %y = graph.conv2d %x, %w {dilations = array<i64: 2, 2>} : (tensor<1x3x4x4xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x1x1xf32>
  func.return
}

// -----

// conv2d is NCHW x OIHW.
func.func @conv_rank(%x: tensor<3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op conv2d expects a rank-4 input and weight, got 3x8x8 and 4x3x3x3}}
  %y = graph.conv2d %x, %w : (tensor<3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<4x6x6xf32>
  func.return
}

// -----

// conv2d's strides are (height, width).
func.func @conv_strides(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op 'strides' must have 2 entries (height, width), got [1, 1, 1]}}
  %y = graph.conv2d %x, %w {strides = array<i64: 1, 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x6x6xf32>
  func.return
}

// -----

// conv2d's padding is (top, left, bottom, right).
func.func @conv_padding(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op padding must have 4 entries (top, left, bottom, right), got [1, 1]}}
  %y = graph.conv2d %x, %w {padding = array<i64: 1, 1>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
  func.return
}

// -----

// A misspelled parameter is an error, not silently ignored.
func.func @conv_unknown_attr(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op unknown attribute 'stride' (expected: 'strides', 'padding', 'dilations', 'groups')}}
  %y = graph.conv2d %x, %w {stride = array<i64: 2, 2>} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  func.return
}

// -----

// Integer lists are dense arrays.
func.func @conv_attr_type(%x: tensor<1x3x8x8xf32>, %w: tensor<4x3x3x3xf32>) {
  // expected-error @+1 {{'graph.conv2d' op attribute 'strides' must be an integer array (array<i64: ...>), got [2 : i64, 2 : i64]}}
  %y = graph.conv2d %x, %w {strides = [2, 2]} : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x3x3xf32>
  func.return
}

// -----

// conv2d is float-only.
func.func @conv_int(%x: tensor<1x3x8x8xi32>, %w: tensor<4x3x3x3xi32>) {
  // expected-error @+1 {{'graph.conv2d' op input must have a floating-point element type, got tensor<1x3x8x8xi32>}}
  %y = graph.conv2d %x, %w : (tensor<1x3x8x8xi32>, tensor<4x3x3x3xi32>) -> tensor<1x4x6x6xi32>
  func.return
}

// -----

// Pooling needs its kernel.
func.func @pool_kernel(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.max_pool2d' op requires attribute 'kernel' (array<i64: ...>)}}
  %y = graph.max_pool2d %x {strides = array<i64: 2, 2>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
  func.return
}

// -----

// Pooling's padding is smaller than the kernel.
func.func @pool_padding(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.max_pool2d' op padding [2, 0, 0, 0] must be smaller than the kernel [2, 2]}}
  %y = graph.max_pool2d %x {kernel = array<i64: 2, 2>, padding = array<i64: 2, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x9x7xf32>
  func.return
}

// -----

// ceil_mode is 0 or 1.
func.func @pool_ceil_mode(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.avg_pool2d' op 'ceil_mode' must be 0 or 1, got 2}}
  %y = graph.avg_pool2d %x {kernel = array<i64: 2, 2>, ceil_mode = 2 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  func.return
}

// -----

// ceil_mode changes the output size: floor would give 3, ceil gives 4.
func.func @pool_ceil_size(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.max_pool2d' op result type tensor<1x4x3x3xf32> does not match the inferred type tensor<1x4x4x4xf32>}}
  %y = graph.max_pool2d %x {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, ceil_mode = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x3x3xf32>
  func.return
}

// -----

// The window fits the input.
func.func @pool_window(%x: tensor<1x4x2x2xf32>) {
  // expected-error @+1 {{'graph.max_pool2d' op window of effective size 3 does not fit input size 2 with padding 0+0}}
  %y = graph.max_pool2d %x {kernel = array<i64: 3, 3>} : (tensor<1x4x2x2xf32>) -> tensor<1x4x1x1xf32>
  func.return
}

// -----

// count_include_pad belongs to avg_pool2d only.
func.func @max_pool_count_include_pad(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.max_pool2d' op unknown attribute 'count_include_pad' (expected: 'kernel', 'strides', 'padding', 'dilations', 'ceil_mode')}}
  %y = graph.max_pool2d %x {kernel = array<i64: 2, 2>, count_include_pad = 1 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  func.return
}

// -----

// count_include_pad is 0 or 1.
func.func @avg_pool_count_include_pad(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.avg_pool2d' op 'count_include_pad' must be 0 or 1, got 3}}
  %y = graph.avg_pool2d %x {kernel = array<i64: 2, 2>, count_include_pad = 3 : i64} : (tensor<1x4x8x8xf32>) -> tensor<1x4x7x7xf32>
  func.return
}

// -----

// Pooling is on NCHW.
func.func @pool_rank(%x: tensor<4x8x8xf32>) {
  // expected-error @+1 {{'graph.avg_pool2d' op pooling expects a rank-4 NCHW input, got 4x8x8}}
  %y = graph.avg_pool2d %x {kernel = array<i64: 2, 2>} : (tensor<4x8x8xf32>) -> tensor<4x7x7xf32>
  func.return
}

// -----

// lrn's size is positive.
func.func @lrn_size(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.lrn' op 'size' must be positive, got 0}}
  %y = graph.lrn %x {size = 0 : i64} : tensor<1x4x8x8xf32>
  func.return
}

// -----

// lrn requires its size.
func.func @lrn_missing_size(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.lrn' op requires attribute 'size' (an integer such as `1 : i64`)}}
  %y = graph.lrn %x {alpha = 1.0e-04 : f32} : tensor<1x4x8x8xf32>
  func.return
}

// -----

// Integer scalars are integers.
func.func @lrn_size_type(%x: tensor<1x4x8x8xf32>) {
  // expected-error @+1 {{'graph.lrn' op attribute 'size' must be an integer (`N : i64`), got 3.000000e+00 : f32}}
  %y = graph.lrn %x {size = 3.0 : f32} : tensor<1x4x8x8xf32>
  func.return
}

// -----

// lrn is on NCHW.
func.func @lrn_rank(%x: tensor<4x8xf32>) {
  // expected-error @+1 {{'graph.lrn' op input must be a rank-4 NCHW tensor, got tensor<4x8xf32>}}
  %y = graph.lrn %x {size = 3 : i64} : tensor<4x8xf32>
  func.return
}

// -----

// softmax's axis is in range.
func.func @softmax_axis(%x: tensor<2x10xf32>) {
  // expected-error @+1 {{'graph.softmax' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %y = graph.softmax %x {axis = 2 : i64} : tensor<2x10xf32>
  func.return
}

// -----

// A 0-d tensor has no axis to normalize along.
func.func @log_softmax_scalar(%x: tensor<f32>) {
  // expected-error @+1 {{'graph.log_softmax' op axis -1 is out of range: the operand has rank 0 (no axes)}}
  %y = graph.log_softmax %x : tensor<f32>
  func.return
}

// -----

// layer_norm's gamma broadcasts to the normalized shape.
func.func @layer_norm_gamma(%x: tensor<2x8xf32>, %g: tensor<4xf32>, %b: tensor<8xf32>) {
  // expected-error @+1 {{'graph.layer_norm' op gamma of shape 4 does not broadcast to the normalized shape 8}}
  %y = graph.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32} : (tensor<2x8xf32>, tensor<4xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  func.return
}

// -----

// Float scalars are floats.
func.func @layer_norm_epsilon(%x: tensor<2x8xf32>, %g: tensor<8xf32>) {
  // expected-error @+1 {{'graph.layer_norm' op attribute 'epsilon' must be a float (`F : f32` or `F : f64`), got "small"}}
  %y = graph.layer_norm %x, %g, %g {epsilon = "small"} : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
  func.return
}

// -----

// batch_norm's parameters have one entry per channel.
func.func @batch_norm_params(%x: tensor<1x4x8x8xf32>, %c: tensor<4xf32>, %bad: tensor<3xf32>) {
  // expected-error @+1 {{'graph.batch_norm' op mean must have shape 4 (one per channel), got 3}}
  %y = graph.batch_norm %x, %c, %c, %bad, %c {epsilon = 1.0e-05 : f32} : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<3xf32>, tensor<4xf32>) -> tensor<1x4x8x8xf32>
  func.return
}

// -----

// batch_norm needs a channel dimension.
func.func @batch_norm_rank(%x: tensor<4xf32>, %c: tensor<4xf32>) {
  // expected-error @+1 {{'graph.batch_norm' op input must have rank >= 2 (N, C, ...), got tensor<4xf32>}}
  %y = graph.batch_norm %x, %c, %c, %c, %c : (tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>) -> tensor<4xf32>
  func.return
}

// =============================== Reductions ===============================

// -----

// Reduction axes are in range.
func.func @reduce_axis(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reduce_sum' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %y = graph.reduce_sum %x {axes = array<i64: 2>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// Reduction axes are distinct (-1 and 1 are the same axis here).
func.func @reduce_repeat(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reduce_mean' op axes [1, -1] repeat an axis}}
  %y = graph.reduce_mean %x {axes = array<i64: 1, -1>, keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// keepdims is 0 or 1.
func.func @reduce_keepdims(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reduce_max' op 'keepdims' must be 0 or 1, got 2}}
  %y = graph.reduce_max %x {axes = array<i64: 1>, keepdims = 2 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// keepdims keeps the reduced axis as size 1.
func.func @reduce_keepdims_shape(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reduce_min' op result type tensor<2xf32> does not match the inferred type tensor<2x1xf32>}}
  %y = graph.reduce_min %x {axes = array<i64: 1>, keepdims = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// Reductions require their axes.
func.func @reduce_missing_axes(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reduce_sum' op requires attribute 'axes' (array<i64: ...>)}}
  %y = graph.reduce_sum %x {keepdims = 0 : i64} : (tensor<2x3xf32>) -> tensor<f32>
  func.return
}

// -----

// Axes are an integer array, even for one axis.
func.func @reduce_axes_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reduce_sum' op attribute 'axes' must be an integer array (array<i64: ...>), got 1 : i64}}
  %y = graph.reduce_sum %x {axes = 1 : i64} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// Reductions are numeric.
func.func @reduce_bool(%x: tensor<2x3xi1>) {
  // expected-error @+1 {{'graph.reduce_sum' op operand must have a numeric element type (not i1), got tensor<2x3xi1>}}
  %y = graph.reduce_sum %x {axes = array<i64: 1>} : (tensor<2x3xi1>) -> tensor<2xi1>
  func.return
}

// =============================== Shape ops ===============================

// -----

// reshape keeps the element count.
func.func @reshape_count(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reshape' op element counts differ: operand 2x3 has 6, result 7 has 7}}
  %y = graph.reshape %x : (tensor<2x3xf32>) -> tensor<7xf32>
  func.return
}

// -----

// reshape keeps the element type.
func.func @reshape_element_type(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.reshape' op operand and result have different element types: #0 is f32, #1 is f64}}
  %y = graph.reshape %x : (tensor<2x3xf32>) -> tensor<6xf64>
  func.return
}

// -----

// transpose's perm is a permutation of the axes.
func.func @transpose_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.transpose' op perm [0, 0] is not a permutation of the 2 axes}}
  %y = graph.transpose %x {perm = array<i64: 0, 0>} : (tensor<2x3xf32>) -> tensor<2x2xf32>
  func.return
}

// -----

// transpose requires perm.
func.func @transpose_missing_perm(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.transpose' op requires attribute 'perm' (array<i64: ...>)}}
  %y = graph.transpose %x : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return
}

// -----

// Parameters go in the attribute dictionary, not in properties.
func.func @transpose_properties(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{property 'perm' is not defined by the operation 'graph.transpose'}}
  %y = "graph.transpose"(%x) <{perm = array<i64: 1, 0>}> : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return
}

// -----

// broadcast_to follows numpy's rule.
func.func @broadcast_to(%x: tensor<3xf32>) {
  // expected-error @+1 {{'graph.broadcast_to' op operand shape 3 cannot be broadcast to 2x4}}
  %y = graph.broadcast_to %x : (tensor<3xf32>) -> tensor<2x4xf32>
  func.return
}

// -----

// broadcast_to never drops dimensions.
func.func @broadcast_to_rank(%x: tensor<1x3xf32>) {
  // expected-error @+1 {{'graph.broadcast_to' op operand shape 1x3 cannot be broadcast to 3}}
  %y = graph.broadcast_to %x : (tensor<1x3xf32>) -> tensor<3xf32>
  func.return
}

// -----

// concat's operands agree outside the axis.
func.func @concat_shapes(%a: tensor<2x3xf32>, %b: tensor<2x4xf32>) {
  // expected-error @+1 {{'graph.concat' op operand 1 has shape 2x4, which differs from operand 0 (2x3) outside the concatenation axis 0}}
  %y = graph.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<2x4xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

// concat's operands have one rank.
func.func @concat_rank(%a: tensor<2x3xf32>, %b: tensor<3xf32>) {
  // expected-error @+1 {{'graph.concat' op operand 1 has rank 1, operand 0 has rank 2}}
  %y = graph.concat %a, %b {axis = 0 : i64} : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<5x3xf32>
  func.return
}

// -----

// concat's axis is in range.
func.func @concat_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.concat' op axis -3 is out of range for rank 2 (expected -2 <= axis < 2)}}
  %y = graph.concat %a, %a {axis = -3 : i64} : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

// 0-d tensors cannot be concatenated (numpy agrees).
func.func @concat_scalars(%a: tensor<f32>) {
  // expected-error @+1 {{'graph.concat' op concat operands must have rank >= 1, got scalar operands}}
  %y = graph.concat %a, %a {axis = 0 : i64} : (tensor<f32>, tensor<f32>) -> tensor<2xf32>
  func.return
}

// -----

// concat requires its axis.
func.func @concat_missing_axis(%a: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.concat' op requires attribute 'axis' (an integer such as `1 : i64`)}}
  %y = graph.concat %a, %a : (tensor<2x3xf32>, tensor<2x3xf32>) -> tensor<4x3xf32>
  func.return
}

// -----

// slice has one start, end and step per axis.
func.func @slice_lengths(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.slice' op starts, ends and steps need one entry per axis (2), got 1, 2 and 2}}
  %y = graph.slice %x {starts = array<i64: 0>, ends = array<i64: 1, 1>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  func.return
}

// -----

// slice's steps are non-zero.
func.func @slice_step(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.slice' op step of axis 1 is zero}}
  %y = graph.slice %x {starts = array<i64: 0, 0>, ends = array<i64: 1, 1>, steps = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<1x1xf32>
  func.return
}

// -----

// Out-of-range bounds clamp as in numpy: x[1:10] of 3 elements has 2.
func.func @slice_clamp(%x: tensor<3xf32>) {
  // expected-error @+1 {{'graph.slice' op result type tensor<9xf32> does not match the inferred type tensor<2xf32>}}
  %y = graph.slice %x {starts = array<i64: 1>, ends = array<i64: 10>} : (tensor<3xf32>) -> tensor<9xf32>
  func.return
}

// -----

// A rearrange pattern must parse.
func.func @rearrange_syntax(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.rearrange' op cannot parse rearrange pattern 'a b -> (a b'}}
  %y = graph.rearrange %x {pattern = "a b -> (a b"} : (tensor<2x3xf32>) -> tensor<6xf32>
  func.return
}

// -----

// Every axis appears on both sides.
func.func @rearrange_one_side(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.rearrange' op rearrange pattern 'a b -> a': axes ['b'] appear on one side only}}
  %y = graph.rearrange %x {pattern = "a b -> a"} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// ... exactly once.
func.func @rearrange_repeat(%x: tensor<2x2xf32>) {
  // expected-error @+1 {{'graph.rearrange' op rearrange pattern 'a a -> a a' repeats ['a'] on the left}}
  %y = graph.rearrange %x {pattern = "a a -> a a"} : (tensor<2x2xf32>) -> tensor<2x2xf32>
  func.return
}

// -----

// The left side names every input dimension.
func.func @rearrange_rank(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.rearrange' op rearrange pattern 'a b c -> a b c' describes 3 input dimensions, input has shape 2x3}}
  %y = graph.rearrange %x {pattern = "a b c -> a b c"} : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// A group of unit axes has size 1.
func.func @rearrange_unit(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.rearrange' op rearrange pattern 'a 1 -> a': group (1) has size 1, input dimension is 3}}
  %y = graph.rearrange %x {pattern = "a 1 -> a"} : (tensor<2x3xf32>) -> tensor<2xf32>
  func.return
}

// -----

// Only 1 may be a literal (einops).
func.func @rearrange_literal(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.rearrange' op rearrange pattern 'a b -> a b 2': only 1 may appear as a literal, got 2}}
  %y = graph.rearrange %x {pattern = "a b -> a b 2"} : (tensor<2x3xf32>) -> tensor<2x3x2xf32>
  func.return
}

// -----

// Splitting a dimension needs every size in the group but one.
func.func @rearrange_split(%x: tensor<6xf32>) {
  // expected-error @+1 {{'graph.rearrange' op rearrange pattern '(h w) -> h w': group (h w) has more than one axis of unknown size}}
  %y = graph.rearrange %x {pattern = "(h w) -> h w"} : (tensor<6xf32>) -> tensor<2x3xf32>
  func.return
}

// -----

// rearrange requires its pattern.
func.func @rearrange_missing_pattern(%x: tensor<2x3xf32>) {
  // expected-error @+1 {{'graph.rearrange' op requires attribute 'pattern' (a string)}}
  %y = graph.rearrange %x : (tensor<2x3xf32>) -> tensor<2x3xf32>
  func.return
}
