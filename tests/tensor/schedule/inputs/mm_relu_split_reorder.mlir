// The MLC course mm_relu after split(j, [None, 4]) and reorder(j0, k, j1).
func.func @main(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) attributes {tensor.num_inputs = 2 : i64} {
  %Y = tensor.alloc_buffer : memref<128x128xf32>
  loops.for %i = 0 to 128 {
    loops.for %j0 = 0 to 32 {
      loops.for %k = 0 to 128 {
        loops.for %j1 = 0 to 4 {
          tensor.block "Y"(%v_i = spatial(128, %i), %v_j = spatial(128, %j0 * 4 + %j1), %v_k = reduce(128, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j]) {
            tensor.init {
              %0 = arith.constant 0.000000e+00 : f32
              memref.store %0, %Y[%v_i, %v_j] : memref<128x128xf32>
            }
            %1 = memref.load %Y[%v_i, %v_j] : memref<128x128xf32>
            %2 = memref.load %A[%v_i, %v_k] : memref<128x128xf32>
            %3 = memref.load %B[%v_k, %v_j] : memref<128x128xf32>
            %4 = arith.mulf %2, %3 : f32
            %5 = arith.addf %1, %4 : f32
            memref.store %5, %Y[%v_i, %v_j] : memref<128x128xf32>
          }
        }
      }
    }
  }
  loops.for %i_1 = 0 to 128 {
    loops.for %j_1 = 0 to 128 {
      tensor.block "C"(%v_i_1 = spatial(128, %i_1), %v_j_1 = spatial(128, %j_1)) reads(%Y[%v_i_1, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {
        %6 = memref.load %Y[%v_i_1, %v_j_1] : memref<128x128xf32>
        %7 = arith.constant 0.000000e+00 : f32
        %8 = arith.maximumf %6, %7 : f32
        memref.store %8, %C[%v_i_1, %v_j_1] : memref<128x128xf32>
      }
    }
  }
  func.return
}
