// The MLC course mm_relu after split(j, [None, 4]), reorder(j0, k, j1), reverse_compute_at(C, j0)
// and decompose_reduction(Y, k): the target of the schedule primitives, used as interpreter input.
func.func @main(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) attributes {tensor.num_inputs = 2 : i64} {
  %Y = tensor.alloc_buffer : memref<128x128xf32>
  loops.for %i = 0 to 128 {
    loops.for %j0 = 0 to 32 {
      loops.for %j1_init = 0 to 4 {
        tensor.block "Y_init"(%v_i = spatial(128, %i), %v_j = spatial(128, %j0 * 4 + %j1_init)) reads() writes(%Y[%v_i, %v_j]) {
          %0 = arith.constant 0.000000e+00 : f32
          memref.store %0, %Y[%v_i, %v_j] : memref<128x128xf32>
        }
      }
      loops.for %k = 0 to 128 {
        loops.for %j1 = 0 to 4 {
          tensor.block "Y_update"(%v_i = spatial(128, %i), %v_j = spatial(128, %j0 * 4 + %j1), %v_k = reduce(128, %k)) reads(%Y[%v_i, %v_j], %A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j]) {
            %1 = memref.load %Y[%v_i, %v_j] : memref<128x128xf32>
            %2 = memref.load %A[%v_i, %v_k] : memref<128x128xf32>
            %3 = memref.load %B[%v_k, %v_j] : memref<128x128xf32>
            %4 = arith.mulf %2, %3 : f32
            %5 = arith.addf %1, %4 : f32
            memref.store %5, %Y[%v_i, %v_j] : memref<128x128xf32>
          }
        }
      }
      loops.for %ax0 = 0 to 4 {
        tensor.block "C"(%v_i = spatial(128, %i), %v_j = spatial(128, %j0 * 4 + %ax0)) reads(%Y[%v_i, %v_j]) writes(%C[%v_i, %v_j]) {
          %6 = memref.load %Y[%v_i, %v_j] : memref<128x128xf32>
          %7 = arith.constant 0.000000e+00 : f32
          %8 = arith.maximumf %6, %7 : f32
          memref.store %8, %C[%v_i, %v_j] : memref<128x128xf32>
        }
      }
    }
  }
  func.return
}
