"""Elementwise ops: binary with numpy broadcasting, unary, clip, cast, where.

Each function takes te tensors and returns the te tensor of the result, one compute stage
(integer `pow` is the exception: see `pow`). The names are the graph ops' (`max`, `min`, `abs`
and `pow` shadow Python builtins inside this module, as in te).

Semantics are the graph interpreter's (dialects/graph/interp/elementwise.py):
- float16 is computed in float32 and rounded once; NaN propagates through `max`/`min`;
- integer `div` truncates toward zero. Where the interpreter reports an error (division by
  zero) the kernel cannot: it divides by 1 instead, and `INT_MIN / -1` is computed as a
  negation (it wraps) so that compiled code never traps;
- integer `pow` with a negative exponent is `trunc(1 / a**-b)` (1, -1 or 0; 0 for `0**-n`,
  where the interpreter reports an error); positive exponents wrap like numpy;
- `sigmoid` is the overflow-free form `x >= 0 ? 1 / (1 + e) : e / (1 + e)`, `e = exp(-|x|)`;
- `erf` and `gelu` are computed in the compute dtype (the interpreter uses float64 and
  rounds; the difference is within an ulp or two of float32);
- `clip` on integers clamps to the integers inside [min, max] (`ceil(min)`, `floor(max)`);
- `cast` is numpy's `astype`: float to int truncates, integers wrap, to bool is `x != 0`,
  from bool is 0/1.
"""

from __future__ import annotations

import builtins
import math
from collections.abc import Callable

import numpy as np

from mlc_dialects import te
from mlc_dialects.oplib.common import (
    LegalizeError,
    broadcast_index,
    broadcast_shape,
    compute_dtype,
    const,
    float_in,
    is_float,
    is_int,
    load,
    narrow,
    widen,
)
from mlc_dialects.te.expr import Expr, as_expr
from mlc_dialects.te.tensor import Tensor

Fn = Callable[..., Expr]


# --- building blocks ----------------------------------------------------------------------------


def map_elements(fn: Fn, inputs: list[Tensor], name: str, out_dtype: str | None = None,
                 widen_inputs: bool = True) -> Tensor:
    """One compute stage: `fn(*loaded values)` over the broadcast shape of `inputs`.

    Float16 inputs are loaded as float32 (unless `widen_inputs` is false) and the result is
    rounded to `out_dtype` (default: the first input's dtype).
    """
    shape = broadcast_shape(*(t.shape for t in inputs))
    out_dtype = out_dtype or inputs[0].dtype

    def fcompute(*i: Expr) -> Expr:
        values = []
        for t in inputs:
            value = load(t, broadcast_index(t.shape, i))
            values.append(widen(value, t.dtype) if widen_inputs else value)
        return narrow(as_expr(fn(*values)), out_dtype)

    return te.compute(shape, fcompute, name=name)


def binary(fn: Fn, a: Tensor, b: Tensor, name: str) -> Tensor:
    if a.dtype != b.dtype:
        raise LegalizeError(f"{name}: operand dtypes differ ({a.dtype} and {b.dtype})")
    return map_elements(fn, [a, b], name)


def unary(fn: Fn, x: Tensor, name: str) -> Tensor:
    return map_elements(fn, [x], name)


def float_unary(fn: Fn, x: Tensor, name: str) -> Tensor:
    if not is_float(x.dtype):
        raise LegalizeError(f"{name} needs a floating-point tensor, got {x.dtype}")
    return map_elements(fn, [x], name)


# --- binary -------------------------------------------------------------------------------------


def add(a: Tensor, b: Tensor, name: str = "add") -> Tensor:
    return binary(lambda x, y: x + y, a, b, name)


def sub(a: Tensor, b: Tensor, name: str = "sub") -> Tensor:
    return binary(lambda x, y: x - y, a, b, name)


def mul(a: Tensor, b: Tensor, name: str = "mul") -> Tensor:
    return binary(lambda x, y: x * y, a, b, name)


def div(a: Tensor, b: Tensor, name: str = "div") -> Tensor:
    """Float division, or integer division truncating toward zero (see the module docstring)."""
    if is_int(a.dtype):
        return binary(int_div, a, b, name)
    return binary(lambda x, y: x / y, a, b, name)


def int_div(x: Expr, y: Expr) -> Expr:
    """`x / y` truncating toward zero, safe for every divisor (no trap in compiled code).

    Both sides of a select are computed, so the divisor itself must avoid 0 and -1
    (`INT_MIN / -1` traps on x86); `x / -1` is the wrapping negation instead.
    """
    minus_one = te.equal(y, -1)
    safe = te.if_then_else(te.any(te.equal(y, 0), minus_one), 1, y)
    return te.if_then_else(minus_one, 0 - x, x / safe)


def max(a: Tensor, b: Tensor, name: str = "max") -> Tensor:
    return binary(lambda x, y: te.max(x, y), a, b, name)


def min(a: Tensor, b: Tensor, name: str = "min") -> Tensor:
    return binary(lambda x, y: te.min(x, y), a, b, name)


def pow(a: Tensor, b: Tensor, name: str = "pow") -> Tensor:
    """`a ** b`; on integers exponentiation by squaring, one stage per exponent bit."""
    if a.dtype != b.dtype:
        raise LegalizeError(f"{name}: operand dtypes differ ({a.dtype} and {b.dtype})")
    if is_float(a.dtype):
        return binary(lambda x, y: te.power(x, y), a, b, name)
    return int_pow(a, b, name)


def int_pow(a: Tensor, b: Tensor, name: str = "pow") -> Tensor:
    """Integer power with numpy's wrap-around, as a chain of squaring stages.

    te's expression trees do not share subexpressions, so the squaring chain cannot be one
    expression (it would double in size per bit). Each stage holds the pair (result, base) in
    a trailing axis of extent 2: stage k multiplies the result by the base when bit k of the
    exponent is set and squares the base. Bits beyond the width minus one only matter for
    exponents that do not fit the type, so `bits - 1` stages cover every non-negative exponent.
    """
    dtype = a.dtype
    bits = np.iinfo(dtype).bits
    shape = broadcast_shape(a.shape, b.shape)
    last = len(shape)

    def exponent(i: tuple[Expr, ...]) -> Expr:
        return te.max(load(b, broadcast_index(b.shape, i)), 0)

    def start(*i: Expr) -> Expr:
        base = load(a, broadcast_index(a.shape, i[:last]))
        return te.if_then_else(te.equal(i[last], 0), const(1, dtype), base)

    state = te.compute((*shape, 2), start, name=f"{name}_init")
    for k in range(bits - 1):
        state = _square_step(state, exponent, k, last, dtype, f"{name}_step{k}")

    def finish(*i: Expr) -> Expr:
        x = load(a, broadcast_index(a.shape, i))
        y = load(b, broadcast_index(b.shape, i))
        positive = state[(*i, 0)]
        # a ** -n: 1 for a == 1, +-1 for a == -1 (by parity), else 0 (the truncated reciprocal).
        odd = te.not_equal(y % 2, 0)
        minus_one = te.if_then_else(odd, const(-1, dtype), const(1, dtype))
        reciprocal = te.if_then_else(
            te.equal(x, 1), const(1, dtype),
            te.if_then_else(te.equal(x, -1), minus_one, const(0, dtype)),
        )
        return te.if_then_else(y < 0, reciprocal, positive)

    return te.compute(shape, finish, name=name)


def _square_step(state: Tensor, exponent: Callable[[tuple[Expr, ...]], Expr], k: int,
                 last: int, dtype: str, name: str) -> Tensor:
    def step(*i: Expr) -> Expr:
        spatial = tuple(i[:last])
        result = state[(*spatial, 0)]
        base = state[(*spatial, 1)]
        bit = te.not_equal((exponent(spatial) // (1 << k)) % 2, 0)
        new_result = te.if_then_else(bit, result * base, result)
        return te.if_then_else(te.equal(i[last], 0), new_result, base * base)

    return te.compute(state.shape, step, name=name)


# --- unary --------------------------------------------------------------------------------------


def neg(x: Tensor, name: str = "neg") -> Tensor:
    # x * -1 rather than 0 - x: it keeps the sign of zero (-0.0), as numpy.negative does.
    if is_float(x.dtype):
        return unary(lambda v: v * -1.0, x, name)
    return unary(lambda v: 0 - v, x, name)


def abs(x: Tensor, name: str = "abs") -> Tensor:
    return unary(te.abs, x, name)


def relu(x: Tensor, name: str = "relu") -> Tensor:
    return unary(lambda v: te.max(v, 0), x, name)


def exp(x: Tensor, name: str = "exp") -> Tensor:
    return float_unary(te.exp, x, name)


def log(x: Tensor, name: str = "log") -> Tensor:
    return float_unary(te.log, x, name)


def sqrt(x: Tensor, name: str = "sqrt") -> Tensor:
    return float_unary(te.sqrt, x, name)


def rsqrt(x: Tensor, name: str = "rsqrt") -> Tensor:
    return float_unary(te.rsqrt, x, name)


def tanh(x: Tensor, name: str = "tanh") -> Tensor:
    return float_unary(te.tanh, x, name)


def sigmoid_expr(v: Expr) -> Expr:
    """The overflow-free logistic function of one value."""
    e = te.exp(te.abs(v) * -1.0)
    return te.if_then_else(v >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid(x: Tensor, name: str = "sigmoid") -> Tensor:
    return float_unary(sigmoid_expr, x, name)


def erf(x: Tensor, name: str = "erf") -> Tensor:
    return float_unary(te.erf, x, name)


def gelu_expr(v: Expr) -> Expr:
    """`x * 0.5 * (1 + erf(x / sqrt(2)))`, in the interpreter's order of operations."""
    return v * 0.5 * (1.0 + te.erf(v / math.sqrt(2.0)))


def gelu(x: Tensor, name: str = "gelu") -> Tensor:
    return float_unary(gelu_expr, x, name)


# --- clip, cast, where --------------------------------------------------------------------------


def clip(x: Tensor, lo: float | None = None, hi: float | None = None, name: str = "clip"
         ) -> Tensor:
    """Clamp to [lo, hi] (None: unbounded); NaN stays NaN."""
    if is_int(x.dtype):
        info = np.iinfo(x.dtype)
        lo_i = info.min if lo is None else builtins.max(info.min, builtins.min(info.max,
                                                                               math.ceil(lo)))
        hi_i = info.max if hi is None else builtins.max(info.min, builtins.min(info.max,
                                                                               math.floor(hi)))
        # numpy.clip is min(max(x, lo), hi), also when lo > hi.
        return unary(lambda v: te.min(te.max(v, const(lo_i, x.dtype)), const(hi_i, x.dtype)),
                     x, name)
    dtype = compute_dtype(x.dtype)

    def clamp(v: Expr) -> Expr:
        if lo is not None:
            low = const(float_in(lo, dtype), dtype)
            v = te.if_then_else(v < low, low, v)
        if hi is not None:
            high = const(float_in(hi, dtype), dtype)
            v = te.if_then_else(v > high, high, v)
        return v

    return unary(clamp, x, name)


def cast(x: Tensor, dtype: str, name: str = "cast") -> Tensor:
    """numpy `astype` (see the module docstring); bool conversions are explicit selects,
    since a sign-extended or truncated i1 is not numpy's 0/1 and `x != 0`."""
    src = x.dtype
    if dtype == src:
        return map_elements(lambda v: v, [x], name, widen_inputs=False)
    if dtype == "bool":
        return map_elements(lambda v: te.not_equal(v, const(0, src)), [x], name, "bool",
                            widen_inputs=False)
    if src == "bool":
        return map_elements(
            lambda v: te.if_then_else(v, const(1, dtype), const(0, dtype)), [x], name, dtype,
            widen_inputs=False,
        )
    return map_elements(lambda v: v.astype(dtype), [x], name, dtype, widen_inputs=False)


def where(cond: Tensor, a: Tensor, b: Tensor, name: str = "where") -> Tensor:
    """`cond ? a : b` with broadcasting of all three; cond is a bool tensor."""
    if cond.dtype != "bool":
        raise LegalizeError(f"{name}: the condition must be a bool tensor, got {cond.dtype}")
    if a.dtype != b.dtype:
        raise LegalizeError(f"{name}: value dtypes differ ({a.dtype} and {b.dtype})")
    return map_elements(lambda c, x, y: te.if_then_else(c, x, y), [cond, a, b], name, a.dtype,
                        widen_inputs=False)
