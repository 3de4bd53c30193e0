// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-reorder.trace"}' | %filecheck %s
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-reorder-error.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR

// reorder: Y's loops i, j, k become k, i, j (the reduce loop outermost); the block and its
// bindings are unchanged, and so is C's nest.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  %Y = tensor.alloc_buffer : memref<8x16xf32>
// CHECK-NEXT:  loops.for %k = 0 to 4 {
// CHECK-NEXT:  loops.for %i = 0 to 8 {
// CHECK-NEXT:  loops.for %j = 0 to 16 {
// CHECK-NEXT:  tensor.block "Y"(%v_i = spatial(8, %i), %v_j = spatial(16, %j), %v_k = reduce(4, %k))
// CHECK:       loops.for %i_1 = 0 to 8 {
// CHECK-NEXT:  loops.for %j_1 = 0 to 16 {
// CHECK-NEXT:  tensor.block "C"

// Y's j with C's i: two nests, not one chain.
// ERR: schedule-reorder.mlir:{{[0-9]+}}:5: error: tensor-apply-schedule: trace '{{.*}}schedule-reorder-error.trace': cannot reorder loops %i and %j: neither contains the other (while replaying instruction 4: reorder)
// ERR-NEXT: loops.for %j = 0 to 16 {
// ERR-NEXT: ^
// ERR-NEXT: note: reorder takes loops of a single nest

func.func @main(%A: memref<8x4xf32>, %B: memref<4x16xf32>, %C: memref<8x16xf32>) attributes {tensor.num_inputs = 2 : i64} {
  %Y = tensor.alloc_buffer : memref<8x16xf32>
  loops.for %i = 0 to 8 {
    loops.for %j = 0 to 16 {
      loops.for %k = 0 to 4 {
        tensor.block "Y"(%v_i = spatial(8, %i), %v_j = spatial(16, %j), %v_k = reduce(4, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j]) {
          tensor.init {
            %0 = arith.constant 0.000000e+00 : f32
            memref.store %0, %Y[%v_i, %v_j] : memref<8x16xf32>
          }
          %1 = memref.load %Y[%v_i, %v_j] : memref<8x16xf32>
          %2 = memref.load %A[%v_i, %v_k] : memref<8x4xf32>
          %3 = memref.load %B[%v_k, %v_j] : memref<4x16xf32>
          %4 = arith.mulf %2, %3 : f32
          %5 = arith.addf %1, %4 : f32
          memref.store %5, %Y[%v_i, %v_j] : memref<8x16xf32>
        }
      }
    }
  }
  loops.for %i_1 = 0 to 8 {
    loops.for %j_1 = 0 to 16 {
      tensor.block "C"(%v_i_1 = spatial(8, %i_1), %v_j_1 = spatial(16, %j_1)) reads(%Y[%v_i_1, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {
        %6 = memref.load %Y[%v_i_1, %v_j_1] : memref<8x16xf32>
        %7 = arith.constant 0.000000e+00 : f32
        %8 = arith.maximumf %6, %7 : f32
        memref.store %8, %C[%v_i_1, %v_j_1] : memref<8x16xf32>
      }
    }
  }
  func.return
}
