"""Reductions legalized equal the graph interpreter (and numpy)."""

from __future__ import annotations

import numpy as np
import pytest
from oplib_support import check, random_array

RNG = np.random.default_rng(2)

OPS = ["reduce_sum", "reduce_mean", "reduce_max", "reduce_min"]
CASES = [
    ((2, 3, 4), [1], False),
    ((2, 3, 4), [0, 2], True),
    ((2, 3, 4), [-1], False),
    ((2, 3, 4), [0, 1, 2], False),   # to a 0-d result
    ((2, 3), [], False),             # no axes: nothing reduced
    ((5,), [0], True),
    ((1, 3), [0], False),            # size-1 reduced axis
]


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "int64"])
@pytest.mark.parametrize(("shape", "axes", "keepdims"), CASES)
def test_reductions(op: str, dtype: str, shape: tuple[int, ...], axes: list[int],
                    keepdims: bool) -> None:
    x = random_array(RNG, shape, dtype, -50, 50)
    check(lambda g, v: getattr(g, op)(v, axes, keepdims), [x],
          exact=op in ("reduce_max", "reduce_min"))


@pytest.mark.parametrize("op", OPS)
def test_reductions_match_numpy(op: str) -> None:
    from dialects.graph.interp import interpret

    x = random_array(RNG, (3, 4, 2), "float64")
    lowered = check(lambda g, v: getattr(g, op)(v, [0, 2], False), [x])
    fn = {"reduce_sum": np.sum, "reduce_mean": np.mean, "reduce_max": np.max,
          "reduce_min": np.min}[op]
    np.testing.assert_allclose(interpret(lowered, "main", x), fn(x, axis=(0, 2)), rtol=1e-12)


def test_integer_mean_truncates_toward_zero() -> None:
    x = np.array([[-7, 0, 0], [7, 1, 0]], np.int32)
    check(lambda g, v: g.reduce_mean(v, [1]), [x], exact=True)


@pytest.mark.parametrize("op", OPS)
@pytest.mark.parametrize("dtype", ["float32", "int32"])
@pytest.mark.filterwarnings("ignore:Mean of empty slice")
def test_reduction_over_an_empty_axis_is_the_identity(op: str, dtype: str) -> None:
    x = np.zeros((0, 3), dtype)
    check(lambda g, v: getattr(g, op)(v, [0]), [x], exact=True)


def test_max_propagates_nan() -> None:
    x = np.array([[1.0, np.nan, 3.0], [1.0, 2.0, 3.0]], np.float32)
    check(lambda g, v: g.reduce_max(v, [1]), [x], exact=True)
