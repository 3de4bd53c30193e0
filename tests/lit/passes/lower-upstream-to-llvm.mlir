// RUN: %mlc-opt %s -p lower-upstream-to-llvm | %filecheck %s

// The whole way: scf loop with iter_args, memref loads, arith; only llvm ops remain.
// CHECK-LABEL: llvm.func @sum(
// CHECK-SAME:      %[[X:.*]]: !llvm.ptr {llvm.noalias}) -> f32
// CHECK:         llvm.br ^[[HEAD:.*]](%{{.*}}, %{{.*}} : i64, f32)
// CHECK:       ^[[HEAD]](%[[I:.*]]: i64, %[[ACC:.*]]: f32):
// CHECK:         %[[P:.*]] = llvm.getelementptr inbounds %[[X]][%[[I]]] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:         %[[V:.*]] = llvm.load %[[P]] {alignment = 4 : i64} : !llvm.ptr -> f32
// CHECK:         llvm.fadd %[[ACC]], %[[V]] : f32
// CHECK:         llvm.return %[[ACC]] : f32
// CHECK-NOT:     unrealized_conversion_cast
func.func @sum(%X: memref<10xf32> {llvm.noalias}) -> f32 {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c10 = arith.constant 10 : index
  %zero = arith.constant 0.0 : f32
  %s = scf.for %i = %c0 to %c10 step %c1 iter_args(%acc = %zero) -> (f32) {
    %x = memref.load %X[%i] : memref<10xf32>
    %t = arith.addf %acc, %x : f32
    scf.yield %t : f32
  }
  func.return %s : f32
}
