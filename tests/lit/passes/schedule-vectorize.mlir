// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-vectorize.trace"}' | %filecheck %s
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/schedule-vectorize-error.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR

// vectorize: the innermost loops (j, 16) of both stages are marked vectorized.

// CHECK-LABEL: func.func @main
// CHECK-NEXT:  %B = tensor.alloc_buffer : memref<8x16xf32>
// CHECK-NEXT:  loops.for %i = 0 to 8 {
// CHECK-NEXT:  loops.for %j = 0 to 16 vectorized {
// CHECK-NEXT:  tensor.block "B"
// CHECK:       loops.for %i_1 = 0 to 8 {
// CHECK-NEXT:  loops.for %j_1 = 0 to 16 vectorized {
// CHECK-NEXT:  tensor.block "C"

// i is not innermost: its body is loop j, not a single block.
// ERR: schedule-vectorize.mlir:{{[0-9]+}}:3: error: tensor-apply-schedule: trace '{{.*}}schedule-vectorize-error.trace': cannot vectorize loop %i: its body must be a single block without loops, got loop %j (while replaying instruction 2: vectorize)
// ERR-NEXT: loops.for %i = 0 to 8 {
// ERR-NEXT: ^
// ERR-NEXT: note: only the innermost loop around one block can be vectorized

func.func @main(%A: memref<8x16xf32>, %C: memref<8x16xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<8x16xf32>
  loops.for %i = 0 to 8 {
    loops.for %j = 0 to 16 {
      tensor.block "B"(%v_i = spatial(8, %i), %v_j = spatial(16, %j)) reads(%A[%v_i, %v_j]) writes(%B[%v_i, %v_j]) {
        %0 = memref.load %A[%v_i, %v_j] : memref<8x16xf32>
        %1 = arith.constant 2.000000e+00 : f32
        %2 = arith.mulf %0, %1 : f32
        %3 = arith.constant 1.000000e+00 : f32
        %4 = arith.addf %2, %3 : f32
        memref.store %4, %B[%v_i, %v_j] : memref<8x16xf32>
      }
    }
  }
  loops.for %i_1 = 0 to 8 {
    loops.for %j_1 = 0 to 16 {
      tensor.block "C"(%v_i_1 = spatial(8, %i_1), %v_j_1 = spatial(16, %j_1)) reads(%B[%v_i_1, %v_j_1], %A[%v_i_1, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {
        %5 = memref.load %B[%v_i_1, %v_j_1] : memref<8x16xf32>
        %6 = math.exp %5 : f32
        %7 = memref.load %A[%v_i_1, %v_j_1] : memref<8x16xf32>
        %8 = arith.subf %6, %7 : f32
        memref.store %8, %C[%v_i_1, %v_j_1] : memref<8x16xf32>
      }
    }
  }
  func.return
}
