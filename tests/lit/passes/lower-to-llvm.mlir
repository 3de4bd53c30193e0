// RUN: %mlc-opt %s -p lower-to-llvm | %filecheck %s
// RUN: %mlc-opt %s -p lower-to-llvm -t llvm | %filecheck %s --check-prefix=IR

// A graph function becomes a destination-passing driver that calls its fused kernel; every
// op ends in the llvm dialect.
// CHECK-LABEL: llvm.func @main(
// CHECK-SAME:    !llvm.ptr
// CHECK:         llvm.call @fused_
// CHECK-LABEL: llvm.func @fused_
// CHECK-NOT:     graph.
// CHECK-NOT:     tensor.block
// IR: define void @"main"(ptr
// IR: call {{.*}} @"fused_add_relu"
func.func @main(%x: tensor<37xf32>, %b: tensor<37xf32>) -> tensor<37xf32> {
  %s = graph.add %x, %b : tensor<37xf32>
  %y = graph.relu %s : tensor<37xf32>
  func.return %y : tensor<37xf32>
}
