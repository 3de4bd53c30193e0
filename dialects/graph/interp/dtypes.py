"""Element types as numpy dtypes, and the conversion of computed values to result types.

| element type | numpy storage dtype | computed in |
|---|---|---|
| f64, f32 | float64, float32 | the same dtype |
| f16 | float16 | float32, rounded to float16 once per op |
| bf16 | float32 holding bf16 values | float32, rounded to bf16 once per op |
| i64, i32, i16, i8 | int64, int32, int16, int8 | the same dtype (wraps around) |
| i1 | bool | bool |

numpy has no bfloat16, so a bf16 tensor is a float32 array whose values are all representable
in bf16: every op computes in float32 and rounds its result to the nearest bf16 value (ties to
even, NaN stays NaN, overflow rounds to infinity). Arguments of bf16 type are rounded the same
way on entry. Converting f64 to bf16 goes through float32 and can double-round (1 ulp of bf16,
rarely).

Every op's result passes through `result(op, value)`, which casts to the storage dtype of the
result type, rounds bf16 and checks the shape against the result type: a mismatch means the
verifier and the interpreter disagree, and is reported at the op.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import (
    BFloat16Type,
    TensorType,
)
from xdsl.ir import Attribute, Operation

from mlc_dialects.diagnostics import DiagnosticError, at_op
from mlc_dialects.dtypes import numpy_dtype

DYN = -1
"""A dynamic dimension in a tensor type's shape."""

# The element type -> dtype table is shared by every level: mlc_dialects.dtypes.
storage_dtype = numpy_dtype


def is_bf16(t: Attribute) -> bool:
    elem = t.element_type if isinstance(t, TensorType) else t
    return isinstance(elem, BFloat16Type)


def round_bf16(a: np.ndarray) -> np.ndarray:
    """float32 values rounded to the nearest bfloat16 (ties to even), kept as float32."""
    a32 = np.asarray(a, dtype=np.float32)
    bits = a32.view(np.uint32)
    lsb = (bits >> np.uint32(16)) & np.uint32(1)
    rounded = (bits + np.uint32(0x7FFF) + lsb) & np.uint32(0xFFFF0000)
    out = rounded.view(np.float32)
    # Rounding the mantissa of a NaN could carry into the exponent: keep NaNs as they are.
    return np.where(np.isnan(a32), a32, out)


def widen(a: np.ndarray) -> np.ndarray:
    """The array in the dtype ops compute in: float16 is computed in float32."""
    return a.astype(np.float32) if a.dtype == np.float16 else a


def shape_matches(shape: tuple[int, ...], t: TensorType) -> bool:
    want = tuple(t.get_shape())
    return len(shape) == len(want) and all(w in (DYN, s) for s, w in zip(shape, want, strict=True))


def convert(value: object, t: TensorType) -> np.ndarray:
    """`value` as an array of the storage dtype of `t` (bf16 rounded); no shape check."""
    out = np.asarray(value).astype(storage_dtype(t.element_type), copy=False)
    if is_bf16(t):
        out = round_bf16(out)
    return out


def result(op: Operation, value: object, index: int = 0) -> np.ndarray:
    """The value of result #index of `op`: converted to its type, with its shape checked."""
    t = op.results[index].type
    assert isinstance(t, TensorType)
    out = convert(value, t)
    if not shape_matches(out.shape, t):
        raise DiagnosticError(at_op(
            op, f"interpreter computed shape {out.shape} for result #{index} of type {t}; the "
            "verifier and the interpreter disagree (a bug in mlc-dialects)"
        ))
    return out


def describe(t: TensorType) -> str:
    """`tensor<2x3xf32> (float32, shape (2, 3))`: a type and the array that represents it."""
    shape = tuple(None if d == DYN else d for d in t.get_shape())
    dtype = storage_dtype(t.element_type)
    return f"{t} ({dtype.name}{' holding bf16' if is_bf16(t) else ''}, shape {shape})"
