// RUN: %mlc-opt %s --split-input-file --verify-diagnostics -p graph-plan-memory | %filecheck %s

// A chain: each intermediate lives from its call to the next one, so the third one reuses
// the first one's storage; the returned value goes straight into the result buffer (-1).
// CHECK-LABEL: func.func @chain
// CHECK-SAME:    attributes {graph.peak_bytes = 2048 : i64}
// CHECK:         graph.call_tir @relu(%x) {graph.offsets = array<i64: 0>}
// CHECK:         graph.call_tir @relu(%a) {graph.offsets = array<i64: 1024>}
// CHECK:         graph.call_tir @relu(%b) {graph.offsets = array<i64: 0>}
// CHECK:         graph.call_tir @relu(%c) {graph.offsets = array<i64: -1>}
func.func @chain(%x: tensor<256xf32>) -> tensor<256xf32> {
  %a = graph.call_tir @relu(%x) : (tensor<256xf32>) -> tensor<256xf32>
  %b = graph.call_tir @relu(%a) : (tensor<256xf32>) -> tensor<256xf32>
  %c = graph.call_tir @relu(%b) : (tensor<256xf32>) -> tensor<256xf32>
  %d = graph.call_tir @relu(%c) : (tensor<256xf32>) -> tensor<256xf32>
  func.return %d : tensor<256xf32>
}
func.func @relu(%x: memref<256xf32>, %y: memref<256xf32>) {
  func.return
}

// -----

// Inside dataflow regions. %b stays alive until the last call, so nothing may share its
// storage; the small %s is placed in the best-fitting gap: %a's storage, dead by then.
// Sizes round up to 64 bytes (3 floats -> 64).
// CHECK-LABEL: func.func @best_fit
// CHECK-SAME:    graph.peak_bytes = 2048 : i64
// CHECK:         graph.call_tir @big(%x) {graph.offsets = array<i64: 0>}
// CHECK:         graph.call_tir @big(%a) {graph.offsets = array<i64: 1024>}
// CHECK:         graph.call_lib "env.small"(%b) {pure, graph.offsets = array<i64: 0>}
// CHECK:         graph.call_tir @join(%b, %s) {graph.offsets = array<i64: -1>}
func.func @best_fit(%x: tensor<256xf32>) -> tensor<256xf32> {
  %r = graph.dataflow -> tensor<256xf32> {
    %a = graph.call_tir @big(%x) : (tensor<256xf32>) -> tensor<256xf32>
    %b = graph.call_tir @big(%a) : (tensor<256xf32>) -> tensor<256xf32>
    %s = graph.call_lib "env.small"(%b) {pure} : (tensor<256xf32>) -> tensor<3xf32>
    %y = graph.call_tir @join(%b, %s) : (tensor<256xf32>, tensor<3xf32>) -> tensor<256xf32>
    graph.output %y : tensor<256xf32>
  }
  func.return %r : tensor<256xf32>
}
func.func @big(%x: memref<256xf32>, %y: memref<256xf32>) {
  func.return
}
func.func @join(%x: memref<256xf32>, %s: memref<3xf32>, %y: memref<256xf32>) {
  func.return
}

// -----

// Only legalized graph functions can be planned.
func.func @not_legalized(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{graph-plan-memory: 'graph.relu' is not legalized; run convert-graph-to-tensor (or graph-dispatch-library) first so that every compute op is a graph.call_tir or graph.call_lib}}
  %y = graph.relu %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}
