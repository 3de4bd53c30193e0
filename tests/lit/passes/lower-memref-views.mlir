// RUN: %mlc-opt %s -p lower-memref-views | %filecheck %s
// RUN: %mlc-opt %s -p lower-memref-views,lower-upstream-to-llvm | %filecheck %s --check-prefix=LLVM

// A view of a byte buffer is its pointer advanced by the byte shift.
// CHECK-LABEL: func.func @views
// CHECK:         %[[P:.*]] = builtin.unrealized_conversion_cast %arena : memref<256xi8> to !llvm.ptr
// CHECK:         %[[S:.*]] = builtin.unrealized_conversion_cast %c64 : index to i64
// CHECK:         %[[Q:.*]] = llvm.getelementptr inbounds %[[P]][%[[S]]] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// CHECK:         %[[V:.*]] = builtin.unrealized_conversion_cast %[[Q]] : !llvm.ptr to memref<4x4xf32>
// CHECK:         memref.load %[[V]]
// CHECK-NOT:     memref.view
// LLVM-LABEL:  llvm.func @views
// LLVM:          llvm.call @aligned_alloc
// LLVM:          llvm.getelementptr inbounds %{{.*}}[%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, i8
// LLVM-NOT:      unrealized_conversion_cast
func.func @views(%i: index) -> f32 {
  %arena = memref.alloc() {alignment = 64 : i64} : memref<256xi8>
  %c64 = arith.constant 64 : index
  %v = memref.view %arena[%c64][] : memref<256xi8> to memref<4x4xf32>
  %x = memref.load %v[%i, %i] : memref<4x4xf32>
  memref.dealloc %arena : memref<256xi8>
  func.return %x : f32
}
