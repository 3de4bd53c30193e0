// RUN: %mlc-opt %s --split-input-file --verify-diagnostics -p convert-graph-to-driver | %filecheck %s

// Inputs, then one buffer per result (destination passing). The intermediate lives in the
// arena; the last call writes the result buffer directly. A Python library function is
// called through a private declaration that names it.
// CHECK-LABEL: func.func @main(%x: memref<4x8xf32>, %result0: memref<4x8xf32>)
// CHECK-SAME:      attributes {graph.num_inputs = 1 : i64, graph.num_outputs = 1 : i64, graph.peak_bytes = 128 : i64}
// CHECK-NEXT:    %arena = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
// CHECK-NEXT:    %[[OFF:.*]] = arith.constant 0 : index
// CHECK-NEXT:    %a = memref.view %arena[%[[OFF]]][] : memref<128xi8> to memref<4x8xf32>
// CHECK-NEXT:    func.call @relu(%x, %a) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
// CHECK-NEXT:    func.call @[[LIB:__mlc_lib_env_relu_[0-9a-f]+]](%a, %result0) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
// CHECK-NEXT:    memref.dealloc %arena : memref<128xi8>
// CHECK-NEXT:    func.return
// CHECK:       func.func private @[[LIB]](memref<4x8xf32>, memref<4x8xf32>) -> ()
// CHECK-SAME:      attributes {mlc.library = "env.relu", mlc.library_kind = "python", mlc.library_num_inputs = 1 : i64}
func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
  %y = graph.dataflow -> tensor<4x8xf32> {
    %a = graph.call_tir @relu(%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
    %b = graph.call_lib "env.relu"(%a) {pure} : (tensor<4x8xf32>) -> tensor<4x8xf32>
    graph.output %b : tensor<4x8xf32>
  }
  func.return %y : tensor<4x8xf32>
}
func.func @relu(%x: memref<4x8xf32>, %y: memref<4x8xf32>) {
  func.return
}

// -----

// Constants live in one trailing byte buffer (values and offsets in attributes); results
// that are an argument, a constant or a value returned twice are copied; nothing is
// planned, so there is no arena.
// CHECK-LABEL: func.func @copies(%x: memref<2xf32>, %result0: memref<2xf32>, %result1: memref<2xf32>, %result2: memref<2xf32>, %result3: memref<2xf32>, %constants: memref<128xi8>)
// CHECK-SAME:      graph.num_inputs = 1 : i64, graph.num_outputs = 4 : i64, graph.peak_bytes = 0 : i64
// CHECK-SAME:      graph.constants = [dense<[1.000000e+00, 2.000000e+00]> : tensor<2xf32>, dense<3.000000e+00> : tensor<2xf32>]
// CHECK-SAME:      graph.constant_offsets = array<i64: 0, 64>
// CHECK-NOT:     memref.alloc
// CHECK:         %c = memref.view %constants[%{{.*}}][] : memref<128xi8> to memref<2xf32>
// CHECK:         %d = memref.view %constants[%{{.*}}][] : memref<128xi8> to memref<2xf32>
// CHECK:         func.call @add(%x, %c, %result0)
// CHECK:         "memref.copy"(%result0, %result1) : (memref<2xf32>, memref<2xf32>) -> ()
// CHECK:         "memref.copy"(%x, %result2)
// CHECK:         "memref.copy"(%d, %result3)
// CHECK-NEXT:    func.return
func.func @copies(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
  %c = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
  %d = graph.constant dense<3.0> : tensor<2xf32>
  %unused = graph.constant dense<4.0> : tensor<2xf32>
  %s = graph.call_tir @add(%x, %c) : (tensor<2xf32>, tensor<2xf32>) -> tensor<2xf32>
  func.return %s, %s, %x, %d : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
}
func.func @add(%x: memref<2xf32>, %y: memref<2xf32>, %z: memref<2xf32>) {
  func.return
}

// -----

// A plan written by graph-plan-memory is used as it is.
// CHECK-LABEL: func.func @planned
// CHECK:         memref.alloc() {alignment = 64 : i64} : memref<4096xi8>
// CHECK:         %[[OFF:.*]] = arith.constant 1024 : index
// CHECK-NEXT:    %a = memref.view %arena[%[[OFF]]][]
func.func @planned(%x: tensor<4xf32>) -> tensor<4xf32> attributes {graph.peak_bytes = 4096 : i64} {
  %a = graph.call_tir @id(%x) {graph.offsets = array<i64: 1024>} : (tensor<4xf32>) -> tensor<4xf32>
  %b = graph.call_tir @id(%a) {graph.offsets = array<i64: -1>} : (tensor<4xf32>) -> tensor<4xf32>
  func.return %b : tensor<4xf32>
}
func.func @id(%x: memref<4xf32>, %y: memref<4xf32>) {
  func.return
}

// -----

func.func @not_legalized(%x: tensor<4xf32>) -> tensor<4xf32> {
  // expected-error @+1 {{convert-graph-to-driver: 'graph.exp' is not legalized; run convert-graph-to-tensor (or graph-dispatch-library) first so that every compute op is a graph.call_tir or graph.call_lib}}
  %y = graph.exp %x : tensor<4xf32>
  func.return %y : tensor<4xf32>
}

// -----

func.func @dynamic(%x: tensor<?xf32>) -> tensor<?xf32> {
  // expected-error @+1 {{convert-graph-to-driver: result type tensor<?xf32> has a dynamic shape; only static shapes are planned (dynamic shapes need run-time allocation, not supported yet)}}
  %a = graph.call_tir @k(%x) : (tensor<?xf32>) -> tensor<?xf32>
  %b = graph.call_tir @k(%a) : (tensor<?xf32>) -> tensor<?xf32>
  func.return %b : tensor<?xf32>
}
func.func @k(%x: memref<?xf32>, %y: memref<?xf32>) {
  func.return
}
