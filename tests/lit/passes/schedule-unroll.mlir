// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-unroll.trace"}' | %filecheck %s
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-unroll-error.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR

// unroll: the inner loop of a split reduce loop (k1, 4) and the spatial loop i are marked
// unrolled (any loop may be unrolled).

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %i = 0 to 4 unrolled {
// CHECK-NEXT:  loops.for %[[K0:.*]] = 0 to 4 {
// CHECK-NEXT:  loops.for %[[K1:.*]] = 0 to 4 unrolled {
// CHECK-NEXT:  tensor.block "S"(%v_i = spatial(4, %i), %v_k = reduce(16, %[[K0]] * 4 + %[[K1]]))

// unroll is always legal; what can go wrong is the handle: k was replaced by the split.
// The error has no IR location (the loop is gone), so it is reported at the pipeline.
// ERR: error: tensor-apply-schedule: trace '{{.*}}schedule-unroll-error.trace': the loop of this LoopRV was removed by an earlier primitive (while replaying instruction 3: unroll)
// ERR-NEXT: split and fuse replace their loops: use the loops they return, or get_loops(block) again

func.func @main(%A: memref<4x16xf32>, %S: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 4 {
    loops.for %k = 0 to 16 {
      tensor.block "S"(%v_i = spatial(4, %i), %v_k = reduce(16, %k)) reads(%A[%v_i, %v_k]) writes(%S[%v_i]) {
        tensor.init {
          %0 = arith.constant 0.000000e+00 : f32
          memref.store %0, %S[%v_i] : memref<4xf32>
        }
        %1 = memref.load %S[%v_i] : memref<4xf32>
        %2 = memref.load %A[%v_i, %v_k] : memref<4x16xf32>
        %3 = arith.addf %1, %2 : f32
        memref.store %3, %S[%v_i] : memref<4xf32>
      }
    }
  }
  func.return
}
