// RUN: %mlc-opt %s | %mlc-opt | %filecheck %s
// RUN: %mlc-opt %s --print-op-generic | %mlc-opt | %filecheck %s

// The lane-wise vector ops round-trip through their custom and generic forms.
// CHECK-LABEL: func.func @vector_ops
// CHECK-NEXT:    %[[M:.*]] = hw.vcmpf "olt", %a, %b : vector<16xf32> -> vector<16xi1>
// CHECK-NEXT:    %[[N:.*]] = hw.vcmpi "sge", %i, %j : vector<16xi32> -> vector<16xi1>
// CHECK-NEXT:    %[[S:.*]] = hw.vselect %[[M]], %a, %b : vector<16xi1>, vector<16xf32>
// CHECK-NEXT:    %[[F:.*]] = hw.vcast "sitofp" %i : vector<16xi32> to vector<16xf32>
// CHECK-NEXT:    %[[W:.*]] = hw.vcast "extsi" %i : vector<16xi32> to vector<16xi64>
// CHECK-NEXT:    %[[T:.*]] = hw.vcast "fptoui" %a : vector<16xf32> to vector<16xi8>
func.func @vector_ops(%a: vector<16xf32>, %b: vector<16xf32>, %i: vector<16xi32>,
                      %j: vector<16xi32>) {
  %m = hw.vcmpf "olt", %a, %b : vector<16xf32> -> vector<16xi1>
  %n = hw.vcmpi "sge", %i, %j : vector<16xi32> -> vector<16xi1>
  %s = hw.vselect %m, %a, %b : vector<16xi1>, vector<16xf32>
  %f = hw.vcast "sitofp" %i : vector<16xi32> to vector<16xf32>
  %w = hw.vcast "extsi" %i : vector<16xi32> to vector<16xi64>
  %t = hw.vcast "fptoui" %a : vector<16xf32> to vector<16xi8>
  func.return
}
