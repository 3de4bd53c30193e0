"""Neural-network ops legalized equal the graph interpreter (and numpy / ONNX semantics)."""

from __future__ import annotations

import numpy as np
import pytest
from oplib_support import check, random_array

RNG = np.random.default_rng(4)

CONVS = [
    # x shape, w shape, bias?, strides, padding, dilations, groups
    ((1, 3, 5, 5), (4, 3, 3, 3), False, (1, 1), (0, 0, 0, 0), (1, 1), 1),
    ((2, 2, 6, 5), (3, 2, 3, 2), True, (2, 1), (1, 0, 2, 1), (1, 1), 1),
    ((1, 4, 7, 7), (4, 2, 3, 3), True, (1, 2), (1, 1, 1, 1), (2, 1), 2),
    ((1, 4, 4, 4), (4, 1, 3, 3), False, (1, 1), (1, 1, 1, 1), (1, 1), 4),   # depthwise
    ((1, 1, 3, 3), (2, 1, 1, 1), True, (1, 1), (0, 0, 0, 0), (1, 1), 1),     # 1x1
]


@pytest.mark.parametrize("case", CONVS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_conv2d(case: tuple, dtype: str) -> None:
    xs, ws, has_bias, strides, padding, dilations, groups = case
    x = random_array(RNG, xs, dtype)
    w = random_array(RNG, ws, dtype)
    arrays = [x, w]
    if has_bias:
        arrays.append(random_array(RNG, (ws[0],), dtype))

    def build(g, x, w, b=None):
        return g.conv2d(x, w, b, strides=strides, padding=padding, dilations=dilations,
                        groups=groups)

    check(build, arrays)


POOLS = [
    # kernel, strides, padding, dilations, ceil_mode
    ((2, 2), (2, 2), (0, 0, 0, 0), None, False),
    ((3, 3), (1, 1), (1, 1, 1, 1), None, False),
    ((3, 2), (2, 2), (1, 0, 1, 1), None, True),     # ceil_mode overhang past the padding
    ((2, 2), (2, 1), (0, 0, 0, 0), (2, 2), False),
    ((3, 3), (3, 3), (0, 0, 0, 0), None, True),
]


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("dtype", ["float32", "float16"])
def test_max_pool2d(pool: tuple, dtype: str) -> None:
    kernel, strides, padding, dilations, ceil_mode = pool
    # All negative values: padding (which never wins) would win if it were zero.
    x = -np.abs(random_array(RNG, (2, 2, 7, 6), dtype)) - 1
    check(lambda g, v: g.max_pool2d(v, kernel, strides, padding, dilations, ceil_mode), [x],
          exact=True)


@pytest.mark.parametrize("pool", POOLS)
@pytest.mark.parametrize("count_include_pad", [False, True])
def test_avg_pool2d(pool: tuple, count_include_pad: bool) -> None:
    kernel, strides, padding, dilations, ceil_mode = pool
    x = random_array(RNG, (1, 2, 7, 6), "float32")
    check(lambda g, v: g.avg_pool2d(v, kernel, strides, padding, dilations, ceil_mode,
                                     count_include_pad), [x])


def test_avg_pool2d_float16() -> None:
    x = random_array(RNG, (1, 2, 5, 5), "float16")
    check(lambda g, v: g.avg_pool2d(v, (3, 3), (2, 2), (1, 1, 1, 1), None, True), [x])


@pytest.mark.parametrize("size", [1, 2, 3, 5])
@pytest.mark.parametrize("dtype", ["float32", "float64"])
def test_lrn(size: int, dtype: str) -> None:
    x = random_array(RNG, (1, 4, 3, 2), dtype)
    check(lambda g, v: g.lrn(v, size, alpha=0.01, beta=0.75, bias=2.0), [x])


@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize(("shape", "axis"), [((2, 5), -1), ((3, 4, 2), 1), ((4,), 0),
                                             ((2, 1), 1)])
def test_softmax(op: str, dtype: str, shape: tuple[int, ...], axis: int) -> None:
    x = random_array(RNG, shape, dtype, -10, 10)
    check(lambda g, v: getattr(g, op)(v, axis), [x])


def test_softmax_is_stable_for_large_inputs() -> None:
    x = np.array([[1000.0, 1001.0, 999.0], [-1000.0, -1e30, 0.0]], np.float32)
    lowered = check(lambda g, v: g.softmax(v), [x])
    from dialects.graph.interp import interpret

    assert np.all(np.isfinite(interpret(lowered, "main", x)))
    check(lambda g, v: g.log_softmax(v), [x])


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
@pytest.mark.parametrize(("xs", "gs", "axis"), [
    ((2, 8), (8,), -1), ((2, 3, 4), (3, 4), 1), ((2, 3, 4), (1, 4), 1), ((3, 4), (3, 4), 0),
    ((2, 4), (), -1),
])
def test_layer_norm(dtype: str, xs: tuple[int, ...], gs: tuple[int, ...], axis: int) -> None:
    x = random_array(RNG, xs, dtype)
    gamma = random_array(RNG, gs, dtype)
    beta = random_array(RNG, gs, dtype)
    check(lambda g, v, s, b: g.layer_norm(v, s, b, axis=axis, epsilon=1e-5), [x, gamma, beta])


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16"])
def test_batch_norm(dtype: str) -> None:
    for xs in [(2, 3, 4, 4), (2, 3), (1, 3, 5)]:
        x = random_array(RNG, xs, dtype)
        params = [random_array(RNG, (3,), dtype) for _ in range(4)]
        params[3] = np.abs(params[3]).astype(dtype)
        check(lambda g, v, s, b, m, var: g.batch_norm(v, s, b, m, var, 1e-3), [x, *params],
              exact=True)


def test_conv2d_matches_a_direct_numpy_loop() -> None:
    from dialects.graph.interp import interpret

    x = random_array(RNG, (1, 2, 5, 5), "float64")
    w = random_array(RNG, (3, 2, 3, 3), "float64")
    lowered = check(lambda g, a, b: g.conv2d(a, b, padding=(1, 1, 1, 1)), [x, w])
    xp = np.pad(x, ((0, 0), (0, 0), (1, 1), (1, 1)))
    want = np.zeros((1, 3, 5, 5))
    for o in range(3):
        for i in range(5):
            for j in range(5):
                want[0, o, i, j] = np.sum(xp[0, :, i:i + 3, j:j + 3] * w[o])
    np.testing.assert_allclose(interpret(lowered, "main", x, w), want, rtol=1e-12)
