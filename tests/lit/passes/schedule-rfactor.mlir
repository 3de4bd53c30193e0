// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-rfactor.trace"}' | %filecheck %s

// rfactor: the row sum over k (split 4 x 4) is factorized by k1: S_rf accumulates partial
// sums per k1 into S_rf[k1, i], then S reduces them.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  %S_rf = tensor.alloc_buffer : memref<4x4xf32>
// CHECK-NEXT:  loops.for %i = 0 to 4 {
// CHECK-NEXT:  loops.for %k0 = 0 to 4 {
// CHECK-NEXT:  loops.for %k1 = 0 to 4 {
// CHECK-NEXT:  tensor.block "S_rf"(%v_i = spatial(4, %i), %v_k0 = reduce(4, %k0), %v_k1 = spatial(4, %k1)) reads(%A[%v_i, %v_k0 * 4 + %v_k1]) writes(%S_rf[%v_k1, %v_i]) {
// CHECK-NEXT:  tensor.init {
// CHECK-NEXT:  %0 = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:  memref.store %0, %S_rf[%v_k1, %v_i] : memref<4x4xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  %1 = arith.constant 4 : index
// CHECK-NEXT:  %2 = arith.muli %v_k0, %1 : index
// CHECK-NEXT:  %v_k = arith.addi %2, %v_k1 : index
// CHECK-NEXT:  %3 = memref.load %S_rf[%v_k1, %v_i] : memref<4x4xf32>
// CHECK-NEXT:  %4 = memref.load %A[%v_i, %v_k] : memref<4x16xf32>
// CHECK-NEXT:  %5 = arith.addf %3, %4 : f32
// CHECK-NEXT:  memref.store %5, %S_rf[%v_k1, %v_i] : memref<4x4xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  loops.for %i_1 = 0 to 4 {
// CHECK-NEXT:  loops.for %k1_1 = 0 to 4 {
// CHECK-NEXT:  tensor.block "S"(%v_i_1 = spatial(4, %i_1), %v_k1_1 = reduce(4, %k1_1)) reads(%S_rf[%v_k1_1, %v_i_1]) writes(%S[%v_i_1]) {
// CHECK-NEXT:  tensor.init {
// CHECK-NEXT:  %6 = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:  memref.store %6, %S[%v_i_1] : memref<4xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  %7 = memref.load %S[%v_i_1] : memref<4xf32>
// CHECK-NEXT:  %8 = memref.load %S_rf[%v_k1_1, %v_i_1] : memref<4x4xf32>
// CHECK-NEXT:  %9 = arith.addf %7, %8 : f32
// CHECK-NEXT:  memref.store %9, %S[%v_i_1] : memref<4xf32>
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
