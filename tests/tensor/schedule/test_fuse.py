"""fuse: consecutive perfectly nested loops become one; legality."""

from __future__ import annotations

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.errors import (
    ErasedRVError,
    FuseNotConsecutiveError,
    FuseNotPerfectNestError,
)
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import (
    TWO_NESTS,
    assert_fails_unchanged,
    assert_replays,
    elementwise,
)


def test_fuse_two_loops_exact_lines() -> None:
    mod = elementwise(4, 6)
    sch = Schedule(mod)
    i, j = sch.get_loops(sch.get_block("B"))
    fused = sch.fuse(i, j)
    text = str(sch.mod)
    assert "loops.for %i_j_fused = 0 to 24 {" in text
    assert (
        'tensor.block "B"(%v_i = spatial(4, %i_j_fused floordiv 6), '
        "%v_j = spatial(6, %i_j_fused mod 6))" in text
    )
    assert sch.get(fused).extent == 24
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_fuse_three_loops_of_reduction() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    i, j, k = sch.get_loops(sch.get_block("Y"))
    sch.fuse(i, j, k)
    text = str(sch.mod)
    assert "loops.for %i_j_k_fused = 0 to 512 {" in text
    assert "%v_j = spatial(8, %i_j_k_fused floordiv 8 mod 8)" in text
    assert "%v_k = reduce(8, %i_j_k_fused mod 8)" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_fuse_after_split_restores_extent() -> None:
    mod = elementwise(12, 6)
    sch = Schedule(mod)
    i, _ = sch.get_loops(sch.get_block("B"))
    i0, i1 = sch.split(i, [3, 4])
    sch.fuse(i0, i1)
    assert "loops.for %i0_i1_fused = 0 to 12 {" in str(sch.mod)
    assert_same_numerics(mod, sch.mod)
    assert_fails_unchanged(sch, ErasedRVError, lambda: sch.get(i0))


def test_fuse_fail_not_consecutive() -> None:
    sch = Schedule(mm_relu(8))
    i, _, k = sch.get_loops(sch.get_block("Y"))
    assert_fails_unchanged(
        sch, FuseNotConsecutiveError, lambda: sch.fuse(i, k), "not directly nested"
    )
    assert_fails_unchanged(sch, FuseNotConsecutiveError, lambda: sch.fuse(k, i))


def test_fuse_fail_not_perfectly_nested() -> None:
    sch = Schedule(parse(TWO_NESTS))
    i, j = sch.get_loops(sch.get_block("B"))
    err = assert_fails_unchanged(
        sch, FuseNotPerfectNestError, lambda: sch.fuse(i, j), "also contains 'loops.for'"
    )
    assert err.location_op is not None
