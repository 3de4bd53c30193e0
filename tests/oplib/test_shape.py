"""Shape ops legalized equal the graph interpreter (and numpy), bit for bit, for every dtype."""

from __future__ import annotations

import numpy as np
import pytest
from oplib_support import check, random_array

RNG = np.random.default_rng(3)
DTYPES = ["float32", "float16", "int64", "int32", "bool"]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("src", "dst"), [
    ((2, 3, 4), (6, 4)), ((2, 3, 4), (4, 6)), ((6,), (1, 2, 3, 1)), ((2, 1, 3), (3, 2)),
    ((1,), ()), ((), (1, 1)), ((4, 6), (24,)),
])
def test_reshape(dtype: str, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
    x = random_array(RNG, src, dtype)
    check(lambda g, v: g.reshape(v, dst), [x], exact=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "perm"), [
    ((2, 3), [1, 0]), ((2, 3, 4), [2, 0, 1]), ((1, 2, 1), [2, 1, 0]), ((3,), [0]),
])
def test_transpose(dtype: str, shape: tuple[int, ...], perm: list[int]) -> None:
    x = random_array(RNG, shape, dtype)
    check(lambda g, v: g.transpose(v, perm), [x], exact=True)


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("src", "dst"), [
    ((3,), (2, 3)), ((2, 1), (2, 4)), ((), (2, 2)), ((1, 1), (3, 1, 2)),
])
def test_broadcast_to(dtype: str, src: tuple[int, ...], dst: tuple[int, ...]) -> None:
    x = random_array(RNG, src, dtype)
    check(lambda g, v: g.broadcast_to(v, dst), [x], exact=True)


@pytest.mark.parametrize("dtype", DTYPES)
def test_concat(dtype: str) -> None:
    a = random_array(RNG, (2, 3), dtype)
    b = random_array(RNG, (4, 3), dtype)
    c = random_array(RNG, (1, 3), dtype)
    check(lambda g, x, y, z: g.concat([x, y, z], axis=0), [a, b, c], exact=True)
    d = random_array(RNG, (2, 2), dtype)
    check(lambda g, x, y: g.concat([x, y], axis=-1), [a, d], exact=True)
    check(lambda g, x: g.concat([x], axis=1), [a], exact=True)


def test_concat_skips_empty_inputs() -> None:
    a = random_array(RNG, (2, 3), "float32")
    e = np.zeros((0, 3), np.float32)
    check(lambda g, x, y, z: g.concat([y, x, z], axis=0), [a, e, e], exact=True)


SLICES = [
    ((5, 4), [1, 0], [4, 4], [1, 2]),
    ((5, 4), [-1, 3], [-6, -5], [-1, -1]),      # negative steps and bounds
    ((5, 4), [-100, 1], [100, 2], [2, 1]),      # out-of-range bounds are clamped
    ((6,), [5], [0], [-2]),
]


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize(("shape", "starts", "ends", "steps"), SLICES)
def test_slice(dtype: str, shape: tuple[int, ...], starts: list[int], ends: list[int],
               steps: list[int]) -> None:
    x = random_array(RNG, shape, dtype)
    check(lambda g, v: g.slice(v, starts, ends, steps), [x], exact=True)


# The graph's rearrange takes no axis sizes, so a group on the left can only hold one named axis.
PATTERNS = [
    ("b c h w -> b (c h w)", (2, 3, 2, 2)),
    ("b h s d -> b s (h d)", (2, 3, 2, 2)),
    ("a b -> b a", (2, 3)),
    ("a 1 b -> (b a)", (2, 1, 3)),
    ("a b -> a 1 b", (2, 3)),
    ("a b c -> (c a) b", (2, 3, 2)),
    ("a (b) c -> c (a b)", (2, 3, 2)),
]


@pytest.mark.parametrize(("pattern", "shape"), PATTERNS)
@pytest.mark.parametrize("dtype", ["float32", "int64", "bool"])
def test_rearrange(pattern: str, shape: tuple[int, ...], dtype: str) -> None:
    x = random_array(RNG, shape, dtype)
    check(lambda g, v: g.rearrange(v, pattern), [x], exact=True)
