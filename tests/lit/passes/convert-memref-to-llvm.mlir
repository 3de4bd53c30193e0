// RUN: %mlc-opt %s --split-input-file -p convert-memref-to-llvm | %filecheck %s

// A load is a GEP over the row-major linear index of a bare pointer, aligned to the element.
// CHECK-LABEL: func.func @load
// CHECK:         %[[P:.*]] = builtin.unrealized_conversion_cast %{{.*}} : memref<4x8xf32> to !llvm.ptr
// CHECK:         %[[C8:.*]] = llvm.mlir.constant(8) : i64
// CHECK:         %[[R:.*]] = llvm.mul %{{.*}}, %[[C8]] overflow<nsw> : i64
// CHECK:         %[[L:.*]] = llvm.add %[[R]], %{{.*}} overflow<nsw> : i64
// CHECK:         %[[A:.*]] = llvm.getelementptr inbounds %[[P]][%[[L]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:         llvm.load %[[A]] {alignment = 4 : i64} : !llvm.ptr -> f32
func.func @load(%A: memref<4x8xf32>, %i: index, %j: index) -> f32 {
  %x = memref.load %A[%i, %j] : memref<4x8xf32>
  func.return %x : f32
}

// -----

// Static strided layouts use their strides and offset.
// CHECK-LABEL: func.func @strided_store
// CHECK:         %[[S:.*]] = llvm.mlir.constant(16) : i64
// CHECK:         llvm.mul %{{.*}}, %[[S]] overflow<nsw> : i64
// CHECK:         %[[O:.*]] = llvm.mlir.constant(3) : i64
// CHECK:         llvm.add %{{.*}}, %[[O]] overflow<nsw> : i64
// CHECK:         llvm.store %{{.*}}, %{{.*}} {alignment = 8 : i64} : f64, !llvm.ptr
func.func @strided_store(%A: memref<4x8xf64, strided<[16, 1], offset: 3>>, %i: index, %j: index, %v: f64) {
  memref.store %v, %A[%i, %j] : memref<4x8xf64, strided<[16, 1], offset: 3>>
  func.return
}

// -----

// alloc/dealloc call aligned_alloc/free; alloca moves to the entry block.
// CHECK-LABEL: func.func @temporaries
// CHECK-NEXT:    %[[N:.*]] = llvm.mlir.constant(16) : i64
// CHECK-NEXT:    llvm.alloca %[[N]] x f32 {alignment = 64 : i64} : (i64) -> !llvm.ptr
// CHECK:         %[[ALIGN:.*]] = llvm.mlir.constant(64) : i64
// CHECK-NEXT:    %[[SIZE:.*]] = llvm.mlir.constant(64) : i64
// CHECK-NEXT:    %[[T:.*]] = llvm.call @aligned_alloc(%[[ALIGN]], %[[SIZE]]) : (i64, i64) -> !llvm.ptr
// CHECK:         llvm.call @free(%[[T]]) : (!llvm.ptr) -> ()
// CHECK:         llvm.func @aligned_alloc(i64, i64) -> !llvm.ptr
// CHECK:         llvm.func @free(!llvm.ptr)
func.func @temporaries(%c: index) {
  %t = memref.alloc() : memref<8xf32>
  scf.execute_region {
    %s = memref.alloca() : memref<16xf32>
    scf.yield
  }
  memref.dealloc %t : memref<8xf32>
  func.return
}

// -----

// memref.dim of a static size folds to a constant.
// CHECK-LABEL: func.func @dim
// CHECK:         %[[D:.*]] = llvm.mlir.constant(8) : i64
// CHECK-NEXT:    %{{.*}} = builtin.unrealized_conversion_cast %[[D]] : i64 to index
func.func @dim(%A: memref<4x8xf32>) -> index {
  %c1 = arith.constant 1 : index
  %d = memref.dim %A, %c1 : memref<4x8xf32>
  func.return %d : index
}
