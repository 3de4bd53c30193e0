// RUN: %mlc-opt %s --split-input-file -p tensor-compact-buffers | %filecheck %s

// A 16x8 buffer of which each iteration of %i0 touches rows 4*i0 .. 4*i0+3: 4x8, rows mod 4,
// in the regions and in the body's accesses.
// CHECK-LABEL: func.func @tile
// CHECK:         %T = tensor.alloc_buffer {tensor.storage_scope = "local"} : memref<4x8xf32>
// CHECK:         tensor.block "T"({{.*}}) reads(%A[%vi, %vj]) writes(%T[%vi mod 4, %vj]) {
// CHECK:           %[[C4:.*]] = arith.constant 4 : index
// CHECK-NEXT:      %[[R:.*]] = arith.remsi %vi, %[[C4]] : index
// CHECK-NEXT:      memref.store %x, %T[%[[R]], %vj] : memref<4x8xf32>
// CHECK:         tensor.block "B"({{.*}}) reads(%T[%vi_1 mod 4, %vj_1]) writes(%B[%vi_1, %vj_1]) {
// CHECK:           %[[R2:.*]] = arith.remsi %vi_1, %{{.*}} : index
// CHECK-NEXT:      %y = memref.load %T[%[[R2]], %vj_1] : memref<4x8xf32>
func.func @tile(%A: memref<16x8xf32>, %B: memref<16x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %T = tensor.alloc_buffer {tensor.storage_scope = "local"} : memref<16x8xf32>
  loops.for %i0 = 0 to 4 {
    loops.for %i1 = 0 to 4 {
      loops.for %j = 0 to 8 {
        tensor.block "T"(%vi = spatial(16, %i0 * 4 + %i1), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%T[%vi, %vj]) {
          %x = memref.load %A[%vi, %vj] : memref<16x8xf32>
          memref.store %x, %T[%vi, %vj] : memref<16x8xf32>
        }
      }
    }
    loops.for %i2 = 0 to 4 {
      loops.for %j2 = 0 to 8 {
        tensor.block "B"(%vi = spatial(16, %i0 * 4 + %i2), %vj = spatial(8, %j2)) reads(%T[%vi, %vj]) writes(%B[%vi, %vj]) {
          %y = memref.load %T[%vi, %vj] : memref<16x8xf32>
          memref.store %y, %B[%vi, %vj] : memref<16x8xf32>
        }
      }
    }
  }
  func.return
}

// -----

// Every iteration of %i rewrites the same 8 elements: regions of different iterations overlap,
// so the buffer is left whole.
// CHECK-LABEL: func.func @reused
// CHECK:         %T = tensor.alloc_buffer : memref<8xf32>
// CHECK-NOT:     arith.remsi

func.func @reused(%A: memref<16x8xf32>, %B: memref<16x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %T = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 16 {
    loops.for %j = 0 to 8 {
      tensor.block "T"(%vj = spatial(8, %j), %vi = spatial(16, %i)) reads(%A[%vi, %vj]) writes(%T[%vj]) {
        %x = memref.load %A[%vi, %vj] : memref<16x8xf32>
        memref.store %x, %T[%vj] : memref<8xf32>
      }
    }
    loops.for %j2 = 0 to 8 {
      tensor.block "B"(%vi = spatial(16, %i), %vj = spatial(8, %j2)) reads(%T[%vj]) writes(%B[%vi, %vj]) {
        %y = memref.load %T[%vj] : memref<8xf32>
        memref.store %y, %B[%vi, %vj] : memref<16x8xf32>
      }
    }
  }
  func.return
}
