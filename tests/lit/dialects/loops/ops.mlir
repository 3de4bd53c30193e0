// RUN: %mlc-opt %s | %mlc-opt | %filecheck %s
// RUN: %mlc-opt %s --print-op-generic | %mlc-opt | %filecheck %s
// RUN: %mlc-opt %s --print-op-generic | %filecheck %s --check-prefix=GENERIC

// `loops.for` round-trips through its custom form (first RUN) and its generic form (second);
// the third checks the generic spelling of the properties.

// Defaults (step 1, serial, no annotations) are omitted from the custom form.
// CHECK-LABEL: func.func @serial
// CHECK:         loops.for %[[I:.*]] = 0 to 8 {
// CHECK-NEXT:      memref.load %{{.*}}[%[[I]]] : memref<8xf32>
// GENERIC-LABEL: "func.func"() <{sym_name = "serial"
// GENERIC:         "loops.for"() <{lower_bound = 0 : index, upper_bound = 8 : index, step = 1 : index, kind = "serial"}> ({
// GENERIC-NEXT:    ^{{.*}}(%{{.*}}: index):
func.func @serial(%A: memref<8xf32>) {
  loops.for %i = 0 to 8 {
    %a = memref.load %A[%i] : memref<8xf32>
  }
  func.return
}

// -----

// Every kind, a step, a non-zero lower bound and annotations.
// CHECK-LABEL: func.func @kinds
// CHECK:         loops.for %{{.*}} = 0 to 4 parallel {
// CHECK:           loops.for %{{.*}} = 2 to 10 step 2 vectorized {
// CHECK:             loops.for %{{.*}} = 0 to 4 unrolled annotations {pragma_auto_unroll_max_step = 16 : i64} {
// CHECK:             loops.for %{{.*}} = 0 to 1 {
// CHECK-NEXT:        } attributes {note = "kept"}
// GENERIC-LABEL: "func.func"() <{sym_name = "kinds"
// GENERIC:         kind = "parallel"
// GENERIC:         lower_bound = 2 : index, upper_bound = 10 : index, step = 2 : index, kind = "vectorized"
// GENERIC:         kind = "unrolled", annotations = {pragma_auto_unroll_max_step = 16 : i64}
func.func @kinds(%A: memref<4x10xf32>) {
  loops.for %i = 0 to 4 parallel {
    loops.for %j = 2 to 10 step 2 vectorized {
      loops.for %u = 0 to 4 unrolled annotations {pragma_auto_unroll_max_step = 16 : i64} {
        %a = memref.load %A[%i, %j] : memref<4x10xf32>
      }
      loops.for %e = 0 to 1 {
      } attributes {note = "kept"}
    }
  }
  func.return
}
