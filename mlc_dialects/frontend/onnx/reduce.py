"""Reduction ONNX ops: ReduceSum, ReduceMean, ReduceMax, ReduceMin, and those written with
them: ReduceSumSquare, ReduceL1, ReduceL2, ReduceLogSum, ReduceLogSumExp.

Axes are an attribute before opset 18 (before 13 for ReduceSum) and an optional input after,
which must be known at import time. No axes means all axes, unless `noop_with_empty_axes`.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.ir import SSAValue

from mlc_dialects.frontend.onnx.context import Context
from mlc_dialects.frontend.onnx.registry import Node, Results, converter

_AXES_INPUT_SINCE = {"ReduceSum": 13}
"""The opset from which axes are an input (18 for the other reductions)."""


def _axes(cx: Context, node: Node, rank: int) -> list[int] | None:
    """The normalized axes, or None for "no reduction at all" (noop_with_empty_axes)."""
    if node.opset >= _AXES_INPUT_SINCE.get(node.op_type, 18):
        axes = [int(a) for a in cx.const_input(node, 1, "axes").reshape(-1)] \
            if node.has_input(1) else []
    else:
        axes = node.ints("axes", [])
    if not axes:
        if node.attr("noop_with_empty_axes", 0):
            return None
        return list(range(rank))
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise cx.unsupported(node, f"axis {a} is out of range for rank {rank}")
        out.append(a % rank)
    return sorted(set(out))


def _reduction(method: str, before: Callable[[Context, SSAValue], SSAValue] | None = None,
               after: Callable[[Context, SSAValue], SSAValue] | None = None
               ) -> Callable[[Context, Node], Results]:
    def convert(cx: Context, node: Node) -> Results:
        x = cx.value(node, 0)
        rank = len(x.type.get_shape())
        axes = _axes(cx, node, rank)
        if before is not None:
            x = before(cx, x)
        if axes is None or rank == 0:
            y = x
        else:
            y = cx.build(node, getattr(cx.b, method), x, axes, bool(node.attr("keepdims", 1)))
        return [after(cx, y) if after is not None else y]

    convert.__doc__ = f"ONNX reduction -> `graph.{method}`."
    return convert


converter("ReduceSum", since=1)(_reduction("reduce_sum"))
converter("ReduceMean", since=1)(_reduction("reduce_mean"))
converter("ReduceMax", since=1)(_reduction("reduce_max"))
converter("ReduceMin", since=1)(_reduction("reduce_min"))
converter("ReduceSumSquare", since=1)(_reduction("reduce_sum", lambda cx, x: cx.b.mul(x, x)))
converter("ReduceL1", since=1)(_reduction("reduce_sum", lambda cx, x: cx.b.abs(x)))
converter("ReduceL2", since=1)(_reduction(
    "reduce_sum", lambda cx, x: cx.b.mul(x, x), lambda cx, y: cx.b.sqrt(y)))
converter("ReduceLogSum", since=1)(_reduction("reduce_sum", None, lambda cx, y: cx.b.log(y)))
converter("ReduceLogSumExp", since=1)(_reduction(
    "reduce_sum", lambda cx, x: cx.b.exp(x), lambda cx, y: cx.b.log(y)))
