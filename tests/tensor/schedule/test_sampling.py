"""sample_perfect_tile / sample_categorical: seeded, recorded, replayed; the course's
episode 4 stochastic schedule."""

from __future__ import annotations

import importlib.util

import pytest

from dialects.tensor.schedule import Schedule, Trace
from dialects.tensor.schedule.errors import (
    CategoricalDistributionError,
    InvalidDecisionError,
    NonStaticExtentError,
    SampleTileCountError,
)
from tests.tensor.schedule.common import assert_same_numerics, parse
from tests.tensor.schedule.replay import EMPTY_LOOP, assert_fails_unchanged, assert_replays, matmul

HAS_DECOMPOSE = importlib.util.find_spec("dialects.tensor.schedule.reduction") is not None


def test_sample_perfect_tile_space_of_the_course() -> None:
    """For 128 with max_innermost_factor=16 the decisions are the course's five."""
    mod = matmul(128)
    seen = set()
    for seed in range(60):
        sch = Schedule(mod, seed=seed)
        _, j, _ = sch.get_loops(sch.get_block("C"))
        seen.add(tuple(sch.get(v) for v in sch.sample_perfect_tile(j, n=2)))
    assert seen == {(128, 1), (64, 2), (32, 4), (16, 8), (8, 16)}


def test_sample_perfect_tile_product_and_bound() -> None:
    mod = matmul(48)
    for seed in range(20):
        sch = Schedule(mod, seed=seed)
        i, _, _ = sch.get_loops(sch.get_block("C"))
        values = [sch.get(v) for v in sch.sample_perfect_tile(i, n=4, max_innermost_factor=4)]
        assert len(values) == 4 and values[-1] <= 4
        assert values[0] * values[1] * values[2] * values[3] == 48


def test_sampling_is_seeded_and_recorded() -> None:
    mod = matmul(64)

    def sample(seed: int) -> tuple[list[int], int]:
        sch = Schedule(mod, seed=seed)
        i, _, _ = sch.get_loops(sch.get_block("C"))
        tile = [sch.get(v) for v in sch.sample_perfect_tile(i, n=3)]
        cat = sch.get(sch.sample_categorical([1, 2, 3], [0.2, 0.3, 0.5]))
        inst = sch.trace.insts[-1]
        assert inst.decision == [1, 2, 3].index(cat)
        assert sch.trace.insts[-2].decision == tile
        return tile, cat

    assert sample(7) == sample(7)
    assert len({str(sample(s)) for s in range(10)}) > 1


def test_sample_perfect_tile_given_decision() -> None:
    mod = matmul(16)
    sch = Schedule(mod, seed=0)
    _, j, _ = sch.get_loops(sch.get_block("C"))
    factors = sch.sample_perfect_tile(j, n=2, decision=[2, 8])
    assert [sch.get(v) for v in factors] == [2, 8]
    assert "decision=[2, 8]" in str(sch.trace)


def test_course_episode4_stochastic_schedule() -> None:
    """mlc-en chapter_auto_program_optimization: stochastic_schedule_mm, replayed by trace."""

    def stochastic_schedule_mm(sch: Schedule) -> Schedule:
        block_c = sch.get_block("C", "main")
        i, j, k = sch.get_loops(block=block_c)
        i_factors = sch.sample_perfect_tile(loop=i, n=2)
        j_factors = sch.sample_perfect_tile(loop=j, n=2)
        i_0, i_1 = sch.split(loop=i, factors=i_factors)
        j_0, j_1 = sch.split(loop=j, factors=j_factors)
        sch.reorder(i_0, j_0, k, i_1, j_1)
        if HAS_DECOMPOSE:
            sch.decompose_reduction(block_c, k)
        return sch

    mod = matmul(32)
    texts = set()
    for seed in range(4):
        sch = stochastic_schedule_mm(Schedule(mod, seed=seed))
        texts.add(str(sch.mod))
        assert_same_numerics(mod, sch.mod)
        assert_replays(mod, sch)
        replayed = Schedule(mod, seed=seed + 100)  # another seed: decisions come from the trace
        Trace.parse(str(sch.trace)).apply_to_schedule(replayed)
        assert str(replayed.mod) == str(sch.mod)
    assert len(texts) > 1


def test_replay_with_fresh_decisions() -> None:
    mod = matmul(32)
    sch = Schedule(mod, seed=3)
    _, j, _ = sch.get_loops(sch.get_block("C"))
    sch.split(j, sch.sample_perfect_tile(j, n=2))
    other = Schedule(mod, seed=4)
    sch.trace.apply_to_schedule(other, decision_provider=lambda inst, d: [32, 1])
    assert "loops.for %j0 = 0 to 32" in str(other.mod)
    mutated = sch.trace.with_decision(2, [1, 32])  # 0 get_block, 1 get_loops, 2 sample
    again = Schedule(mod)
    mutated.apply_to_schedule(again)
    assert "loops.for %j1 = 0 to 32" in str(again.mod)


@pytest.mark.parametrize("n", [0, -1])
def test_sample_perfect_tile_fail_n_below_one(n: int) -> None:
    sch = Schedule(matmul(8))
    i, _, _ = sch.get_loops(sch.get_block("C"))
    assert_fails_unchanged(sch, SampleTileCountError, lambda: sch.sample_perfect_tile(i, n=n))


def test_sample_perfect_tile_fail_bad_decision() -> None:
    sch = Schedule(matmul(8))
    i, _, _ = sch.get_loops(sch.get_block("C"))
    assert_fails_unchanged(
        sch,
        InvalidDecisionError,
        lambda: sch.sample_perfect_tile(i, 2, decision=[3, 3]),
        "product 9",
    )
    assert_fails_unchanged(
        sch, InvalidDecisionError, lambda: sch.sample_perfect_tile(i, 2, decision=[8])
    )


def test_sample_categorical_fail_distribution() -> None:
    sch = Schedule(matmul(8))
    assert_fails_unchanged(
        sch, CategoricalDistributionError, lambda: sch.sample_categorical([1, 2], [1.0])
    )
    assert_fails_unchanged(
        sch, CategoricalDistributionError, lambda: sch.sample_categorical([1, 2], [0.0, -1.0])
    )
    assert_fails_unchanged(
        sch, InvalidDecisionError, lambda: sch.sample_categorical([1, 2], [0.5, 0.5], decision=2)
    )


def test_sample_perfect_tile_fail_non_static_extent() -> None:
    sch = Schedule(parse(EMPTY_LOOP))
    (i,) = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(
        sch, NonStaticExtentError, lambda: sch.sample_perfect_tile(i, n=2), "not a static"
    )
