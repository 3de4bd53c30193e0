"""te: TVM's tensor-expression names building tensor functions; combining functions."""

from __future__ import annotations

import numpy as np
import pytest

from dialects.tensor import BlockOp, interp
from dialects.tensor.combine import fuse_functions
from mlc_dialects import te
from tests.tensor.helpers import parse


def blocks(module) -> list[BlockOp]:
    return [op for op in module.walk() if isinstance(op, BlockOp)]


def test_mm_relu_structure_matches_tvm() -> None:
    A = te.placeholder((128, 128), "float32", name="A")
    B = te.placeholder((128, 128), "float32", name="B")
    k = te.reduce_axis((0, 128), name="k")
    Y = te.compute((128, 128), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="Y")
    C = te.compute((128, 128), lambda i, j: te.max(Y[i, j], 0), name="C")
    module = te.create_prim_func([A, B, C])
    text = str(module)
    assert (
        "func.func @main(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>) attributes {tensor.num_inputs = 2 : i64}"
        in text
    )
    assert "%Y = tensor.alloc_buffer : memref<128x128xf32>" in text
    y, c = blocks(module)
    assert (y.label, y.iter_kinds, c.label, c.iter_kinds) == (
        "Y", ("spatial", "spatial", "reduce"), "C", ("spatial", "spatial"),
    )  # fmt: skip
    assert (
        'tensor.block "Y"(%v_i = spatial(128, %i), %v_j = spatial(128, %j), %v_k = reduce(128, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j])'
        in text
    )
    assert y.init is not None and c.init is None
    assert str(parse(text)) == text


def test_function_name_and_outputs_of_both_stages(rng: np.random.Generator) -> None:
    X = te.placeholder((3, 4), name="X")
    Y = te.compute((3, 4), lambda i, j: X[i, j] * 2.0, name="Y")
    Z = te.compute((4, 3), lambda i, j: Y[j, i] + 1, name="Z")
    module = te.create_prim_func([X, Y, Z], name="twice_t")
    assert (
        "func.func @twice_t(%X: memref<3x4xf32>, %Y: memref<3x4xf32>, %Z: memref<4x3xf32>) attributes {tensor.num_inputs = 1 : i64}"
        in str(module)
    )
    x = rng.random((3, 4), dtype=np.float32)
    y, z = np.empty((3, 4), np.float32), np.empty((4, 3), np.float32)
    interp.run(module, "twice_t", [x, y, z])
    np.testing.assert_array_equal(y, x * 2)
    np.testing.assert_array_equal(z, (x * 2).T + 1)


def test_regions_union_of_accesses(rng: np.random.Generator) -> None:
    """A 3-point stencil reads one region of width 3; a shifted index stays affine."""
    X = te.placeholder((10,), name="X")
    Y = te.compute((8,), lambda i: X[i] + X[i + 1] + X[i + 2], name="Y")
    module = te.create_prim_func([X, Y])
    assert "reads(%X[%v_i : %v_i + 3]) writes(%Y[%v_i])" in str(module)
    x = rng.random(10, dtype=np.float32)
    y = np.empty(8, np.float32)
    interp.run(module, "main", [x, y])
    np.testing.assert_array_equal(y, x[:-2] + x[1:-1] + x[2:])


def test_index_arithmetic_floordiv_mod(rng: np.random.Generator) -> None:
    X = te.placeholder((4, 6), "int64", name="X")
    Y = te.compute((24,), lambda i: X[i // 6, i % 6], name="Y")
    module = te.create_prim_func([X, Y])
    assert "reads(%X[%v_i floordiv 6, %v_i mod 6])" in str(module)
    x = rng.integers(0, 100, (4, 6))
    y = np.empty(24, np.int64)
    interp.run(module, "main", [x, y])
    np.testing.assert_array_equal(y, x.reshape(-1))


def test_casts_and_integer_values() -> None:
    Y = te.compute((5,), lambda i: (i * 3).astype("float32") / 2, name="Y")
    Z = te.compute((5,), lambda i: Y[i].astype("int32") - 1, name="Z")
    module = te.create_prim_func([Y, Z])
    y, z = np.empty(5, np.float32), np.empty(5, np.int32)
    interp.run(module, "main", [y, z])
    np.testing.assert_array_equal(y, np.arange(5) * 3 / 2)
    np.testing.assert_array_equal(z, (np.arange(5) * 3 / 2).astype(np.int32) - 1)


def test_max_reduction_identity_is_minus_infinity() -> None:
    X = te.placeholder((2, 3), name="X")
    k = te.reduce_axis((0, 3), name="k")
    M = te.compute((2,), lambda i: te.max(X[i, k], axis=k), name="M")
    module = te.create_prim_func([X, M])
    assert "arith.constant 0xff800000 : f32" in str(module)  # -inf
    x = np.full((2, 3), -np.inf, np.float32)
    m = np.zeros(2, np.float32)
    interp.run(module, "main", [x, m])
    assert (m == -np.inf).all()
    assert str(parse(str(module))) == str(module)


@pytest.mark.parametrize(
    ("build", "message"),
    [
        (lambda A, B: te.create_prim_func([A]), "no computed tensor"),
        (
            lambda A, B: te.create_prim_func([B]),
            "placeholder 'A' is read by 'B' but is not in the argument list",
        ),
        (
            lambda A, B: te.create_prim_func([B, A]),
            "placeholder 'A' (argument #1) comes after an output",
        ),
        (lambda A, B: A[0, 0], "tensor 'A' has 1 dimensions, indexed with 2"),
        (lambda A, B: te.compute((2,), lambda i, j: A[i]), "fcompute takes 2 index arguments"),
        (
            lambda A, B: te.compute((2,), lambda i: te.sum(A[i], axis=te.reduce_axis((0, 2))) + 1),
            "a reduction (te.sum/max/min) must be the whole body",
        ),
        (
            lambda A, B: te.compute((2,), lambda i: A[i] + te.placeholder((2,), "float64")[i]),
            "operand dtypes differ: float32 and float64",
        ),
    ],
    ids=["no-output", "missing-input", "order", "rank", "arity", "nested-reduce", "dtypes"],
)
def test_errors(build, message: str) -> None:
    A = te.placeholder((4,), name="A")
    B = te.compute((4,), lambda i: A[i] + 1, name="B")
    with pytest.raises((ValueError, TypeError, IndexError)) as info:
        build(A, B)
    assert message in str(info.value)


def test_fuse_functions_producer_consumer(rng: np.random.Generator) -> None:
    """Two separate tensor functions combined into one with an intermediate buffer."""
    A = te.placeholder((8, 8), name="A")
    B = te.placeholder((8, 8), name="B")
    k = te.reduce_axis((0, 8), name="k")
    mm = te.build_function(
        [A, B, te.compute((8, 8), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="Y")], "mm"
    )
    X = te.placeholder((8, 8), name="X")
    relu = te.build_function(
        [X, te.compute((8, 8), lambda i, j: te.max(X[i, j], 0), name="Y")], "relu"
    )
    fused = fuse_functions(
        [(mm, ["A", "B", "Y"]), (relu, ["Y", "C"])], ["A", "B"], ["C"], "fused_mm_relu"
    )
    fused.verify()
    text = str(fused)
    assert (
        "func.func @fused_mm_relu(%A: memref<8x8xf32>, %B: memref<8x8xf32>, %C: memref<8x8xf32>) attributes {tensor.num_inputs = 2 : i64}"
        in text
    )
    assert "%Y = tensor.alloc_buffer : memref<8x8xf32>" in text
    assert [b.label for b in blocks(fused)] == ["Y", "Y_1"]
    a, b = (
        rng.standard_normal((8, 8), dtype=np.float32),
        rng.standard_normal((8, 8), dtype=np.float32),
    )
    c = np.empty((8, 8), np.float32)
    interp.run(fused, "fused_mm_relu", [a, b, c])
    np.testing.assert_allclose(c, np.maximum(a @ b, 0), rtol=1e-5, atol=1e-5)
    with pytest.raises(
        ValueError, match="buffer 'Y' is read by stage #0 \\(@relu\\) before any stage writes it"
    ):
        fuse_functions([(relu, ["Y", "C"])], [], ["C"], "bad")
