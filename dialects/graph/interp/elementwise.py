"""Reference semantics of the elementwise graph ops (numpy's, with the choices below).

- Binary ops broadcast as numpy does. On integers, `div` truncates toward zero (ONNX Div, C)
  and division by zero is an error at the op; `pow` with a negative integer exponent is
  `trunc(1 / a**-b)` (so 1, -1 or 0; 0 ** negative is a division by zero). Integer arithmetic
  wraps around on overflow.
- Arithmetic is not defined on i1 (the verifier rejects it); `where` takes an i1 condition.
- Float ops follow IEEE: no warnings, NaN and infinities propagate (`max`/`min` propagate NaN as
  numpy.maximum does); f16 is computed in f32 and rounded once (see `dtypes`).
- `sigmoid` uses the form that does not overflow for large |x|. `erf` and `gelu` are computed in
  float64 (`math.erf` elementwise) and rounded to the result type.
- `clip`: an absent bound is unbounded. On integer tensors the bounds are the integers inside
  [min, max] (`ceil(min)`, `floor(max)`), so the result always lies in [min, max].
- `cast`: numpy `astype`: float to int truncates toward zero (NaN, infinities and out-of-range
  values give unspecified results, as in C), integers wrap, to i1 is `x != 0`, from i1 is 0/1.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls
from xdsl.ir import Operation

from dialects.graph import ops
from dialects.graph.base import float_scalar
from dialects.graph.interp.dtypes import result, widen
from mlc_dialects.diagnostics import DiagnosticError, at_op

Args = tuple[Any, ...]

_erf = np.frompyfunc(math.erf, 1, 1)


def erf(x: np.ndarray) -> np.ndarray:
    """The error function elementwise, in float64 (exact to double precision)."""
    return np.asarray(_erf(np.asarray(x, dtype=np.float64)), dtype=np.float64)


def gelu(x: np.ndarray) -> np.ndarray:
    """`x * 0.5 * (1 + erf(x / sqrt(2)))` in float64."""
    x64 = np.asarray(x, dtype=np.float64)
    return x64 * 0.5 * (1.0 + erf(x64 / math.sqrt(2.0)))


def sigmoid(x: np.ndarray) -> np.ndarray:
    """`1 / (1 + exp(-x))` without overflow: `exp(x) / (1 + exp(x))` for negative x."""
    e = np.exp(-np.abs(x))
    return np.where(x >= 0, 1 / (1 + e), e / (1 + e))


def trunc_div(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer division rounding toward zero; ZeroDivisionError if any divisor is zero."""
    if np.any(b == 0):
        raise ZeroDivisionError("integer division by zero")
    q = np.floor_divide(a, b)
    inexact = (a - q * b) != 0
    return q + (inexact & ((a < 0) != (b < 0))).astype(q.dtype)


def int_pow(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Integer power; a negative exponent gives `trunc(1 / a**-b)`."""
    a, b = np.broadcast_arrays(a, b)
    negative = b < 0
    if not np.any(negative):
        return np.power(a, b)
    if np.any(negative & (a == 0)):
        raise ZeroDivisionError("zero raised to a negative power")
    out = np.power(a, np.where(negative, 0, b))
    odd = (b % 2) != 0
    reciprocal = np.where(a == 1, 1, np.where(a == -1, np.where(odd, -1, 1), 0))
    return np.where(negative, reciprocal.astype(out.dtype), out)


def _is_int(a: np.ndarray) -> bool:
    return a.dtype.kind in "iu"


def _integer_fault(op: Operation, err: ZeroDivisionError) -> DiagnosticError:
    return DiagnosticError(at_op(op, f"{err} at run time"))


def clip(x: np.ndarray, lo: float | None, hi: float | None) -> np.ndarray:
    """Clamp to [lo, hi]; None is unbounded; integer tensors clamp to the integers inside."""
    if _is_int(x):
        info = np.iinfo(x.dtype)
        lo_i = info.min if lo is None else max(info.min, min(info.max, math.ceil(lo)))
        hi_i = info.max if hi is None else max(info.min, min(info.max, math.floor(hi)))
        return np.clip(x, x.dtype.type(lo_i), x.dtype.type(hi_i))
    out = x
    if lo is not None:
        out = np.where(out < x.dtype.type(lo), x.dtype.type(lo), out)
    if hi is not None:
        out = np.where(out > x.dtype.type(hi), x.dtype.type(hi), out)
    return out


@register_impls
class ElementwiseFunctions(InterpreterFunctions):
    """Interpreter implementations of the elementwise graph ops."""

    # --- binary ---

    @impl(ops.AddOp)
    def run_add(self, interp: Interpreter, op: ops.AddOp, args: Args) -> Args:
        return (result(op, np.add(widen(args[0]), widen(args[1]))),)

    @impl(ops.SubOp)
    def run_sub(self, interp: Interpreter, op: ops.SubOp, args: Args) -> Args:
        return (result(op, np.subtract(widen(args[0]), widen(args[1]))),)

    @impl(ops.MulOp)
    def run_mul(self, interp: Interpreter, op: ops.MulOp, args: Args) -> Args:
        return (result(op, np.multiply(widen(args[0]), widen(args[1]))),)

    @impl(ops.DivOp)
    def run_div(self, interp: Interpreter, op: ops.DivOp, args: Args) -> Args:
        a, b = args
        if not _is_int(a):
            return (result(op, np.divide(widen(a), widen(b))),)
        try:
            return (result(op, trunc_div(a, b)),)
        except ZeroDivisionError as err:
            raise _integer_fault(op, err) from None

    @impl(ops.MaxOp)
    def run_max(self, interp: Interpreter, op: ops.MaxOp, args: Args) -> Args:
        return (result(op, np.maximum(widen(args[0]), widen(args[1]))),)

    @impl(ops.MinOp)
    def run_min(self, interp: Interpreter, op: ops.MinOp, args: Args) -> Args:
        return (result(op, np.minimum(widen(args[0]), widen(args[1]))),)

    @impl(ops.PowOp)
    def run_pow(self, interp: Interpreter, op: ops.PowOp, args: Args) -> Args:
        a, b = args
        if not _is_int(a):
            return (result(op, np.power(widen(a), widen(b))),)
        try:
            return (result(op, int_pow(a, b)),)
        except ZeroDivisionError as err:
            raise _integer_fault(op, err) from None

    # --- unary ---

    @impl(ops.NegOp)
    def run_neg(self, interp: Interpreter, op: ops.NegOp, args: Args) -> Args:
        return (result(op, np.negative(args[0])),)

    @impl(ops.AbsOp)
    def run_abs(self, interp: Interpreter, op: ops.AbsOp, args: Args) -> Args:
        return (result(op, np.abs(args[0])),)

    @impl(ops.ReluOp)
    def run_relu(self, interp: Interpreter, op: ops.ReluOp, args: Args) -> Args:
        x = args[0]
        return (result(op, np.maximum(x, x.dtype.type(0))),)

    @impl(ops.ExpOp)
    def run_exp(self, interp: Interpreter, op: ops.ExpOp, args: Args) -> Args:
        return (result(op, np.exp(widen(args[0]))),)

    @impl(ops.LogOp)
    def run_log(self, interp: Interpreter, op: ops.LogOp, args: Args) -> Args:
        return (result(op, np.log(widen(args[0]))),)

    @impl(ops.SqrtOp)
    def run_sqrt(self, interp: Interpreter, op: ops.SqrtOp, args: Args) -> Args:
        return (result(op, np.sqrt(widen(args[0]))),)

    @impl(ops.RsqrtOp)
    def run_rsqrt(self, interp: Interpreter, op: ops.RsqrtOp, args: Args) -> Args:
        x = widen(args[0])
        return (result(op, x.dtype.type(1) / np.sqrt(x)),)

    @impl(ops.TanhOp)
    def run_tanh(self, interp: Interpreter, op: ops.TanhOp, args: Args) -> Args:
        return (result(op, np.tanh(widen(args[0]))),)

    @impl(ops.SigmoidOp)
    def run_sigmoid(self, interp: Interpreter, op: ops.SigmoidOp, args: Args) -> Args:
        return (result(op, sigmoid(widen(args[0]))),)

    @impl(ops.ErfOp)
    def run_erf(self, interp: Interpreter, op: ops.ErfOp, args: Args) -> Args:
        return (result(op, erf(args[0])),)

    @impl(ops.GeluOp)
    def run_gelu(self, interp: Interpreter, op: ops.GeluOp, args: Args) -> Args:
        return (result(op, gelu(args[0])),)

    # --- clip, cast, where ---

    @impl(ops.ClipOp)
    def run_clip(self, interp: Interpreter, op: ops.ClipOp, args: Args) -> Args:
        lo = float_scalar(op.attributes, "min")
        hi = float_scalar(op.attributes, "max")
        return (result(op, clip(widen(args[0]), lo, hi)),)

    @impl(ops.CastOp)
    def run_cast(self, interp: Interpreter, op: ops.CastOp, args: Args) -> Args:
        # `result` converts with astype (to bool: != 0) and rounds bf16.
        return (result(op, args[0]),)

    @impl(ops.WhereOp)
    def run_where(self, interp: Interpreter, op: ops.WhereOp, args: Args) -> Args:
        cond, a, b = args
        return (result(op, np.where(cond, a, b)),)
