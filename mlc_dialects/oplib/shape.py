"""Shape ops: reshape, transpose, broadcast_to, concat, slice, rearrange.

Each is one injective compute stage whose body is a single load at an index computed from the
output index (row-major position arithmetic for reshape and rearrange), so later passes can
inline them into their consumers. Values are copied bit for bit, for every dtype (bool too).
`concat` selects among its inputs with clamped indices (te's select evaluates every side);
inputs with no elements are skipped.
"""

from __future__ import annotations

import builtins
from collections.abc import Sequence

from dialects.graph import einops
from mlc_dialects import te
from mlc_dialects.oplib.common import (
    LegalizeError,
    broadcast_index,
    clamp,
    load,
    normalize_axis,
    ravel,
    size,
    unravel,
)
from mlc_dialects.te.expr import Expr, ExprLike, IterVar
from mlc_dialects.te.tensor import Tensor


def reshape(x: Tensor, shape: Sequence[int], name: str = "reshape") -> Tensor:
    """Row-major reshape: output element at flat position p is input element p."""
    shape = tuple(shape)
    if size(shape) != size(x):
        raise LegalizeError(f"{name}: cannot reshape {x.shape} to {shape}")
    groups = _reshape_groups(x.shape, shape)

    def fcompute(*i: IterVar) -> Expr:
        index: list[ExprLike] = [0] * x.ndim
        for src, dst in groups:
            flat = ravel([i[d] for d in dst], [shape[d] for d in dst])
            for d, v in zip(src, unravel(flat, [x.shape[d] for d in src]), strict=True):
                index[d] = v
        return load(x, index)

    return te.compute(shape, fcompute, name=name)


def _reshape_groups(src: Sequence[int], dst: Sequence[int]
                    ) -> list[tuple[list[int], list[int]]]:
    """Consecutive axes of `src` and `dst` with equal element counts, as small as possible.

    Position arithmetic is only needed inside a group, so a reshape that merges two axes keeps
    the others as plain indices (and one that only adds or drops size-1 axes needs none).
    """
    groups: list[tuple[list[int], list[int]]] = []
    i = j = 0
    while i < len(src) or j < len(dst):
        group_src: list[int] = []
        group_dst: list[int] = []
        count_src = count_dst = 1
        if i < len(src):
            group_src.append(i)
            count_src *= src[i]
            i += 1
        if j < len(dst):
            group_dst.append(j)
            count_dst *= dst[j]
            j += 1
        while count_src != count_dst:
            if count_src < count_dst:
                group_src.append(i)
                count_src *= src[i]
                i += 1
            else:
                group_dst.append(j)
                count_dst *= dst[j]
                j += 1
        groups.append((group_src, group_dst))
    return groups


def transpose(x: Tensor, perm: Sequence[int] | None = None, name: str = "transpose") -> Tensor:
    """numpy.transpose: output axis d is input axis perm[d] (reversed axes by default)."""
    perm = list(perm) if perm is not None else list(reversed(range(x.ndim)))
    if sorted(perm) != list(range(x.ndim)):
        raise LegalizeError(f"{name}: {perm} is not a permutation of {x.ndim} axes")
    shape = tuple(x.shape[p] for p in perm)

    def fcompute(*i: IterVar) -> Expr:
        index: list[ExprLike] = [0] * x.ndim
        for d, p in enumerate(perm):
            index[p] = i[d]
        return load(x, index)

    return te.compute(shape, fcompute, name=name)


def broadcast_to(x: Tensor, shape: Sequence[int], name: str = "broadcast_to") -> Tensor:
    """numpy.broadcast_to."""
    shape = tuple(shape)
    return te.compute(shape, lambda *i: load(x, broadcast_index(x.shape, i)), name=name)


def concat(inputs: Sequence[Tensor], axis: int = 0, name: str = "concat") -> Tensor:
    """numpy.concatenate along `axis`."""
    if not inputs:
        raise LegalizeError(f"{name} needs at least one input")
    axis = normalize_axis(axis, inputs[0].ndim)
    total = builtins.sum(t.shape[axis] for t in inputs)
    shape = tuple(total if d == axis else n for d, n in enumerate(inputs[0].shape))
    pieces: list[tuple[int, Tensor]] = []
    offset = 0
    for t in inputs:
        if size(t):
            pieces.append((offset, t))
        offset += t.shape[axis]

    def fcompute(*i: IterVar) -> Expr:
        # The last piece is the default; each earlier one is taken below its end.
        start, last = pieces[-1]
        value = load(last, _shifted(i, axis, start, last.shape[axis], clamped=len(pieces) > 1))
        for start, t in reversed(pieces[:-1]):
            end = start + t.shape[axis]
            here = load(t, _shifted(i, axis, start, t.shape[axis], clamped=True))
            value = te.if_then_else(i[axis] < end, here, value)
        return value

    return te.compute(shape, fcompute, name=name)


def _shifted(index: Sequence[ExprLike], axis: int, start: int, extent: int, clamped: bool
             ) -> list[ExprLike]:
    position = index[axis] - start if start else index[axis]
    out = list(index)
    out[axis] = clamp(position, extent) if clamped else position
    return out


def slice(x: Tensor, starts: Sequence[int], ends: Sequence[int],
          steps: Sequence[int] | None = None, name: str = "slice") -> Tensor:
    """Basic slicing x[s0:e0:k0, ...]; negative bounds count from the end and are clamped."""
    steps = list(steps) if steps is not None else [1] * x.ndim
    if not len(starts) == len(ends) == len(steps) == x.ndim:
        raise LegalizeError(f"{name}: needs one start, end and step per axis of {x.shape}")
    ranges = [range(*builtins.slice(s, e, k).indices(n))
              for s, e, k, n in zip(starts, ends, steps, x.shape, strict=True)]
    shape = tuple(len(r) for r in ranges)

    def fcompute(*i: IterVar) -> Expr:
        index: list[ExprLike] = []
        for v, r in zip(i, ranges, strict=True):
            scaled = v * r.step if r.step != 1 else v
            index.append(scaled + r.start if r.start else scaled)
        return load(x, index)

    return te.compute(shape, fcompute, name=name)


def rearrange(x: Tensor, pattern: str, name: str = "rearrange") -> Tensor:
    """einops rearrange: split into elementary axes, permute, merge into the output groups.

    The output index is unravelled into the permuted elementary axes, whose positions are
    ravelled back in input order: one load, no intermediate.
    """
    try:
        plan = einops.plan(pattern, x.shape)
    except einops.ShapeError as err:
        raise LegalizeError(f"{name}: {err}") from None
    permuted = [plan.split_shape[p] for p in plan.perm]

    def fcompute(*i: IterVar) -> Expr:
        elementary = unravel(ravel(i, plan.output_shape), permuted)
        split: list[ExprLike] = [0] * len(plan.split_shape)
        for d, p in enumerate(plan.perm):
            split[p] = elementary[d]
        return load(x, unravel(ravel(split, plan.split_shape), x.shape))

    return te.compute(plan.output_shape, fcompute, name=name)
