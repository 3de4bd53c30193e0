// RUN: %mlc-opt %s -p cse,dce --print-between-passes -o %t 2>&1 | %filecheck %s

// The IR is printed (to stderr) after each pass, as mlir-opt's --mlir-print-ir-after-all does.
// CHECK: IR Dump After cse //----- //
// CHECK: graph.relu
// CHECK: IR Dump After dce //----- //
// CHECK: func.func @f
func.func @f(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = graph.relu %x : tensor<4xf32>
  %z = graph.relu %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}
