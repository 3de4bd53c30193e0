// RUN: %mlc-opt %s --split-input-file | %filecheck %s
// RUN: %mlc-opt %s --split-input-file --print-op-generic | %filecheck %s --check-prefix=GENERIC

// Each chunk is parsed and printed on its own; outputs are joined by the marker.

// CHECK-LABEL: func.func @first
// CHECK:         graph.relu %{{.*}} : tensor<4xf32>
// GENERIC-LABEL: "func.func"() <{sym_name = "first"
// GENERIC:         "graph.relu"(%{{.*}}) : (tensor<4xf32>) -> tensor<4xf32>
func.func @first(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = graph.relu %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

// CHECK: // -----
// CHECK-LABEL: func.func @second
// CHECK:         graph.exp
func.func @second(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = graph.exp %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}
