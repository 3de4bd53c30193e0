"""Reductions: sum, mean, amax, amin (dims, keepdim), max/min over all or one dim (values only),
var and std (with `correction`).

An empty `dim` list means every dimension, as in torch. The input is cast to the result dtype
first (torch sums an int32 or bool tensor in int64).
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from mlc_dialects.frontend.torch.context import Context, Node, is_float, norm_axes
from mlc_dialects.frontend.torch.registry import converter

_METHODS = {"sum": "reduce_sum", "mean": "reduce_mean", "amax": "reduce_max",
            "amin": "reduce_min", "max": "reduce_max", "min": "reduce_min"}


def _dims(cx: Context, node: Node, name: str = "dim") -> list[int] | None:
    v = node.args.get(name)
    if v is None:
        return None
    return [v] if isinstance(v, int) else cx.ints(node, name)


def _reduce(cx: Context, node: Node, x: SSAValue, kind: str, dims: list[int] | None,
            keepdim: bool) -> SSAValue:
    rank = len(cx.shape(x))
    if rank == 0:
        return x
    axes = norm_axes(cx, node, dims, rank)
    return cx.build(node, getattr(cx.b, _METHODS[kind]), x, axes, keepdim)


@converter("sum.dim_IntList", "sum.default", "mean.dim", "mean.default", "amax.default",
           "amin.default", "max.default", "min.default")
def reduce(cx: Context, node: Node) -> SSAValue:
    kind = node.op.split(".")[0]
    elem = cx.out_elem(node)
    x = cx.cast(cx.value(node, "self"), elem)
    return _reduce(cx, node, x, kind, _dims(cx, node), bool(node.args.get("keepdim", False)))


@converter("max.dim", "min.dim")
def max_dim(cx: Context, node: Node) -> tuple:
    """Only output #0 (the values); the indices are an argmax, which the graph has not."""
    kind = node.op.split(".")[0]
    x = cx.value(node, "self")
    y = _reduce(cx, node, x, kind, [int(node.arg("dim"))], bool(node.arg("keepdim")))
    return (y, None)


@converter("var.correction", "std.correction", "var.dim", "std.dim")
def var(cx: Context, node: Node) -> SSAValue:
    """mean((x - mean(x))^2) * n / (n - correction); std is its square root."""
    elem = cx.out_elem(node)
    if not is_float(elem):
        raise cx.unsupported(node, "only floating-point inputs are supported")
    x = cx.cast(cx.value(node, "self"), elem)
    shape = cx.shape(x)
    axes = norm_axes(cx, node, _dims(cx, node), len(shape))
    if "correction" in node.args:
        correction = node.args["correction"]
        correction = 1 if correction is None else float(correction)
    else:
        correction = 1 if node.args.get("unbiased", True) else 0
    keep = bool(node.args.get("keepdim", False))
    n = 1
    for a in axes:
        n *= shape[a]
    b = cx.b
    centered = b.sub(x, b.reduce_mean(x, axes, True))
    y = b.reduce_mean(b.mul(centered, centered), axes, keep)
    if correction:
        y = b.mul(y, cx.scalar(n / (n - correction) if n > correction else float("inf"), elem))
    return b.sqrt(y) if node.op.startswith("std") else y


@converter("linalg_vector_norm.default")
def vector_norm(cx: Context, node: Node) -> SSAValue:
    """ord 2: sqrt(sum(x^2)); 1: sum(|x|); inf / -inf: max / min of |x|; other p:
    sum(|x|^p)^(1/p)."""
    elem = cx.out_elem(node)
    if not is_float(elem):
        raise cx.unsupported(node, "only floating-point inputs are supported")
    x = cx.cast(cx.value(node, "self"), elem)
    order = float(cx.scalar_arg(node, "ord", 2))
    keep = bool(node.arg("keepdim"))
    dims = _dims(cx, node)
    b = cx.b
    if len(cx.shape(x)) == 0:
        x = cx.reshape(node, x, [1])
    axes = norm_axes(cx, node, dims, len(cx.shape(x)))
    ax = b.abs(x)
    if order == 2:
        y = b.sqrt(b.reduce_sum(b.mul(x, x), axes, keep))
    elif order == 1:
        y = b.reduce_sum(ax, axes, keep)
    elif order == float("inf"):
        y = b.reduce_max(ax, axes, keep)
    elif order == float("-inf"):
        y = b.reduce_min(ax, axes, keep)
    elif order > 0:
        y = b.pow(b.reduce_sum(b.pow(ax, cx.scalar(order, elem)), axes, keep),
                  cx.scalar(1.0 / order, elem))
    else:
        raise cx.unsupported(node, f"ord={order} is not supported")
    return cx.reshape(node, y, node.out_shape())
