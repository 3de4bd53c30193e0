"""convert-graph-to-tensor: every graph op -> a tensor program and a `graph.call_tir` of it.

TVM Relax's LegalizeOps: each compute op of the graph level is replaced by a pure
destination-passing call of a tensor function built with te by the op library
(`mlc_dialects.oplib`). Identical ops (same op, operand and result types, attributes) share one
kernel. Structural ops (constant, dataflow/output, call_tir, call_lib) stay as they are.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp, SymbolRefAttr
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.traits import SymbolOpInterface

from dialects.graph.ops import CallTIROp
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError, op_location
from mlc_dialects.oplib import LEGALIZERS, LegalizeError, legalize
from mlc_dialects.oplib.legalize import short_name

PASS_NAME = "convert-graph-to-tensor"


def kernel_key(op: Operation) -> tuple[object, ...]:
    """What makes two ops compute the same function: name, types and (inherent) attributes."""
    attributes = sorted((k, str(v)) for k, v in op.attributes.items() if "." not in k)
    return (
        op.name,
        tuple(str(o.type) for o in op.operands),
        tuple(str(r.type) for r in op.results),
        tuple(attributes),
    )


@dataclass
class KernelTable:
    """The tensor functions added to one module, by kernel key; names `<op>_<n>`."""

    module: ModuleOp
    by_key: dict[tuple[object, ...], str] = field(default_factory=dict)
    taken: set[str] = field(default_factory=set)

    def __post_init__(self) -> None:
        for op in self.module.ops:
            symbol = op.get_trait(SymbolOpInterface)
            if symbol is not None:
                self.taken.add(symbol.get_sym_attr_name(op).data)

    def kernel_for(self, op: Operation) -> str:
        """The name of the tensor function computing `op`, created on first use."""
        key = kernel_key(op)
        name = self.by_key.get(key)
        if name is not None:
            return name
        name = self._fresh(short_name(op))
        try:
            function = legalize(op, name)
        except LegalizeError as err:
            file, line, col = op_location(op)
            raise DiagnosticError(Diagnostic(
                "error", f"{PASS_NAME}: '{op.name}' op cannot be converted: {err}",
                file, line, col,
            )) from None
        self.module.body.block.add_op(function)
        self.by_key[key] = name
        return name

    def _fresh(self, base: str) -> str:
        n = 0
        while f"{base}_{n}" in self.taken:
            n += 1
        name = f"{base}_{n}"
        self.taken.add(name)
        return name


class LegalizeGraphOp(RewritePattern):
    """A graph compute op -> `graph.call_tir` of its (shared) tensor function."""

    def __init__(self, kernels: KernelTable):
        self.kernels = kernels

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if type(op) not in LEGALIZERS:
            return
        callee = self.kernels.kernel_for(op)
        call = CallTIROp.create(
            operands=list(op.operands),
            result_types=[r.type for r in op.results],
            attributes={"callee": SymbolRefAttr(callee)},
        )
        rewriter.replace(op, call)


@dataclass(frozen=True)
class ConvertGraphToTensorPass(ModulePass):
    """Legalize graph ops: each becomes a graph.call_tir of a te-built tensor function.

    Input: a module of graph functions (any graph ops, in or outside `graph.dataflow`).
    Output: the same functions where every compute op is a `graph.call_tir @<op>_<n>` and, at
    the end of the module, one tensor function per distinct kernel (same op, operand and
    result types and attributes -> one function). Structural ops (`graph.constant`,
    `graph.dataflow`/`graph.output`, `graph.call_tir`, `graph.call_lib`) are left alone.
    Fails, naming the op, on element types te does not have (bf16) and dynamic shapes.

    Before:
        func.func @main(%x: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
          %0 = graph.add %x, %b : (tensor<2x4xf32>, tensor<4xf32>) -> tensor<2x4xf32>
          %1 = graph.relu %0 : tensor<2x4xf32>
          func.return %1 : tensor<2x4xf32>
        }
    After:
        func.func @main(%x: tensor<2x4xf32>, %b: tensor<4xf32>) -> tensor<2x4xf32> {
          %0 = graph.call_tir @add_0(%x, %b) : (tensor<2x4xf32>, tensor<4xf32>)
                 -> tensor<2x4xf32>
          %1 = graph.call_tir @relu_0(%0) : (tensor<2x4xf32>) -> tensor<2x4xf32>
          func.return %1 : tensor<2x4xf32>
        }
        func.func @add_0(%lhs: memref<2x4xf32>, %rhs: memref<4xf32>, %add: memref<2x4xf32>)
            attributes {tensor.num_inputs = 2 : i64} {
          loops.for %i0 = 0 to 2 {
            loops.for %i1 = 0 to 4 {
              tensor.block "add"(%v_i0 = spatial(2, %i0), %v_i1 = spatial(4, %i1))
                  reads(%lhs[%v_i0, %v_i1], %rhs[%v_i1]) writes(%add[%v_i0, %v_i1]) {
                ... arith.addf ...
              }
            }
          }
          func.return
        }
        func.func @relu_0(%x: memref<2x4xf32>, %relu: memref<2x4xf32>) ...
    """

    name = PASS_NAME

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        kernels = KernelTable(op)
        PatternRewriteWalker(
            GreedyRewritePatternApplier([LegalizeGraphOp(kernels)]), apply_recursively=False
        ).rewrite_module(op)
