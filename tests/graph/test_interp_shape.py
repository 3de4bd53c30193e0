"""Reductions and shape graph ops through the reference interpreter, against numpy."""

from __future__ import annotations

import numpy as np
import pytest
from graph_interp_support import DTYPES, rand, run_op, ttype


def arr(values: list[int]) -> str:
    return f"array<i64: {', '.join(map(str, values))}>" if values else "array<i64>"


# --- reductions ------------------------------------------------------------------------------------

REDUCE = {"reduce_sum": np.sum, "reduce_mean": np.mean, "reduce_max": np.max,
          "reduce_min": np.min}


@pytest.mark.parametrize("name", sorted(REDUCE))
@pytest.mark.parametrize("shape,axes", [((2, 3), [1]), ((2, 3, 4), [0, 2]), ((2, 3, 4), [-1]),
                                        ((5,), [0]), ((2, 3), [0, 1]), ((1, 1), [1]),
                                        ((2, 3), [])], ids=str)
@pytest.mark.parametrize("keepdims", [0, 1, None])
@pytest.mark.parametrize("elem", ["f32", "f64", "i32", "i64"])
def test_reductions(name: str, shape: tuple, axes: list, keepdims: int | None, elem: str) -> None:
    x = rand(shape, elem, np.random.default_rng(0))
    keep = bool(keepdims)
    if elem.startswith("i") and name == "reduce_mean":
        total = np.sum(x, axis=tuple(axes), keepdims=keep)
        count = int(np.prod([shape[a] for a in axes]))
        want = np.trunc(total / count).astype(DTYPES[elem])  # truncates toward zero
    else:
        want = np.asarray(REDUCE[name](x, axis=tuple(axes), keepdims=keep)).astype(DTYPES[elem])
    attrs = f"axes = {arr(axes)}" + ("" if keepdims is None else f", keepdims = {keepdims} : i64")
    got = run_op(name, [x], ttype(want.shape, elem), f"{{{attrs}}}")
    assert got.dtype == DTYPES[elem] and got.shape == want.shape
    np.testing.assert_allclose(got, want, rtol=1e-6)


def test_integer_sum_wraps_in_element_type() -> None:
    x = np.array([2**31 - 1, 1], np.int32)
    got = run_op("reduce_sum", [x], "tensor<i32>", f"{{axes = {arr([0])}}}")
    assert got.dtype == np.int32 and got.shape == () and got == -(2**31)


def test_reduce_over_empty_axis() -> None:
    x = np.zeros((0, 3), np.float32)
    attrs = f"{{axes = {arr([0])}}}"
    np.testing.assert_array_equal(run_op("reduce_max", [x], "tensor<3xf32>", attrs), [-np.inf] * 3)
    np.testing.assert_array_equal(run_op("reduce_min", [x], "tensor<3xf32>", attrs), [np.inf] * 3)
    np.testing.assert_array_equal(run_op("reduce_sum", [x], "tensor<3xf32>", attrs), [0.0] * 3)
    xi = np.zeros((0, 2), np.int32)
    np.testing.assert_array_equal(run_op("reduce_max", [xi], "tensor<2xi32>", attrs),
                                  [np.iinfo(np.int32).min] * 2)


# --- shape ops -----------------------------------------------------------------------------------


@pytest.mark.parametrize("src,dst", [((2, 3), (6,)), ((6,), (3, 2)), ((1,), ()), ((), (1, 1)),
                                     ((2, 3, 4), (4, 6))], ids=str)
@pytest.mark.parametrize("elem", ["f32", "i64", "i1"])
def test_reshape(src: tuple, dst: tuple, elem: str) -> None:
    x = rand(src, elem, np.random.default_rng(1))
    got = run_op("reshape", [x], ttype(dst, elem))
    np.testing.assert_array_equal(got, x.reshape(dst))
    assert got.dtype == DTYPES[elem]


@pytest.mark.parametrize("shape,perm", [((2, 3), [1, 0]), ((2, 3, 4), [2, 0, 1]), ((5,), [0]),
                                        ((), []), ((1, 2, 1), [2, 1, 0])], ids=str)
@pytest.mark.parametrize("elem", ["f64", "i32"])
def test_transpose(shape: tuple, perm: list, elem: str) -> None:
    x = rand(shape, elem, np.random.default_rng(2))
    want = np.transpose(x, perm)
    got = run_op("transpose", [x], ttype(want.shape, elem), f"{{perm = {arr(perm)}}}")
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("src,dst", [((3,), (2, 3)), ((), (2, 2)), ((2, 1), (2, 4)),
                                     ((1, 1), (3, 1, 5)), ((4,), (4,))], ids=str)
def test_broadcast_to(src: tuple, dst: tuple) -> None:
    x = rand(src, "f32", np.random.default_rng(3))
    got = run_op("broadcast_to", [x], ttype(dst, "f32"))
    np.testing.assert_array_equal(got, np.broadcast_to(x, dst))
    got[...] = 0  # results are ordinary writable arrays, not views of the argument
    assert not np.all(x == 0) or x.size == 0


@pytest.mark.parametrize("shapes,axis", [([(2, 3), (4, 3)], 0), ([(2, 3), (2, 1), (2, 2)], 1),
                                         ([(2, 3)], -1), ([(1,), (1,)], 0),
                                         ([(2, 1, 2), (2, 3, 2)], -2)], ids=str)
@pytest.mark.parametrize("elem", ["f32", "i32"])
def test_concat(shapes: list, axis: int, elem: str) -> None:
    rng = np.random.default_rng(4)
    operands = [rand(s, elem, rng) for s in shapes]
    want = np.concatenate(operands, axis=axis)
    got = run_op("concat", operands, ttype(want.shape, elem), f"{{axis = {axis} : i64}}")
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("starts,ends,steps", [
    ([0, 1], [2, 3], [1, 1]), ([1, 0], [4, 5], None), ([-3, -1], [100, -100], [2, -1]),
    ([3, 4], [0, 0], [-1, -2]), ([2, 0], [2, 5], [1, 1]), ([-100, 1], [100, 2], [3, 1]),
], ids=str)
def test_slice(starts: list, ends: list, steps: list | None) -> None:
    x = rand((4, 5), "f32", np.random.default_rng(5))
    index = tuple(slice(s, e, k) for s, e, k in zip(starts, ends, steps or [1, 1], strict=True))
    want = x[index]
    attrs = f"starts = {arr(starts)}, ends = {arr(ends)}"
    attrs += "" if steps is None else f", steps = {arr(steps)}"
    got = run_op("slice", [x], ttype(want.shape, "f32"), f"{{{attrs}}}")
    np.testing.assert_array_equal(got, want)


@pytest.mark.parametrize("pattern,shape,reference", [
    ("b c h w -> b (c h w)", (2, 3, 4, 5), lambda x: x.reshape(2, 60)),
    ("b c h w -> b h w c", (2, 3, 4, 5), lambda x: x.transpose(0, 2, 3, 1)),
    ("b (c 1) -> c b", (2, 3), lambda x: x.T),
    ("a b c -> (c a) b", (2, 3, 4), lambda x: x.transpose(2, 0, 1).reshape(8, 3)),
    ("a b -> a 1 b", (2, 3), lambda x: x.reshape(2, 1, 3)),
    ("a 1 b -> b a", (2, 1, 3), lambda x: x.reshape(2, 3).T),
], ids=lambda v: v if isinstance(v, str) else None)
def test_rearrange(pattern: str, shape: tuple, reference) -> None:
    x = rand(shape, "f32", np.random.default_rng(6))
    want = reference(x)
    got = run_op("rearrange", [x], ttype(want.shape, "f32"), f'{{pattern = "{pattern}"}}')
    np.testing.assert_array_equal(got, want)
