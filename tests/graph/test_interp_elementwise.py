"""Elementwise graph ops through the reference interpreter, against numpy.

Each case is IR text (the spec's generic form) parsed and verified, then interpreted.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from graph_interp_support import DTYPES, rand, run_op, run_text, ttype

from mlc_dialects.diagnostics import DiagnosticError

# --- binary ops ---------------------------------------------------------------------------------

BINARY = {"add": np.add, "sub": np.subtract, "mul": np.multiply, "max": np.maximum,
          "min": np.minimum}
SHAPES = [((2, 3), (2, 3)), ((2, 3), (3,)), ((2, 1, 4), (3, 1)), ((), (2, 3)), ((1,), (5,)),
          ((), ()), ((1, 1), (1, 1)), ((4, 1), (1, 4))]


def result_shape(a: tuple[int, ...], b: tuple[int, ...]) -> tuple[int, ...]:
    return np.broadcast_shapes(a, b)


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize("elem", ["f32", "f64", "i32", "i64"])
@pytest.mark.parametrize("shapes", SHAPES, ids=str)
def test_binary_broadcasting(name: str, elem: str, shapes: tuple) -> None:
    rng = np.random.default_rng(0)
    a, b = rand(shapes[0], elem, rng), rand(shapes[1], elem, rng)
    got = run_op(name, [a, b], ttype(result_shape(*shapes), elem))
    want = BINARY[name](a, b)
    assert got.dtype == DTYPES[elem] and got.shape == want.shape
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("elem", ["f32", "f64"])
def test_float_div_and_pow(elem: str) -> None:
    rng = np.random.default_rng(1)
    a, b = np.abs(rand((3, 4), elem, rng)) + 0.5, rand((4,), elem, rng)
    np.testing.assert_array_equal(run_op("div", [a, b], ttype((3, 4), elem)), a / b)
    np.testing.assert_array_equal(run_op("pow", [a, b], ttype((3, 4), elem)), a ** b)


def test_float_div_by_zero_is_ieee() -> None:
    a = np.array([1, -1, 0], np.float32)
    got = run_op("div", [a, np.zeros(3, np.float32)], "tensor<3xf32>")
    np.testing.assert_array_equal(got, [np.inf, -np.inf, np.nan])


@pytest.mark.parametrize("elem", ["i32", "i64"])
def test_integer_div_truncates_toward_zero(elem: str) -> None:
    a = np.array([7, -7, 7, -7, 6, -6, 0], DTYPES[elem])
    b = np.array([2, 2, -2, -2, 3, 4, 5], DTYPES[elem])
    got = run_op("div", [a, b], ttype((7,), elem))
    assert got.dtype == DTYPES[elem]
    np.testing.assert_array_equal(got, [3, -3, -3, 3, 2, -1, 0])


def test_integer_div_by_zero_is_located_error() -> None:
    a = np.array([1, 2], np.int32)
    with pytest.raises(DiagnosticError, match=r"interp\d+.mlir:2:3: error: 'graph.div' "
                       "op integer division by zero at run time"):
        run_op("div", [a, np.array([1, 0], np.int32)], "tensor<2xi32>")


def test_integer_pow() -> None:
    a = np.array([2, -3, 1, -1, -1, 5, 0], np.int64)
    b = np.array([10, 3, -4, -3, -2, -1, 0], np.int64)
    got = run_op("pow", [a, b], "tensor<7xi64>")
    np.testing.assert_array_equal(got, [1024, -27, 1, -1, 1, 0, 1])


def test_nan_propagates_through_max() -> None:
    a = np.array([np.nan, 1.0], np.float32)
    got = run_op("max", [a, np.array([0.0, np.nan], np.float32)], "tensor<2xf32>")
    assert np.isnan(got).all()


# --- unary ops ----------------------------------------------------------------------------------

_erf = np.vectorize(math.erf)
UNARY_FLOAT = {
    "exp": np.exp, "log": np.log, "sqrt": np.sqrt, "tanh": np.tanh,
    "rsqrt": lambda x: 1 / np.sqrt(x),
    "sigmoid": lambda x: 1 / (1 + np.exp(-x.astype(np.float64))),
    "erf": lambda x: _erf(x.astype(np.float64)),
    "gelu": lambda x: x.astype(np.float64) * 0.5 * (1 + _erf(x.astype(np.float64) / math.sqrt(2))),
}
UNARY_ANY = {"neg": np.negative, "abs": np.abs, "relu": lambda x: np.maximum(x, 0)}


@pytest.mark.parametrize("name", sorted(UNARY_FLOAT))
@pytest.mark.parametrize("elem", ["f32", "f64"])
@pytest.mark.parametrize("shape", [(2, 5), (), (1,), (1, 1, 3)], ids=str)
def test_unary_float(name: str, elem: str, shape: tuple[int, ...]) -> None:
    x = np.asarray(np.random.default_rng(2).uniform(0.1, 4, shape)).astype(DTYPES[elem])
    got = run_op(name, [x], ttype(shape, elem))
    want = np.asarray(UNARY_FLOAT[name](x)).astype(DTYPES[elem])
    assert got.dtype == DTYPES[elem] and got.shape == shape
    np.testing.assert_allclose(got, want, rtol=2e-7 if elem == "f32" else 1e-15)


@pytest.mark.parametrize("name", sorted(UNARY_ANY))
@pytest.mark.parametrize("elem", ["f32", "f64", "i32", "i64"])
def test_unary_numeric(name: str, elem: str) -> None:
    x = rand((3, 4), elem, np.random.default_rng(3))
    got = run_op(name, [x], ttype((3, 4), elem))
    assert got.dtype == DTYPES[elem]
    np.testing.assert_array_equal(got, UNARY_ANY[name](x))


def test_sigmoid_and_gelu_extremes() -> None:
    x = np.array([-1000, -100, -20, 0, 20, 100, 1000], np.float32)
    s = run_op("sigmoid", [x], "tensor<7xf32>")
    with np.errstate(over="ignore"):
        want = (1 / (1 + np.exp(-x.astype(np.float64)))).astype(np.float32)
    np.testing.assert_allclose(s, want, rtol=1e-6, atol=0)
    g = run_op("gelu", [x], "tensor<7xf32>")
    np.testing.assert_array_equal(g, [0, 0, 0, 0, 20, 100, 1000])


def test_exp_overflow_and_log_of_negative() -> None:
    np.testing.assert_array_equal(run_op("exp", [np.array([100.0], np.float32)], "tensor<1xf32>"),
                                  [np.inf])
    assert np.isnan(run_op("log", [np.array([-1.0], np.float32)], "tensor<1xf32>")).all()


def test_f16_computes_in_f32_and_rounds() -> None:
    x = np.array([0.1, 1.5, 11.0], np.float16)
    got = run_op("exp", [x], "tensor<3xf16>")
    assert got.dtype == np.float16
    np.testing.assert_array_equal(got, np.exp(x.astype(np.float32)).astype(np.float16))


def test_bf16_rounds_each_result() -> None:
    x = np.array([1.0, 3.0, 1 / 3], np.float32)
    text = """
    func.func @main(%x: tensor<3xbf16>) -> tensor<3xbf16> {
      %y = graph.mul %x, %x : tensor<3xbf16>
      func.return %y : tensor<3xbf16>
    }"""
    got = run_text(text, x)
    assert got.dtype == np.float32
    third = np.float32(0.333984375)  # 1/3 rounded to bf16 (8 significant bits)
    np.testing.assert_array_equal(got, [1.0, 9.0, 0.111328125])
    assert float(third) * float(third) != got[2]  # the product was rounded again


# --- clip, cast, where --------------------------------------------------------------------------


@pytest.mark.parametrize("attrs,lo,hi", [
    ("{min = 0.0 : f32, max = 6.0 : f32}", 0.0, 6.0),
    ("{min = -1.5 : f64}", -1.5, None),
    ("{max = 2.0 : f32}", None, 2.0),
    ("", None, None),
])
def test_clip_float(attrs: str, lo: float | None, hi: float | None) -> None:
    x = np.linspace(-5, 8, 14, dtype=np.float32)
    got = run_op("clip", [x], "tensor<14xf32>", attrs)
    np.testing.assert_array_equal(got, np.clip(x, lo, hi))
    assert got.dtype == np.float32


def test_clip_integer_uses_integers_inside_bounds() -> None:
    x = np.arange(-5, 6, dtype=np.int32)
    got = run_op("clip", [x], "tensor<11xi32>", "{min = -2.5 : f32, max = 3.7 : f32}")
    np.testing.assert_array_equal(got, np.clip(x, -2, 3))


def test_clip_keeps_nan() -> None:
    got = run_op("clip", [np.array([np.nan, 9.0], np.float32)], "tensor<2xf32>",
                 "{min = 0.0 : f32, max = 1.0 : f32}")
    assert np.isnan(got[0]) and got[1] == 1.0


@pytest.mark.parametrize("src,dst", [
    ("f32", "i32"), ("f64", "i64"), ("f32", "f64"), ("f64", "f32"), ("i32", "f32"),
    ("i64", "i32"), ("i32", "i64"), ("f32", "i1"), ("i32", "i1"), ("i1", "f32"), ("i1", "i32"),
    ("f32", "f16"),
])
def test_cast(src: str, dst: str) -> None:
    x = rand((2, 6), src, np.random.default_rng(4))
    got = run_op("cast", [x], ttype((2, 6), dst))
    assert got.dtype == DTYPES[dst]
    np.testing.assert_array_equal(got, x.astype(DTYPES[dst]))


def test_cast_float_to_int_truncates_and_to_i1_is_nonzero() -> None:
    x = np.array([-2.7, -0.5, 0.0, 0.5, 2.7], np.float32)
    np.testing.assert_array_equal(run_op("cast", [x], "tensor<5xi32>"), [-2, 0, 0, 0, 2])
    np.testing.assert_array_equal(run_op("cast", [x], "tensor<5xi1>"),
                                  [True, True, False, True, True])


def test_cast_to_bf16_rounds() -> None:
    x = np.array([1.0 + 2.0 ** -9, 1.0 + 3 * 2.0 ** -9, 3.0], np.float32)
    got = run_op("cast", [x], "tensor<3xbf16>")
    np.testing.assert_array_equal(got, [1.0, 1.0 + 2.0 ** -7, 3.0])  # ties to even


@pytest.mark.parametrize("shapes", [((4,), (4,), (4,)), ((2, 1), (1, 3), ()), ((), (2,), (2,)),
                                    ((1,), (3,), (1,))], ids=str)
@pytest.mark.parametrize("elem", ["f32", "i64"])
def test_where(shapes: tuple, elem: str) -> None:
    rng = np.random.default_rng(5)
    c, a, b = rand(shapes[0], "i1", rng), rand(shapes[1], elem, rng), rand(shapes[2], elem, rng)
    out = np.broadcast_shapes(*shapes)
    got = run_op("where", [c, a, b], ttype(out, elem))
    np.testing.assert_array_equal(got, np.where(c, a, b))
    assert got.dtype == DTYPES[elem]
