// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-annotate.trace"}' | %filecheck %s
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-annotate-error.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR

// annotate: loops and blocks get annotations of each value kind (int, bool, str, list with
// a float); the computation is unchanged.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %i = 0 to 8 annotations {pragma_auto_unroll_max_step = 16 : i64} {
// CHECK-NEXT:  loops.for %j = 0 to 16 {
// CHECK-NEXT:  loops.for %k = 0 to 4 annotations {pragma_unroll_explicit = true} {
// CHECK-NEXT:  tensor.block "C"(%v_i = spatial(8, %i), %v_j = spatial(16, %j), %v_k = reduce(4, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%C[%v_i, %v_j]) annotations {meta_schedule.tiling_structure = "SSRSRS", layout = [1 : i64, 2.500000e+00 : f64, "x"]} {

// A dict is not an annotation value. (The error names the value, not a location in the IR.)
// ERR: error: tensor-apply-schedule: trace '{{.*}}schedule-annotate-error.trace': annotation values must be bool, int, float, str or lists of them, got dict {'a': 1} (while replaying instruction 2: annotate)

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
