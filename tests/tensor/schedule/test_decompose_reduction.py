"""decompose_reduction: split a reduction's init into its own block before a loop."""

from __future__ import annotations

from pathlib import Path

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.reduction import (
    LoopNotAncestorError,
    NoInitError,
    ReduceLoopAboveError,
)
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import ROW_SUM, assert_fails_unchanged, assert_replays

INPUTS = Path(__file__).parent / "inputs"
MM_RELU = (INPUTS / "mm_relu_split_reorder.mlir").read_text()
GOLDEN = (Path(__file__).parent.parent / "inputs" / "mm_relu_scheduled.mlir").read_text()


def test_decompose_reduction_course_mm_relu() -> None:
    """Episode 2 in full (split, reorder, reverse_compute_at, decompose_reduction) from te
    gives exactly the course's final program."""
    mod = mm_relu()
    sch = Schedule(mod)
    block_y = sch.get_block("Y", func_name="main")
    _i, j, k = sch.get_loops(block_y)
    j0, j1 = sch.split(j, factors=[None, 4])
    sch.reorder(j0, k, j1)
    sch.reverse_compute_at(sch.get_block("C", func_name="main"), j0)
    init = sch.decompose_reduction(block_y, k)
    assert str(sch.mod) == str(parse(GOLDEN))
    assert sch.get(init).label == "Y_init"
    assert sch.get(block_y).label == "Y_update"  # the handle follows the update block
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_decompose_reduction_at_outermost_loop() -> None:
    """At %i the init gets copies of every spatial loop (i_init, j0_init, j1_init)."""
    mod = parse(MM_RELU)
    sch = Schedule(mod)
    block_y = sch.get_block("Y")
    i, _, _, _ = sch.get_loops(block_y)
    init = sch.decompose_reduction(block_y, i)
    names = [sch.get(lp).iv.name_hint for lp in sch.get_loops(init)]
    assert names == ["i_init", "j0_init", "j1_init"]
    assert "%v_j = spatial(128, %j0_init * 4 + %j1_init)) reads() writes(%Y[%v_i, %v_j])" in str(
        sch.mod
    )
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_decompose_reduction_fail_no_init() -> None:
    sch = Schedule(parse(ROW_SUM))
    block = sch.get_block("S_update")
    (_, j) = sch.get_loops(block)
    assert_fails_unchanged(
        sch, NoInitError, lambda: sch.decompose_reduction(block, j), "no tensor.init"
    )


def test_decompose_reduction_fail_loop_not_ancestor() -> None:
    sch = Schedule(parse(MM_RELU))
    block = sch.get_block("Y")
    ic, _ = sch.get_loops(sch.get_block("C"))
    assert_fails_unchanged(
        sch, LoopNotAncestorError, lambda: sch.decompose_reduction(block, ic), "not a loop"
    )


def test_decompose_reduction_fail_reduce_loop_above() -> None:
    """Decomposing at %j1, under the reduce loop %k, would re-initialize at every k."""
    sch = Schedule(parse(MM_RELU))
    block = sch.get_block("Y")
    _, _, _, j1 = sch.get_loops(block)
    assert_fails_unchanged(
        sch, ReduceLoopAboveError, lambda: sch.decompose_reduction(block, j1), "%k"
    )
