// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-parallel.trace"}' | %filecheck %s
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-parallel-error.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR

// parallel: the outer spatial loop i is marked parallel; nothing else changes.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %i = 0 to 8 parallel {
// CHECK-NEXT:  loops.for %j = 0 to 16 {
// CHECK-NEXT:  loops.for %k = 0 to 4 {
// CHECK-NEXT:  tensor.block "C"(%v_i = spatial(8, %i), %v_j = spatial(16, %j), %v_k = reduce(4, %k))

// k binds the reduce iterator: no parallel reduce loop.
// ERR: schedule-parallel.mlir:{{[0-9]+}}:7: error: tensor-apply-schedule: trace '{{.*}}schedule-parallel-error.trace': cannot parallelize loop %k: it binds reduce iterator %v_k of block "C" (while replaying instruction 2: parallel)
// ERR-NEXT: loops.for %k = 0 to 4 {
// ERR-NEXT: ^
// ERR-NEXT: note: a parallelized loop may only bind spatial iterators (no parallel reduce loop)

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
