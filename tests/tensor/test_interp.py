"""The reference interpreter: exact results against numpy, vector and scalar paths agreeing."""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pytest

from dialects.tensor import interp
from mlc_dialects import te
from tests.tensor.helpers import parse, sequential_matmul

SCHEDULED_MM_RELU = (Path(__file__).parent / "inputs" / "mm_relu_scheduled.mlir").read_text()


def matmul_module(n: int, m: int, k: int, dtype: str = "float32"):
    A = te.placeholder((n, k), dtype, name="A")
    B = te.placeholder((k, m), dtype, name="B")
    r = te.reduce_axis((0, k), name="k")
    C = te.compute((n, m), lambda i, j: te.sum(A[i, r] * B[r, j], axis=r), name="C")
    return te.create_prim_func([A, B, C])


def test_matmul_64_exact_and_fast(rng: np.random.Generator) -> None:
    module = matmul_module(64, 64, 64)
    a = rng.standard_normal((64, 64), dtype=np.float32)
    b = rng.standard_normal((64, 64), dtype=np.float32)
    c = np.zeros((64, 64), np.float32)
    start = time.perf_counter()
    interp.run(module, "main", [a, b, c])
    assert time.perf_counter() - start < 1.0
    np.testing.assert_array_equal(c, sequential_matmul(a, b))  # bit-exact: f32, k in order
    np.testing.assert_allclose(c, a @ b, rtol=1e-4, atol=1e-4)


def test_scalar_path_matches_vector_path(rng: np.random.Generator) -> None:
    module = matmul_module(8, 6, 5)
    a = rng.standard_normal((8, 5), dtype=np.float32)
    b = rng.standard_normal((5, 6), dtype=np.float32)
    c_vec, c_scalar = np.zeros((8, 6), np.float32), np.zeros((8, 6), np.float32)
    interp.run(module, "main", [a, b, c_vec])
    interp.run(module, "main", [a, b, c_scalar], vectorize=False)
    np.testing.assert_array_equal(c_vec, c_scalar)
    assert "vectorized loop" in interp.source(module)
    assert "vectorized loop" not in interp.source(module, vectorize=False)


def test_mm_relu_128_course_example(rng: np.random.Generator) -> None:
    A = te.placeholder((128, 128), "float32", name="A")
    B = te.placeholder((128, 128), "float32", name="B")
    k = te.reduce_axis((0, 128), name="k")
    Y = te.compute((128, 128), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="Y")
    C = te.compute((128, 128), lambda i, j: te.max(Y[i, j], 0), name="C")
    module = te.create_prim_func([A, B, C])
    a = rng.random((128, 128), dtype=np.float32)
    b = rng.random((128, 128), dtype=np.float32)
    c = np.empty((128, 128), np.float32)
    interp.run(module, "main", [a, b, c])
    np.testing.assert_array_equal(c, np.maximum(sequential_matmul(a, b), 0))


def test_scheduled_mm_relu(rng: np.random.Generator) -> None:
    """The course's mm_relu after split/reorder/reverse_compute_at/decompose_reduction."""
    module = parse(SCHEDULED_MM_RELU)
    a = rng.random((128, 128), dtype=np.float32)
    b = rng.random((128, 128), dtype=np.float32)
    c = np.empty((128, 128), np.float32)
    start = time.perf_counter()
    interp.run(module, "main", [a, b, c])
    assert time.perf_counter() - start < 2.0
    np.testing.assert_array_equal(c, np.maximum(sequential_matmul(a, b), 0))


@pytest.mark.parametrize(
    ("reducer", "reference"),
    [(te.sum, np.sum), (te.max, np.max), (te.min, np.min)],
    ids=["sum", "max", "min"],
)
def test_row_reductions(reducer, reference, rng: np.random.Generator) -> None:
    X = te.placeholder((6, 7), "float64", name="X")
    k = te.reduce_axis((0, 7), name="k")
    R = te.compute((6,), lambda i: reducer(X[i, k], axis=k), name="R")
    module = te.create_prim_func([X, R])
    x = rng.standard_normal((6, 7))
    r = np.empty(6)
    interp.run(module, "main", [x, r])
    np.testing.assert_allclose(r, reference(x, axis=1), rtol=1e-12)


def test_integer_reduction_over_two_axes_with_offset(rng: np.random.Generator) -> None:
    X = te.placeholder((4, 5, 6), "int32", name="X")
    k1 = te.reduce_axis((1, 5), name="k1")
    k2 = te.reduce_axis((0, 6), name="k2")
    S = te.compute((4,), lambda i: te.sum(X[i, k1, k2] * 2, axis=[k1, k2]), name="S")
    module = te.create_prim_func([X, S])
    x = rng.integers(-50, 50, (4, 5, 6), dtype=np.int32)
    s = np.empty(4, np.int32)
    interp.run(module, "main", [x, s])
    np.testing.assert_array_equal(s, (x[:, 1:, :] * 2).sum(axis=(1, 2)))


IMPERFECT = """
func.func @main(%A: memref<130xf32>, %B: memref<130xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i0 = 0 to 33 {
    loops.for %i1 = 0 to 4 {
      tensor.block "B"(%vi = spatial(130, %i0 * 4 + %i1)) where(%i0 * 4 + %i1 < 130) reads(%A[%vi]) writes(%B[%vi]) {
        %a = memref.load %A[%vi] : memref<130xf32>
        %two = arith.constant 2.0 : f32
        %b = arith.mulf %a, %two : f32
        memref.store %b, %B[%vi] : memref<130xf32>
      }
    }
  }
  func.return
}
"""


@pytest.mark.parametrize("vectorize", [True, False])
def test_imperfect_split_respects_predicate(vectorize: bool, rng: np.random.Generator) -> None:
    module = parse(IMPERFECT)
    a = rng.random(130, dtype=np.float32)
    b = np.full(130, -1.0, np.float32)
    interp.run(module, "main", [a, b], vectorize=vectorize)  # would index 130, 131 without it
    np.testing.assert_array_equal(b, a * 2)


def test_init_runs_at_first_reduce_iteration_only() -> None:
    """A reduction split in two (k = k0 * 4 + k1): init runs once, when k0 == k1 == 0."""
    module = parse("""
    func.func @main(%A: memref<8xf32>, %S: memref<f32>) attributes {tensor.num_inputs = 1 : i64} {
      loops.for %k0 = 0 to 2 {
        loops.for %k1 = 0 to 4 {
          tensor.block "S"(%vk = reduce(8, %k0 * 4 + %k1)) reads(%A[%vk]) writes(%S[]) {
            tensor.init {
              %z = arith.constant 100.0 : f32
              memref.store %z, %S[] : memref<f32>
            }
            %s = memref.load %S[] : memref<f32>
            %a = memref.load %A[%vk] : memref<8xf32>
            %t = arith.addf %s, %a : f32
            memref.store %t, %S[] : memref<f32>
          }
        }
      }
      func.return
    }""")
    a = np.arange(8, dtype=np.float32)
    s = np.zeros((), np.float32)
    interp.run(module, "main", [a, s])
    assert s == 100 + 28


def test_elementwise_math_and_select(rng: np.random.Generator) -> None:
    X = te.placeholder((5, 3), "float32", name="X")
    Y = te.compute(
        (5, 3),
        lambda i, j: te.if_then_else(X[i, j] > 0, te.exp(X[i, j]), te.sigmoid(X[i, j]) - i),
        name="Y",
    )
    module = te.create_prim_func([X, Y])
    x = rng.standard_normal((5, 3), dtype=np.float32)
    y = np.empty((5, 3), np.float32)
    interp.run(module, "main", [x, y])
    i = np.arange(5, dtype=np.float32)[:, None]
    expected = np.where(x > 0, np.exp(x), np.float32(1) / (np.float32(1) + np.exp(-x)) - i)
    np.testing.assert_allclose(y, expected, rtol=1e-6)


def test_intermediate_buffer_starts_as_nan() -> None:
    """Reading an intermediate before writing it poisons the output instead of giving 0."""
    module = parse("""
    func.func @main(%C: memref<4xf32>) attributes {tensor.num_inputs = 0 : i64} {
      %Y = tensor.alloc_buffer : memref<4xf32>
      loops.for %i = 0 to 4 {
        tensor.block "C"(%vi = spatial(4, %i)) reads(%Y[%vi]) writes(%C[%vi]) {
          %y = memref.load %Y[%vi] : memref<4xf32>
          memref.store %y, %C[%vi] : memref<4xf32>
        }
      }
      func.return
    }""")
    c = np.zeros(4, np.float32)
    interp.run(module, "main", [c])
    assert np.isnan(c).all()


def test_argument_errors_name_the_argument() -> None:
    module = matmul_module(4, 4, 4)
    a = np.zeros((4, 4), np.float32)
    with pytest.raises(ValueError, match=r"argument #1 \(%B\): expected shape \(4, 4\)"):
        interp.run(module, "main", [a, np.zeros((4, 5), np.float32), a.copy()])
    with pytest.raises(ValueError, match=r"argument #2 \(%C\): expected dtype float32"):
        interp.run(module, "main", [a, a, np.zeros((4, 4), np.float64)])
    with pytest.raises(ValueError, match=r"@main takes 3 arrays, got 2"):
        interp.run(module, "main", [a, a])
    with pytest.raises(ValueError, match=r"no function @other"):
        interp.run(module, "other", [a, a, a])


def test_vectorizer_refuses_cross_lane_dependence() -> None:
    """A prefix sum along i: lanes of i would read each other's writes, so i stays serial."""
    module = parse("""
    func.func @main(%A: memref<6xf32>, %P: memref<6xf32>) attributes {tensor.num_inputs = 1 : i64} {
      loops.for %i = 0 to 6 {
        loops.for %k = 0 to 6 {
          tensor.block "P"(%vi = spatial(6, %i), %vk = reduce(6, %k)) where(%k <= %i) reads(%A[%vk], %P[%vi]) writes(%P[%vi]) {
            tensor.init {
              %z = arith.constant 0.0 : f32
              memref.store %z, %P[%vi] : memref<6xf32>
            }
            %p = memref.load %P[%vi] : memref<6xf32>
            %a = memref.load %A[%vk] : memref<6xf32>
            %s = arith.addf %p, %a : f32
            memref.store %s, %P[%vi] : memref<6xf32>
          }
        }
      }
      loops.for %j = 0 to 5 {
        tensor.block "shift"(%vj = spatial(6, %j + 1)) reads(%P[%vj - 1 : %vj + 1]) writes(%P[%vj]) {
          %c1 = arith.constant 1 : index
          %jm1 = arith.subi %vj, %c1 : index
          %prev = memref.load %P[%jm1] : memref<6xf32>
          %cur = memref.load %P[%vj] : memref<6xf32>
          %s = arith.addf %prev, %cur : f32
          memref.store %s, %P[%vj] : memref<6xf32>
        }
      }
      func.return
    }""")
    a = np.arange(1, 7, dtype=np.float32)
    p = np.zeros(6, np.float32)
    interp.run(module, "main", [a, p])
    prefix = np.cumsum(a)
    expected = prefix.copy()
    for j in range(1, 6):
        expected[j] = expected[j - 1] + expected[j]
    np.testing.assert_array_equal(p, expected)
    source = interp.source(module)
    assert "for j_" in source  # the dependent loop runs serially
