// RUN: %mlc-opt %s --split-input-file -p lower-math-to-polynomials | %filecheck %s
// RUN: %mlc-opt %s --split-input-file -p 'lower-math-to-polynomials{scalar=false}' | %filecheck %s --check-prefix=VECONLY

// exp on a vector: range reduction, fma polynomial, 2^k from the exponent bits; the
// float->int cast, the NaN compare and select are hw vector ops.
// CHECK-LABEL: func.func @exp_vector
// CHECK-NOT:     math.exp
// CHECK:         %[[K:.*]] = math.roundeven %{{.*}} : vector<8xf32>
// CHECK:         math.fma
// CHECK:         %[[KI:.*]] = hw.vcast "fptosi" %[[K]] : vector<8xf32> to vector<8xi32>
// CHECK:         arith.shli %{{.*}}, %{{.*}} : vector<8xi32>
// CHECK:         %[[NAN:.*]] = hw.vcmpf "uno", %x, %x : vector<8xf32> -> vector<8xi1>
// CHECK:         %[[Y:.*]] = hw.vselect %[[NAN]], %x, %{{.*}} : vector<8xi1>, vector<8xf32>
// CHECK-NEXT:    func.return %[[Y]] : vector<8xf32>
// VECONLY-LABEL: func.func @exp_vector
// VECONLY-NOT:     math.exp
func.func @exp_vector(%x: vector<8xf32>) -> vector<8xf32> {
  %y = math.exp %x : vector<8xf32>
  func.return %y : vector<8xf32>
}

// -----

// On a scalar f32 the same code, with arith compares, selects and casts; scalar=false keeps
// the op (for libm).
// CHECK-LABEL: func.func @exp_scalar
// CHECK-NOT:     math.exp
// CHECK:         arith.fptosi %{{.*}} : f32 to i32
// CHECK:         %[[NAN:.*]] = arith.cmpf uno, %x, %x : f32
// CHECK:         arith.select %[[NAN]], %x, %{{.*}} : f32
// VECONLY-LABEL: func.func @exp_scalar
// VECONLY:         math.exp %x : f32
func.func @exp_scalar(%x: f32) -> f32 {
  %y = math.exp %x : f32
  func.return %y : f32
}

// -----

// log: exponent and mantissa from the bits, special values selected at the end.
// CHECK-LABEL: func.func @log_vector
// CHECK-NOT:     math.log
// CHECK:         arith.bitcast %{{.*}} : vector<4xf32> to vector<4xi32>
// CHECK:         arith.shrui
// CHECK:         hw.vcast "sitofp" %{{.*}} : vector<4xi32> to vector<4xf32>
// CHECK:         hw.vcmpf "oeq", %x, %{{.*}} : vector<4xf32> -> vector<4xi1>
// CHECK:         hw.vcmpf "ult", %x, %{{.*}} : vector<4xf32> -> vector<4xi1>
// CHECK:         hw.vselect
// CHECK-NEXT:    func.return
func.func @log_vector(%x: vector<4xf32>) -> vector<4xf32> {
  %y = math.log %x : vector<4xf32>
  func.return %y : vector<4xf32>
}

// -----

// tanh and erf: two branches, one selected per lane, the sign copied last (tanh) or on the
// large branch (erf); both use the exp expansion.
// CHECK-LABEL: func.func @tanh_erf
// CHECK-NOT:     math.tanh
// CHECK-NOT:     math.erf
// CHECK:         hw.vcmpf "ult"
// CHECK:         math.copysign
// CHECK:         math.roundeven
// CHECK:         hw.vcmpf "ult"
// CHECK:         hw.vselect
// CHECK-NEXT:    func.return
func.func @tanh_erf(%x: vector<16xf32>) -> vector<16xf32> {
  %t = math.tanh %x : vector<16xf32>
  %e = math.erf %t : vector<16xf32>
  func.return %e : vector<16xf32>
}

// -----

// f64 and the other math ops stay for convert-math-to-llvm (libm, llvm intrinsics).
// CHECK-LABEL: func.func @untouched
// CHECK-NEXT:    math.exp %x : f64
// CHECK-NEXT:    math.sin %y : vector<8xf32>
func.func @untouched(%x: f64, %y: vector<8xf32>) -> (f64, vector<8xf32>) {
  %a = math.exp %x : f64
  %b = math.sin %y : vector<8xf32>
  func.return %a, %b : f64, vector<8xf32>
}
