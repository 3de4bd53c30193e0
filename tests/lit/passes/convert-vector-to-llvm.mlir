// RUN: %mlc-opt %s --split-input-file -p 'convert-vector-to-llvm{reassociate-fp-reductions=true}' | %filecheck %s

// Vector loads and stores are aligned to one element, not to the whole vector.
// CHECK-LABEL: func.func @load_store
// CHECK:         %[[A:.*]] = llvm.getelementptr inbounds %{{.*}}[%{{.*}}] : (!llvm.ptr, i64) -> !llvm.ptr, f32
// CHECK:         %[[V:.*]] = llvm.load %[[A]] {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
// CHECK:         llvm.store %[[V]], %{{.*}} {alignment = 4 : i64} : vector<16xf32>, !llvm.ptr
func.func @load_store(%A: memref<64xf32>, %i: index) {
  %v = vector.load %A[%i] : memref<64xf32>, vector<16xf32>
  vector.store %v, %A[%i] : memref<64xf32>, vector<16xf32>
  func.return
}

// -----

// broadcast = insertelement + zero-mask shufflevector; fma is llvm.intr.fma on vectors.
// CHECK-LABEL: func.func @broadcast_fma
// CHECK:         %[[U:.*]] = llvm.mlir.undef : vector<4xf32>
// CHECK:         %[[E:.*]] = llvm.insertelement %{{.*}}, %[[U]][%{{.*}} : i64] : vector<4xf32>
// CHECK:         %[[B:.*]] = llvm.shufflevector %[[E]], %[[U]] [0, 0, 0, 0] : vector<4xf32>
// CHECK:         llvm.intr.fma(%[[B]], %{{.*}}, %{{.*}}) : (vector<4xf32>, vector<4xf32>, vector<4xf32>) -> vector<4xf32>
func.func @broadcast_fma(%s: f32, %v: vector<4xf32>) -> vector<4xf32> {
  %b = vector.broadcast %s : f32 to vector<4xf32>
  %f = vector.fma %b, %v, %v : vector<4xf32>
  func.return %f : vector<4xf32>
}

// -----

// Reductions: float add starts from the accumulator, with reassoc when the option says so;
// integer kinds use the mangled llvm.vector.reduce.* intrinsics.
// CHECK-LABEL: func.func @reductions
// CHECK:         "llvm.intr.vector.reduce.fadd"(%{{.*}}, %{{.*}}) <{fastmathFlags = #llvm.fastmath<reassoc>}> : (f32, vector<16xf32>) -> f32
// CHECK:         llvm.call_intrinsic "llvm.vector.reduce.smax.v4i32"(%{{.*}}) : (vector<4xi32>) -> i32
func.func @reductions(%v: vector<16xf32>, %acc: f32, %w: vector<4xi32>) -> (f32, i32) {
  %r = vector.reduction <add>, %v, %acc : vector<16xf32> into f32
  %m = vector.reduction <maxsi>, %w : vector<4xi32> into i32
  func.return %r, %m : f32, i32
}

// -----

// extract and insert of one lane.
// CHECK-LABEL: func.func @lanes
// CHECK:         %[[C3:.*]] = llvm.mlir.constant(3) : i64
// CHECK:         llvm.extractelement %{{.*}}[%[[C3]] : i64] : vector<16xf32>
// CHECK:         llvm.insertelement %{{.*}}, %{{.*}}[%{{.*}} : i64] : vector<16xf32>
func.func @lanes(%v: vector<16xf32>, %s: f32, %i: index) -> (f32, vector<16xf32>) {
  %e = vector.extract %v[3] : f32 from vector<16xf32>
  %w = vector.insert %s, %v[%i] : f32 into vector<16xf32>
  func.return %e, %w : f32, vector<16xf32>
}
