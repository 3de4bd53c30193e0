"""Index notation: the same programs as te, and clear errors."""

from __future__ import annotations

import numpy as np
import pytest

from dialects.tensor import interp
from mlc_dialects import te
from mlc_dialects.index_notation import IndexNotationError, from_index_notation


def test_matmul_identical_to_te() -> None:
    notation = from_index_notation(
        "C[i, j] += A[i, k] * B[k, j]", shapes={"A": (16, 8), "B": (8, 4)}
    )
    A = te.placeholder((16, 8), name="A")
    B = te.placeholder((8, 4), name="B")
    k = te.reduce_axis((0, 8), name="k")
    C = te.compute((16, 4), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    assert str(notation) == str(te.create_prim_func([A, B, C]))


def test_mm_relu_identical_to_te() -> None:
    notation = from_index_notation(
        """
        # the MLC course's mm_relu
        Y[i, j] += A[i, k] * B[k, j]
        C[i, j] = max(Y[i, j], 0)
        """,
        shapes={"A": (128, 128), "B": (128, 128)},
    )
    A = te.placeholder((128, 128), "float32", name="A")
    B = te.placeholder((128, 128), "float32", name="B")
    k = te.reduce_axis((0, 128), name="k")
    Y = te.compute((128, 128), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="Y")
    C = te.compute((128, 128), lambda i, j: te.max(Y[i, j], 0), name="C")
    assert str(notation) == str(te.create_prim_func([A, B, C]))


def test_softmax_like_program_runs(rng: np.random.Generator) -> None:
    module = from_index_notation(
        "m[i] max= x[i, j]; e[i, j] = exp(x[i, j] - m[i]); s[i] += e[i, j]; y[i, j] = e[i, j] / s[i]",
        shapes={"x": (4, 5)},
        dtype="float64",
    )
    assert [a.name_hint for a in module.ops.first.body.block.args] == ["x", "y"]
    x = rng.standard_normal((4, 5))
    y = np.empty((4, 5))
    interp.run(module, "main", [x, y])
    e = np.exp(x - x.max(axis=1, keepdims=True))
    np.testing.assert_allclose(y, e / e.sum(axis=1, keepdims=True), rtol=1e-12)


def test_explicit_outputs_extents_and_affine_indices(rng: np.random.Generator) -> None:
    module = from_index_notation(
        "T[i] = X[2 * i + 1] - X[i // 2]; U[i] = relu(T[i]) * -1.5",
        shapes={"X": (9,)},
        extents={"i": 4},
        outputs=["T", "U"],
        name="f",
    )
    x = rng.standard_normal(9, dtype=np.float32)
    t, u = np.empty(4, np.float32), np.empty(4, np.float32)
    interp.run(module, "f", [x, t, u])
    i = np.arange(4)
    np.testing.assert_array_equal(t, x[2 * i + 1] - x[i // 2])
    np.testing.assert_array_equal(u, np.maximum(t, 0) * np.float32(-1.5))


@pytest.mark.parametrize(
    ("text", "shapes", "message"),
    [
        ("C[i] = A[i, k]", {"A": (2, 3)}, "index k appears only on the right of 'C'; use '+='"),
        ("C[i] += A[i]", {"A": (2,)}, "'+=' needs an index that appears only on the right"),
        ("C[i] = A[i]", {}, "1:8: no shape given for input 'A'"),
        (
            "C[i] = A[i] + B[i]",
            {"A": (2,), "B": (3,)},
            "index 'i' has extent 2 from A dimension 0 but 3 from B dimension 0",
        ),
        ("C[i] = A[i + 1]", {"A": (3,)}, "cannot infer the extent of index 'i'"),
        ("C[i, i] = A[i]", {"A": (3,)}, "an index is repeated on the left of 'C'"),
        ("C[i] = foo(A[i])", {"A": (3,)}, "unknown function foo/1"),
        ("C[i] = A[i] +", {"A": (3,)}, "1:13: syntax error"),
        ("C[i] = A[i, j]", {"A": (3,)}, "'A' has 1 dimensions, indexed with 2"),
    ],
    ids=[
        "reduce-without-+=",
        "+=-without-reduce",
        "no-shape",
        "extent-conflict",
        "no-extent",
        "repeat",
        "function",
        "syntax",
        "rank",
    ],
)
def test_errors(text: str, shapes: dict, message: str) -> None:
    with pytest.raises(IndexNotationError) as info:
        from_index_notation(text, shapes=shapes)
    assert message in str(info.value)
