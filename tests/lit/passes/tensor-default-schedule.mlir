// RUN: %mlc-opt %s -p 'tensor-default-schedule{vector-bits=256 num-threads=4}' | %filecheck %s

// Three op-library kernels as te builds them, scheduled for 8-lane f32 vectors and 4 cores.
// relu(a + b): the add is inlined into the relu; rows parallel, columns vectorized.
// CHECK-LABEL: func.func @elementwise
// CHECK-NOT:     tensor.alloc_buffer
// CHECK:         loops.for %{{.*}} = 0 to 256 parallel {
// CHECK-NEXT:      loops.for %{{.*}} = 0 to 256 vectorized {
// CHECK-NEXT:        tensor.block "relu"

// matmul: 8 x 16 register tiles in a local cache, the k loop outside the tile, the tile's
// rows unrolled and columns vectorized; init and write-back vectorized; tile rows parallel.
// CHECK-LABEL: func.func @matmul
// CHECK:         %[[LOCAL:.*]] = tensor.alloc_buffer {tensor.storage_scope = "local"} : memref<64x64xf32>
// CHECK:         loops.for %{{.*}} = 0 to 8 parallel {
// CHECK-NEXT:      loops.for %{{.*}} = 0 to 4 {
// CHECK-NEXT:        loops.for %{{.*}} = 0 to 8 {
// CHECK-NEXT:          loops.for %{{.*}} = 0 to 16 vectorized {
// CHECK-NEXT:            tensor.block "matmul_init"
// CHECK:             loops.for %{{.*}} = 0 to 64 {
// CHECK-NEXT:          loops.for %{{.*}} = 0 to 8 unrolled {
// CHECK-NEXT:            loops.for %{{.*}} = 0 to 16 vectorized {
// CHECK-NEXT:              tensor.block "matmul_update"
// CHECK:             loops.for %{{.*}} = 0 to 8 {
// CHECK-NEXT:          loops.for %{{.*}} = 0 to 16 vectorized {
// CHECK-NEXT:            tensor.block "matmul_local"({{.*}}) reads(%[[LOCAL]]

// softmax: every stage has parallel rows; max and sum reduce in 8 vector lanes (rfactor)
// that the row then combines; exp and the division are vectorized.
// CHECK-LABEL: func.func @softmax
// CHECK:         loops.for %{{.*}} = 0 to 64 parallel {
// CHECK:           tensor.block "max_rf_init"
// CHECK:             loops.for %{{.*}} = 0 to 8 vectorized {
// CHECK-NEXT:          tensor.block "max_rf_update"
// CHECK:           tensor.block "max"
// CHECK:         loops.for %{{.*}} = 0 to 64 parallel {
// CHECK-NEXT:      loops.for %{{.*}} = 0 to 1024 vectorized {
// CHECK-NEXT:        tensor.block "exp"
// CHECK:         loops.for %{{.*}} = 0 to 64 parallel {
// CHECK:           tensor.block "sum_rf_init"
// CHECK:             loops.for %{{.*}} = 0 to 8 vectorized {
// CHECK-NEXT:          tensor.block "sum_rf_update"
// CHECK:           tensor.block "sum"
// CHECK:         loops.for %{{.*}} = 0 to 64 parallel {
// CHECK-NEXT:      loops.for %{{.*}} = 0 to 1024 vectorized {
// CHECK-NEXT:        tensor.block "softmax"

builtin.module {
  func.func @elementwise(%a: memref<256x256xf32>, %b: memref<256x256xf32>, %relu: memref<256x256xf32>) attributes {tensor.num_inputs = 2 : i64} {
    %add = tensor.alloc_buffer : memref<256x256xf32>
    loops.for %i0 = 0 to 256 {
      loops.for %i1 = 0 to 256 {
        tensor.block "add"(%v_i0 = spatial(256, %i0), %v_i1 = spatial(256, %i1)) reads(%a[%v_i0, %v_i1], %b[%v_i0, %v_i1]) writes(%add[%v_i0, %v_i1]) {
          %0 = memref.load %a[%v_i0, %v_i1] : memref<256x256xf32>
          %1 = memref.load %b[%v_i0, %v_i1] : memref<256x256xf32>
          %2 = arith.addf %0, %1 : f32
          memref.store %2, %add[%v_i0, %v_i1] : memref<256x256xf32>
        }
      }
    }
    loops.for %i0_1 = 0 to 256 {
      loops.for %i1_1 = 0 to 256 {
        tensor.block "relu"(%v_i0_1 = spatial(256, %i0_1), %v_i1_1 = spatial(256, %i1_1)) reads(%add[%v_i0_1, %v_i1_1]) writes(%relu[%v_i0_1, %v_i1_1]) {
          %3 = memref.load %add[%v_i0_1, %v_i1_1] : memref<256x256xf32>
          %4 = arith.constant 0.000000e+00 : f32
          %5 = arith.maximumf %3, %4 : f32
          memref.store %5, %relu[%v_i0_1, %v_i1_1] : memref<256x256xf32>
        }
      }
    }
    func.return
  }
  func.func @matmul(%a: memref<64x64xf32>, %b: memref<64x64xf32>, %matmul: memref<64x64xf32>) attributes {tensor.num_inputs = 2 : i64} {
    loops.for %i0 = 0 to 64 {
      loops.for %i1 = 0 to 64 {
        loops.for %r = 0 to 64 {
          tensor.block "matmul"(%v_i0 = spatial(64, %i0), %v_i1 = spatial(64, %i1), %v_r = reduce(64, %r)) reads(%a[%v_i0, %v_r], %b[%v_r, %v_i1]) writes(%matmul[%v_i0, %v_i1]) {
            tensor.init {
              %0 = arith.constant 0.000000e+00 : f32
              memref.store %0, %matmul[%v_i0, %v_i1] : memref<64x64xf32>
            }
            %1 = memref.load %matmul[%v_i0, %v_i1] : memref<64x64xf32>
            %2 = memref.load %a[%v_i0, %v_r] : memref<64x64xf32>
            %3 = memref.load %b[%v_r, %v_i1] : memref<64x64xf32>
            %4 = arith.mulf %2, %3 : f32
            %5 = arith.addf %1, %4 : f32
            memref.store %5, %matmul[%v_i0, %v_i1] : memref<64x64xf32>
          }
        }
      }
    }
    func.return
  }
  func.func @softmax(%x: memref<64x1024xf32>, %softmax: memref<64x1024xf32>) attributes {tensor.num_inputs = 1 : i64} {
    %max = tensor.alloc_buffer : memref<64xf32>
    %exp = tensor.alloc_buffer : memref<64x1024xf32>
    %sum = tensor.alloc_buffer : memref<64xf32>
    loops.for %i0 = 0 to 64 {
      loops.for %r = 0 to 1024 {
        tensor.block "max"(%v_i0 = spatial(64, %i0), %v_r = reduce(1024, %r)) reads(%x[%v_i0, %v_r]) writes(%max[%v_i0]) {
          tensor.init {
            %0 = arith.constant 0xff800000 : f32
            memref.store %0, %max[%v_i0] : memref<64xf32>
          }
          %1 = memref.load %max[%v_i0] : memref<64xf32>
          %2 = memref.load %x[%v_i0, %v_r] : memref<64x1024xf32>
          %3 = arith.maximumf %1, %2 : f32
          memref.store %3, %max[%v_i0] : memref<64xf32>
        }
      }
    }
    loops.for %i0_1 = 0 to 64 {
      loops.for %i1 = 0 to 1024 {
        tensor.block "exp"(%v_i0_1 = spatial(64, %i0_1), %v_i1 = spatial(1024, %i1)) reads(%x[%v_i0_1, %v_i1], %max[%v_i0_1]) writes(%exp[%v_i0_1, %v_i1]) {
          %4 = memref.load %x[%v_i0_1, %v_i1] : memref<64x1024xf32>
          %5 = memref.load %max[%v_i0_1] : memref<64xf32>
          %6 = arith.subf %4, %5 : f32
          %7 = math.exp %6 : f32
          memref.store %7, %exp[%v_i0_1, %v_i1] : memref<64x1024xf32>
        }
      }
    }
    loops.for %i0_2 = 0 to 64 {
      loops.for %r_1 = 0 to 1024 {
        tensor.block "sum"(%v_i0_2 = spatial(64, %i0_2), %v_r_1 = reduce(1024, %r_1)) reads(%exp[%v_i0_2, %v_r_1]) writes(%sum[%v_i0_2]) {
          tensor.init {
            %8 = arith.constant 0.000000e+00 : f32
            memref.store %8, %sum[%v_i0_2] : memref<64xf32>
          }
          %9 = memref.load %sum[%v_i0_2] : memref<64xf32>
          %10 = memref.load %exp[%v_i0_2, %v_r_1] : memref<64x1024xf32>
          %11 = arith.addf %9, %10 : f32
          memref.store %11, %sum[%v_i0_2] : memref<64xf32>
        }
      }
    }
    loops.for %i0_3 = 0 to 64 {
      loops.for %i1_1 = 0 to 1024 {
        tensor.block "softmax"(%v_i0_3 = spatial(64, %i0_3), %v_i1_1 = spatial(1024, %i1_1)) reads(%exp[%v_i0_3, %v_i1_1], %sum[%v_i0_3]) writes(%softmax[%v_i0_3, %v_i1_1]) {
          %12 = memref.load %exp[%v_i0_3, %v_i1_1] : memref<64x1024xf32>
          %13 = memref.load %sum[%v_i0_3] : memref<64xf32>
          %14 = arith.divf %12, %13 : f32
          memref.store %14, %softmax[%v_i0_3, %v_i1_1] : memref<64x1024xf32>
        }
      }
    }
    func.return
  }
}
