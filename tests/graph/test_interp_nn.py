"""Linear algebra and neural-network graph ops through the reference interpreter.

Convolution, pooling and LRN are checked against straightforward loop references written
here from the ONNX operator definitions; the rest against numpy in float64.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest
from graph_interp_support import DTYPES, rand, run_op, ttype


def arr(attr: str, values: list[int]) -> str:
    return f"{attr} = array<i64: {', '.join(map(str, values))}>"


# --- matmul and einsum ---------------------------------------------------------------------------


@pytest.mark.parametrize("shapes", [
    ((2, 3), (3, 4)), ((5,), (5,)), ((3,), (3, 4)), ((2, 3), (3,)), ((2, 1, 3, 4), (5, 4, 2)),
    ((1, 1), (1, 1)), ((4, 2, 3), (3, 2)),
], ids=str)
@pytest.mark.parametrize("elem", ["f32", "f64", "i32", "i64"])
def test_matmul(shapes: tuple, elem: str) -> None:
    rng = np.random.default_rng(0)
    a, b = rand(shapes[0], elem, rng), rand(shapes[1], elem, rng)
    want = np.matmul(a, b)
    got = run_op("matmul", [a, b], ttype(want.shape, elem))
    assert got.dtype == DTYPES[elem] and got.shape == want.shape
    if elem.startswith("i"):
        np.testing.assert_array_equal(got, want)
    else:
        np.testing.assert_allclose(got, want, rtol=1e-5)


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("i,j->ij", [(2,), (3,)]),
    ("ij->ji", [(2, 3)]),
    ("ij,jk->ik", [(2, 1), (3, 4)]),  # size-1 dimensions broadcast, as in numpy.einsum
    ("ij,jk,kl->il", [(2, 3), (3, 4), (4, 2)]),
])
@pytest.mark.parametrize("elem", ["f32", "i64"])
def test_einsum(equation: str, shapes: list, elem: str) -> None:
    rng = np.random.default_rng(1)
    operands = [rand(s, elem, rng) for s in shapes]
    want = np.einsum(equation, *operands)
    got = run_op("einsum", operands, ttype(want.shape, elem), f'{{equation = "{equation}"}}')
    assert got.dtype == DTYPES[elem]
    np.testing.assert_allclose(got, want, rtol=1e-5)


# --- convolution ---------------------------------------------------------------------------------


def conv_ref(x, w, b, strides, pads, dilations, groups):
    """ONNX Conv by definition: one output element at a time."""
    n, _, h, wd = x.shape
    o, cg, kh, kw = w.shape
    oh = (h + pads[0] + pads[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (wd + pads[1] + pads[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    out = np.zeros((n, o, oh, ow))
    per_group = o // groups
    for ni, oi, y, xo in itertools.product(range(n), range(o), range(oh), range(ow)):
        g = oi // per_group
        acc = 0.0 if b is None else float(b[oi])
        for ci, i, j in itertools.product(range(cg), range(kh), range(kw)):
            yy = y * strides[0] - pads[0] + i * dilations[0]
            xx = xo * strides[1] - pads[1] + j * dilations[1]
            if 0 <= yy < h and 0 <= xx < wd:
                acc += float(x[ni, g * cg + ci, yy, xx]) * float(w[oi, ci, i, j])
        out[ni, oi, y, xo] = acc
    return out


CONV_CASES = [
    # x shape, w shape, strides, pads (top, left, bottom, right), dilations, groups, bias
    ((1, 3, 6, 6), (4, 3, 3, 3), [1, 1], [0, 0, 0, 0], [1, 1], 1, False),
    ((2, 3, 7, 6), (4, 3, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 1, True),
    ((1, 2, 9, 8), (3, 2, 3, 2), [2, 3], [1, 0, 2, 1], [1, 1], 1, True),
    ((1, 2, 9, 9), (2, 2, 3, 3), [1, 1], [2, 2, 2, 2], [2, 2], 1, False),
    ((2, 4, 6, 6), (6, 2, 3, 3), [1, 1], [1, 1, 1, 1], [1, 1], 2, True),
    ((1, 4, 5, 5), (4, 1, 3, 3), [2, 2], [1, 1, 1, 1], [1, 1], 4, True),  # depthwise
    ((1, 1, 1, 1), (1, 1, 1, 1), [1, 1], [0, 0, 0, 0], [1, 1], 1, True),
    ((1, 2, 5, 7), (2, 2, 1, 1), [1, 2], [0, 0, 0, 0], [1, 1], 1, False),
]


@pytest.mark.parametrize("case", CONV_CASES, ids=lambda c: f"{c[0]}-{c[1]}-s{c[2]}-p{c[3]}-"
                         f"d{c[4]}-g{c[5]}-b{int(c[6])}")
@pytest.mark.parametrize("elem", ["f32", "f64"])
def test_conv2d(case: tuple, elem: str) -> None:
    xs, ws, strides, pads, dilations, groups, with_bias = case
    rng = np.random.default_rng(2)
    x, w = rand(xs, elem, rng), rand(ws, elem, rng)
    operands = [x, w] + ([rand((ws[0],), elem, rng)] if with_bias else [])
    want = conv_ref(x, w, operands[2] if with_bias else None, strides, pads, dilations, groups)
    attrs = (f"{{{arr('strides', strides)}, {arr('padding', pads)}, "
             f"{arr('dilations', dilations)}, groups = {groups} : i64}}")
    got = run_op("conv2d", operands, ttype(want.shape, elem), attrs)
    assert got.dtype == DTYPES[elem]
    np.testing.assert_allclose(got, want, rtol=1e-4 if elem == "f32" else 1e-12, atol=1e-4)


def test_conv2d_defaults() -> None:
    rng = np.random.default_rng(3)
    x, w = rand((1, 2, 5, 5), "f32", rng), rand((3, 2, 2, 2), "f32", rng)
    got = run_op("conv2d", [x, w], "tensor<1x3x4x4xf32>")
    want = conv_ref(x, w, None, [1, 1], [0, 0, 0, 0], [1, 1], 1)
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


# --- pooling -------------------------------------------------------------------------------------


def out_len(size, k, s, lo, hi, d, ceil_mode):
    span = d * (k - 1) + 1
    q = (size + lo + hi - span) / s
    out = (math.ceil(q) if ceil_mode else math.floor(q)) + 1
    if ceil_mode and (out - 1) * s >= size + lo:
        out -= 1  # the last window must start inside the input or the left padding
    return out


def pool_ref(x, kind, kernel, strides, pads, dilations, ceil_mode, count_include_pad):
    """ONNX MaxPool / AveragePool by definition, one output element at a time."""
    n, c, h, w = x.shape
    oh = out_len(h, kernel[0], strides[0], pads[0], pads[2], dilations[0], ceil_mode)
    ow = out_len(w, kernel[1], strides[1], pads[1], pads[3], dilations[1], ceil_mode)
    out = np.zeros((n, c, oh, ow))
    for ni, ci, y, xo in itertools.product(range(n), range(c), range(oh), range(ow)):
        values, count = [], 0
        for i, j in itertools.product(range(kernel[0]), range(kernel[1])):
            yy = y * strides[0] - pads[0] + i * dilations[0]
            xx = xo * strides[1] - pads[1] + j * dilations[1]
            if 0 <= yy < h and 0 <= xx < w:
                values.append(float(x[ni, ci, yy, xx]))
                count += 1
            elif -pads[0] <= yy < h + pads[2] and -pads[1] <= xx < w + pads[3]:
                count += count_include_pad  # explicit padding, not the ceil_mode overhang
        out[ni, ci, y, xo] = max(values) if kind == "max" else sum(values) / count
    return out


POOL_CASES = [
    # kernel, strides, pads, dilations, ceil_mode, count_include_pad
    ([2, 2], [2, 2], [0, 0, 0, 0], [1, 1], 0, 0),
    ([3, 3], [1, 1], [1, 1, 1, 1], [1, 1], 0, 0),
    ([3, 3], [1, 1], [1, 1, 1, 1], [1, 1], 0, 1),
    ([3, 2], [2, 1], [1, 0, 2, 1], [1, 1], 0, 1),
    ([3, 3], [2, 2], [0, 0, 0, 0], [1, 1], 1, 0),
    ([3, 3], [2, 2], [1, 1, 1, 1], [1, 1], 1, 1),
    ([2, 2], [3, 3], [1, 1, 0, 0], [1, 1], 1, 1),
    ([2, 3], [1, 2], [1, 1, 1, 1], [2, 2], 0, 0),
    ([2, 2], [2, 2], [1, 1, 1, 1], [2, 1], 1, 1),
    ([1, 1], [1, 1], [0, 0, 0, 0], [1, 1], 0, 0),
]


@pytest.mark.parametrize("case", POOL_CASES, ids=lambda c: f"k{c[0]}-s{c[1]}-p{c[2]}-d{c[3]}-"
                         f"ceil{c[4]}-cip{c[5]}")
@pytest.mark.parametrize("kind", ["max", "avg"])
def test_pool2d(case: tuple, kind: str) -> None:
    kernel, strides, pads, dilations, ceil_mode, cip = case
    x = rand((2, 3, 7, 8), "f32", np.random.default_rng(4)) - 10  # all padding would win max 0
    want = pool_ref(x, kind, kernel, strides, pads, dilations, ceil_mode, cip)
    attrs = [arr("kernel", kernel), arr("strides", strides), arr("padding", pads),
             arr("dilations", dilations), f"ceil_mode = {ceil_mode} : i64"]
    if kind == "avg":
        attrs.append(f"count_include_pad = {cip} : i64")
    got = run_op(f"{kind}_pool2d", [x], ttype(want.shape, "f32"), "{" + ", ".join(attrs) + "}")
    assert got.dtype == np.float32
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_pool_defaults_and_f64() -> None:
    x = rand((1, 2, 4, 4), "f64", np.random.default_rng(5))
    got = run_op("avg_pool2d", [x], "tensor<1x2x3x3xf64>", f"{{{arr('kernel', [2, 2])}}}")
    want = pool_ref(x, "avg", [2, 2], [1, 1], [0, 0, 0, 0], [1, 1], 0, 0)
    np.testing.assert_allclose(got, want, rtol=1e-14)


# --- lrn, softmax, normalization -------------------------------------------------------------------


def lrn_ref(x, size, alpha, beta, bias):
    c = x.shape[1]
    out = np.zeros(x.shape)
    for ci in range(c):
        lo, hi = max(0, ci - (size - 1) // 2), min(c - 1, ci + math.ceil((size - 1) / 2))
        square_sum = (x[:, lo:hi + 1].astype(np.float64) ** 2).sum(axis=1)
        out[:, ci] = x[:, ci] / (bias + alpha / size * square_sum) ** beta
    return out


@pytest.mark.parametrize("size,attrs,params", [
    (3, "", (1e-4, 0.75, 1.0)),
    (2, "alpha = 0.5 : f32, beta = 0.5 : f64, bias = 2.0 : f32", (0.5, 0.5, 2.0)),
    (5, "alpha = 0.1 : f32", (0.1, 0.75, 1.0)),
    (1, "", (1e-4, 0.75, 1.0)),
])
def test_lrn(size: int, attrs: str, params: tuple) -> None:
    x = rand((2, 6, 3, 3), "f32", np.random.default_rng(6))
    body = f"size = {size} : i64" + (f", {attrs}" if attrs else "")
    got = run_op("lrn", [x], ttype(x.shape, "f32"), f"{{{body}}}")
    np.testing.assert_allclose(got, lrn_ref(x, size, *params), rtol=2e-6)


def softmax_ref(x, axis):
    x64 = x.astype(np.float64)
    e = np.exp(x64 - x64.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("shape,axis", [((2, 5), None), ((2, 5), 0), ((3, 4, 5), 1), ((4,), -1),
                                        ((1,), 0), ((2, 1), -1)], ids=str)
@pytest.mark.parametrize("elem", ["f32", "f64"])
def test_softmax_and_log_softmax(shape: tuple, axis: int | None, elem: str) -> None:
    x = rand(shape, elem, np.random.default_rng(7)) * 10
    attrs = "" if axis is None else f"{{axis = {axis} : i64}}"
    want = softmax_ref(x, -1 if axis is None else axis)
    rtol = 1e-5 if elem == "f32" else 1e-13
    got = run_op("softmax", [x], ttype(shape, elem), attrs)
    assert got.dtype == DTYPES[elem] and got.shape == shape
    np.testing.assert_allclose(got, want, rtol=rtol)
    got = run_op("log_softmax", [x], ttype(shape, elem), attrs)
    np.testing.assert_allclose(got, np.log(want), rtol=rtol, atol=1e-6)


def test_softmax_is_stable_for_large_inputs() -> None:
    x = np.array([[1000.0, 1000.0], [-1000.0, 0.0]], np.float32)
    got = run_op("softmax", [x], "tensor<2x2xf32>")
    np.testing.assert_allclose(got, [[0.5, 0.5], [0.0, 1.0]])
    got = run_op("log_softmax", [x], "tensor<2x2xf32>")
    np.testing.assert_allclose(got, [[-math.log(2), -math.log(2)], [-1000.0, 0.0]], rtol=1e-6)


@pytest.mark.parametrize("shape,axis,param_shape", [
    ((2, 8), None, (8,)), ((2, 3, 4), 1, (3, 4)), ((2, 3, 4), 1, (4,)), ((2, 3, 4), -2, (1, 4)),
    ((3, 5), 0, (3, 5)), ((4, 6), -1, (1,)),
], ids=str)
def test_layer_norm(shape: tuple, axis: int | None, param_shape: tuple) -> None:
    rng = np.random.default_rng(8)
    x, g, b = rand(shape, "f32", rng), rand(param_shape, "f32", rng), rand(param_shape, "f32", rng)
    attrs = "{epsilon = 1.0e-03 : f32}" if axis is None else f"{{axis = {axis} : i64}}"
    eps = 1e-3 if axis is None else 1e-5
    axes = tuple(range((-1 if axis is None else axis) % len(shape), len(shape)))
    x64 = x.astype(np.float64)
    mean = x64.mean(axis=axes, keepdims=True)
    var = x64.var(axis=axes, keepdims=True)
    want = (x64 - mean) / np.sqrt(var + eps) * g + b
    got = run_op("layer_norm", [x, g, b], ttype(shape, "f32"), attrs)
    np.testing.assert_allclose(got, want, rtol=1e-4, atol=1e-4)


@pytest.mark.parametrize("shape", [(2, 3, 4, 4), (2, 3), (1, 3, 5)], ids=str)
@pytest.mark.parametrize("elem", ["f32", "f64"])
def test_batch_norm(shape: tuple, elem: str) -> None:
    rng = np.random.default_rng(9)
    x = rand(shape, elem, rng)
    s, b, m = (rand((shape[1],), elem, rng) for _ in range(3))
    v = np.abs(rand((shape[1],), elem, rng)) + DTYPES[elem](0.1)
    bshape = (1, shape[1]) + (1,) * (len(shape) - 2)
    want = ((x.astype(np.float64) - m.reshape(bshape)) / np.sqrt(v.reshape(bshape) + 1e-5)
            * s.reshape(bshape) + b.reshape(bshape))
    got = run_op("batch_norm", [x, s, b, m, v], ttype(shape, elem))
    assert got.dtype == DTYPES[elem]
    np.testing.assert_allclose(got, want, rtol=1e-5 if elem == "f32" else 1e-12, atol=1e-5)


def test_f16_is_computed_in_f32_and_rounded() -> None:
    rng = np.random.default_rng(10)
    x, w = rand((1, 2, 4, 4), "f16", rng), rand((3, 2, 3, 3), "f16", rng)
    got = run_op("conv2d", [x, w], "tensor<1x3x2x2xf16>")
    assert got.dtype == np.float16
    want = conv_ref(x, w, None, [1, 1], [0, 0, 0, 0], [1, 1], 1).astype(np.float16)
    np.testing.assert_allclose(got.astype(np.float32), want.astype(np.float32), rtol=2e-3,
                               atol=1e-2)
    g, b = np.ones(4, np.float16), np.zeros(4, np.float16)
    y = run_op("layer_norm", [x.reshape(8, 4), g, b], "tensor<8x4xf16>")
    x32 = x.reshape(8, 4).astype(np.float32)
    ref = (x32 - x32.mean(1, keepdims=True)) / np.sqrt(x32.var(1, keepdims=True) + 1e-5)
    np.testing.assert_allclose(y.astype(np.float32), ref, rtol=1e-3, atol=1e-3)
