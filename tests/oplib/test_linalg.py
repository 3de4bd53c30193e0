"""matmul and einsum legalized equal the graph interpreter (and numpy)."""

from __future__ import annotations

import numpy as np
import pytest
from oplib_support import check, random_array

RNG = np.random.default_rng(1)

MATMUL_SHAPES = [
    ((2, 3), (3, 4)),          # plain
    ((3,), (3, 4)),            # 1-D lhs: a row, dropped from the result
    ((2, 3), (3,)),            # 1-D rhs: a column
    ((3,), (3,)),              # dot product: a 0-d result
    ((2, 1, 2, 3), (4, 3, 2)),  # batch dims broadcast
    ((5, 2, 3), (3, 1)),       # batch only on the lhs, size-1 columns
    ((1, 1), (1, 1)),
]


@pytest.mark.parametrize("dtype", ["float32", "float64", "float16", "int32", "int64"])
@pytest.mark.parametrize(("sa", "sb"), MATMUL_SHAPES)
def test_matmul(dtype: str, sa: tuple[int, ...], sb: tuple[int, ...]) -> None:
    a = random_array(RNG, sa, dtype)
    b = random_array(RNG, sb, dtype)
    check(lambda g, x, y: g.matmul(x, y), [a, b])


def test_matmul_matches_numpy() -> None:
    from dialects.graph.interp import interpret

    a = random_array(RNG, (3, 2, 5), "float64")
    b = random_array(RNG, (5, 4), "float64")
    lowered = check(lambda g, x, y: g.matmul(x, y), [a, b])
    np.testing.assert_allclose(interpret(lowered, "main", a, b), a @ b, rtol=1e-12)


def test_matmul_with_empty_contraction_is_zero() -> None:
    a = np.zeros((2, 0), np.float32)
    b = np.zeros((0, 3), np.float32)
    check(lambda g, x, y: g.matmul(x, y), [a, b], exact=True)


EINSUM = [
    ("ik,kj->ij", [(2, 3), (3, 4)]),
    ("bij,bjk->bik", [(2, 3, 4), (2, 4, 2)]),
    ("ij->ji", [(2, 3)]),
    ("ii->i", [(3, 3)]),
    ("ij->", [(2, 3)]),
    ("i,j->ij", [(3,), (2,)]),
    ("ij,j->i", [(2, 3), (1,)]),   # size-1 dimension broadcasts
    ("abc,cd,d->ab", [(2, 2, 3), (3, 4), (4,)]),
]


@pytest.mark.parametrize(("equation", "shapes"), EINSUM)
@pytest.mark.parametrize("dtype", ["float32", "int64"])
def test_einsum(equation: str, shapes: list[tuple[int, ...]], dtype: str) -> None:
    arrays = [random_array(RNG, s, dtype) for s in shapes]
    check(lambda g, *xs: g.einsum(equation, *xs), arrays)
