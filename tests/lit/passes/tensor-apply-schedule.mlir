// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/mm_split.trace"}' | %filecheck %s --check-prefix=SPLIT
// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/mm_relu.trace.json"}' | %filecheck %s --check-prefix=COURSE
// RUN: %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/mm_stochastic.trace"}' | %filecheck %s --check-prefix=STOCH
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/mm_parallel_k.trace"}' 2>&1 | %filecheck %s --check-prefix=ERR
// RUN: not %mlc-opt %s -p 'tensor-apply-schedule{trace="%S/Inputs/missing.trace"}' 2>&1 | %filecheck %s --check-prefix=MISSING

// The MLC course's mm_relu (episode 2), 128x128, as te.create_prim_func builds it.

// Split j by 4 and reorder j0, k, j1 (Inputs/mm_split.trace, text form).
// SPLIT-LABEL: func.func @main
// SPLIT:       loops.for %i = 0 to 128 {
// SPLIT-NEXT:    loops.for %[[J0:.*]] = 0 to 32 {
// SPLIT-NEXT:      loops.for %[[K:.*]] = 0 to 128 {
// SPLIT-NEXT:        loops.for %[[J1:.*]] = 0 to 4 {
// SPLIT-NEXT:          tensor.block "Y"(%{{.*}} = spatial(128, %i), %{{.*}} = spatial(128, %[[J0]] * 4 + %[[J1]]), %{{.*}} = reduce(128, %[[K]]))

// The whole course schedule (Inputs/mm_relu.trace.json, JSON form): split, reorder,
// reverse_compute_at C to j0, decompose_reduction of Y at k.
// COURSE-LABEL: func.func @main
// COURSE:       loops.for %i = 0 to 128 {
// COURSE-NEXT:    loops.for %[[J0:.*]] = 0 to 32 {
// COURSE-NEXT:      loops.for %{{.*}} = 0 to 4 {
// COURSE-NEXT:        tensor.block "Y_init"
// COURSE:           loops.for %{{.*}} = 0 to 128 {
// COURSE-NEXT:        loops.for %{{.*}} = 0 to 4 {
// COURSE-NEXT:          tensor.block "Y_update"
// COURSE:           loops.for %[[AX:.*]] = 0 to 4 {
// COURSE-NEXT:        tensor.block "C"(%{{.*}} = spatial(128, %i), %{{.*}} = spatial(128, %[[J0]] * 4 + %[[AX]]))

// Episode 4's stochastic schedule replayed with its decision [16, 8].
// STOCH-LABEL: func.func @main
// STOCH:       loops.for %i = 0 to 128 {
// STOCH-NEXT:    loops.for %[[J0:.*]] = 0 to 16 {
// STOCH-NEXT:      loops.for %{{.*}} = 0 to 8 {
// STOCH-NEXT:        tensor.block "Y_init"
// STOCH:           loops.for %{{.*}} = 0 to 128 {
// STOCH-NEXT:        loops.for %[[J1:.*]] = 0 to 8 {
// STOCH-NEXT:          tensor.block "Y_update"(%{{.*}}, %{{.*}} = spatial(128, %[[J0]] * 8 + %[[J1]])

// A trace whose primitive is illegal: a diagnostic naming the pass, the loop and the rule.
// ERR: tensor-apply-schedule.mlir:{{[0-9]+}}:7: error: tensor-apply-schedule: trace '{{.*}}mm_parallel_k.trace': cannot parallelize loop %k: it binds reduce iterator %v_k of block "Y" (while replaying instruction 2: parallel)
// ERR-NEXT: loops.for %k = 0 to 128 {
// ERR-NEXT: ^
// ERR-NEXT: note: a parallelized loop may only bind spatial iterators (no parallel reduce loop)

// MISSING: error: tensor-apply-schedule: cannot read trace file '{{.*}}missing.trace'

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
