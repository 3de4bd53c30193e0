"""graph-dispatch-library: map chosen graph ops (or op patterns) to registered library functions.

TVM's BYOC dispatch (FuseOpsByPattern + the course's `call_dps_packed("env.linear", ...)`):
an op or a small pattern of ops is replaced by one `graph.call_lib "<name>"` of a function in
the library registry (`mlc.register_func`, `mlc.register_native`). The calls are `pure`, so
they stay inside `graph.dataflow` regions. It runs before legalization
(`convert-graph-to-tensor`), which leaves `graph.call_lib` alone.

The pattern table (`PATTERNS`): name -> what is matched and the default library function.

| pattern  | matches                                          | default callee                 |
|----------|--------------------------------------------------|--------------------------------|
| linear   | add(matmul(x, w), b): x, w 2-D, b 1-D, matmul used once | env.linear (x, w.T, b)  |
| matmul   | matmul of two 2-D f32 operands                   | blas.sgemm if registered, else env.matmul |
| relu     | relu                                             | env.relu                       |
| softmax  | softmax over the last axis                       | env.softmax                    |

`env.linear` follows the MLC course (and torch): `x @ w.T + b` with `w` of shape (out, in).
Our graph convention is `x @ w` with `w` of shape (in, out), so the pass passes `w.T`: the
operand of a `graph.transpose` with perm [1, 0] when `w` is one (no work at all), a new
transposed `graph.constant` when `w` is a constant (folded at compile time), else a
`graph.transpose` (which legalization turns into a kernel).

Option `ops` lists the patterns to apply, in priority order; `pattern:callee` picks another
library function for one (`ops=matmul:my.gemm,relu`). The built-in library functions
(`mlc_dialects.runtime.libs`) are registered when the pass runs, unless a user function of the
same name is registered already.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects.builtin import (
    BytesAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    Float32Type,
    IntegerAttr,
    ModuleOp,
    StringAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint

from dialects.graph import ops
from dialects.graph.base import i64_array
from dialects.graph.interp.structure import dense_to_numpy
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError

PASS_NAME = "graph-dispatch-library"


def _call_lib(rewriter: PatternRewriter, root: Operation, callee: str,
              args: list[SSAValue]) -> None:
    """Replace `root` (one result) by a pure `graph.call_lib "callee"(args)`."""
    call = ops.CallLibOp.create(
        operands=args, result_types=[root.results[0].type],
        attributes={"callee": StringAttr(callee), "pure": UnitAttr()},
    )
    rewriter.replace(root, call)


def _rank(value: SSAValue) -> int:
    t = value.type
    return len(t.get_shape()) if isinstance(t, TensorType) else -1


def transposed(value: SSAValue, rewriter: PatternRewriter, before: Operation) -> SSAValue:
    """`value.T` (2-D) at the cheapest: undo a transpose, fold a constant, or transpose."""
    owner = value.owner
    if isinstance(owner, ops.TransposeOp):
        perm = owner.attributes.get("perm")
        if isinstance(perm, DenseArrayBase) and tuple(perm.get_values()) == (1, 0):
            return owner.input
    t = value.type
    assert isinstance(t, TensorType)
    rows, cols = t.get_shape()
    new_type = TensorType(t.element_type, [cols, rows])
    if isinstance(owner, ops.ConstantOp):
        array = np.ascontiguousarray(dense_to_numpy(owner.value).T)
        if array.dtype != np.bool_:
            raw = array.astype(array.dtype.newbyteorder("<")).tobytes()
            attr = DenseIntOrFPElementsAttr(new_type, BytesAttr(raw))
            const = ops.ConstantOp(attr)
            rewriter.insert(const, InsertPoint.before(before))
            return const.result
    op = ops.TransposeOp.create(operands=[value], result_types=[new_type],
                                attributes={"perm": i64_array([1, 0])})
    rewriter.insert(op, InsertPoint.before(before))
    return op.result


class DispatchLinear(RewritePattern):
    """add(matmul(x, w), b) with 2-D x, w and 1-D b -> call_lib callee(x, w.T, b)."""

    def __init__(self, callee: str):
        self.callee = callee

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, ops.AddOp):
            return
        for mm, bias in ((op.lhs, op.rhs), (op.rhs, op.lhs)):
            matmul = mm.owner
            if not isinstance(matmul, ops.MatmulOp) or mm.uses.get_length() != 1:
                continue
            if _rank(matmul.lhs) != 2 or _rank(matmul.rhs) != 2 or _rank(bias) != 1:
                continue
            if op.result.type != matmul.result.type:
                continue  # the add broadcasts the matmul result: not a linear layer
            w_t = transposed(matmul.rhs, rewriter, op)
            _call_lib(rewriter, op, self.callee, [matmul.lhs, w_t, bias])
            rewriter.erase(matmul)
            return


class DispatchMatmul(RewritePattern):
    """matmul of two 2-D f32 operands -> call_lib callee(a, b)."""

    def __init__(self, callee: str):
        self.callee = callee

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, ops.MatmulOp) or _rank(op.lhs) != 2 or _rank(op.rhs) != 2:
            return
        if not isinstance(op.result.type.element_type, Float32Type):
            return
        _call_lib(rewriter, op, self.callee, [op.lhs, op.rhs])


class DispatchRelu(RewritePattern):
    """relu -> call_lib callee(x)."""

    def __init__(self, callee: str):
        self.callee = callee

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if isinstance(op, ops.ReluOp):
            _call_lib(rewriter, op, self.callee, [op.input])


class DispatchSoftmax(RewritePattern):
    """softmax over the last axis -> call_lib callee(x)."""

    def __init__(self, callee: str):
        self.callee = callee

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, ops.SoftmaxOp):
            return
        axis = op.attributes.get("axis")
        rank = _rank(op.input)
        value = axis.value.data if isinstance(axis, IntegerAttr) else -1
        if value in (-1, rank - 1):
            _call_lib(rewriter, op, self.callee, [op.input])


def _default_matmul() -> str:
    from mlc_dialects.runtime.registry import list_funcs

    return "blas.sgemm" if "blas.sgemm" in list_funcs() else "env.matmul"


PATTERNS: dict[str, tuple[Callable[[str], RewritePattern], Callable[[], str]]] = {
    "linear": (DispatchLinear, lambda: "env.linear"),
    "matmul": (DispatchMatmul, _default_matmul),
    "relu": (DispatchRelu, lambda: "env.relu"),
    "softmax": (DispatchSoftmax, lambda: "env.softmax"),
}
"""Pattern name -> (pattern class taking the callee, default callee)."""


def dispatch_patterns(specs: tuple[str, ...]) -> list[RewritePattern]:
    """The patterns for `ops` entries `name` or `name:callee`, in the order given."""
    patterns = []
    for spec in specs:
        name, _, callee = spec.partition(":")
        entry = PATTERNS.get(name.strip())
        if entry is None:
            known = ", ".join(sorted(PATTERNS))
            raise DiagnosticError(Diagnostic(
                "error", f"{PASS_NAME}: unknown pattern '{name}' in ops= (known: {known})",
                "<pass options>"))
        make, default = entry
        patterns.append(make(callee.strip() or default()))
    return patterns


@dataclass(frozen=True)
class GraphDispatchLibraryPass(ModulePass):
    """Map chosen graph ops (or patterns such as matmul+add = linear) to graph.call_lib.

    Input: graph functions before legalization. Output: the matched ops replaced by pure
    `graph.call_lib "<callee>"` ops (destination passing: the library function writes its
    result into an array the caller allocates). `ops` (default `linear`) lists patterns of
    the table in the module docstring, each optionally `pattern:callee`.

    Before:
        %h = graph.matmul %x, %w : (tensor<4x784xf32>, tensor<784x128xf32>) -> tensor<4x128xf32>
        %y = graph.add %h, %b : (tensor<4x128xf32>, tensor<128xf32>) -> tensor<4x128xf32>
    After (graph-dispatch-library{ops=linear}):
        %wt = graph.transpose %w {perm = array<i64: 1, 0>} : (tensor<784x128xf32>)
                -> tensor<128x784xf32>
        %y = graph.call_lib "env.linear"(%x, %wt, %b) {pure} : (tensor<4x784xf32>,
               tensor<128x784xf32>, tensor<128xf32>) -> tensor<4x128xf32>
    """

    name = PASS_NAME

    ops: tuple[str, ...] = ("linear",)

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from mlc_dialects.runtime.libs import ensure_builtin_libs

        ensure_builtin_libs()
        patterns = dispatch_patterns(self.ops)
        # One walk per pattern, in priority order: `linear` must see the matmul before
        # `matmul` takes it.
        for pattern in patterns:
            PatternRewriteWalker(GreedyRewritePatternApplier([pattern], dce_enabled=False),
                                 apply_recursively=False).rewrite_module(op)
