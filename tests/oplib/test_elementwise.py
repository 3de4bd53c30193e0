"""Elementwise ops legalized and run through the tensor interpreter equal the graph interpreter
(and numpy), with broadcasting, size-1 and 0-d shapes and several dtypes."""

from __future__ import annotations

import math

import numpy as np
import pytest
from oplib_support import check, random_array

from dialects.tensor.interp import run
from mlc_dialects import te
from mlc_dialects.oplib import elementwise

RNG = np.random.default_rng(0)

BINARY = ["add", "sub", "mul", "div", "max", "min", "pow"]
SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((4, 1, 3), (2, 1)), ((), (2, 2)), ((1,), ())]
NUMPY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "max": np.maximum,
         "min": np.minimum}


def _operands(op: str, dtype: str, sa: tuple[int, ...], sb: tuple[int, ...]
              ) -> tuple[np.ndarray, np.ndarray]:
    a = random_array(RNG, sa, dtype)
    b = random_array(RNG, sb, dtype)
    if op == "div" and np.dtype(dtype).kind == "i":
        b = np.where(b == 0, 3, b).astype(dtype)
    if op == "pow" and np.dtype(dtype).kind == "f":
        a = np.abs(a).astype(dtype)
    if op == "pow" and np.dtype(dtype).kind == "i":
        a = np.where(a == 0, 2, a).astype(dtype)  # 0 ** -n is an error in the interpreter
    return a, b


@pytest.mark.parametrize("op", BINARY)
@pytest.mark.parametrize("dtype", ["float32", "float64", "int32", "int64"])
def test_binary(op: str, dtype: str) -> None:
    for sa, sb in SHAPES:
        a, b = _operands(op, dtype, sa, sb)
        check(lambda g, x, y: getattr(g, op)(x, y), [a, b], exact=True)


@pytest.mark.parametrize("op", ["add", "mul", "div", "max"])
def test_binary_float16(op: str) -> None:
    a, b = _operands(op, "float16", (3, 4), (4,))
    check(lambda g, x, y: getattr(g, op)(x, y), [a, b], exact=True)


@pytest.mark.parametrize("op", sorted(NUMPY))
def test_binary_matches_numpy(op: str) -> None:
    a, b = _operands(op, "float32", (2, 1, 3), (4, 1))
    lowered = check(lambda g, x, y: getattr(g, op)(x, y), [a, b], exact=True)
    from dialects.graph.interp import interpret
    np.testing.assert_array_equal(interpret(lowered, "main", a, b), NUMPY[op](a, b))


def test_integer_div_truncates_toward_zero() -> None:
    a = np.array([7, -7, 7, -7, 0, -2**31], np.int32)
    b = np.array([2, 2, -2, -2, 5, -1], np.int32)
    check(lambda g, x, y: g.div(x, y), [a, b], exact=True)


def test_integer_pow_with_negative_and_large_exponents() -> None:
    a = np.array([2, -1, -1, 1, 2, 3, -3, 5, 0, 7], np.int64)
    b = np.array([10, 3, 4, -5, -1, 40, 41, 0, 3, 63], np.int64)
    check(lambda g, x, y: g.pow(x, y), [a, b], exact=True)
    a32 = np.array([3, -2, 2], np.int32)
    b32 = np.array([25, 31, 33], np.int32)
    check(lambda g, x, y: g.pow(x, y), [a32, b32], exact=True)


UNARY = ["neg", "abs", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu", "erf", "gelu"]
INTEGER_UNARY = ["neg", "abs", "relu"]
TRANSCENDENTAL = {"erf", "gelu"}  # computed in f32 here, in f64 by the interpreter


@pytest.mark.parametrize("op", UNARY)
@pytest.mark.parametrize("dtype", ["float16", "float32", "float64"])
def test_unary_float(op: str, dtype: str) -> None:
    for shape in [(2, 3), (1,), ()]:
        x = random_array(RNG, shape, dtype, -4, 4)
        if op in ("log", "sqrt", "rsqrt"):
            x = np.abs(x).astype(dtype)
        check(lambda g, v: getattr(g, op)(v), [x], exact=op not in TRANSCENDENTAL)


@pytest.mark.parametrize("op", INTEGER_UNARY)
@pytest.mark.parametrize("dtype", ["int32", "int64", "int8"])
def test_unary_integer(op: str, dtype: str) -> None:
    x = random_array(RNG, (3, 2), dtype)
    check(lambda g, v: getattr(g, op)(v), [x], exact=True)


def test_float_special_values() -> None:
    x = np.array([np.nan, np.inf, -np.inf, 0.0, -0.0, 100.0, -100.0], np.float32)
    for op in ["neg", "abs", "relu", "sigmoid", "tanh", "exp"]:
        check(lambda g, v, op=op: getattr(g, op)(v), [x], exact=True)
    y = np.array([1.0, np.nan, -np.inf, 0.0, 2.0, -1.0, 5.0], np.float32)
    check(lambda g, a, b: g.max(a, b), [x, y], exact=True)
    check(lambda g, a, b: g.min(a, b), [x, y], exact=True)


def test_neg_keeps_the_sign_of_zero() -> None:
    x = np.array([0.0, -0.0], np.float32)
    lowered = check(lambda g, v: g.neg(v), [x], exact=True)
    from dialects.graph.interp import interpret
    assert np.signbit(interpret(lowered, "main", x)).tolist() == [True, False]


@pytest.mark.parametrize("bounds", [(0.0, 6.0), (None, 1.5), (-1.5, None), (0.5, 0.7)])
@pytest.mark.parametrize("dtype", ["float32", "float16", "int32", "int64"])
def test_clip(bounds: tuple[float | None, float | None], dtype: str) -> None:
    x = random_array(RNG, (3, 4), dtype, -8, 8)
    if dtype.startswith("float"):
        x[0, 0] = np.nan
    check(lambda g, v: g.clip(v, *bounds), [x], exact=True)


CASTS = ["f16", "f32", "f64", "i8", "i32", "i64", "i1"]


@pytest.mark.parametrize("src", ["float32", "float16", "float64", "int32", "int64", "bool"])
@pytest.mark.parametrize("dst", CASTS)
def test_cast(src: str, dst: str) -> None:
    x = random_array(RNG, (2, 3), src, -100, 100)
    if src.startswith("float"):
        x[0, 0] = 0.0
        x[0, 1] = -0.5
    check(lambda g, v: g.cast(v, dst), [x], exact=True)


@pytest.mark.parametrize("dtype", ["float32", "int64", "bool", "float16"])
def test_where_broadcasts(dtype: str) -> None:
    c = random_array(RNG, (2, 1, 3), "bool")
    a = random_array(RNG, (4, 1), dtype)
    b = random_array(RNG, (), dtype)
    check(lambda g, cc, x, y: g.where(cc, x, y), [c, a, b], exact=True)


def test_library_functions_compose_in_one_te_program() -> None:
    """Users call the op library on te tensors and build their own (fused) program."""
    x = te.placeholder((2, 4), "float32", name="x")
    b = te.placeholder((4,), "float32", name="b")
    y = elementwise.gelu(elementwise.add(x, b))
    module = te.create_prim_func([x, b, y])
    xs = RNG.standard_normal((2, 4)).astype(np.float32)
    bs = RNG.standard_normal(4).astype(np.float32)
    out = np.empty((2, 4), np.float32)
    run(module, "main", [xs, bs, out])
    s = (xs + bs).astype(np.float64)
    expected = s * 0.5 * (1 + np.vectorize(math.erf)(s / math.sqrt(2)))
    np.testing.assert_allclose(out, expected, rtol=1e-5, atol=1e-6)
