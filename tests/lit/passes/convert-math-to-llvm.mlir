// RUN: %mlc-opt %s --split-input-file -p convert-math-to-llvm | %filecheck %s

// Ops with an llvm intrinsic op keep their fastmath flags.
// CHECK-LABEL: func.func @intrinsic_ops
// CHECK:         llvm.intr.exp(%{{.*}}) {fastmathFlags = #llvm.fastmath<fast>} : (vector<16xf32>) -> vector<16xf32>
// CHECK:         llvm.intr.fma(%{{.*}}, %{{.*}}, %{{.*}}) : (f32, f32, f32) -> f32
// CHECK:         llvm.intr.fabs(%{{.*}}) : (f32) -> f32
func.func @intrinsic_ops(%v: vector<16xf32>, %a: f32) -> (vector<16xf32>, f32, f32) {
  %e = math.exp %v fastmath<fast> : vector<16xf32>
  %f = math.fma %a, %a, %a : f32
  %b = math.absf %a : f32
  func.return %e, %f, %b : vector<16xf32>, f32, f32
}

// -----

// LLVM intrinsics xDSL has no op for: llvm.call_intrinsic with a type-mangled name.
// CHECK-LABEL: func.func @mangled
// CHECK:         llvm.call_intrinsic "llvm.tanh.v16f32"(%{{.*}}) : (vector<16xf32>) -> vector<16xf32>
// CHECK:         llvm.call_intrinsic "llvm.tanh.f64"(%{{.*}}) : (f64) -> f64
func.func @mangled(%v: vector<16xf32>, %d: f64) -> (vector<16xf32>, f64) {
  %t = math.tanh %v : vector<16xf32>
  %u = math.tanh %d : f64
  func.return %t, %u : vector<16xf32>, f64
}

// -----

// rsqrt is 1 / sqrt(x).
// CHECK-LABEL: func.func @rsqrt
// CHECK:         %[[R:.*]] = llvm.intr.sqrt(%{{.*}}) : (f32) -> f32
// CHECK:         %[[ONE:.*]] = llvm.mlir.constant(1.000000e+00 : f32) : f32
// CHECK:         llvm.fdiv %[[ONE]], %[[R]] : f32
func.func @rsqrt(%a: f32) -> f32 {
  %r = math.rsqrt %a : f32
  func.return %r : f32
}

// -----

// No intrinsic for erf: libm's erff, element by element on vectors, declared once.
// CHECK-LABEL: func.func @erf
// CHECK:         llvm.call @erff(%{{.*}}) : (f32) -> f32
// CHECK:         %[[E:.*]] = llvm.extractelement %{{.*}}[%{{.*}} : i64] : vector<2xf32>
// CHECK-NEXT:    %[[C:.*]] = llvm.call @erff(%[[E]]) : (f32) -> f32
// CHECK-NEXT:    llvm.insertelement %[[C]], %{{.*}}[%{{.*}} : i64] : vector<2xf32>
// CHECK:         llvm.func @erff(f32) -> f32
// CHECK-NOT:     llvm.func @erff
func.func @erf(%a: f32, %v: vector<2xf32>) -> (f32, vector<2xf32>) {
  %e = math.erf %a : f32
  %w = math.erf %v : vector<2xf32>
  func.return %e, %w : f32, vector<2xf32>
}
