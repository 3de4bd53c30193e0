"""reorder: permute loops of one perfect nest; legality (chain, blocks between, duplicates)."""

from __future__ import annotations

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.errors import (
    ReorderAcrossBlockError,
    ReorderDuplicateLoopError,
    ReorderNotInChainError,
)
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import (
    ROW_SUM,
    TWO_NESTS,
    assert_fails_unchanged,
    assert_replays,
)


def test_reorder_course_mm_relu() -> None:
    """Episode 2: split j by 4, then reorder(j0, k, j1) gives i, j0, k, j1."""
    mod = mm_relu(32)
    sch = Schedule(mod)
    block_y = sch.get_block("Y", func_name="main")
    i, j, k = sch.get_loops(block_y)
    j0, j1 = sch.split(j, factors=[None, 4])
    sch.reorder(j0, k, j1)
    assert [sch.get(lp) for lp in sch.get_loops(block_y)] == [sch.get(x) for x in (i, j0, k, j1)]
    text = str(sch.mod)
    assert (
        "loops.for %i = 0 to 32 {\n      loops.for %j0 = 0 to 8 {\n        loops.for %k = 0 to 32 {\n"
        "          loops.for %j1 = 0 to 4 {\n" in text
    )
    assert "%v_j = spatial(32, %j0 * 4 + %j1)" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_reorder_non_consecutive_loops_keeps_others_in_place() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    block_y = sch.get_block("Y")
    i, _j, k = sch.get_loops(block_y)
    sch.reorder(k, i)  # positions of i and k swap, j stays in the middle
    names = [sch.get(lp).iv.name_hint for lp in sch.get_loops(block_y)]
    assert names == ["k", "j", "i"]
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_reorder_same_order_is_identity() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    i, j, k = sch.get_loops(sch.get_block("Y"))
    sch.reorder(i, j, k)
    assert str(sch.mod) == str(Schedule(mod).mod)


def test_reorder_fail_duplicate_loops() -> None:
    sch = Schedule(mm_relu(8))
    i, j, _ = sch.get_loops(sch.get_block("Y"))
    assert_fails_unchanged(sch, ReorderDuplicateLoopError, lambda: sch.reorder(i, j, i))


def test_reorder_fail_not_in_one_chain() -> None:
    sch = Schedule(mm_relu(8))
    i, _, _ = sch.get_loops(sch.get_block("Y"))
    _, jc = sch.get_loops(sch.get_block("C"))
    assert_fails_unchanged(
        sch, ReorderNotInChainError, lambda: sch.reorder(jc, i), "neither contains the other"
    )


def test_reorder_fail_across_block() -> None:
    """Moving %j outside %i would run block "S_init" inside %j's iterations."""
    sch = Schedule(parse(ROW_SUM))
    i, j = sch.get_loops(sch.get_block("S_update"))
    assert_fails_unchanged(
        sch, ReorderAcrossBlockError, lambda: sch.reorder(j, i), 'block "S_init"'
    )


def test_reorder_fail_sibling_loop_between() -> None:
    sch = Schedule(parse(TWO_NESTS))
    i, j = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, ReorderAcrossBlockError, lambda: sch.reorder(j, i), "loop %j2")
