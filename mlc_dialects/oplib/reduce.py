"""Reductions over `axes` with `keepdims`: `reduce_sum`, `reduce_mean`, `reduce_max`,
`reduce_min` (numpy's, as the graph interpreter defines them).

- An empty `axes` list reduces nothing (a copy; the mean of one value is the value).
- Sums and means of float16 accumulate in float32; integer sums wrap; the integer mean is the
  wrapped sum divided by the count, truncated toward zero.
- Over an empty range: sum 0, mean NaN (floats) or 0 (integers), max/min -inf/+inf or the
  integer extremes.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mlc_dialects.oplib.common import (
    compute_dtype,
    const,
    fill,
    finish,
    is_float,
    load,
    normalize_axis,
    reduce_or_fill,
    size,
    widen,
)
from mlc_dialects.oplib.elementwise import int_div
from mlc_dialects.te.expr import Expr, IterVar
from mlc_dialects.te.tensor import Tensor


def reduced_shape(shape: Sequence[int], axes: Sequence[int], keepdims: bool) -> tuple[int, ...]:
    if keepdims:
        return tuple(1 if d in axes else n for d, n in enumerate(shape))
    return tuple(n for d, n in enumerate(shape) if d not in axes)


def _axes(x: Tensor, axes: Sequence[int]) -> list[int]:
    return sorted({normalize_axis(a, x.ndim) for a in axes})


def input_index(x: Tensor, axes: Sequence[int], keepdims: bool, out: Sequence[IterVar],
                r: Sequence[IterVar]) -> list[Expr]:
    """The input index for output index `out` and reduce axes `r` (one per reduced axis)."""
    spatial = iter(out)
    reduced = iter(r)
    index = []
    for d in range(x.ndim):
        if d in axes:
            index.append(next(reduced))
            if keepdims:
                next(spatial)
        else:
            index.append(next(spatial))
    return index


def accumulate(x: Tensor, axes: Sequence[int], keepdims: bool, combiner: str, name: str,
               wide: bool) -> Tensor:
    """The reduction stage, in the compute dtype when `wide` (float16 sums in float32)."""
    norm = _axes(x, axes)
    shape = reduced_shape(x.shape, norm, keepdims)
    dtype = compute_dtype(x.dtype) if wide else x.dtype

    def body(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        value = load(x, input_index(x, norm, keepdims, i, r))
        return widen(value, x.dtype) if wide else value

    return reduce_or_fill(shape, combiner, [x.shape[d] for d in norm], body, dtype, name)


def _acc_name(x: Tensor, name: str, wide: bool) -> str:
    return f"{name}_acc" if wide and compute_dtype(x.dtype) != x.dtype else name


def reduce_sum(x: Tensor, axes: Sequence[int], keepdims: bool = False, name: str = "reduce_sum"
               ) -> Tensor:
    acc = accumulate(x, axes, keepdims, "sum", _acc_name(x, name, True), wide=True)
    return finish(acc, x.dtype, name)


def reduce_max(x: Tensor, axes: Sequence[int], keepdims: bool = False, name: str = "reduce_max"
               ) -> Tensor:
    return accumulate(x, axes, keepdims, "max", name, wide=False)


def reduce_min(x: Tensor, axes: Sequence[int], keepdims: bool = False, name: str = "reduce_min"
               ) -> Tensor:
    return accumulate(x, axes, keepdims, "min", name, wide=False)


def reduce_mean(x: Tensor, axes: Sequence[int], keepdims: bool = False,
                name: str = "reduce_mean") -> Tensor:
    """The sum divided by the count (truncating for integers)."""
    norm = _axes(x, axes)
    count = size([x.shape[d] for d in norm])
    if count == 0:
        shape = reduced_shape(x.shape, norm, keepdims)
        return fill(shape, const(float("nan") if is_float(x.dtype) else 0, x.dtype), name)
    acc = accumulate(x, norm, keepdims, "sum", f"{name}_sum", wide=True)
    dtype = acc.dtype
    if is_float(dtype):
        return finish(acc, x.dtype, name, lambda v, i: v / const(count, dtype))
    # The interpreter converts the count to the element type (it wraps for tiny types).
    divisor = const(np.array(count).astype(dtype).item(), dtype)
    return finish(acc, x.dtype, name, lambda v, i: int_div(v, divisor))
