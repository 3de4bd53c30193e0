// RUN: %mlc-opt %s --split-input-file -p convert-tensor-to-loops | %filecheck %s

// Bindings that are plain loop variables reuse them; others become index arith (no affine.apply).
// CHECK-LABEL: func.func @binding
// CHECK:         loops.for %[[I0:.*]] = 0 to 4 {
// CHECK-NEXT:      loops.for %[[I1:.*]] = 0 to 8 vectorized {
// CHECK-NEXT:        %[[C8:.*]] = arith.constant 8 : index
// CHECK-NEXT:        %[[M:.*]] = arith.muli %[[I0]], %[[C8]] : index
// CHECK-NEXT:        %[[VI:.*]] = arith.addi %[[M]], %[[I1]] : index
// CHECK-NEXT:        %[[X:.*]] = memref.load %A[%[[VI]]] : memref<32xf32>
// CHECK-NEXT:        memref.store %[[X]], %B[%[[VI]]] : memref<32xf32>
// CHECK-NOT:     tensor.
func.func @binding(%A: memref<32xf32>, %B: memref<32xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i0 = 0 to 4 {
    loops.for %i1 = 0 to 8 vectorized {
      tensor.block "B"(%vi = spatial(32, %i0 * 8 + %i1)) reads(%A[%vi]) writes(%B[%vi]) {
        %x = memref.load %A[%vi] : memref<32xf32>
        memref.store %x, %B[%vi] : memref<32xf32>
      }
    }
  }
  func.return
}

// -----

// floordiv and mod (floor-based: remsi, corrected when negative).
// CHECK-LABEL: func.func @div_mod
// CHECK:         %[[Q:.*]] = arith.floordivsi %i, %{{.*}} : index
// CHECK:         %[[R:.*]] = arith.remsi %i, %[[C:.*]] : index
// CHECK:         %[[NEG:.*]] = arith.cmpi slt, %[[R]], %{{.*}} : index
// CHECK-NEXT:    %[[UP:.*]] = arith.addi %[[R]], %[[C]] : index
// CHECK-NEXT:    %[[VJ:.*]] = arith.select %[[NEG]], %[[UP]], %[[R]] : index
// CHECK:         memref.store %{{.*}}, %B[%[[Q]], %[[VJ]]] : memref<4x4xf32>
func.func @div_mod(%A: memref<16xf32>, %B: memref<4x4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 16 {
    tensor.block "B"(%vi = spatial(4, %i floordiv 4), %vj = spatial(4, %i mod 4)) reads(%A[%vi * 4 + %vj]) writes(%B[%vi, %vj]) {
      %c4 = arith.constant 4 : index
      %k = arith.muli %vi, %c4 : index
      %l = arith.addi %k, %vj : index
      %x = memref.load %A[%l] : memref<16xf32>
      memref.store %x, %B[%vi, %vj] : memref<4x4xf32>
    }
  }
  func.return
}

// -----

// A predicate guards the body with scf.if (an imperfect split: 3 x 4 covers 10 elements).
// CHECK-LABEL: func.func @predicate
// CHECK:         %[[VI:.*]] = arith.addi %{{.*}}, %{{.*}} : index
// CHECK-NEXT:    %[[C9:.*]] = arith.constant 9 : index
// CHECK-NEXT:    %[[IN:.*]] = arith.cmpi sle, %[[VI]], %[[C9]] : index
// CHECK-NEXT:    scf.if %[[IN]] {
// CHECK-NEXT:      %[[X:.*]] = memref.load %A[%[[VI]]] : memref<10xf32>
// CHECK-NEXT:      memref.store %[[X]], %B[%[[VI]]] : memref<10xf32>
// CHECK-NEXT:    }
func.func @predicate(%A: memref<10xf32>, %B: memref<10xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i0 = 0 to 3 {
    loops.for %i1 = 0 to 4 {
      tensor.block "B"(%vi = spatial(10, %i0 * 4 + %i1)) where(%i0 * 4 + %i1 < 10) reads(%A[%vi]) writes(%B[%vi]) {
        %x = memref.load %A[%vi] : memref<10xf32>
        memref.store %x, %B[%vi] : memref<10xf32>
      }
    }
  }
  func.return
}

// -----

// The init part runs when every reduce iterator is 0, under scf.if, before the update.
// CHECK-LABEL: func.func @init
// CHECK:         loops.for %[[I:.*]] = 0 to 4 {
// CHECK-NEXT:      loops.for %[[K:.*]] = 0 to 6 {
// CHECK-NEXT:        %[[Z:.*]] = arith.constant 0 : index
// CHECK-NEXT:        %[[INIT:.*]] = arith.cmpi eq, %[[K]], %[[Z]] : index
// CHECK-NEXT:        scf.if %[[INIT]] {
// CHECK-NEXT:          %[[ZERO:.*]] = arith.constant 0.000000e+00 : f32
// CHECK-NEXT:          memref.store %[[ZERO]], %Y[%[[I]]] : memref<4xf32>
// CHECK-NEXT:        }
// CHECK-NEXT:        %[[Y:.*]] = memref.load %Y[%[[I]]] : memref<4xf32>
// CHECK-NEXT:        %[[A:.*]] = memref.load %A[%[[I]], %[[K]]] : memref<4x6xf32>
// CHECK-NEXT:        %[[S:.*]] = arith.addf %[[Y]], %[[A]] : f32
// CHECK-NEXT:        memref.store %[[S]], %Y[%[[I]]] : memref<4xf32>
func.func @init(%A: memref<4x6xf32>, %Y: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 4 {
    loops.for %k = 0 to 6 {
      tensor.block "Y"(%v_i = spatial(4, %i), %v_k = reduce(6, %k)) reads(%A[%v_i, %v_k]) writes(%Y[%v_i]) {
        tensor.init {
          %0 = arith.constant 0.000000e+00 : f32
          memref.store %0, %Y[%v_i] : memref<4xf32>
        }
        %1 = memref.load %Y[%v_i] : memref<4xf32>
        %2 = memref.load %A[%v_i, %v_k] : memref<4x6xf32>
        %3 = arith.addf %1, %2 : f32
        memref.store %3, %Y[%v_i] : memref<4xf32>
      }
    }
  }
  func.return
}

// -----

// A reduce iterator bound to the constant 0 drops out: the init is inlined unguarded.
// CHECK-LABEL: func.func @init_always
// CHECK-NOT:     scf.if
// CHECK:         memref.store %{{.*}}, %Y[%i] : memref<4xf32>
func.func @init_always(%A: memref<4x1xf32>, %Y: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 4 {
    tensor.block "Y"(%v_i = spatial(4, %i), %v_k = reduce(1, 0)) reads(%A[%v_i, %v_k]) writes(%Y[%v_i]) {
      tensor.init {
        %0 = arith.constant 0.000000e+00 : f32
        memref.store %0, %Y[%v_i] : memref<4xf32>
      }
      %1 = memref.load %Y[%v_i] : memref<4xf32>
      %2 = memref.load %A[%v_i, %v_k] : memref<4x1xf32>
      %3 = arith.addf %1, %2 : f32
      memref.store %3, %Y[%v_i] : memref<4xf32>
    }
  }
  func.return
}

// -----

// Small buffers go on the stack, at function entry (no parallel loop encloses their uses).
// CHECK-LABEL: func.func @alloc_stack
// CHECK-NEXT:    %T = memref.alloca() {alignment = 64 : i64} : memref<8xf32>
// CHECK-NOT:     memref.dealloc
func.func @alloc_stack(%A: memref<8xf32>, %B: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %T = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 8 {
    tensor.block "T"(%vi = spatial(8, %i)) reads(%A[%vi]) writes(%T[%vi]) {
      %x = memref.load %A[%vi] : memref<8xf32>
      memref.store %x, %T[%vi] : memref<8xf32>
    }
  }
  loops.for %j = 0 to 8 {
    tensor.block "B"(%vj = spatial(8, %j)) reads(%T[%vj]) writes(%B[%vj]) {
      %x = memref.load %T[%vj] : memref<8xf32>
      memref.store %x, %B[%vj] : memref<8xf32>
    }
  }
  func.return
}

// -----

// Large buffers are heap-allocated (64-byte aligned) and freed before the return.
// CHECK-LABEL: func.func @alloc_heap
// CHECK-NEXT:    %T = memref.alloc() {alignment = 64 : i64} : memref<8192xf32>
// CHECK:         memref.dealloc %T : memref<8192xf32>
// CHECK-NEXT:    func.return
func.func @alloc_heap(%A: memref<8192xf32>, %B: memref<8192xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %T = tensor.alloc_buffer : memref<8192xf32>
  loops.for %i = 0 to 8192 {
    tensor.block "T"(%vi = spatial(8192, %i)) reads(%A[%vi]) writes(%T[%vi]) {
      %x = memref.load %A[%vi] : memref<8192xf32>
      memref.store %x, %T[%vi] : memref<8192xf32>
    }
  }
  loops.for %j = 0 to 8192 {
    tensor.block "B"(%vj = spatial(8192, %j)) reads(%T[%vj]) writes(%B[%vj]) {
      %x = memref.load %T[%vj] : memref<8192xf32>
      memref.store %x, %B[%vj] : memref<8192xf32>
    }
  }
  func.return
}

// -----

// A buffer used only inside one parallel loop is private to each iteration: allocated there.
// CHECK-LABEL: func.func @alloc_parallel
// CHECK-NEXT:    loops.for %i = 0 to 4 parallel {
// CHECK-NEXT:      %T = memref.alloca() {alignment = 64 : i64} : memref<4x8xf32>
func.func @alloc_parallel(%A: memref<4x8xf32>, %B: memref<4x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %T = tensor.alloc_buffer : memref<4x8xf32>
  loops.for %i = 0 to 4 parallel {
    loops.for %j = 0 to 8 {
      tensor.block "T"(%vi = spatial(4, %i), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%T[%vi, %vj]) {
        %x = memref.load %A[%vi, %vj] : memref<4x8xf32>
        memref.store %x, %T[%vi, %vj] : memref<4x8xf32>
      }
    }
    loops.for %j = 0 to 8 {
      tensor.block "B"(%vi = spatial(4, %i), %vj = spatial(8, %j)) reads(%T[%vi, %vj]) writes(%B[%vi, %vj]) {
        %x = memref.load %T[%vi, %vj] : memref<4x8xf32>
        memref.store %x, %B[%vi, %vj] : memref<4x8xf32>
      }
    }
  }
  func.return
}
