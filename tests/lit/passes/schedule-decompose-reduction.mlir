// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-decompose-reduction.trace"}' | %filecheck %s

// decompose_reduction: the init of the row sum S becomes block S_init before loop %i.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %i_init = 0 to 4 {
// CHECK-NEXT:  tensor.block "S_init"(%v_i = spatial(4, %i_init)) reads() writes(%S[%v_i]) {
// CHECK-NEXT:  %0 = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:  memref.store %0, %S[%v_i] : memref<4xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  loops.for %i = 0 to 4 {
// CHECK-NEXT:  loops.for %k = 0 to 16 {
// CHECK-NEXT:  tensor.block "S_update"(%v_i_1 = spatial(4, %i), %v_k = reduce(16, %k)) reads(%S[%v_i_1], %A[%v_i_1, %v_k]) writes(%S[%v_i_1]) {
// CHECK-NEXT:  %1 = memref.load %S[%v_i_1] : memref<4xf32>
// CHECK-NEXT:  %2 = memref.load %A[%v_i_1, %v_k] : memref<4x16xf32>
// CHECK-NEXT:  %3 = arith.addf %1, %2 : f32
// CHECK-NEXT:  memref.store %3, %S[%v_i_1] : memref<4xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  func.return

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
