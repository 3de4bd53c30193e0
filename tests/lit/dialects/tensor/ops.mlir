// RUN: %mlc-opt %s | %mlc-opt | %filecheck %s
// RUN: %mlc-opt %s --print-op-generic | %mlc-opt | %filecheck %s
// RUN: %mlc-opt %s --print-op-generic | %filecheck %s --check-prefix=GENERIC

// Every op of the tensor dialect round-trips through its custom form (first RUN) and its
// generic form (second RUN); the third checks the generic spelling of a block's properties.

// The MLC course's mm_relu as te.create_prim_func builds it: an intermediate buffer, a
// reduction block with init, an elementwise block.
// CHECK-LABEL: func.func @mm_relu(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) attributes {tensor.num_inputs = 2 : i64} {
// CHECK-NEXT:    %Y = tensor.alloc_buffer : memref<128x128xf32>
// CHECK-NEXT:    loops.for %i = 0 to 128 {
// CHECK-NEXT:      loops.for %j = 0 to 128 {
// CHECK-NEXT:        loops.for %k = 0 to 128 {
// CHECK-NEXT:          tensor.block "Y"(%v_i = spatial(128, %i), %v_j = spatial(128, %j), %v_k = reduce(128, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j]) {
// CHECK-NEXT:            tensor.init {
// CHECK-NEXT:              %{{.*}} = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:              memref.store %{{.*}}, %Y[%v_i, %v_j] : memref<128x128xf32>
// CHECK-NEXT:            }
// CHECK:          tensor.block "C"(%v_i_1 = spatial(128, %i_1), %v_j_1 = spatial(128, %j_1)) reads(%Y[%v_i_1, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {
// GENERIC-LABEL: "func.func"() <{sym_name = "mm_relu"
// GENERIC:         %Y = "tensor.alloc_buffer"() : () -> memref<128x128xf32>
// GENERIC:         "tensor.block"(%i, %j, %k, %A, %B, %Y) <{block_name = "Y", iterator_types = ["spatial", "spatial", "reduce"], domains = array<i64: 128, 128, 128>, bindings = affine_map<(d0, d1, d2) -> (d0, d1, d2)>, read_regions = [#tensor.region<affine_map<(d0, d1, d2) -> (d0, d2)>>, #tensor.region<affine_map<(d0, d1, d2) -> (d2, d1)>>], write_regions = [#tensor.region<affine_map<(d0, d1, d2) -> (d0, d1)>>], operandSegmentSizes = array<i32: 3, 2, 1>}> ({
// GENERIC-NEXT:    ^{{.*}}(%v_i: index, %v_j: index, %v_k: index):
// GENERIC-NEXT:      "tensor.init"() ({
func.func @mm_relu(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) attributes {tensor.num_inputs = 2 : i64} {
  %Y = tensor.alloc_buffer : memref<128x128xf32>
  loops.for %i = 0 to 128 {
    loops.for %j = 0 to 128 {
      loops.for %k = 0 to 128 {
        tensor.block "Y"(%v_i = spatial(128, %i), %v_j = spatial(128, %j), %v_k = reduce(128, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j]) {
          tensor.init {
            %0 = arith.constant 0.000000e+00 : f32
            memref.store %0, %Y[%v_i, %v_j] : memref<128x128xf32>
          }
          %1 = memref.load %Y[%v_i, %v_j] : memref<128x128xf32>
          %2 = memref.load %A[%v_i, %v_k] : memref<128x128xf32>
          %3 = memref.load %B[%v_k, %v_j] : memref<128x128xf32>
          %4 = arith.mulf %2, %3 : f32
          %5 = arith.addf %1, %4 : f32
          memref.store %5, %Y[%v_i, %v_j] : memref<128x128xf32>
        }
      }
    }
  }
  loops.for %i_1 = 0 to 128 {
    loops.for %j_1 = 0 to 128 {
      tensor.block "C"(%v_i_1 = spatial(128, %i_1), %v_j_1 = spatial(128, %j_1)) reads(%Y[%v_i_1, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {
        %6 = memref.load %Y[%v_i_1, %v_j_1] : memref<128x128xf32>
        %7 = arith.constant 0.000000e+00 : f32
        %8 = arith.maximumf %6, %7 : f32
        memref.store %8, %C[%v_i_1, %v_j_1] : memref<128x128xf32>
      }
    }
  }
  func.return
}

// -----

// An imperfect split of 130 by 4: a binding over two loops, a predicate (printed with the
// variables on the left), a row region `0 : 16` and an annotated block.
// CHECK-LABEL: func.func @split_130
// CHECK:         tensor.block "B"(%vi = spatial(130, %i0 * 4 + %i1), %vk = reduce(16, %k)) where(%i0 * 4 + %i1 < 130) reads(%A[%vi, 0 : 16]) writes(%S[%vi]) annotations {meta_schedule.tiling = "SR"} {
// GENERIC-LABEL: "func.func"() <{sym_name = "split_130"
// GENERIC:         bindings = affine_map<(d0, d1, d2) -> (((d0 * 4) + d1), d2)>
// GENERIC-SAME:    read_regions = [#tensor.region<affine_map<(d0, d1) -> (d0, 0)>, [1, 16]>]
// GENERIC-SAME:    predicate = affine_set<(d0, d1, d2) :
func.func @split_130(%A: memref<130x16xf32>, %S: memref<130xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i0 = 0 to 33 {
    loops.for %i1 = 0 to 4 {
      loops.for %k = 0 to 16 {
        tensor.block "B"(%vi = spatial(130, %i0 * 4 + %i1), %vk = reduce(16, %k)) where(%i0 * 4 + %i1 < 130) reads(%A[%vi, 0:16]) writes(%S[%vi]) annotations {meta_schedule.tiling = "SR"} {
          tensor.init {
            %z = arith.constant 0.0 : f32
            memref.store %z, %S[%vi] : memref<130xf32>
          }
          %s = memref.load %S[%vi] : memref<130xf32>
          %a = memref.load %A[%vi, %vk] : memref<130x16xf32>
          %t = arith.addf %s, %a : f32
          memref.store %t, %S[%vi] : memref<130xf32>
        }
      }
    }
  }
  func.return
}

// -----

// Affine forms in bindings, predicates and regions: subtraction, floordiv, mod, ranges that
// start at an expression, several constraints, and an update block (reduce iterator, no init,
// reads what it writes) as decompose_reduction leaves it.
// CHECK-LABEL: func.func @affine_forms
// CHECK:         tensor.block "update"(%vi = spatial(8, %i floordiv 2), %vj = spatial(2, %i mod 2), %vk = reduce(4, %k)) where(%k <= %i, %i == %k) reads(%S[%vi, %vj], %A[%vi * 2 - 1 + %vk : %vi * 2 + %vk + 1]) writes(%S[%vi, %vj]) {
func.func @affine_forms(%A: memref<32xf32>, %S: memref<8x2xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 16 {
    loops.for %k = 0 to 4 {
      tensor.block "update"(%vi = spatial(8, %i floordiv 2), %vj = spatial(2, %i mod 2), %vk = reduce(4, %k)) where(%i >= %k, %i == %k) reads(%S[%vi, %vj], %A[%vi * 2 - 1 + %vk : %vi * 2 + 1 + %vk]) writes(%S[%vi, %vj]) {
        %s = memref.load %S[%vi, %vj] : memref<8x2xf32>
        memref.store %s, %S[%vi, %vj] : memref<8x2xf32>
      }
    }
  }
  func.return
}

// -----

// A block without iterators (a scalar output) and a 0-d buffer.
// CHECK-LABEL: func.func @scalar
// CHECK:         tensor.block "init"() reads(%x[]) writes(%y[]) {
func.func @scalar(%x: memref<f32>, %y: memref<f32>) attributes {tensor.num_inputs = 1 : i64} {
  tensor.block "init"() reads(%x[]) writes(%y[]) {
    %v = memref.load %x[] : memref<f32>
    memref.store %v, %y[] : memref<f32>
  }
  func.return
}
