// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-tensorize.trace"}' | %filecheck %s

// tensorize with the built-in 4x4x4 matmul: blockize at i1, keep C_init, replace the body by
// the implementation (vectorized j loop) with indices rebased by the tile starts.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %i0 = 0 to 2 {
// CHECK-NEXT:  loops.for %j0 = 0 to 2 {
// CHECK-NEXT:  loops.for %k0 = 0 to 2 {
// CHECK-NEXT:  tensor.block "C_o"(%v_i_o = spatial(2, %i0), %v_j_o = spatial(2, %j0), %v_k_o = reduce(2, %k0)) reads(%A[%v_i_o * 4 : %v_i_o * 4 + 4, %v_k_o * 4 : %v_k_o * 4 + 4], %B[%v_k_o * 4 : %v_k_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) writes(%C[%v_i_o * 4 : %v_i_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) annotations {tensor_intrin = "mlc.matmul_acc_4x4x4_f32"} {
// CHECK-NEXT:  tensor.init {
// CHECK-NEXT:  loops.for %i1_init = 0 to 4 {
// CHECK-NEXT:  loops.for %j1_init = 0 to 4 {
// CHECK-NEXT:  tensor.block "C_init"(%v_i = spatial(8, %v_i_o * 4 + %i1_init), %v_j = spatial(8, %v_j_o * 4 + %j1_init)) reads() writes(%C[%v_i, %v_j]) {
// CHECK-NEXT:  %0 = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:  memref.store %0, %C[%v_i, %v_j] : memref<8x8xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  %1 = arith.constant 4 : index
// CHECK-NEXT:  %2 = arith.muli %v_i_o, %1 : index
// CHECK-NEXT:  %3 = arith.constant 4 : index
// CHECK-NEXT:  %4 = arith.muli %v_k_o, %3 : index
// CHECK-NEXT:  %5 = arith.constant 4 : index
// CHECK-NEXT:  %6 = arith.muli %v_j_o, %5 : index
// CHECK-NEXT:  loops.for %i = 0 to 4 {
// CHECK-NEXT:  loops.for %k = 0 to 4 {
// CHECK-NEXT:  %7 = arith.addi %2, %i : index
// CHECK-NEXT:  %8 = arith.addi %4, %k : index
// CHECK-NEXT:  %a = memref.load %A[%7, %8] : memref<8x8xf32>
// CHECK-NEXT:  loops.for %j = 0 to 4 vectorized {
// CHECK-NEXT:  %9 = arith.addi %2, %i : index
// CHECK-NEXT:  %10 = arith.addi %6, %j : index
// CHECK-NEXT:  %11 = memref.load %C[%9, %10] : memref<8x8xf32>
// CHECK-NEXT:  %12 = arith.addi %4, %k : index
// CHECK-NEXT:  %13 = arith.addi %6, %j : index
// CHECK-NEXT:  %14 = memref.load %B[%12, %13] : memref<8x8xf32>
// CHECK-NEXT:  %15 = arith.mulf %a, %14 : f32
// CHECK-NEXT:  %16 = arith.addf %11, %15 : f32
// CHECK-NEXT:  %17 = arith.addi %2, %i : index
// CHECK-NEXT:  %18 = arith.addi %6, %j : index
// CHECK-NEXT:  memref.store %16, %C[%17, %18] : memref<8x8xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  func.return

func.func @main(%A: memref<8x8xf32>, %B: memref<8x8xf32>, %C: memref<8x8xf32>) attributes {tensor.num_inputs = 2 : i64} {
  loops.for %i = 0 to 8 {
    loops.for %j = 0 to 8 {
      loops.for %k = 0 to 8 {
        tensor.block "C"(%v_i = spatial(8, %i), %v_j = spatial(8, %j), %v_k = reduce(8, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%C[%v_i, %v_j]) {
          tensor.init {
            %0 = arith.constant 0.000000e+00 : f32
            memref.store %0, %C[%v_i, %v_j] : memref<8x8xf32>
          }
          %1 = memref.load %C[%v_i, %v_j] : memref<8x8xf32>
          %2 = memref.load %A[%v_i, %v_k] : memref<8x8xf32>
          %3 = memref.load %B[%v_k, %v_j] : memref<8x8xf32>
          %4 = arith.mulf %2, %3 : f32
          %5 = arith.addf %1, %4 : f32
          memref.store %5, %C[%v_i, %v_j] : memref<8x8xf32>
        }
      }
    }
  }
  func.return
}
