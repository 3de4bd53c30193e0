// RUN: %mlc-opt %s --split-input-file -p 'convert-loops-to-hw{vector-bits=256 max-unroll=4 unroll-factor=2}' | %filecheck %s

// Vectorized, 20 = 2 x 8 lanes + a scalar tail of 4; a*b+c becomes vector.fma.
// CHECK-LABEL: func.func @vectorized_tail
// CHECK:         %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[A0:.*]] = vector.load %A[%[[C0]]] : memref<20xf32>, vector<8xf32>
// CHECK-NEXT:    %[[B0:.*]] = vector.load %B[%[[C0]]] : memref<20xf32>, vector<8xf32>
// CHECK-NEXT:    %[[S:.*]] = vector.broadcast %s : f32 to vector<8xf32>
// CHECK-NEXT:    %[[F0:.*]] = vector.fma %[[A0]], %[[S]], %[[B0]] : vector<8xf32>
// CHECK-NEXT:    vector.store %[[F0]], %B[%[[C0]]] : memref<20xf32>, vector<8xf32>
// CHECK-NEXT:    %[[C8:.*]] = arith.constant 8 : index
// CHECK:         vector.store %{{.*}}, %B[%[[C8]]] : memref<20xf32>, vector<8xf32>
// CHECK:         %[[LO:.*]] = arith.constant 16 : index
// CHECK-NEXT:    %[[HI:.*]] = arith.constant 20 : index
// CHECK-NEXT:    %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:    scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %[[ONE]] {
// CHECK-NEXT:      %{{.*}} = memref.load %A[%[[I]]] : memref<20xf32>
// CHECK-NOT:     loops.for
func.func @vectorized_tail(%A: memref<20xf32>, %B: memref<20xf32>, %s: f32) {
  loops.for %i = 0 to 20 vectorized {
    %a = memref.load %A[%i] : memref<20xf32>
    %b = memref.load %B[%i] : memref<20xf32>
    %m = arith.mulf %a, %s : f32
    %c = arith.addf %m, %b : f32
    memref.store %c, %B[%i] : memref<20xf32>
  }
  func.return
}

// -----

// Many vectors: an scf.for stepping by the lane count; the row index is invariant.
// CHECK-LABEL: func.func @vectorized_loop
// CHECK:         %[[LO:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %[[HI:.*]] = arith.constant 64 : index
// CHECK-NEXT:    %[[W:.*]] = arith.constant 8 : index
// CHECK-NEXT:    scf.for %[[J:.*]] = %[[LO]] to %[[HI]] step %[[W]] {
// CHECK-NEXT:      %[[V:.*]] = vector.load %A[%r, %[[J]]] : memref<4x64xf32>, vector<8xf32>
// CHECK-NEXT:      %[[E:.*]] = math.exp %[[V]] : vector<8xf32>
// CHECK-NEXT:      vector.store %[[E]], %B[%r, %[[J]]] : memref<4x64xf32>, vector<8xf32>
func.func @vectorized_loop(%A: memref<4x64xf32>, %B: memref<4x64xf32>, %r: index) {
  loops.for %j = 0 to 64 vectorized {
    %a = memref.load %A[%r, %j] : memref<4x64xf32>
    %e = math.exp %a : f32
    memref.store %e, %B[%r, %j] : memref<4x64xf32>
  }
  func.return
}

// -----

// Not contiguous (a column walk): left scalar, with the reason.
// CHECK-LABEL: func.func @not_vectorized
// CHECK:         scf.for
// CHECK:         } {hw.not_vectorized = "'memref.load' of memref<16x16xf32> is not contiguous in the loop variable (strides [1, 0])"}
func.func @not_vectorized(%A: memref<16x16xf32>, %B: memref<16xf32>) {
  loops.for %i = 0 to 16 vectorized {
    %c0 = arith.constant 0 : index
    %a = memref.load %A[%i, %c0] : memref<16x16xf32>
    memref.store %a, %B[%i] : memref<16xf32>
  }
  func.return
}

// -----

// Every lane would store to one element (a reduction): left scalar.
// CHECK-LABEL: func.func @reduction_not_vectorized
// CHECK:         } {hw.not_vectorized = "every lane would store to the same element of memref<1xf32> (a reduction)"}
func.func @reduction_not_vectorized(%A: memref<16xf32>, %S: memref<1xf32>) {
  loops.for %i = 0 to 16 vectorized {
    %c0 = arith.constant 0 : index
    %s = memref.load %S[%c0] : memref<1xf32>
    %a = memref.load %A[%i] : memref<16xf32>
    %t = arith.addf %s, %a : f32
    memref.store %t, %S[%c0] : memref<1xf32>
  }
  func.return
}

// -----

// Unrolled, extent <= max-unroll: one copy per iteration, the variable a constant.
// CHECK-LABEL: func.func @unrolled_full
// CHECK-NEXT:    %[[C0:.*]] = arith.constant 0 : index
// CHECK-NEXT:    memref.store %x, %A[%[[C0]]] : memref<3xf32>
// CHECK-NEXT:    %[[C1:.*]] = arith.constant 1 : index
// CHECK-NEXT:    memref.store %x, %A[%[[C1]]] : memref<3xf32>
// CHECK-NEXT:    %[[C2:.*]] = arith.constant 2 : index
// CHECK-NEXT:    memref.store %x, %A[%[[C2]]] : memref<3xf32>
// CHECK-NEXT:    func.return
func.func @unrolled_full(%A: memref<3xf32>, %x: f32) {
  loops.for %i = 0 to 3 unrolled {
    memref.store %x, %A[%i] : memref<3xf32>
  }
  func.return
}

// -----

// Unrolled, extent > max-unroll: unroll-factor copies per step, then the remainder.
// CHECK-LABEL: func.func @unrolled_factor
// CHECK:         scf.for %[[I:.*]] = %{{.*}} to %{{.*}} step %{{.*}} {
// CHECK-NEXT:      memref.store %x, %A[%[[I]]] : memref<5xf32>
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:      %[[I1:.*]] = arith.addi %[[I]], %[[ONE]] : index
// CHECK-NEXT:      memref.store %x, %A[%[[I1]]] : memref<5xf32>
// CHECK-NEXT:    }
// CHECK:         %[[R:.*]] = arith.constant 4 : index
// CHECK-NEXT:    %[[E:.*]] = arith.constant 5 : index
// CHECK-NEXT:    %{{.*}} = arith.constant 1 : index
// CHECK-NEXT:    scf.for %[[J:.*]] = %[[R]] to %[[E]] step %{{.*}} {
// CHECK-NEXT:      memref.store %x, %A[%[[J]]] : memref<5xf32>
func.func @unrolled_factor(%A: memref<5xf32>, %x: f32) {
  loops.for %i = 0 to 5 unrolled {
    memref.store %x, %A[%i] : memref<5xf32>
  }
  func.return
}

// -----

// Parallel: a launch over the loop's range; each thread loops over its chunk [lo, hi).
// Values from outside are captured; constants are cloned inside.
// CHECK-LABEL: func.func @parallel
// CHECK:         hw.parallel_launch (%{{.*}}, %{{.*}}) range(%[[LO:.*]], %[[HI:.*]]) = 0 to 64 step 1 captures(%[[A:.*]] = %A : memref<64xf32>) {
// CHECK-NEXT:      %[[Z:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:      %[[ONE:.*]] = arith.constant 1 : index
// CHECK-NEXT:      scf.for %[[I:.*]] = %[[LO]] to %[[HI]] step %[[ONE]] {
// CHECK-NEXT:        memref.store %[[Z]], %[[A]][%[[I]]] : memref<64xf32>
// CHECK-NEXT:      }
// CHECK-NEXT:    }
func.func @parallel(%A: memref<64xf32>) {
  %zero = arith.constant 0.0 : f32
  loops.for %i = 0 to 64 parallel {
    memref.store %zero, %A[%i] : memref<64xf32>
  }
  func.return
}

// -----

// A parallel loop inside another one runs serially; serial loops become scf.for.
// CHECK-LABEL: func.func @nested_parallel
// CHECK:         hw.parallel_launch
// CHECK-NOT:     hw.parallel_launch
// CHECK:         scf.for
// CHECK-NOT:     loops.for
func.func @nested_parallel(%A: memref<8x8xf32>, %x: f32) {
  loops.for %i = 0 to 8 parallel {
    loops.for %j = 0 to 8 parallel {
      memref.store %x, %A[%i, %j] : memref<8x8xf32>
    }
  }
  func.return
}

// -----

// Division and remainder of a split loop's index by the split factor fold away using the loop
// ranges ((32*j0 + j1) floordiv 32 = j0, mod 32 = j1, the negative-remainder fix-up is
// always false), which leaves the access contiguous in %j1: vectorized.
// CHECK-LABEL: func.func @div_mod_of_split
// CHECK-NOT:     arith.floordivsi
// CHECK-NOT:     arith.remsi
// CHECK:         vector.load %Bp[%j0, %{{.*}}] : memref<2x32xf32>, vector<8xf32>
// CHECK-NOT:     hw.not_vectorized
func.func @div_mod_of_split(%Bp: memref<2x32xf32>, %C: memref<64xf32>) {
  loops.for %j0 = 0 to 2 {
    loops.for %j1 = 0 to 32 vectorized {
      %c32 = arith.constant 32 : index
      %c0 = arith.constant 0 : index
      %m = arith.muli %j0, %c32 : index
      %v = arith.addi %m, %j1 : index
      %q = arith.floordivsi %v, %c32 : index
      %r = arith.remsi %v, %c32 : index
      %neg = arith.cmpi slt, %r, %c0 : index
      %s = arith.addi %r, %c32 : index
      %mod = arith.select %neg, %s, %r : index
      %x = memref.load %Bp[%q, %mod] : memref<2x32xf32>
      memref.store %x, %C[%v] : memref<64xf32>
    }
  }
  func.return
}

// -----

// Compares, selects on a varying condition and integer casts become hw vector ops (xDSL's
// arith cannot type them on vectors); the uniform threshold is broadcast.
// CHECK-LABEL: func.func @vectorized_compare_select_cast
// CHECK:         %[[A:.*]] = vector.load %A[%[[C0:.*]]] : memref<20xf32>, vector<8xf32>
// CHECK-NEXT:    %[[N:.*]] = vector.load %N[%[[C0]]] : memref<20xi32>, vector<8xi32>
// CHECK-NEXT:    %[[T:.*]] = vector.broadcast %t : f32 to vector<8xf32>
// CHECK-NEXT:    %[[M:.*]] = hw.vcmpf "ogt", %[[A]], %[[T]] : vector<8xf32> -> vector<8xi1>
// CHECK-NEXT:    %[[F:.*]] = hw.vcast "sitofp" %[[N]] : vector<8xi32> to vector<8xf32>
// CHECK-NEXT:    %[[S:.*]] = hw.vselect %[[M]], %[[A]], %[[F]] : vector<8xi1>, vector<8xf32>
// CHECK-NEXT:    vector.store %[[S]], %B[%[[C0]]] : memref<20xf32>, vector<8xf32>
// CHECK-NOT:     hw.not_vectorized
func.func @vectorized_compare_select_cast(%A: memref<20xf32>, %N: memref<20xi32>,
                                          %B: memref<20xf32>, %t: f32) {
  loops.for %i = 0 to 20 vectorized {
    %a = memref.load %A[%i] : memref<20xf32>
    %n = memref.load %N[%i] : memref<20xi32>
    %c = arith.cmpf ogt, %a, %t : f32
    %f = arith.sitofp %n : i32 to f32
    %s = arith.select %c, %a, %f : f32
    memref.store %s, %B[%i] : memref<20xf32>
  }
  func.return
}
