"""Shared helpers of the op library: dtypes, the compute dtype, broadcasting, clamped indices.

Conventions every op function follows (see the package docstring):
- float16 is computed in float32 and rounded once at the end (`widen` / `narrow`), as the
  graph interpreter does;
- every index that a select could evaluate out of range is clamped (`clamp`): te's
  `if_then_else` computes both sides, so a guarded load must still be in bounds;
- a reduction over an empty range is its identity (`reduce_or_fill`), because te rejects empty
  reduce axes.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable, Sequence

import numpy as np

from mlc_dialects import te
from mlc_dialects.te.expr import Expr, ExprLike, IterVar, compare
from mlc_dialects.te.tensor import PlaceholderOp, Tensor

Index = Sequence[ExprLike]


class LegalizeError(ValueError):
    """An op (or an operand type) that the op library cannot turn into a tensor program."""


# --- dtypes -----------------------------------------------------------------------------------

FLOATS = ("float16", "float32", "float64")


def is_float(dtype: str) -> bool:
    return dtype in FLOATS


def is_int(dtype: str) -> bool:
    return dtype in ("int8", "int16", "int32", "int64")


def compute_dtype(dtype: str) -> str:
    """The dtype arithmetic runs in: float16 is computed in float32, the rest in themselves."""
    return "float32" if dtype == "float16" else dtype


def widen(value: Expr, dtype: str) -> Expr:
    """`value` (of storage dtype `dtype`) converted to the compute dtype."""
    return value.astype(compute_dtype(dtype))


def narrow(value: Expr, dtype: str) -> Expr:
    """A computed value converted back to the storage dtype."""
    return value.astype(dtype)


def const(value: float | bool, dtype: str) -> Expr:
    """A constant of `dtype`, given as the value numpy would hold in that dtype."""
    return te.const(np.dtype(dtype).type(value).item(), dtype)


def float_in(value: float, dtype: str) -> float:
    """`value` rounded to `dtype` (what `x.dtype.type(value)` gives in the interpreter)."""
    return float(np.dtype(dtype).type(value))


def identity(combiner: str, dtype: str) -> Expr:
    """The identity of a reduction: 0, or -inf/+inf (floats) / the integer extremes (ints)."""
    if combiner == "sum":
        return const(0, dtype)
    if dtype == "bool":
        return const(combiner == "min", dtype)
    if is_float(dtype):
        return const(-math.inf if combiner == "max" else math.inf, dtype)
    info = np.iinfo(dtype)
    return const(info.min if combiner == "max" else info.max, dtype)


# --- placeholders and shapes --------------------------------------------------------------------


def placeholder(shape: Sequence[int], dtype: str, name: str) -> Tensor:
    """`te.placeholder`, also for shapes with a zero extent (te rejects those).

    A zero-size input can never be read; it still is an argument of the tensor function, so
    the op functions must not index it (they check `size(t) == 0` first).
    """
    if builtins.all(d > 0 for d in shape):
        return te.placeholder(tuple(shape), dtype, name=name)
    return Tensor(tuple(shape), dtype, name, PlaceholderOp(name))


def size(t: Tensor | Sequence[int]) -> int:
    return math.prod(t.shape if isinstance(t, Tensor) else t)


def broadcast_shape(*shapes: Sequence[int]) -> tuple[int, ...]:
    return tuple(np.broadcast_shapes(*(tuple(s) for s in shapes)))


def broadcast_index(shape: Sequence[int], out_index: Index) -> list[ExprLike]:
    """Index into a tensor of `shape` that broadcasts (numpy rules) to the output index."""
    offset = len(out_index) - len(shape)
    return [0 if d == 1 else out_index[offset + k] for k, d in enumerate(shape)]


def clamp(index: ExprLike, extent: int) -> ExprLike:
    """`index` limited to [0, extent): for loads under a select whose other side is taken."""
    if extent == 1:
        return 0
    return te.min(te.max(index, 0), extent - 1)


def in_range(index: ExprLike, lo: int, hi: int) -> Expr:
    """`lo <= index < hi` as a boolean expression."""
    return te.all(_ge(index, lo), _lt(index, hi))


def _ge(a: ExprLike, b: int) -> Expr:
    return compare("ge", a, b)


def _lt(a: ExprLike, b: int) -> Expr:
    return compare("lt", a, b)


def normalize_axis(axis: int, rank: int) -> int:
    if not -rank <= axis < rank:
        raise LegalizeError(f"axis {axis} is out of range for rank {rank}")
    return axis % rank


# --- computes -----------------------------------------------------------------------------------


def fill(shape: Sequence[int], value: Expr, name: str) -> Tensor:
    """A tensor of `shape` holding `value` everywhere."""
    return te.compute(tuple(shape), lambda *i: value, name=name)


def reduce_axes(extents: Sequence[int], prefix: str = "r") -> list[IterVar] | None:
    """One reduce axis per extent, or None when the range is empty (some extent is 0)."""
    if builtins.any(e == 0 for e in extents):
        return None
    names = [f"{prefix}{k}" if len(extents) > 1 else prefix for k in range(len(extents))]
    return [te.reduce_axis((0, e), name=n) for e, n in zip(extents, names, strict=True)]


def reduce_or_fill(
    shape: Sequence[int],
    combiner: str,
    extents: Sequence[int],
    body: Callable[[Sequence[IterVar], Sequence[IterVar]], Expr],
    dtype: str,
    name: str,
    where: Callable[[Sequence[IterVar], Sequence[IterVar]], Expr] | None = None,
) -> Tensor:
    """`te.<combiner>(body(out_index, reduce_axes), axis=reduce_axes)` over `extents`.

    `dtype` is the accumulator dtype. An empty range (an extent of 0) gives the identity; a
    reduction over no axes at all is `body` itself.
    """
    axes = reduce_axes(extents)
    if axes is None:
        return fill(shape, identity(combiner, dtype), name)
    reducer = {"sum": te.sum, "max": te.max, "min": te.min}[combiner]

    def fcompute(*i: IterVar) -> Expr:
        value = body(i, axes)
        if not axes:
            return value
        cond = where(i, axes) if where is not None else None
        return reducer(value, axis=axes, where=cond)

    return te.compute(tuple(shape), fcompute, name=name)


def finish(acc: Tensor, dtype: str, name: str,
           epilogue: Callable[[Expr, Sequence[IterVar]], Expr] | None = None) -> Tensor:
    """The final stage after a reduction `acc` of the compute dtype: apply `epilogue` and
    round to the storage `dtype`. Without either, `acc` is the result."""
    if epilogue is None and acc.dtype == dtype:
        return acc

    def fcompute(*i: IterVar) -> Expr:
        value = acc[tuple(i)] if i else acc[()]
        if epilogue is not None:
            value = epilogue(value, i)
        return narrow(value, dtype)

    return te.compute(acc.shape, fcompute, name=name)


def load(t: Tensor, index: Index) -> Expr:
    """`t[index]` (also for 0-d tensors)."""
    return t[tuple(index)] if index else t[()]


def unravel(flat: ExprLike, shape: Sequence[int]) -> list[ExprLike]:
    """Row-major indices of the element at position `flat` of a tensor of `shape`."""
    out: list[ExprLike] = []
    for k, d in enumerate(shape):
        if d == 1:
            out.append(0)
            continue
        inner = math.prod(shape[k + 1:])
        outer = math.prod(shape[:k])
        index = flat // inner if inner != 1 else flat
        out.append(index % d if outer != 1 else index)  # flat < size: no wrap on the outermost
    return out


def ravel(index: Index, shape: Sequence[int]) -> ExprLike:
    """Row-major position of `index` in a tensor of `shape`."""
    flat: ExprLike = 0
    for i, d in zip(index, shape, strict=True):
        if d == 1:
            continue
        flat = i if _is_zero(flat) else flat * d + i
    return flat


def _is_zero(value: ExprLike) -> bool:
    return isinstance(value, int) and value == 0
