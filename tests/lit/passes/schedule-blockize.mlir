// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-blockize.trace"}' | %filecheck %s

// blockize: the i1/j1/k1 tile of an 8x8x8 matmul becomes block C_o over i0, j0, k0; the init
// moves into C_o as block C_init, the inner block is re-bound to the outer iterators.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %i0 = 0 to 2 {
// CHECK-NEXT:  loops.for %j0 = 0 to 2 {
// CHECK-NEXT:  loops.for %k0 = 0 to 2 {
// CHECK-NEXT:  tensor.block "C_o"(%v_i_o = spatial(2, %i0), %v_j_o = spatial(2, %j0), %v_k_o = reduce(2, %k0)) reads(%A[%v_i_o * 4 : %v_i_o * 4 + 4, %v_k_o * 4 : %v_k_o * 4 + 4], %B[%v_k_o * 4 : %v_k_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) writes(%C[%v_i_o * 4 : %v_i_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) {
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
// CHECK-NEXT:  loops.for %i1 = 0 to 4 {
// CHECK-NEXT:  loops.for %j1 = 0 to 4 {
// CHECK-NEXT:  loops.for %k1 = 0 to 4 {
// CHECK-NEXT:  tensor.block "C"(%v_i_1 = spatial(8, %v_i_o * 4 + %i1), %v_j_1 = spatial(8, %v_j_o * 4 + %j1), %v_k = reduce(8, %v_k_o * 4 + %k1)) reads(%C[%v_i_1, %v_j_1], %A[%v_i_1, %v_k], %B[%v_k, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {
// CHECK-NEXT:  %1 = memref.load %C[%v_i_1, %v_j_1] : memref<8x8xf32>
// CHECK-NEXT:  %2 = memref.load %A[%v_i_1, %v_k] : memref<8x8xf32>
// CHECK-NEXT:  %3 = memref.load %B[%v_k, %v_j_1] : memref<8x8xf32>
// CHECK-NEXT:  %4 = arith.mulf %2, %3 : f32
// CHECK-NEXT:  %5 = arith.addf %1, %4 : f32
// CHECK-NEXT:  memref.store %5, %C[%v_i_1, %v_j_1] : memref<8x8xf32>
// CHECK-NEXT:  }
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
