"""te's scalar semantics against numpy: bool casts, guarded if_then_else, shared
subexpressions, NaN in max/min. Each case checks the IR te emits and the numerics of the
reference interpreters (tensor level, vectorized or not, and loops level) and of compiled code."""

from __future__ import annotations

import re

import numpy as np
import pytest
from xdsl.dialects import arith, memref, scf
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import ModuleOp

from dialects.loops import interp as loops_interp
from dialects.tensor import interp as tensor_interp
from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.inline import InlineBodyError
from mlc_dialects import api, te
from mlc_dialects.context import make_context
from mlc_dialects.script import tir as T
from passes.convert_tensor_to_loops import ConvertTensorToLoopsPass
from tests.tensor.helpers import parse
from tests.tensor.schedule.replay import assert_fails_unchanged, assert_replays


def _ops(module: ModuleOp, kind: type) -> list:
    return [op for op in module.walk() if isinstance(op, kind)]


def _run_everywhere(module: ModuleOp, inputs: list[np.ndarray]) -> list[list[np.ndarray]]:
    """The outputs of every executor: interpreter (vectorized, scalar), loops level, native."""
    function = tensor_interp.find_function(module, "main")
    types = function.function_type.inputs.data[len(inputs) :]

    def outputs() -> list[np.ndarray]:
        return [
            np.zeros(tuple(t.get_shape()), tensor_interp.numpy_dtype(t.element_type))
            for t in types
        ]

    results = []
    for vectorize in (True, False):
        outs = outputs()
        tensor_interp.run(module, "main", [*inputs, *outs], vectorize=vectorize)
        results.append(outs)
    lowered = module.clone()
    ConvertTensorToLoopsPass().apply(make_context(), lowered)
    lowered.verify()
    outs = outputs()
    loops_interp.run(lowered, "main", [*inputs, *outs])
    results.append(outs)
    outs = outputs()
    api.compile(module)["main"](*inputs, *outs)
    results.append(outs)
    return results


# ============================================================================ bool casts


def test_astype_from_bool_is_zero_or_one() -> None:
    X = te.placeholder((6,), "int32", name="X")
    B = te.compute((6,), lambda i: X[i].astype("bool"), name="B")
    I8 = te.compute((6,), lambda i: B[i].astype("int8"), name="I8")
    I64 = te.compute((6,), lambda i: B[i].astype("int64"), name="I64")
    F = te.compute((6,), lambda i: B[i].astype("float32"), name="F")
    module = te.create_prim_func([X, I8, I64, F])
    module.verify()
    assert len(_ops(module, arith.ExtUIOp)) == 2
    assert len(_ops(module, arith.UIToFPOp)) == 1
    assert not _ops(module, arith.ExtSIOp) and not _ops(module, arith.SIToFPOp)
    x = np.array([0, 1, 2, -1, 7, 0], np.int32)
    b = x.astype(bool)
    for i8, i64, f in _run_everywhere(module, [x]):
        np.testing.assert_array_equal(i8, b.astype(np.int8))
        np.testing.assert_array_equal(i64, b.astype(np.int64))
        np.testing.assert_array_equal(f, b.astype(np.float32))


def test_astype_to_bool_is_not_equal_zero() -> None:
    X = te.placeholder((8,), "int32", name="X")
    F = te.placeholder((8,), "float32", name="F")
    # stored as int32 0/1 so that every executor's output is comparable
    C = te.compute(
        (8,), lambda i: X[i].astype("bool").astype("int32") * 10 + F[i].astype("bool").astype(
            "int32"), name="C"
    )
    module = te.create_prim_func([X, F, C])
    module.verify()
    text = str(module)
    assert re.search(r"arith.cmpi ne, %\d+, %\d+ : i32", text)
    assert re.search(r"arith.cmpf une, %\d+, %\d+ : f32", text)  # unordered: NaN is true
    assert not _ops(module, arith.TruncIOp) and not _ops(module, arith.FPToSIOp)
    x = np.array([0, 1, 2, -1, 256, 0, 3, -2], np.int32)  # 2 and 256: low bit 0, still true
    f = np.array([0.0, -0.0, 0.5, np.nan, np.inf, -3.0, 1e-30, 0.0], np.float32)
    want = x.astype(bool).astype(np.int32) * 10 + f.astype(bool).astype(np.int32)
    for (c,) in _run_everywhere(module, [x, f]):
        np.testing.assert_array_equal(c, want)


def test_interpreter_extsi_trunci_on_i1_are_exact() -> None:
    """The reference interpreter runs the arith ops bit-exactly, so te's old lowering (extsi,
    trunci on i1) would show up there as it does in compiled code."""
    module = parse("""
    func.func @main(%A: memref<3xi32>, %B: memref<3xi32>) attributes {tensor.num_inputs = 1 : i64} {
      loops.for %i = 0 to 3 {
        tensor.block "B"(%v = spatial(3, %i)) reads(%A[%v]) writes(%B[%v]) {
          %a = memref.load %A[%v] : memref<3xi32>
          %t = arith.trunci %a : i32 to i1
          %s = arith.extsi %t : i1 to i32
          %u = arith.extui %t : i1 to i32
          %r = arith.addi %s, %u : i32
          %ten = arith.constant 10 : i32
          %m = arith.muli %s, %ten : i32
          %out = arith.addi %m, %u : i32
          memref.store %out, %B[%v] : memref<3xi32>
        }
      }
      func.return
    }""")
    a = np.array([1, 2, 3], np.int32)
    for vectorize in (True, False):
        b = np.zeros(3, np.int32)
        tensor_interp.run(module, "main", [a, b], vectorize=vectorize)
        np.testing.assert_array_equal(b, [-9, 0, -9])  # low bit; extsi true = -1, extui = 1


# ============================================================================ if_then_else


def _pad(n: int = 8) -> tuple[te.Tensor, te.Tensor]:
    A = te.placeholder((n,), "float32", name="A")
    P = te.compute(
        (n + 2,), lambda i: te.if_then_else(te.all(i >= 1, i < n + 1), A[i - 1], 0.0), name="P"
    )
    return A, P


PAD_IR = """\
builtin.module {
  func.func @main(%A: memref<8xf32>, %P: memref<10xf32>) attributes {tensor.num_inputs = 1 : i64} {
    loops.for %i = 0 to 10 {
      tensor.block "P"(%v_i = spatial(10, %i)) reads(%A[0 : 8]) writes(%P[%v_i]) {
        %0 = arith.constant 1 : index
        %1 = arith.cmpi sge, %v_i, %0 : index
        %2 = arith.constant 9 : index
        %3 = arith.cmpi slt, %v_i, %2 : index
        %4 = arith.andi %1, %3 : i1
        %5 = scf.if %4 -> (f32) {
          %6 = arith.subi %v_i, %0 : index
          %7 = memref.load %A[%6] : memref<8xf32>
          scf.yield %7 : f32
        } else {
          %8 = arith.constant 0.000000e+00 : f32
          scf.yield %8 : f32
        }
        memref.store %5, %P[%v_i] : memref<10xf32>
      }
    }
    func.return
  }
}"""


def test_if_then_else_guarded_load_is_scf_if() -> None:
    """Only the taken branch runs; the read region covers the guarded load (widened to the
    whole buffer where `i - 1` would leave it) and the IR verifies and round-trips."""
    module = te.create_prim_func(list(_pad()))
    module.verify()
    assert str(module) == PAD_IR
    assert str(parse(PAD_IR)) == PAD_IR


def test_if_then_else_guarded_load_numerics() -> None:
    module = te.create_prim_func(list(_pad()))
    a = np.arange(1, 9, dtype=np.float32)
    for (p,) in _run_everywhere(module, [a]):
        np.testing.assert_array_equal(p, np.pad(a, 1))


def test_if_then_else_nested_guards_2d() -> None:
    """An inner guard alone does not make a load safe: the outer one becomes scf.if too."""
    A = te.placeholder((4, 5), "float32", name="A")
    P = te.compute(
        (6, 7),
        lambda i, j: te.if_then_else(
            i >= 1,
            te.if_then_else(te.all(j >= 1, j < 6, i < 5), A[i - 1, j - 1] * 2.0, -1.0),
            -2.0,
        ),
        name="P",
    )
    module = te.create_prim_func([A, P])
    module.verify()
    assert len(_ops(module, scf.IfOp)) == 2 and not _ops(module, arith.SelectOp)
    a = np.arange(20, dtype=np.float32).reshape(4, 5)
    want = np.full((6, 7), -1.0, np.float32)
    want[0, :] = -2.0
    want[1:5, 1:6] = a * 2.0
    for (p,) in _run_everywhere(module, [a]):
        np.testing.assert_array_equal(p, want)


def test_if_then_else_in_bounds_loads_stay_select() -> None:
    """Loads provably inside their tensor (clamped indices too) keep arith.select."""
    A = te.placeholder((8,), "float32", name="A")
    B = te.placeholder((8,), "float32", name="B")
    S = te.compute((8,), lambda i: te.if_then_else(i < 4, A[i], B[7 - i]), name="S")
    clamped = lambda i: te.min(te.max(i - 1, 0), 7)
    C = te.compute(
        (10,), lambda i: te.if_then_else(te.all(i >= 1, i < 9), A[clamped(i)], 0.0), name="C"
    )
    module = te.create_prim_func([A, B, S, C])
    module.verify()
    assert len(_ops(module, arith.SelectOp)) == 2 and not _ops(module, scf.IfOp)
    a = np.arange(8, dtype=np.float32)
    b = -np.arange(8, dtype=np.float32)
    for s, c in _run_everywhere(module, [a, b]):
        np.testing.assert_array_equal(s, np.where(np.arange(8) < 4, a, b[::-1]))
        np.testing.assert_array_equal(c, np.pad(a, 1))


def test_if_then_else_guarded_vectorized_loop_compiles() -> None:
    """A vectorized loop around an scf.if body stays scalar in codegen, and stays correct."""
    A = te.placeholder((3, 16), "float32", name="A")
    P = te.compute(
        (3, 18),
        lambda i, j: te.if_then_else(te.all(j >= 1, j < 17), A[i, j - 1], 0.0),
        name="P",
    )
    sch = Schedule(te.create_prim_func([A, P]))
    sch.vectorize(sch.get_loops(sch.get_block("P"))[-1])
    a = np.random.default_rng(0).standard_normal((3, 16)).astype(np.float32)
    for (p,) in _run_everywhere(sch.mod, [a]):
        np.testing.assert_array_equal(p, np.pad(a, ((0, 0), (1, 1))))


def test_compute_inline_guarded_pad() -> None:
    """The guarded pad inlines into its consumer: its scf.if is cloned at each load."""
    A, P = _pad()
    C = te.compute((8,), lambda i: P[i] + P[i + 2], name="C")
    original = te.create_prim_func([A, C])
    sch = Schedule(original)
    sch.compute_inline(sch.get_block("P"))
    sch.mod.verify()
    assert len(_ops(sch.mod, scf.IfOp)) == 2 and not _ops(sch.mod, memref.StoreOp)[:-1]
    assert_replays(original, sch)
    a = np.arange(1, 9, dtype=np.float32)
    padded = np.pad(a, 1)
    for (c,) in _run_everywhere(sch.mod, [a]):
        np.testing.assert_array_equal(c, padded[:8] + padded[2:])


def test_reverse_compute_inline_fail_load_in_branch() -> None:
    A = te.placeholder((8,), "float32", name="A")
    B = te.compute((8,), lambda i: A[i] * 2.0, name="B")
    C = te.compute((8,), lambda i: te.if_then_else(i >= 1, B[i - 1], 0.0), name="C")
    sch = Schedule(te.create_prim_func([A, C]))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch, InlineBodyError, lambda: sch.reverse_compute_inline(target), "scf.if"
    )


# ============================================================================ shared subexpressions


def test_repeated_subexpressions_are_computed_once() -> None:
    A = te.placeholder((8,), "float32", name="A")
    B = te.placeholder((8,), "float32", name="B")

    def fcompute(i: te.IterVar) -> te.Expr:
        x = A[i] + B[i]  # rebuilt on each use below: equal by structure, not identity
        sig = lambda: 1.0 / (1.0 + te.exp(0.0 - (A[i] + B[i])))
        return x * sig() + sig() * sig()

    S = te.compute((8,), fcompute, name="S")
    module = te.create_prim_func([A, B, S])
    module.verify()
    assert len(_ops(module, mathd.ExpOp)) == 1
    assert len(_ops(module, memref.LoadOp)) == 2
    assert len(_ops(module, arith.AddfOp)) == 3  # A+B, 1+exp, the final sum
    a = np.linspace(-2, 2, 8, dtype=np.float32)
    b = np.linspace(1, -1, 8, dtype=np.float32)
    x = a + b
    sig = np.float32(1.0) / (np.float32(1.0) + np.exp(np.float32(0.0) - x))
    for (s,) in _run_everywhere(module, [a, b]):  # native exp is a polynomial: not bit-exact
        np.testing.assert_allclose(s, x * sig + sig * sig, rtol=1e-6)


def test_shared_values_respect_branches_and_init() -> None:
    """A value first computed inside an scf.if branch or the init part is not reused outside."""
    A = te.placeholder((8,), "float32", name="A")
    G = te.compute(
        (9,), lambda i: te.if_then_else(i >= 1, A[i - 1] * 3.0, 1.0) + A[te.min(i, 7)] * 3.0,
        name="G",
    )
    k = te.reduce_axis((0, 8), name="k")
    R = te.compute((1,), lambda i: te.sum(A[k] * 3.0, axis=k, init=A[0] * 3.0), name="R")
    module = te.create_prim_func([A, G, R])
    module.verify()
    a = np.arange(8, dtype=np.float32)
    guarded = np.concatenate([[1.0], a * 3.0]).astype(np.float32)
    for g, r in _run_everywhere(module, [a]):
        np.testing.assert_array_equal(g, guarded + a[np.minimum(np.arange(9), 7)] * 3.0)
        np.testing.assert_array_equal(r, [a[0] * 3.0 + np.sum(a * 3.0, dtype=np.float32)])


@T.prim_func
def _restores(A: T.Buffer((4,), "float32"), B: T.Buffer((4,), "float32")) -> None:
    for i in range(4):
        with T.block("B"):
            vi = T.axis.spatial(4, i)
            B[vi] = A[vi]
            B[vi] = B[vi] * T.float32(2)
            B[vi] = B[vi] * T.float32(2)


def test_shared_loads_are_reloaded_after_a_store() -> None:
    """TVMScript blocks store several times: equal loads after a store are loaded again."""
    module = _restores
    assert len(_ops(module, arith.MulfOp)) == 2
    a = np.arange(4, dtype=np.float32)
    b = np.zeros(4, np.float32)
    tensor_interp.run(module, "_restores", [a, b])
    np.testing.assert_array_equal(b, a * 4)


# ============================================================================ max/min and NaN


@pytest.mark.parametrize("combiner", ["max", "min"])
def test_float_max_min_propagate_nan(combiner: str) -> None:
    """te.max/te.min are maximumf/minimumf: NaN wins, as numpy.maximum/minimum and the graph
    interpreter. (Signed zeros are not compared: maximumf orders -0.0 < 0.0, numpy and the
    interpreters return either.)"""
    fn = getattr(te, combiner)
    A = te.placeholder((5,), "float32", name="A")
    B = te.placeholder((5,), "float32", name="B")
    C = te.compute((5,), lambda i: fn(A[i], B[i]), name="C")
    module = te.create_prim_func([A, B, C])
    op = arith.MaximumfOp if combiner == "max" else arith.MinimumfOp
    assert len(_ops(module, op)) == 1
    a = np.array([np.nan, 1.0, 2.0, -0.0, 0.0], np.float32)
    b = np.array([1.0, np.nan, 3.0, 0.0, -0.0], np.float32)
    want = (np.maximum if combiner == "max" else np.minimum)(a, b)
    for (c,) in _run_everywhere(module, [a, b]):
        np.testing.assert_array_equal(c, want)
