// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-compute-inline.trace"}' | %filecheck %s

// compute_inline: B (B = A * 2) disappears into C; its allocation goes too.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  loops.for %i = 0 to 16 {
// CHECK-NEXT:  loops.for %j = 0 to 8 {
// CHECK-NEXT:  tensor.block "C"(%vi = spatial(16, %i), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%C[%vi, %vj]) {
// CHECK-NEXT:  %a = memref.load %A[%vi, %vj] : memref<16x8xf32>
// CHECK-NEXT:  %two = arith.constant 2.000000e+00 : f32
// CHECK-NEXT:  %b = arith.mulf %a, %two : f32
// CHECK-NEXT:  %one = arith.constant 1.000000e+00 : f32
// CHECK-NEXT:  %c = arith.addf %b, %one : f32
// CHECK-NEXT:  memref.store %c, %C[%vi, %vj] : memref<16x8xf32>
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  }
// CHECK-NEXT:  func.return

func.func @main(%A: memref<16x8xf32>, %C: memref<16x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<16x8xf32>
  loops.for %i = 0 to 16 {
    loops.for %j = 0 to 8 {
      tensor.block "B"(%vi = spatial(16, %i), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%B[%vi, %vj]) {
        %a = memref.load %A[%vi, %vj] : memref<16x8xf32>
        %two = arith.constant 2.000000e+00 : f32
        %b = arith.mulf %a, %two : f32
        memref.store %b, %B[%vi, %vj] : memref<16x8xf32>
      }
    }
  }
  loops.for %i_1 = 0 to 16 {
    loops.for %j_1 = 0 to 8 {
      tensor.block "C"(%vi_1 = spatial(16, %i_1), %vj_1 = spatial(8, %j_1)) reads(%B[%vi_1, %vj_1]) writes(%C[%vi_1, %vj_1]) {
        %x = memref.load %B[%vi_1, %vj_1] : memref<16x8xf32>
        %one = arith.constant 1.000000e+00 : f32
        %c = arith.addf %x, %one : f32
        memref.store %c, %C[%vi_1, %vj_1] : memref<16x8xf32>
      }
    }
  }
  func.return
}
