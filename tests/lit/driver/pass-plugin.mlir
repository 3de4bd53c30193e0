// RUN: %mlc-opt %s --load-pass-plugin %examples/plugin_fold_neg.py -p fold-double-neg,dce | %filecheck %s
// RUN: %mlc-opt --load-pass-plugin %examples/plugin_fold_neg.py --list-passes | %filecheck %s --check-prefix=LIST
// RUN: not %mlc-opt %s --load-pass-plugin %S/no-such-plugin.py -p fold-double-neg 2>&1 | %filecheck %s --check-prefix=MISSING

// The plugin's pattern removes a double negation; dce then drops the dead inner neg.
// CHECK-LABEL: func.func @double_neg
// CHECK-NOT:     graph.neg
// CHECK:         func.return %arg0 : tensor<4xf32>
func.func @double_neg(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %a = graph.neg %arg0 : tensor<4xf32>
  %b = graph.neg %a : tensor<4xf32>
  func.return %b : tensor<4xf32>
}

// A single negation is left alone.
// CHECK-LABEL: func.func @single_neg
// CHECK:         graph.neg
func.func @single_neg(%arg0: tensor<4xf32>) -> tensor<4xf32> {
  %a = graph.neg %arg0 : tensor<4xf32>
  func.return %a : tensor<4xf32>
}

// LIST: fold-double-neg {{ *}}Fold double negations
// MISSING: error: pass plugin '{{.*}}no-such-plugin.py' does not exist
