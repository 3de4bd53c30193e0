"""Shape ONNX ops: Reshape, Flatten, Transpose, Squeeze, Unsqueeze, Expand, Concat, Slice,
Split, Tile, Pad, Gather with known indices, DepthToSpace, SpaceToDepth.

Shapes, axes, pads and indices given as inputs must be known at import time (initializers,
Constant nodes or folded shape arithmetic): the graph dialect's shapes are static. `Pad` and
`Gather` have no graph op; they are written with slices and concatenations.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import numpy as np
from xdsl.ir import SSAValue

from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.dtypes import numpy_dtype
from mlc_dialects.frontend.onnx.context import Context
from mlc_dialects.frontend.onnx.registry import Node, Results, converter


def _axes(cx: Context, node: Node, axes: Sequence[int], rank: int) -> list[int]:
    out = []
    for a in axes:
        if not -rank <= a < rank:
            raise cx.unsupported(node, f"axis {a} is out of range for rank {rank}")
        out.append(int(a) % rank)
    if len(set(out)) != len(out):
        raise cx.unsupported(node, f"axes {list(axes)} repeat an axis")
    return out


def _reshape(cx: Context, node: Node, x: SSAValue, shape: Sequence[int]) -> SSAValue:
    if list(x.type.get_shape()) == list(shape):
        return x
    return cx.build(node, cx.b.reshape, x, [int(d) for d in shape])


def slice_axis(cx: Context, x: SSAValue, axis: int, start: int, stop: int | None,
               step: int = 1) -> SSAValue:
    """`x[..., start:stop:step, ...]` along one axis (stop None: to the end in that direction).
    Bounds are normalized first, so no `graph.slice` has a negative or huge bound."""
    shape = list(x.type.get_shape())
    lo, hi, st = slice(start, stop, step).indices(shape[axis])
    starts = [0] * len(shape)
    ends = list(shape)
    steps = [1] * len(shape)
    if st < 0 and hi < 0:
        hi = -shape[axis] - 1  # "before index 0" for a negative step
    starts[axis], ends[axis], steps[axis] = lo, hi, st
    return cx.b.slice(x, starts, ends, steps)


# --- reshapes ------------------------------------------------------------------------------------


@converter("Reshape", since=5)
def reshape(cx: Context, node: Node) -> Results:
    """Reshape with a known shape: 0 copies the input dimension (unless allowzero), -1 is
    inferred."""
    x = cx.value(node, 0)
    target = [int(d) for d in cx.const_input(node, 1, "shape").reshape(-1)]
    in_shape = list(x.type.get_shape())
    allowzero = bool(node.attr("allowzero", 0))
    dims = []
    for i, d in enumerate(target):
        if d == 0 and not allowzero:
            if i >= len(in_shape):
                raise cx.unsupported(node, f"shape {target} copies dimension {i} (0), which the "
                                     f"input of rank {len(in_shape)} does not have")
            d = in_shape[i]
        dims.append(d)
    if dims.count(-1) > 1 or any(d < -1 for d in dims):
        raise cx.unsupported(node, f"shape {target} is not a valid reshape target")
    if -1 in dims:
        rest = int(np.prod([d for d in dims if d != -1], dtype=np.int64))
        total = int(np.prod(in_shape, dtype=np.int64))
        if rest == 0 or total % rest:
            raise cx.unsupported(node, f"cannot reshape {in_shape} to {target}")
        dims[dims.index(-1)] = total // rest
    return [_reshape(cx, node, x, dims)]


@converter("Flatten", since=1)
def flatten(cx: Context, node: Node) -> Results:
    """Flatten to 2-D at `axis` (default 1)."""
    x = cx.value(node, 0)
    shape = list(x.type.get_shape())
    axis = int(node.attr("axis", 1))
    if not -len(shape) <= axis <= len(shape):
        raise cx.unsupported(node, f"axis {axis} is out of range for rank {len(shape)}")
    if axis < 0:
        axis += len(shape)
    outer = int(np.prod(shape[:axis], dtype=np.int64))
    return [_reshape(cx, node, x, [outer, int(np.prod(shape[axis:], dtype=np.int64))])]


def _squeeze_axes(cx: Context, node: Node) -> list[int] | None:
    if node.opset < 13:
        return node.ints("axes")
    if not node.has_input(1):
        return None
    return [int(a) for a in cx.const_input(node, 1, "axes").reshape(-1)]


@converter("Squeeze", since=1)
def squeeze(cx: Context, node: Node) -> Results:
    """Squeeze: a reshape without the given (or all) size-1 axes."""
    x = cx.value(node, 0)
    shape = list(x.type.get_shape())
    axes = _squeeze_axes(cx, node)
    if axes is None:
        drop = {i for i, d in enumerate(shape) if d == 1}
    else:
        drop = set(_axes(cx, node, axes, len(shape)))
        bad = [a for a in sorted(drop) if shape[a] != 1]
        if bad:
            raise cx.unsupported(node, f"axis {bad[0]} has size {shape[bad[0]]}, not 1")
    return [_reshape(cx, node, x, [d for i, d in enumerate(shape) if i not in drop])]


@converter("Unsqueeze", since=1)
def unsqueeze(cx: Context, node: Node) -> Results:
    """Unsqueeze: a reshape with size-1 axes inserted (axes index the output)."""
    x = cx.value(node, 0)
    shape = list(x.type.get_shape())
    axes = _squeeze_axes(cx, node)
    if axes is None:
        raise cx.unsupported(node, "axes are required")
    rank = len(shape) + len(axes)
    new = set(_axes(cx, node, axes, rank))
    it = iter(shape)
    return [_reshape(cx, node, x, [1 if i in new else next(it) for i in range(rank)])]


@converter("Transpose", since=1)
def transpose(cx: Context, node: Node) -> Results:
    """Transpose: `graph.transpose` (perm defaults to reversing the axes)."""
    x = cx.value(node, 0)
    return [cx.build(node, cx.b.transpose, x, node.ints("perm"))]


@converter("Expand", since=8)
def expand(cx: Context, node: Node) -> Results:
    """Expand: `graph.broadcast_to` the two-way broadcast of the input and the known shape."""
    x = cx.value(node, 0)
    target = [int(d) for d in cx.const_input(node, 1, "shape").reshape(-1)]
    try:
        out = list(np.broadcast_shapes(tuple(x.type.get_shape()), tuple(target)))
    except ValueError:
        raise cx.unsupported(node, f"shape {target} does not broadcast with the input "
                             f"{x.type}") from None
    if out == list(x.type.get_shape()):
        return [x]
    return [cx.build(node, cx.b.broadcast_to, x, out)]


@converter("DepthToSpace", since=11)
def depth_to_space(cx: Context, node: Node) -> Results:
    """DepthToSpace (DCR or CRD mode): reshape, transpose, reshape."""
    x = cx.value(node, 0)
    n, c, h, w = x.type.get_shape()
    bs = int(node.attr("blocksize"))
    if node.attr("mode", "DCR") == "DCR":
        t = cx.b.reshape(x, [n, bs, bs, c // (bs * bs), h, w])
        t = cx.b.transpose(t, [0, 3, 4, 1, 5, 2])
    else:
        t = cx.b.reshape(x, [n, c // (bs * bs), bs, bs, h, w])
        t = cx.b.transpose(t, [0, 1, 4, 2, 5, 3])
    return [cx.b.reshape(t, [n, c // (bs * bs), h * bs, w * bs])]


@converter("SpaceToDepth", since=1)
def space_to_depth(cx: Context, node: Node) -> Results:
    """SpaceToDepth (DCR, or CRD mode since opset 25): reshape, transpose, reshape."""
    x = cx.value(node, 0)
    n, c, h, w = x.type.get_shape()
    bs = int(node.attr("blocksize"))
    mode = node.attr("mode", "DCR")
    if mode not in ("DCR", "CRD"):
        raise cx.unsupported(node, f"mode '{mode}' is not supported")
    t = cx.b.reshape(x, [n, c, h // bs, bs, w // bs, bs])
    t = cx.b.transpose(t, [0, 3, 5, 1, 2, 4] if mode == "DCR" else [0, 1, 3, 5, 2, 4])
    return [cx.b.reshape(t, [n, c * bs * bs, h // bs, w // bs])]


# --- concatenation and slicing --------------------------------------------------------------------


@converter("Concat", since=4)
def concat(cx: Context, node: Node) -> Results:
    """Concat: `graph.concat`."""
    values = [cx.value(node, i) for i in range(len(node.inputs)) if node.has_input(i)]
    if node.attr("axis") is None:
        raise cx.unsupported(node, "attribute 'axis' is required")
    nonempty = [v for v in values if 0 not in v.type.get_shape()]
    if len(nonempty) == 1:
        return [nonempty[0]]
    return [cx.build(node, cx.b.concat, nonempty or values, int(node.attr("axis")))]


@converter("Slice", since=1)
def slice_(cx: Context, node: Node) -> Results:
    """Slice with known starts/ends/axes/steps (attributes before opset 10, inputs after)."""
    x = cx.value(node, 0)
    shape = list(x.type.get_shape())
    if node.opset < 10:
        starts, ends = node.ints("starts"), node.ints("ends")
        axes, steps = node.ints("axes"), None
        if starts is None or ends is None:
            raise cx.unsupported(node, "attributes 'starts' and 'ends' are required")
    else:
        starts = [int(v) for v in cx.const_input(node, 1, "starts").reshape(-1)]
        ends = [int(v) for v in cx.const_input(node, 2, "ends").reshape(-1)]
        axes = [int(v) for v in cx.const_input(node, 3, "axes").reshape(-1)] \
            if node.has_input(3) else None
        steps = [int(v) for v in cx.const_input(node, 4, "steps").reshape(-1)] \
            if node.has_input(4) else None
    if axes is None:
        axes = list(range(len(starts)))
    if steps is None:
        steps = [1] * len(starts)
    if not len(starts) == len(ends) == len(axes) == len(steps):
        raise cx.unsupported(node, "starts, ends, axes and steps must have the same length")
    axes = _axes(cx, node, axes, len(shape))
    full_starts, full_ends, full_steps = [0] * len(shape), list(shape), [1] * len(shape)
    for a, s, e, k in zip(axes, starts, ends, steps, strict=True):
        if k == 0:
            raise cx.unsupported(node, f"step of axis {a} is 0")
        lo, hi, st = slice(s, e, k).indices(shape[a])
        if st < 0 and hi < 0:
            hi = -shape[a] - 1
        full_starts[a], full_ends[a], full_steps[a] = lo, hi, st
    if full_starts == [0] * len(shape) and full_ends == shape and full_steps == [1] * len(shape):
        return [x]
    return [cx.build(node, cx.b.slice, x, full_starts, full_ends, full_steps)]


@converter("Split", since=2)
def split(cx: Context, node: Node) -> Results:
    """Split into slices along `axis` (sizes from `split`, or equal parts)."""
    x = cx.value(node, 0)
    shape = list(x.type.get_shape())
    axis = _axes(cx, node, [int(node.attr("axis", 0))], len(shape))[0]
    n_out = len(node.outputs)
    if node.opset < 13:
        sizes = node.ints("split")
    else:
        sizes = [int(v) for v in cx.const_input(node, 1, "split").reshape(-1)] \
            if node.has_input(1) else None
    if sizes is None:
        parts = int(node.attr("num_outputs", n_out))
        chunk = -(-shape[axis] // parts)
        sizes = [min(chunk, shape[axis] - i * chunk) for i in range(parts)]
    if sum(sizes) != shape[axis] or len(sizes) != n_out:
        raise cx.unsupported(node, f"split sizes {sizes} do not cover axis {axis} of size "
                             f"{shape[axis]} with {n_out} outputs")
    outs, start = [], 0
    for size in sizes:
        outs.append(slice_axis(cx, x, axis, start, start + size))
        start += size
    return outs


@converter("Tile", since=6)
def tile(cx: Context, node: Node) -> Results:
    """Tile with known repeats: concatenations of the input with itself."""
    x = cx.value(node, 0)
    repeats = [int(r) for r in cx.const_input(node, 1, "repeats").reshape(-1)]
    if len(repeats) != len(x.type.get_shape()) or min(repeats, default=1) < 1:
        raise cx.unsupported(node, f"repeats {repeats} must be positive, one per axis")
    for axis, r in enumerate(repeats):
        if r > 1:
            x = cx.b.concat([x] * r, axis)
    return [x]


@converter("Gather", since=1)
def gather(cx: Context, node: Node) -> Results:
    """Gather with known indices: slices (one strided slice for an arithmetic progression,
    else one per index, concatenated), then a reshape to the result shape."""
    x = cx.value(node, 0)
    indices = cx.static(node, 1)
    if indices is None:
        raise cx.unsupported(node, "indices computed at run time are not supported (only "
                             "indices known at import time, which become slices)")
    shape = list(x.type.get_shape())
    axis = _axes(cx, node, [int(node.attr("axis", 0))], len(shape))[0]
    flat = [int(i) + shape[axis] if i < 0 else int(i) for i in indices.reshape(-1)]
    if not flat or any(not 0 <= i < shape[axis] for i in flat):
        raise cx.unsupported(node, f"indices {indices.tolist()} are empty or out of range for "
                             f"axis {axis} of size {shape[axis]}")
    steps = {b - a for a, b in itertools.pairwise(flat)}
    if len(steps) <= 1 and 0 not in steps:
        step = steps.pop() if steps else 1
        picked = slice_axis(cx, x, axis, flat[0], flat[0] + step * len(flat)
                            if flat[0] + step * len(flat) >= 0 else None, step)
    elif len(flat) <= 256:
        picked = cx.b.concat([slice_axis(cx, x, axis, i, i + 1) for i in flat], axis)
    else:
        raise cx.unsupported(node, f"{len(flat)} scattered indices are too many to import as "
                             "slices")
    out_shape = shape[:axis] + list(indices.shape) + shape[axis + 1:]
    return [_reshape(cx, node, picked, out_shape)]


# --- Pad --------------------------------------------------------------------------------------


def _pad_spec(cx: Context, node: Node, rank: int) -> tuple[str, list[int], float | int]:
    """(mode, pads as begins then ends over all axes, constant value) of a Pad node."""
    mode = node.attr("mode", "constant")
    if node.opset < 11:
        pads = node.ints("pads") or node.ints("paddings")
        value = float(node.attr("value", 0.0))
        if pads is None:
            raise cx.unsupported(node, "attribute 'pads' is required")
    else:
        pads = [int(p) for p in cx.const_input(node, 1, "pads").reshape(-1)]
        value = 0
        if node.has_input(2):
            v = cx.const_input(node, 2, "constant_value").reshape(-1)
            value = v[0].item() if v.size else 0
        if node.has_input(3):
            axes = _axes(cx, node, [int(a) for a in cx.const_input(node, 3, "axes")
                                    .reshape(-1)], rank)
            full = [0] * (2 * rank)
            for i, a in enumerate(axes):
                full[a], full[rank + a] = pads[i], pads[len(axes) + i]
            pads = full
    if len(pads) != 2 * rank:
        raise cx.unsupported(node, f"pads {pads} must have {2 * rank} entries (rank {rank})")
    return mode, pads, value


def foldable_pad(cx: Context, node: Node) -> list[int] | None:
    """(top, left, bottom, right) if `node` is a zero constant Pad of the two spatial axes of
    an NCHW tensor (so a Conv can take it as padding), else None."""
    try:
        rank = len(cx.shape(node, 0))
        if rank not in (3, 4):
            return None
        mode, pads, value = _pad_spec(cx, node, rank)
    except DiagnosticError:  # a bad Pad is reported by its own converter
        return None
    if mode != "constant" or value != 0 or min(pads) < 0:
        return None
    begins, ends = pads[:rank], pads[rank:]
    if begins[:2] != [0, 0] or ends[:2] != [0, 0]:
        return None
    if rank == 3:
        return [0, begins[2], 0, ends[2]]
    return [begins[2], begins[3], ends[2], ends[3]]


@converter("Pad", since=2)
def pad(cx: Context, node: Node) -> Results:
    """Pad (constant, edge, reflect, wrap) with known pads: slices (negative pads) and
    concatenations of constant blocks or slices of the input."""
    x = cx.value(node, 0)
    rank = len(x.type.get_shape())
    mode, pads, value = _pad_spec(cx, node, rank)
    if mode not in ("constant", "edge", "reflect", "wrap"):
        raise cx.unsupported(node, f"mode '{mode}' is not supported")
    for axis in range(rank):
        lo, hi = pads[axis], pads[rank + axis]
        if lo < 0 or hi < 0:
            size = x.type.get_shape()[axis]
            x = slice_axis(cx, x, axis, max(-lo, 0), size - max(-hi, 0))
            lo, hi = max(lo, 0), max(hi, 0)
        if lo == 0 and hi == 0:
            continue
        size = x.type.get_shape()[axis]
        if mode == "reflect" and (lo >= size or hi >= size):
            raise cx.unsupported(node, f"reflect pads {lo}, {hi} must be smaller than axis "
                                 f"{axis} of size {size}")
        if mode in ("edge", "wrap") and size == 0:
            raise cx.unsupported(node, f"{mode} padding of an empty axis")
        parts = []
        if lo:
            parts.append(_pad_block(cx, x, axis, lo, mode, value, before=True))
        parts.append(x)
        if hi:
            parts.append(_pad_block(cx, x, axis, hi, mode, value, before=False))
        x = cx.build(node, cx.b.concat, parts, axis)
    return [x]


def _pad_block(cx: Context, x: SSAValue, axis: int, n: int, mode: str, value: float,
               before: bool) -> SSAValue:
    shape = list(x.type.get_shape())
    size = shape[axis]
    block_shape = shape[:axis] + [n] + shape[axis + 1:]
    if mode == "constant":
        dtype = numpy_dtype(x.type.element_type)
        return cx.const(np.full(block_shape, value, dtype=dtype), elem=x.type.element_type)
    if mode == "edge":
        edge = slice_axis(cx, x, axis, 0, 1) if before else slice_axis(cx, x, axis, size - 1,
                                                                          size)
        return cx.b.broadcast_to(edge, block_shape)
    if mode == "reflect":
        # before: x[n], x[n-1], ..., x[1]; after: x[size-2], ..., x[size-1-n]
        if before:
            return slice_axis(cx, x, axis, n, 0, -1)
        stop = size - 2 - n
        return slice_axis(cx, x, axis, size - 2, stop if stop >= 0 else None, -1)
    # wrap: before takes the last n, after the first n (n <= size; more wraps repeatedly)
    if n > size:
        reps = -(-n // size)
        x = cx.b.concat([x] * reps, axis)
        size = size * reps
    return slice_axis(cx, x, axis, size - n, size) if before else slice_axis(cx, x, axis, 0, n)
