"""Shape ops: views and reshapes, permutes, squeeze/unsqueeze, expand, repeat, cat, slicing
(slice, select, narrow, split, unbind), padding, identities (clone, contiguous, alias, detach,
dropout in eval) and tensors made from another tensor's shape (`zeros_like`, `new_full`, ...).

Every reshape-like op (view, _unsafe_view, reshape, flatten, unflatten, squeeze, unsqueeze)
is a `graph.reshape` to the shape torch computed for the node (`meta["val"]`), so `-1` and
dims that torch leaves alone need no rules of their own here.
"""

from __future__ import annotations

import torch
from xdsl.ir import SSAValue

from mlc_dialects.frontend.torch.context import Context, Node, norm_axis, torch_dtype
from mlc_dialects.frontend.torch.registry import converter

# --- reshapes and permutes --------------------------------------------------------------------


@converter("view.default", "_unsafe_view.default", "reshape.default", "view_copy.default",
           "flatten.using_ints", "unflatten.int", "squeeze.default", "squeeze.dim",
           "squeeze.dims", "unsqueeze.default", "_reshape_alias.default")
def reshape(cx: Context, node: Node) -> SSAValue:
    return cx.reshape(node, cx.value(node, "self"), node.out_shape())


@converter("permute.default")
def permute(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, "self")
    rank = len(cx.shape(x))
    perm = [norm_axis(cx, node, d, rank) for d in cx.ints(node, "dims")]
    if perm == list(range(rank)):
        return x
    return cx.build(node, cx.b.transpose, x, perm)


@converter("transpose.int")
def transpose(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, "self")
    rank = len(cx.shape(x))
    if rank < 2:
        return x
    d0 = norm_axis(cx, node, int(node.arg("dim0")), rank, "dim0")
    d1 = norm_axis(cx, node, int(node.arg("dim1")), rank, "dim1")
    if d0 == d1:
        return x
    perm = list(range(rank))
    perm[d0], perm[d1] = perm[d1], perm[d0]
    return cx.build(node, cx.b.transpose, x, perm)


@converter("t.default", "numpy_T.default")
def t(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, "self")
    return x if len(cx.shape(x)) < 2 else cx.b.transpose(x)


@converter("expand.default", "expand_copy.default", "broadcast_to.default")
def expand(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, "self")
    shape = node.out_shape()
    if cx.shape(x) == shape:
        return x
    return cx.build(node, cx.b.broadcast_to, x, shape)


@converter("repeat.default")
def repeat(cx: Context, node: Node) -> SSAValue:
    """Tile: (s0, s1) by (r0, r1) is reshape (1, s0, 1, s1), broadcast (r0, s0, r1, s1),
    reshape (r0 s0, r1 s1)."""
    x = cx.value(node, "self")
    reps = cx.ints(node, "repeats")
    shape = [1] * (len(reps) - len(cx.shape(x))) + cx.shape(x)
    inter = [d for s in shape for d in (1, s)]
    full = [d for r, s in zip(reps, shape, strict=True) for d in (r, s)]
    y = cx.reshape(node, x, inter)
    y = cx.build(node, cx.b.broadcast_to, y, full)
    return cx.reshape(node, y, node.out_shape())


# --- concatenation and slicing ----------------------------------------------------------------


@converter("cat.default", "concat.default")
def cat(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    out_rank = len(node.out_shape())
    # torch skips 1-D empty tensors in cat (legacy behaviour).
    parts = [cx.cast(v, elem) for v in cx.values_list(node, "tensors")
             if not (cx.shape(v) == [0] and out_rank != 1)]
    axis = norm_axis(cx, node, int(node.arg("dim")), out_rank)
    if len(parts) == 1:
        return parts[0]
    return cx.build(node, cx.b.concat, parts, axis)


def slice_axis(cx: Context, node: Node, x: SSAValue, axis: int, start: int, stop: int,
               step: int = 1) -> SSAValue:
    """`x[..., start:stop:step, ...]` along `axis` (bounds already normalized)."""
    shape = cx.shape(x)
    if start == 0 and stop == shape[axis] and step == 1:
        return x
    starts = [0] * len(shape)
    ends = list(shape)
    steps = [1] * len(shape)
    starts[axis], ends[axis], steps[axis] = start, stop, step
    return cx.build(node, cx.b.slice, x, starts, ends, steps)


@converter("slice.Tensor", "slice_copy.Tensor")
def slice_(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, "self")
    shape = cx.shape(x)
    axis = norm_axis(cx, node, int(node.arg("dim")), len(shape))
    step = int(node.arg("step") or 1)
    if step <= 0:
        raise cx.unsupported(node, f"step={step} must be positive")
    start, stop, _ = slice(node.arg("start"), node.arg("end"), step).indices(shape[axis])
    stop = max(stop, start)
    return slice_axis(cx, node, x, axis, start, stop, step)


@converter("narrow.default")
def narrow(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, "self")
    shape = cx.shape(x)
    axis = norm_axis(cx, node, int(node.arg("dim")), len(shape))
    start = int(cx.scalar_arg(node, "start"))
    start = start + shape[axis] if start < 0 else start
    return slice_axis(cx, node, x, axis, start, start + int(node.arg("length")))


def _select(cx: Context, node: Node, x: SSAValue, axis: int, index: int) -> SSAValue:
    shape = cx.shape(x)
    if not -shape[axis] <= index < shape[axis]:
        raise cx.unsupported(node, f"index {index} is out of range for dimension {axis} of "
                             f"size {shape[axis]}")
    index %= shape[axis]
    y = slice_axis(cx, node, x, axis, index, index + 1)
    return cx.reshape(node, y, shape[:axis] + shape[axis + 1:])


@converter("select.int", "select_copy.int")
def select(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, "self")
    axis = norm_axis(cx, node, int(node.arg("dim")), len(cx.shape(x)))
    return _select(cx, node, x, axis, int(node.arg("index")))


@converter("unbind.int")
def unbind(cx: Context, node: Node) -> tuple:
    x = cx.value(node, "self")
    axis = norm_axis(cx, node, int(node.arg("dim")), len(cx.shape(x)))
    return tuple(_select(cx, node, x, axis, i) for i in range(cx.shape(x)[axis]))


@converter("split.Tensor", "split_with_sizes.default", "split_with_sizes_copy.default",
           "split_copy.Tensor")
def split(cx: Context, node: Node) -> tuple:
    x = cx.value(node, "self")
    shape = cx.shape(x)
    axis = norm_axis(cx, node, int(node.arg("dim")), len(shape))
    size = shape[axis]
    if "split_size" in node.args:
        step = int(node.arg("split_size"))
        sizes = [min(step, size - s) for s in range(0, size, step)] if step > 0 else [size]
    else:
        sizes = cx.ints(node, "split_sizes")
    out, start = [], 0
    for s in sizes:
        out.append(slice_axis(cx, node, x, axis, start, start + s))
        start += s
    return tuple(out)


@converter("constant_pad_nd.default")
def constant_pad_nd(cx: Context, node: Node) -> SSAValue:
    """Pads are (begin, end) pairs from the last dimension backwards; negative ones crop."""
    x = cx.value(node, "self")
    pads = cx.ints(node, "pad")
    value = cx.scalar_arg(node, "value", 0)
    if len(pads) % 2 or len(pads) // 2 > len(cx.shape(x)):
        raise cx.unsupported(node, f"pad={pads} must hold (begin, end) pairs for at most "
                             "every dimension")
    elem = cx.out_elem(node)
    rank = len(cx.shape(x))
    for i in range(len(pads) // 2):
        axis = rank - 1 - i
        lo, hi = pads[2 * i], pads[2 * i + 1]
        size = cx.shape(x)[axis]
        x = slice_axis(cx, node, x, axis, max(-lo, 0), size - max(-hi, 0))
        parts = []
        for amount in (lo, hi):
            if amount > 0:
                shape = cx.shape(x)
                shape[axis] = amount
                parts.append(cx.const(torch.full(shape, value, dtype=torch_dtype(elem)), node))
            else:
                parts.append(None)
        if parts[0] is not None or parts[1] is not None:
            seq = [p for p in (parts[0], x, parts[1]) if p is not None]
            x = cx.build(node, cx.b.concat, seq, axis)
    return x


@converter("tril.default", "triu.default")
def tril(cx: Context, node: Node) -> SSAValue:
    """`where(mask, x, 0)` with the triangular mask of the last two dims as a constant."""
    x = cx.value(node, "self")
    shape = cx.shape(x)
    if len(shape) < 2:
        raise cx.unsupported(node, "the input needs at least 2 dimensions")
    ones = torch.ones(shape[-2], shape[-1], dtype=torch.bool)
    diagonal = int(node.arg("diagonal") or 0)
    mask = ones.tril(diagonal) if node.op.startswith("tril") else ones.triu(diagonal)
    zero = cx.scalar(0, cx.elem(x))
    return cx.b.where(cx.const(mask, node), x, zero)


@converter("masked_fill.Scalar", "masked_fill.Tensor")
def masked_fill(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    x = cx.cast(cx.value(node, "self"), elem)
    return cx.build(node, cx.b.where, cx.value(node, "mask"), cx.operand(node, "value", elem), x)


# --- identities -------------------------------------------------------------------------------


@converter("clone.default", "contiguous.default", "alias.default", "detach.default",
           "lift_fresh_copy.default", "alias_copy.default", "detach_copy.default")
def identity(cx: Context, node: Node) -> SSAValue:
    return cx.value(node, "self")


@converter("dropout.default", "feature_dropout.default", "alpha_dropout.default",
           preserve=True)
def dropout(cx: Context, node: Node) -> SSAValue:
    if node.arg("train"):
        raise cx.unsupported(node, "dropout in training mode is not supported: call "
                             "module.eval() before importing")
    return cx.value(node, "input")


# --- tensors made from a shape ----------------------------------------------------------------


@converter("zeros_like.default", "ones_like.default", "full_like.default", "empty_like.default",
           "new_zeros.default", "new_ones.default", "new_full.default", "new_empty.default",
           "fill.Scalar")
def like(cx: Context, node: Node) -> torch.Tensor:
    """A tensor that depends only on another tensor's shape and dtype: known at import time
    (uninitialized `empty` ones are zeros)."""
    name = node.op.split(".")[0]
    if name in ("zeros_like", "new_zeros", "empty_like", "new_empty"):
        fill = 0
    elif name in ("ones_like", "new_ones"):
        fill = 1
    else:
        fill = cx.scalar_arg(node, "fill_value" if "fill_value" in node.args else "value")
    return torch.full(node.out_shape(), fill, dtype=node.out_dtype())
