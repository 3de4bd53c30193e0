"""The `graph` dialect: computational graphs of pure ops on value tensors.

Scope: the op set of ../shared/spec/graph-ops.md on builtin ranked tensors, dataflow regions,
`graph.call_tir` (a pure call of a destination-passing tensor program) and `graph.call_lib` (a
call of a registered library function). Functions are upstream `func.func`.

Invariants: every op except `graph.call_lib` (unless marked `pure`) is pure; each op's result
type is the one its rule infers from the operand types and attributes (or, for reshape,
broadcast_to and cast, is checked against them); `graph.dataflow` regions hold only pure ops.

Example:
    func.func @main(%x: tensor<1x784xf32>, %w: tensor<784x128xf32>) -> tensor<1x128xf32> {
      %y = graph.dataflow -> tensor<1x128xf32> {
        %h = graph.matmul %x, %w : (tensor<1x784xf32>, tensor<784x128xf32>) -> tensor<1x128xf32>
        %r = graph.relu %h : tensor<1x128xf32>
        graph.output %r : tensor<1x128xf32>
      }
      func.return %y : tensor<1x128xf32>
    }
"""

from xdsl.ir import Dialect

from dialects.graph.ops import GRAPH_OPS

Graph = Dialect("graph", GRAPH_OPS, [])

__all__ = ["Graph"]
