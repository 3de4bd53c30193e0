// C = A @ B (64x64x64) tiled 8x32: loops i0, j0, k, i1, j1 (split i by 8, j by 32, reordered).
func.func @main(%A: memref<64x64xf32>, %B: memref<64x64xf32>, %C: memref<64x64xf32>) attributes {tensor.num_inputs = 2 : i64} {
  loops.for %i0 = 0 to 8 {
    loops.for %j0 = 0 to 2 {
      loops.for %k = 0 to 64 {
        loops.for %i1 = 0 to 8 {
          loops.for %j1 = 0 to 32 {
            tensor.block "C"(%vi = spatial(64, %i0 * 8 + %i1), %vj = spatial(64, %j0 * 32 + %j1), %vk = reduce(64, %k)) reads(%A[%vi, %vk], %B[%vk, %vj]) writes(%C[%vi, %vj]) {
              tensor.init {
                %zero = arith.constant 0.000000e+00 : f32
                memref.store %zero, %C[%vi, %vj] : memref<64x64xf32>
              }
              %c = memref.load %C[%vi, %vj] : memref<64x64xf32>
              %a = memref.load %A[%vi, %vk] : memref<64x64xf32>
              %b = memref.load %B[%vk, %vj] : memref<64x64xf32>
              %p = arith.mulf %a, %b : f32
              %s = arith.addf %c, %p : f32
              memref.store %s, %C[%vi, %vj] : memref<64x64xf32>
            }
          }
        }
      }
    }
  }
  func.return
}
