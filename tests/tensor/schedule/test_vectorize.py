"""vectorize: innermost spatial loop around one block, static extent."""

from __future__ import annotations

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.errors import (
    NonStaticExtentError,
    ReduceLoopParallelError,
    VectorizeNotInnermostError,
)
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import EMPTY_LOOP, assert_fails_unchanged, assert_replays


def test_vectorize_innermost_spatial_loop() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    _, j = sch.get_loops(sch.get_block("C"))
    _, j1 = sch.split(j, [None, 4])
    sch.vectorize(j1)
    assert "loops.for %j1 = 0 to 4 vectorized {" in str(sch.mod)
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_vectorize_after_reorder_of_reduction() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    _, j, k = sch.get_loops(sch.get_block("Y"))
    sch.reorder(k, j)
    sch.vectorize(j)
    assert "loops.for %j = 0 to 8 vectorized {" in str(sch.mod)
    assert_same_numerics(mod, sch.mod)


def test_vectorize_fail_reduce_loop() -> None:
    sch = Schedule(mm_relu(8))
    _, _, k = sch.get_loops(sch.get_block("Y"))
    assert_fails_unchanged(sch, ReduceLoopParallelError, lambda: sch.vectorize(k), "vectorize")


def test_vectorize_fail_not_innermost() -> None:
    sch = Schedule(mm_relu(8))
    i, _ = sch.get_loops(sch.get_block("C"))
    assert_fails_unchanged(
        sch, VectorizeNotInnermostError, lambda: sch.vectorize(i), "single block without loops"
    )


def test_vectorize_fail_non_static_extent() -> None:
    sch = Schedule(parse(EMPTY_LOOP))
    (i,) = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, NonStaticExtentError, lambda: sch.vectorize(i), "not a static")
