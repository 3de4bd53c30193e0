// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-sample-perfect-tile.trace"}' | %filecheck %s
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-sample-perfect-tile-error.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR

// sample_perfect_tile replayed with its recorded decisions: j (16) as [4, 4], i (8) as
// [2, 1, 4], the sampled factors feeding split (a unit loop is kept: preserve_unit_iters).

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %[[I0:.*]] = 0 to 2 {
// CHECK-NEXT:  loops.for %[[I1:.*]] = 0 to 1 {
// CHECK-NEXT:  loops.for %[[I2:.*]] = 0 to 4 {
// CHECK-NEXT:  loops.for %[[J0:.*]] = 0 to 4 {
// CHECK-NEXT:  loops.for %[[J1:.*]] = 0 to 4 {
// CHECK-NEXT:  loops.for %k = 0 to 4 {
// CHECK-NEXT:  tensor.block "C"(%v_i = spatial(8, %[[I0]] * 4 + %[[I1]] * 4 + %[[I2]]), %v_j = spatial(16, %[[J0]] * 4 + %[[J1]]), %v_k = reduce(4, %k)) reads(

// A recorded decision that is not a perfect tiling of the extent (3 * 4 != 16).
// ERR: error: tensor-apply-schedule: trace '{{.*}}schedule-sample-perfect-tile-error.trace': sample_perfect_tile decision [3, 4] has product 12, but the loop extent is 16 (while replaying instruction 2: sample_perfect_tile)

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
