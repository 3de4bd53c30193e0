"""The TVMScript subset beyond the course examples: loop kinds, predicates, expressions, dtypes,
declared regions, handles, the root block and Python constants from the enclosing scope."""

from __future__ import annotations

from pathlib import Path

import numpy as np

import mlc_dialects as mlc
from dialects.loops.ops import ForOp
from dialects.tensor import BlockOp
from mlc_dialects.script import parse_source
from mlc_dialects.script import tir as T

N = 130  # a Python constant the scripts below use


def blocks(module) -> dict[str, BlockOp]:
    return {op.label: op for op in module.walk() if isinstance(op, BlockOp)}


def loops(module) -> list[ForOp]:
    return [op for op in module.walk() if isinstance(op, ForOp)]


# ---------------------------------------------------------------------------- loops


@T.prim_func
def loop_kinds(A: T.Buffer((8, 8, 4, 6), "float32"), B: T.Buffer((8, 8, 4, 6), "float32")):
    for i in T.parallel(8):
        for j in T.serial(8, annotations={"pragma_auto_unroll_max_step": 16}):
            for k in T.vectorized(4):
                for m in T.unroll(0, 6):
                    with T.block("B"):
                        vi, vj, vk, vm = T.axis.remap("SSSS", [i, j, k, m])
                        B[vi, vj, vk, vm] = A[vi, vj, vk, vm] * T.float32(2)


def test_loop_kinds_and_annotations(rng: np.random.Generator) -> None:
    kinds = [(op.kind_name, op.ub) for op in loops(loop_kinds)]
    assert kinds == [("parallel", 8), ("serial", 8), ("vectorized", 4), ("unrolled", 6)]
    text = str(loop_kinds)
    assert "loops.for %j = 0 to 8 annotations {pragma_auto_unroll_max_step = 16 : i64}" in text
    a = rng.standard_normal((8, 8, 4, 6), dtype=np.float32)
    b = np.empty_like(a)
    mlc.interpret(loop_kinds, "loop_kinds", a, b)
    np.testing.assert_array_equal(b, a * 2)


@T.prim_func
def ranges(A: T.Buffer((10,), "int32"), B: T.Buffer((10,), "int32")):
    for i in range(10):
        with T.block("zero"):
            vi = T.axis.spatial(10, i)
            B[vi] = 0
    for i in range(2, 10, 2):
        with T.block("even"):
            vi = T.axis.spatial(10, i)
            B[vi] = A[vi] + A[vi - 1]


def test_range_with_start_and_step(rng: np.random.Generator) -> None:
    assert [(op.lb, op.ub, op.step_value) for op in loops(ranges)] == [(0, 10, 1), (2, 10, 2)]
    a = rng.integers(-50, 50, 10).astype(np.int32)
    b = np.empty(10, np.int32)
    mlc.interpret(ranges, "ranges", a, b)
    expected = np.zeros(10, np.int32)
    expected[2::2] = a[2::2] + a[1:-1:2]
    np.testing.assert_array_equal(b, expected)
    # The read region of A is the union of A[vi] and A[vi - 1].
    assert "reads(%A[%vi_1 - 1 : %vi_1 + 1])" in str(ranges)


# ---------------------------------------------------------------------------- predicates


@T.prim_func
def imperfect(A: T.Buffer((N,), "float32"), B: T.Buffer((N,), "float32")):
    for i0, i1 in T.grid(33, 4):
        with T.block("B"):
            vi = T.axis.spatial(N, i0 * 4 + i1)
            T.where(i0 * 4 + i1 < N)
            B[vi] = A[vi] + T.float32(1)


def test_where_predicate_from_an_imperfect_split(rng: np.random.Generator) -> None:
    block = blocks(imperfect)["B"]
    assert block.predicate_set is not None
    assert "where(%i0 * 4 + %i1 < 130)" in str(imperfect)
    a = rng.standard_normal(N, dtype=np.float32)
    b = np.empty(N, np.float32)
    mlc.interpret(imperfect, "imperfect", a, b)
    np.testing.assert_array_equal(b, a + 1)


@T.prim_func
def where_on_iterators(A: T.Buffer((16, 16), "float32"), B: T.Buffer((16, 16), "float32")):
    for i, j in T.grid(16, 16):
        with T.block("lower"):
            vi, vj = T.axis.remap("SS", [i, j])
            T.where(vj <= vi and 2 <= vi)
            B[vi, vj] = A[vi, vj]


def test_where_on_block_iterators_and_conjunctions(rng: np.random.Generator) -> None:
    """Iterators in T.where stand for their bindings; `and` gives several constraints."""
    assert len(blocks(where_on_iterators)["lower"].predicate_set.constraints) == 2
    a = rng.standard_normal((16, 16), dtype=np.float32)
    b = np.zeros((16, 16), np.float32)
    mlc.interpret(where_on_iterators, "where_on_iterators", a, b)
    expected = np.tril(a)
    expected[:2] = 0
    np.testing.assert_array_equal(b, expected)


# ---------------------------------------------------------------------------- expressions


@T.prim_func
def activations(X: T.Buffer((64,), "float32"), Y: T.Buffer((64,), "float32")):
    for i in range(64):
        with T.block("Y"):
            vi = T.axis.spatial(64, i)
            x = X[vi]
            Y[vi] = T.if_then_else(
                x > T.float32(0.5),
                T.exp(x) + T.sqrt(T.abs(x)),
                T.sigmoid(x) - T.tanh(x) + T.min(x, T.float32(-1)),
            )


def test_if_then_else_and_math_functions(rng: np.random.Generator) -> None:
    x = rng.standard_normal(64, dtype=np.float32)
    y = np.empty(64, np.float32)
    mlc.interpret(activations, "activations", x, y)
    expected = np.where(
        x > 0.5,
        np.exp(x) + np.sqrt(np.abs(x)),
        np.float32(1) / (np.float32(1) + np.exp(-x)) - np.tanh(x) + np.minimum(x, -1),
    )
    np.testing.assert_allclose(y, expected, rtol=1e-6, atol=1e-6)
    # `x = X[vi]` is computed once (a let), not once per use
    assert str(activations).count("memref.load %X") == 1


@T.prim_func
def casts(
    A: T.Buffer((6, 5), "int32"), B: T.Buffer((6, 5), "float64"), C: T.Buffer((6, 5), "int64")
):
    for i, j in T.grid(6, 5):
        with T.block("B"):
            vi, vj = T.axis.remap("SS", [i, j])
            B[vi, vj] = T.Cast("float64", A[vi, vj]) / T.float64(4) + T.float64(vi * 5 + vj)
            C[vi, vj] = T.int64(A[vi, vj]) // 3 % 4 + T.Cast("int64", vj)


def test_casts_int_and_float64(rng: np.random.Generator) -> None:
    a = rng.integers(-100, 100, (6, 5)).astype(np.int32)
    b = np.empty((6, 5), np.float64)
    c = np.empty((6, 5), np.int64)
    mlc.interpret(casts, "casts", a, b, c)
    idx = np.arange(30).reshape(6, 5)
    np.testing.assert_array_equal(b, a / 4 + idx)
    np.testing.assert_array_equal(c, (a.astype(np.int64) // 3) % 4 + np.arange(5))


@T.prim_func
def row_max(A: T.Buffer((8, 32), "float32"), M: T.Buffer((8,), "float32")):
    for i, k in T.grid(8, 32):
        with T.block("M"):
            vi, vk = T.axis.remap("SR", [i, k])
            with T.init():
                M[vi] = T.min_value("float32")
            M[vi] = T.max(M[vi], A[vi, vk])


def test_max_reduction_with_min_value_init(rng: np.random.Generator) -> None:
    a = rng.standard_normal((8, 32), dtype=np.float32)
    m = np.empty(8, np.float32)
    mlc.interpret(row_max, "row_max", a, m)
    np.testing.assert_array_equal(m, a.max(axis=1))


@T.prim_func
def accumulate(A: T.Buffer((4, 8), "float32"), S: T.Buffer((4,), "float32")):
    for i in T.serial(4):
        for k in T.serial(8):
            with T.block("S"):
                vi = T.axis.S(4, i)
                vk = T.axis.R(8, k)
                with T.init():
                    S[vi] = 0.0
                S[vi] += A[vi, vk] * 0.5


def test_aug_assign_and_short_axis_names(rng: np.random.Generator) -> None:
    a = rng.standard_normal((4, 8), dtype=np.float32)
    s = np.empty(4, np.float32)
    mlc.interpret(accumulate, "accumulate", a, s)
    expected = np.zeros(4, np.float32)
    for k in range(8):
        expected += a[:, k] * np.float32(0.5)
    np.testing.assert_array_equal(s, expected)


# ---------------------------------------------------------------------------- buffers and regions


@T.prim_func
def handles(a: T.handle, b: T.handle):
    A = T.match_buffer(a, (4, 16), "float32")
    B = T.match_buffer(b, [4], dtype="float32")
    for i, k in T.grid(4, 16):
        with T.block("B"):
            vi, vk = T.axis.remap("SR", [i, k])
            T.reads(A[vi, 0:16])
            T.writes(B[vi])
            T.block_attr({"note": "row sums"})
            with T.init():
                B[vi] = T.float32(0)
            B[vi] = B[vi] + A[vi, vk]


def test_handles_match_buffer_declared_regions_and_block_attr(rng: np.random.Generator) -> None:
    text = str(handles)
    assert "func.func @handles(%A: memref<4x16xf32>, %B: memref<4xf32>)" in text
    assert 'reads(%A[%vi, 0 : 16]) writes(%B[%vi]) annotations {note = "row sums"}' in text
    a = rng.standard_normal((4, 16), dtype=np.float32)
    b = np.empty(4, np.float32)
    mlc.interpret(handles, "handles", a, b)
    np.testing.assert_allclose(b, a.sum(axis=1), rtol=1e-5)


@T.prim_func
# ruff reads the subscript form as a typing expression with a forward reference
def old_buffer_syntax(A: T.Buffer[(3, 3), "float64"], B: T.Buffer[(3, 3), "float64"]):  # noqa: F821, UP037
    for i, j in T.grid(3, 3):
        with T.block("B"):
            vi, vj = T.axis.remap("SS", [i, j])
            B[vi, vj] = A[vj, vi]


def test_subscripted_buffer_annotation() -> None:
    assert "%A: memref<3x3xf64>" in str(old_buffer_syntax)
    a = np.arange(9.0).reshape(3, 3)
    b = np.empty((3, 3))
    mlc.interpret(old_buffer_syntax, "old_buffer_syntax", a, b)
    np.testing.assert_array_equal(b, a.T)


def test_parse_source_of_a_string() -> None:
    module = parse_source(
        "n = 4\n"
        "@T.prim_func\n"
        "def copy(A: T.Buffer((n,), 'int32'), B: T.Buffer((n,), 'int32')):\n"
        "    for i in range(n):\n"
        "        with T.block('B'):\n"
        "            vi = T.axis.spatial(n, i)\n"
        "            B[vi] = A[vi]\n"
    )
    a = np.arange(4, dtype=np.int32)
    b = np.empty(4, np.int32)
    mlc.interpret(module, "copy", a, b)
    np.testing.assert_array_equal(a, b)


def test_ops_are_located_in_the_python_file() -> None:
    """Loops and blocks carry the .py location, so later errors (schedules, verifier) point
    at the script."""
    block = blocks(imperfect)["B"]
    loc = block.location
    assert loc.filename.data.endswith("test_script_features.py")
    lines = Path(__file__).read_text().split("\n")
    assert 'with T.block("B"):' in lines[loc.line.data - 1]


@T.prim_func(private=True)
def relu(
    x: T.Buffer((T.int64(1), T.int64(128)), "float32"),
    compute: T.Buffer((T.int64(1), T.int64(128)), "float32"),
):
    T.func_attr({"tir.noalias": True})
    for i0, i1 in T.grid(T.int64(1), T.int64(128)):
        with T.block("compute"):
            v_i0, v_i1 = T.axis.remap("SS", [i0, i1])
            T.reads(x[v_i0, v_i1])
            T.writes(compute[v_i0, v_i1])
            compute[v_i0, v_i1] = T.max(x[v_i0, v_i1], T.float32(0.0))


def test_int64_shapes_as_tvm_legalization_prints_them(rng: np.random.Generator) -> None:
    assert "func.func @relu(%x: memref<1x128xf32>, %compute: memref<1x128xf32>)" in str(relu)
    x = rng.standard_normal((1, 128), dtype=np.float32)
    y = np.empty_like(x)
    mlc.interpret(relu, "relu", x, y)
    np.testing.assert_array_equal(y, np.maximum(x, 0))


def test_closure_constants_are_visible() -> None:
    def make(n: int, factor: float):
        @T.prim_func
        def scale(A: T.Buffer((n,), "float32"), B: T.Buffer((n,), "float32")):
            for i in range(n):
                with T.block("B"):
                    vi = T.axis.spatial(n, i)
                    B[vi] = A[vi] * factor

        return scale

    module = make(6, 3.0)
    a = np.arange(6, dtype=np.float32)
    b = np.empty(6, np.float32)
    mlc.interpret(module, "scale", a, b)
    np.testing.assert_array_equal(b, a * 3)
