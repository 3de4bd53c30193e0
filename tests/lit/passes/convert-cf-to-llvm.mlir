// RUN: %mlc-opt %s -p convert-cf-to-llvm | %filecheck %s

// Non-entry block arguments become llvm types; branch operands are cast to match.
// CHECK-LABEL: func.func @loop
// CHECK:         %[[C0:.*]] = builtin.unrealized_conversion_cast %{{.*}} : index to i64
// CHECK:         llvm.br ^[[HEAD:.*]](%[[C0]] : i64)
// CHECK:       ^[[HEAD]](%[[I:.*]]: i64):
// CHECK-NEXT:    %{{.*}} = builtin.unrealized_conversion_cast %[[I]] : i64 to index
// CHECK:         llvm.cond_br %{{.*}}, ^{{.*}}, ^{{.*}}
func.func @loop(%n: index) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  cf.br ^head(%c0 : index)
^head(%i: index):
  %go = arith.cmpi slt, %i, %n : index
  cf.cond_br %go, ^body, ^exit
^body:
  %next = arith.addi %i, %c1 : index
  cf.br ^head(%next : index)
^exit:
  func.return
}
