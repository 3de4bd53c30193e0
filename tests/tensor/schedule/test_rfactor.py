"""rfactor: factorize an associative reduction by one of its reduce loops."""

from __future__ import annotations

import numpy as np

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.reduction import (
    RFactorAxisError,
    RFactorBlockError,
    RFactorNotReductionLoopError,
    RFactorReducerError,
)
from mlc_dialects import te
from tests.tensor.schedule.common import mm_relu, parse, run_random
from tests.tensor.schedule.replay import ROW_SUM, assert_fails_unchanged, assert_replays


def row_reduce(kind: str = "sum"):
    a = te.placeholder((8, 32), "float32", name="A")
    k = te.reduce_axis((0, 32), name="k")
    reducer = {"sum": te.sum, "max": te.max}[kind]
    b = te.compute((8,), lambda i: reducer(a[i, k], axis=k), name="B")
    return te.create_prim_func([a, b])


def assert_close(before, after) -> None:
    """Same results up to float reassociation (rfactor changes the order of the sum)."""
    for e, a in zip(run_random(before), run_random(after), strict=True):
        np.testing.assert_allclose(a, e, rtol=1e-5, atol=1e-5)


def test_rfactor_row_sum_inner_loop() -> None:
    mod = row_reduce()
    sch = Schedule(mod)
    block = sch.get_block("B")
    _, k = sch.get_loops(block)
    _, k1 = sch.split(k, [None, 4])
    rf = sch.rfactor(k1, 0)
    text = str(sch.mod)
    assert "%B_rf = tensor.alloc_buffer : memref<4x8xf32>" in text
    assert (
        '"B_rf"(%v_i = spatial(8, %i), %v_k0 = reduce(8, %k0), %v_k1 = spatial(4, %k1)) '
        "reads(%A[%v_i, %v_k0 * 4 + %v_k1]) writes(%B_rf[%v_k1, %v_i])"
    ) in text
    assert "reads(%B_rf[%v_k1_1, %v_i_1]) writes(%B[%v_i_1])" in text
    assert sch.get(rf).label == "B_rf"
    assert sch.get(block).label == "B"  # the original handle follows the write-back block
    assert [sch.get(lp).extent for lp in sch.get_loops(block)] == [8, 4]
    assert_close(mod, sch.mod)
    assert_replays(mod, sch)


def test_rfactor_max_last_axis() -> None:
    """A max reduction (init -inf) factorized with the new dimension last: exact result."""
    mod = row_reduce("max")
    sch = Schedule(mod)
    _, k = sch.get_loops(sch.get_block("B"))
    k0, _ = sch.split(k, [4, None])
    sch.rfactor(k0, -1)
    assert "%B_rf = tensor.alloc_buffer : memref<8x4xf32>" in str(sch.mod)
    for e, a in zip(run_random(mod), run_random(sch.mod), strict=True):
        np.testing.assert_array_equal(a, e)
    assert_replays(mod, sch)


def test_rfactor_fail_spatial_loop() -> None:
    sch = Schedule(row_reduce())
    i, _ = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, RFactorNotReductionLoopError, lambda: sch.rfactor(i, 0))


def test_rfactor_fail_not_one_reduction_block() -> None:
    """After decompose_reduction the update block has no init."""
    sch = Schedule(parse(ROW_SUM))
    _, j = sch.get_loops(sch.get_block("S_update"))
    assert_fails_unchanged(sch, RFactorBlockError, lambda: sch.rfactor(j, 0))


def test_rfactor_fail_axis_out_of_range() -> None:
    sch = Schedule(row_reduce())
    _, k = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, RFactorAxisError, lambda: sch.rfactor(k, 2), "out of range")


def test_rfactor_fail_init_not_identity() -> None:
    text = str(row_reduce()).replace("arith.constant 0.000000e+00", "arith.constant 1.000000e+00")
    sch = Schedule(parse(text))
    _, k = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, RFactorReducerError, lambda: sch.rfactor(k, 0), "identity")


def test_rfactor_fail_not_a_reducer() -> None:
    """`B = B - A` is not associative: no reducer."""
    text = str(row_reduce()).replace("arith.addf", "arith.subf")
    sch = Schedule(parse(text))
    _, k = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, RFactorReducerError, lambda: sch.rfactor(k, 0), "reducer")


def test_rfactor_fail_loop_with_two_blocks() -> None:
    sch = Schedule(mm_relu(8))
    _, k_c = sch.get_loops(sch.get_block("C"))
    assert_fails_unchanged(sch, RFactorBlockError, lambda: sch.rfactor(k_c, 0))
