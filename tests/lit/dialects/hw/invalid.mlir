// RUN: %mlc-opt %s --split-input-file --verify-diagnostics

// One case per verifier rule of the lane-wise vector ops.

// vcmpf takes a known predicate.
func.func @bad_predicate(%a: vector<4xf32>) {
  // expected-error @+1 {{'hw.vcmpf' op unknown predicate "lt"; expected one of false, oeq, ogt, oge, olt, ole, one, ord, ueq, ugt, uge, ult, ule, une, uno, true}}
  %m = hw.vcmpf "lt", %a, %a : vector<4xf32> -> vector<4xi1>
  func.return
}

// -----

// vcmpf compares floats, vcmpi integers.
func.func @vcmpf_of_ints(%a: vector<4xi32>) {
  // expected-error @+1 {{'hw.vcmpf' op cannot compare vector<4xi32>}}
  %m = hw.vcmpf "olt", %a, %a : vector<4xi32> -> vector<4xi1>
  func.return
}

// -----

// One i1 per lane.
func.func @mask_lanes(%a: vector<4xf32>) {
  // expected-error @+1 {{'hw.vcmpf' op operand and result differ in lanes: operand is vector<4xf32>, result is vector<8xi1>}}
  %m = hw.vcmpf "olt", %a, %a : vector<4xf32> -> vector<8xi1>
  func.return
}

// -----

// The operands are vectors (arith.cmpf is the scalar form).
func.func @scalar_compare(%a: f32) {
  // expected-error @+1 {{'hw.vcmpi' op operand must be a 1-D vector, got f32}}
  %m = hw.vcmpi "eq", %a, %a : f32 -> vector<1xi1>
  func.return
}

// -----

// The condition has the value's lanes.
func.func @select_lanes(%m: vector<8xi1>, %a: vector<4xf32>) {
  // expected-error @+1 {{'hw.vselect' op condition and value differ in lanes: condition is vector<8xi1>, value is vector<4xf32>}}
  %s = hw.vselect %m, %a, %a : vector<8xi1>, vector<4xf32>
  func.return
}

// -----

// The cast kind is known.
func.func @bad_kind(%a: vector<4xf32>) {
  // expected-error @+1 {{'hw.vcast' op unknown kind "fptosi_sat"; expected one of sitofp, uitofp, fptosi, fptoui, extsi, extui, trunci}}
  %i = hw.vcast "fptosi_sat" %a : vector<4xf32> to vector<4xi32>
  func.return
}

// -----

// The kind fits the types: extsi widens.
func.func @narrowing_ext(%a: vector<4xi32>) {
  // expected-error @+1 {{'hw.vcast' op "extsi" cannot convert vector<4xi32> to vector<4xi16>}}
  %i = hw.vcast "extsi" %a : vector<4xi32> to vector<4xi16>
  func.return
}

// -----

// Casts keep the lane count.
func.func @cast_lanes(%a: vector<4xi32>) {
  // expected-error @+1 {{'hw.vcast' op operand and result differ in lanes: operand is vector<4xi32>, result is vector<8xf32>}}
  %f = hw.vcast "sitofp" %a : vector<4xi32> to vector<8xf32>
  func.return
}
