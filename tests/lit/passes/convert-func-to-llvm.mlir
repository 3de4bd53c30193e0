// RUN: %mlc-opt %s --split-input-file -p convert-func-to-llvm | %filecheck %s

// Memrefs become bare pointers, noalias is kept, the entry block casts back for its users.
// CHECK-LABEL: llvm.func @scale(
// CHECK-SAME:      %[[A:.*]]: !llvm.ptr {llvm.noalias}, %[[N:.*]]: i64) -> i64
// CHECK-NEXT:    %{{.*}} = builtin.unrealized_conversion_cast %[[A]] : !llvm.ptr to memref<64xf32>
// CHECK-NEXT:    %{{.*}} = builtin.unrealized_conversion_cast %[[N]] : i64 to index
// CHECK-NEXT:    llvm.return %[[N]] : i64
func.func @scale(%A: memref<64xf32> {llvm.noalias}, %n: index) -> index {
  func.return %n : index
}

// -----

// Declarations become external llvm.func declarations; private definitions internal ones.
// CHECK:       llvm.func @expf(f32) -> f32
// CHECK-LABEL: llvm.func internal @twice(
// CHECK-LABEL: llvm.func @caller(
// CHECK:         %[[E:.*]] = llvm.call @expf(%{{.*}}) : (f32) -> f32
// CHECK-NEXT:    llvm.call @twice(%[[E]]) : (f32) -> f32
func.func private @expf(f32) -> f32
func.func private @twice(%x: f32) -> f32 {
  %y = arith.addf %x, %x : f32
  func.return %y : f32
}
func.func @caller(%x: f32) -> f32 {
  %e = func.call @expf(%x) : (f32) -> f32
  %t = func.call @twice(%e) : (f32) -> f32
  func.return %t : f32
}
