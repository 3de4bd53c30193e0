// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/mm_relu.trace"}' | %filecheck %s

// The MLC course's mm_relu (episode 2) with its whole schedule: split j by 4, reorder j0, k,
// j1, reverse_compute_at C to j0, decompose_reduction of Y at k. The result has the course's
// printed shape: Y_init over j1_init, Y_update over k, j1, then C over ax0, all under i, j0.

// CHECK-LABEL: func.func @main
// CHECK:         %[[Y:.*]] = tensor.alloc_buffer : memref<128x128xf32>
// CHECK-NEXT:    loops.for %[[I:.*]] = 0 to 128 {
// CHECK-NEXT:      loops.for %[[J0:.*]] = 0 to 32 {
// CHECK-NEXT:        loops.for %[[J1I:.*]] = 0 to 4 {
// CHECK-NEXT:          tensor.block "Y_init"(%[[VI:.*]] = spatial(128, %[[I]]), %[[VJ:.*]] = spatial(128, %[[J0]] * 4 + %[[J1I]])) reads() writes(%[[Y]][%[[VI]], %[[VJ]]]) {
// CHECK-NEXT:            %{{.*}} = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:            memref.store
// CHECK-NEXT:          }
// CHECK-NEXT:        }
// CHECK-NEXT:        loops.for %[[K:.*]] = 0 to 128 {
// CHECK-NEXT:          loops.for %[[J1:.*]] = 0 to 4 {
// CHECK-NEXT:            tensor.block "Y_update"(%[[UI:.*]] = spatial(128, %[[I]]), %[[UJ:.*]] = spatial(128, %[[J0]] * 4 + %[[J1]]), %[[UK:.*]] = reduce(128, %[[K]])) reads(%[[Y]][%[[UI]], %[[UJ]]], %A[%[[UI]], %[[UK]]], %B[%[[UK]], %[[UJ]]]) writes(%[[Y]][%[[UI]], %[[UJ]]]) {
// CHECK-NOT:               tensor.init
// CHECK:                 arith.addf
// CHECK:               }
// CHECK-NEXT:          }
// CHECK-NEXT:        }
// CHECK-NEXT:        loops.for %[[AX:.*]] = 0 to 4 {
// CHECK-NEXT:          tensor.block "C"(%[[CI:.*]] = spatial(128, %[[I]]), %[[CJ:.*]] = spatial(128, %[[J0]] * 4 + %[[AX]])) reads(%[[Y]][%[[CI]], %[[CJ]]]) writes(%C[%[[CI]], %[[CJ]]]) {
// CHECK:               arith.maximumf
// CHECK:             }
// CHECK-NEXT:        }
// CHECK-NEXT:      }
// CHECK-NEXT:    }
// CHECK-NEXT:    func.return

func.func @main(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) attributes {tensor.num_inputs = 2 : i64} {
  %Y = tensor.alloc_buffer : memref<128x128xf32>
  loops.for %i = 0 to 128 {
    loops.for %j = 0 to 128 {
      loops.for %k = 0 to 128 {
        tensor.block "Y"(%v_i = spatial(128, %i), %v_j = spatial(128, %j), %v_k = reduce(128, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j]) {
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
