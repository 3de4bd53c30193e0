"""tensorize: replace a block's computation by a registered tensor intrinsic."""

from __future__ import annotations

import pytest

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.blockize import (
    INTRIN_ANNOTATION,
    IntrinDefinitionError,
    IntrinNotFoundError,
    TensorizeAccessMismatchError,
    TensorizeBodyMismatchError,
    TensorizeBufferMismatchError,
    TensorizeIteratorMismatchError,
    TensorizeLoopMismatchError,
    TensorizeTargetError,
    tensorize,
)
from dialects.tensor.schedule.errors import RVTypeError
from dialects.tensor.schedule.intrinsics import (
    MATMUL_ACC_4X4X4_F32,
    VEC_MAC_1X16_F32,
    get_intrin,
    register_intrin,
    registered_intrins,
)
from mlc_dialects import te
from mlc_dialects.script import tir as T
from tests.tensor.schedule.common import assert_same_numerics, parse
from tests.tensor.schedule.replay import assert_fails_unchanged, assert_replays, matmul


def matmul_of(n: int = 16, dtype: str = "float32", body: str = "mul", b_transposed=False):
    a = te.placeholder((n, n), dtype, name="A")
    b = te.placeholder((n, n), dtype, name="B")
    k = te.reduce_axis((0, n), name="k")

    def value(i, j):
        bv = b[j, k] if b_transposed else b[k, j]
        return a[i, k] * bv if body == "mul" else a[i, k] - bv

    c = te.compute((n, n), lambda i, j: te.sum(value(i, j), axis=k), name="C")
    return te.create_prim_func([a, b, c])


def tiled(mod, tile: int = 4, order: str = "ijk"):
    """Split i, j, k by `tile`; outer loops i0, j0, k0 then the inner ones in `order`."""
    sch = Schedule(mod)
    block = sch.get_block("C")
    i, j, k = sch.get_loops(block)
    i0, i1 = sch.split(i, [None, tile])
    j0, j1 = sch.split(j, [None, tile])
    k0, k1 = sch.split(k, [None, tile])
    inner = {"i": i1, "j": j1, "k": k1}
    sch.reorder(i0, j0, k0, *(inner[c] for c in order))
    return sch, inner[order[0]]


def test_tensorize_matmul_4x4x4() -> None:
    """Blockize at i1 and tensorize with the 4x4x4 matmul: the init stays (C_init), the body
    is the implementation with indices rebased by the tile starts."""
    mod = matmul(16)
    sch, i1 = tiled(mod)
    sch.tensorize(i1, MATMUL_ACC_4X4X4_F32)
    text = str(sch.mod)
    assert (
        'tensor.block "C_o"(%v_i_o = spatial(4, %i0), %v_j_o = spatial(4, %j0), '
        "%v_k_o = reduce(4, %k0)) reads(%A[%v_i_o * 4 : %v_i_o * 4 + 4, %v_k_o * 4 : "
        "%v_k_o * 4 + 4], %B[%v_k_o * 4 : %v_k_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) "
        "writes(%C[%v_i_o * 4 : %v_i_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) annotations "
        '{tensor_intrin = "mlc.matmul_acc_4x4x4_f32"} {'
    ) in text
    assert 'tensor.block "C_init"' in text
    assert "loops.for %j = 0 to 4 vectorized {" in text
    assert "%a = memref.load %A[%" in text
    assert text.count("tensor.block") == 2  # C_o and C_init: the inner block is replaced
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_tensorize_block_after_blockize() -> None:
    """tensorize on the block returned by blockize gives the same program as on the loop."""
    mod = matmul(8)
    sch, i1 = tiled(mod)
    outer = sch.blockize(i1)
    sch.tensorize(outer, MATMUL_ACC_4X4X4_F32)
    other, other_i1 = tiled(mod)
    other.tensorize(other_i1, MATMUL_ACC_4X4X4_F32)
    assert str(sch.mod) == str(other.mod)
    assert sch.get(outer).annotations.data[INTRIN_ANNOTATION].data == MATMUL_ACC_4X4X4_F32
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_tensorize_vec_mac_1x16() -> None:
    """`c[0:16] += a[0] * b[0:16]` on a j tile of 16 under k: tiles of A are 1x1 and of B and C
    1x16 (a leading unit dimension more than the description's buffers)."""
    mod = matmul(8, m=32, k=4)
    sch = Schedule(mod)
    i, j, k = sch.get_loops(sch.get_block("C"))
    j0, j1 = sch.split(j, [None, 16])
    sch.reorder(i, j0, k, j1)
    sch.tensorize(j1, VEC_MAC_1X16_F32)
    text = str(sch.mod)
    assert (
        'tensor.block "C_o"(%v_i_o = spatial(8, %i), %v_j_o = spatial(2, %j0), '
        "%v_k_o = reduce(4, %k)) reads(%A[%v_i_o, %v_k_o], %B[%v_k_o, %v_j_o * 16 : "
        "%v_j_o * 16 + 16]) writes(%C[%v_i_o, %v_j_o * 16 : %v_j_o * 16 + 16]) annotations "
        '{tensor_intrin = "mlc.vec_mac_1x16_f32"}'
    ) in text
    assert "loops.for %j = 0 to 16 vectorized {" in text
    assert "memref.load %B[%v_k_o, %" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def row_sum(rows: int = 4, cols: int = 16):
    a = te.placeholder((rows, cols), "float32", name="A")
    k = te.reduce_axis((0, cols), name="k")
    s = te.compute((rows,), lambda i: te.sum(a[i, k], axis=k), name="S")
    return te.create_prim_func([a, s])


@T.prim_func
def sum4_desc(a: T.Buffer((4,), "float32"), c: T.Buffer((1,), "float32")):
    for k in range(4):
        with T.block("sum"):
            vk = T.axis.reduce(4, k)
            T.reads(c[0], a[vk])
            T.writes(c[0])
            c[0] = c[0] + a[vk]


@T.prim_func
def sum4_impl(a: T.Buffer((4,), "float32"), c: T.Buffer((1,), "float32")):
    for k in T.unroll(4):
        with T.block("sum"):
            vk = T.axis.reduce(4, k)
            T.reads(c[0], a[vk])
            T.writes(c[0])
            c[0] = c[0] + a[vk]


def test_tensorize_custom_intrin_from_prim_func() -> None:
    """An intrinsic written with @T.prim_func (description and an unrolled implementation,
    whose block is inlined) tensorizes a row sum's inner k loop."""
    register_intrin("test.sum4", sum4_desc, sum4_impl, override=True)
    assert "test.sum4" in registered_intrins()
    mod = row_sum()
    sch = Schedule(mod)
    _, k = sch.get_loops(sch.get_block("S"))
    _, k1 = sch.split(k, [None, 4])
    sch.tensorize(k1, "test.sum4")
    text = str(sch.mod)
    assert "loops.for %k = 0 to 4 unrolled {" in text
    assert 'annotations {tensor_intrin = "test.sum4"}' in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


# --------------------------------------------------------------------------- failures


def test_tensorize_fail_not_block_or_loop() -> None:
    sch = Schedule(matmul(8))
    v = sch.sample_categorical([1, 2], [0.5, 0.5])
    with pytest.raises(RVTypeError):
        sch.tensorize(v, MATMUL_ACC_4X4X4_F32)  # type: ignore[arg-type]
    with pytest.raises(TensorizeTargetError, match="a block or a loop"):
        tensorize("C", MATMUL_ACC_4X4X4_F32)  # type: ignore[arg-type]


def test_tensorize_fail_not_a_single_computation() -> None:
    """A block without an inner loop nest and block (a plain block) cannot be matched."""
    sch = Schedule(matmul(8))
    block = sch.get_block("C")
    assert_fails_unchanged(
        sch,
        TensorizeTargetError,
        lambda: sch.tensorize(block, MATMUL_ACC_4X4X4_F32),
        "not a perfect loop nest",
    )


def test_tensorize_fail_unknown_intrin() -> None:
    sch, i1 = tiled(matmul(8))
    assert_fails_unchanged(
        sch, IntrinNotFoundError, lambda: sch.tensorize(i1, "no.such_intrin"), "no tensor"
    )


def test_tensorize_fail_loop_mismatch() -> None:
    sch, i1 = tiled(matmul(16), tile=8)
    assert_fails_unchanged(
        sch,
        TensorizeLoopMismatchError,
        lambda: sch.tensorize(i1, MATMUL_ACC_4X4X4_F32),
        r"extents \[8, 8, 8\] in the block, \[4, 4, 4\]",
    )


def test_tensorize_fail_iterator_mismatch() -> None:
    """Inner loops i1, k1, j1: iterator v_j is bound to the third loop, not the second."""
    sch, i1 = tiled(matmul(8), order="ikj")
    assert_fails_unchanged(
        sch,
        TensorizeIteratorMismatchError,
        lambda: sch.tensorize(i1, MATMUL_ACC_4X4X4_F32),
        "bound differently",
    )


def test_tensorize_fail_access_mismatch() -> None:
    """C += A * B^T: the load of B indexes its tile transposed."""
    sch, i1 = tiled(matmul_of(8, b_transposed=True))
    assert_fails_unchanged(
        sch,
        TensorizeAccessMismatchError,
        lambda: sch.tensorize(i1, MATMUL_ACC_4X4X4_F32),
        "load from %B",
    )


def test_tensorize_fail_body_mismatch() -> None:
    """C += A - B: arith.subf where the description multiplies."""
    sch, i1 = tiled(matmul_of(8, body="sub"))
    assert_fails_unchanged(
        sch,
        TensorizeBodyMismatchError,
        lambda: sch.tensorize(i1, MATMUL_ACC_4X4X4_F32),
        "'arith.subf'.*'arith.mulf'",
    )


def test_tensorize_fail_buffer_mismatch() -> None:
    """f64 buffers against an f32 intrinsic."""
    sch, i1 = tiled(matmul_of(8, dtype="float64"))
    assert_fails_unchanged(
        sch,
        TensorizeBufferMismatchError,
        lambda: sch.tensorize(i1, MATMUL_ACC_4X4X4_F32),
        "element type f64",
    )


def test_tensorize_fail_intrin_with_init() -> None:
    """A description with a tensor.init (te's matmul) is rejected at registration."""
    with pytest.raises(IntrinDefinitionError, match="init"):
        register_intrin("test.bad", matmul(4), matmul(4))
    with pytest.raises(IntrinNotFoundError):
        get_intrin("test.bad")


def test_tensorize_fail_intrin_signature() -> None:
    with pytest.raises(IntrinDefinitionError, match="takes"):
        impl = get_intrin(MATMUL_ACC_4X4X4_F32).implementation_function
        register_intrin("test.bad_sig", sum4_desc, impl)


def test_tensorize_fail_intrin_registered_twice() -> None:
    with pytest.raises(IntrinDefinitionError, match="already registered"):
        register_intrin(MATMUL_ACC_4X4X4_F32, sum4_desc, sum4_impl)


def test_tensorized_program_parses() -> None:
    sch, i1 = tiled(matmul(8))
    sch.tensorize(i1, MATMUL_ACC_4X4X4_F32)
    assert str(parse(str(sch.mod))) == str(sch.mod)
