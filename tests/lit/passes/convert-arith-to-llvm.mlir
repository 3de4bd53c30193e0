// RUN: %mlc-opt %s --split-input-file -p convert-arith-to-llvm | %filecheck %s

// Float ops keep their fastmath flags; index values become i64 behind casts.
// CHECK-LABEL: func.func @float_and_index
// CHECK:         %[[S:.*]] = llvm.fadd %{{.*}}, %{{.*}} {fastmathFlags = #llvm.fastmath<fast>} : f32
// CHECK:         %[[I:.*]] = llvm.sext %{{.*}} : i32 to i64
// CHECK:         %[[J:.*]] = builtin.unrealized_conversion_cast %{{.*}} : index to i64
// CHECK:         llvm.icmp "slt" %[[I]], %[[J]] : i64
func.func @float_and_index(%a: f32, %b: f32, %n: i32, %j: index) -> (f32, i1) {
  %s = arith.addf %a, %b fastmath<fast> : f32
  %i = arith.index_cast %n : i32 to index
  %c = arith.cmpi slt, %i, %j : index
  func.return %s, %c : f32, i1
}

// -----

// Constants: index constants become i64, splat vectors dense llvm constants.
// CHECK-LABEL: func.func @constants
// CHECK:         llvm.mlir.constant(3) : i64
// CHECK:         llvm.mlir.constant(dense<0.000000e+00> : vector<16xf32>) : vector<16xf32>
func.func @constants() -> (index, vector<16xf32>) {
  %k = arith.constant 3 : index
  %z = arith.constant dense<0.0> : vector<16xf32>
  func.return %k, %z : index, vector<16xf32>
}

// -----

// Integer min/max and IEEE maximumf become type-mangled intrinsic calls.
// CHECK-LABEL: func.func @min_max
// CHECK:         llvm.call_intrinsic "llvm.smax.i32"(%{{.*}}, %{{.*}}) : (i32, i32) -> i32
// CHECK:         llvm.call_intrinsic "llvm.maximum.v4f32"(%{{.*}}, %{{.*}}) : (vector<4xf32>, vector<4xf32>) -> vector<4xf32>
func.func @min_max(%n: i32, %v: vector<4xf32>) -> (i32, vector<4xf32>) {
  %m = arith.maxsi %n, %n : i32
  %w = arith.maximumf %v, %v : vector<4xf32>
  func.return %m, %w : i32, vector<4xf32>
}

// -----

// Float <-> integer casts use the llvm ops xDSL lacks (mlc_dialects.codegen.llvm_ext).
// CHECK-LABEL: func.func @casts
// CHECK:         %[[Q:.*]] = llvm.fptosi %{{.*}} : f32 to i32
// CHECK:         llvm.uitofp %[[Q]] : i32 to f64
// CHECK:         llvm.fpext %{{.*}} : f32 to f64
func.func @casts(%a: f32) -> (f64, f64) {
  %q = arith.fptosi %a : f32 to i32
  %r = arith.uitofp %q : i32 to f64
  %e = arith.extf %a : f32 to f64
  func.return %r, %e : f64, f64
}

// -----

// floordivsi is expanded: sdiv, then subtract one when the remainder's sign differs.
// CHECK-LABEL: func.func @floordiv
// CHECK:         %[[Q:.*]] = llvm.sdiv %{{.*}}, %{{.*}} : i32
// CHECK:         llvm.srem
// CHECK:         %[[F:.*]] = llvm.zext %{{.*}} : i1 to i32
// CHECK:         llvm.sub %[[Q]], %[[F]] : i32
func.func @floordiv(%a: i32, %b: i32) -> i32 {
  %r = arith.floordivsi %a, %b : i32
  func.return %r : i32
}
