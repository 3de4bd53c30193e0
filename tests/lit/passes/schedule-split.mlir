// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-split.trace"}' | %filecheck %s
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-split-error.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR

// split: j (16) by [None, 4] is perfect, j0 * 4 + j1; i (8) by [3, None] is imperfect
// (3 x 3 = 9 > 8), so the block gets the predicate i0 * 3 + i1 < 8. The new loops take the
// old loop's place, outermost first; k and the block body are unchanged.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %[[I0:.*]] = 0 to 3 {
// CHECK-NEXT:  loops.for %[[I1:.*]] = 0 to 3 {
// CHECK-NEXT:  loops.for %[[J0:.*]] = 0 to 4 {
// CHECK-NEXT:  loops.for %[[J1:.*]] = 0 to 4 {
// CHECK-NEXT:  loops.for %k = 0 to 4 {
// CHECK-NEXT:  tensor.block "C"(%v_i = spatial(8, %[[I0]] * 3 + %[[I1]]), %v_j = spatial(16, %[[J0]] * 4 + %[[J1]]), %v_k = reduce(4, %k)) where(%[[I0]] * 3 + %[[I1]] < 8) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%C[%v_i, %v_j]) {

// Factors whose product (3 * 4) is less than the extent (16): the split is refused at j.
// ERR: schedule-split.mlir:{{[0-9]+}}:5: error: tensor-apply-schedule: trace '{{.*}}schedule-split-error.trace': split of loop %j: the product of factors [3, 4] is 12, less than the extent 16 (while replaying instruction 2: split)
// ERR-NEXT: loops.for %j = 0 to 16 {
// ERR-NEXT: ^
// ERR-NEXT: note: a split must cover every iteration

func.func @main(%A: memref<8x4xf32>, %B: memref<4x16xf32>, %C: memref<8x16xf32>) attributes {tensor.num_inputs = 2 : i64} {
  loops.for %i = 0 to 8 {
    loops.for %j = 0 to 16 {
      loops.for %k = 0 to 4 {
        tensor.block "C"(%v_i = spatial(8, %i), %v_j = spatial(16, %j), %v_k = reduce(4, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%C[%v_i, %v_j]) {
          tensor.init {
            %0 = arith.constant 0.000000e+00 : f32
            memref.store %0, %C[%v_i, %v_j] : memref<8x16xf32>
          }
          %1 = memref.load %C[%v_i, %v_j] : memref<8x16xf32>
          %2 = memref.load %A[%v_i, %v_k] : memref<8x4xf32>
          %3 = memref.load %B[%v_k, %v_j] : memref<4x16xf32>
          %4 = arith.mulf %2, %3 : f32
          %5 = arith.addf %1, %4 : f32
          memref.store %5, %C[%v_i, %v_j] : memref<8x16xf32>
        }
      }
    }
  }
  func.return
}
