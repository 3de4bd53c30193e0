"""unroll: always legal, also on reduction loops."""

from __future__ import annotations

from dialects.tensor.schedule import Schedule
from tests.tensor.schedule.common import assert_same_numerics, mm_relu
from tests.tensor.schedule.replay import assert_replays


def test_unroll_reduction_and_outer_loops() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    i, _, k = sch.get_loops(sch.get_block("Y"))
    sch.unroll(k)
    sch.unroll(i)
    text = str(sch.mod)
    assert "loops.for %k = 0 to 8 unrolled {" in text
    assert "loops.for %i = 0 to 8 unrolled {" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_unroll_then_parallel_overrides_kind() -> None:
    sch = Schedule(mm_relu(8))
    i, _, _ = sch.get_loops(sch.get_block("Y"))
    sch.unroll(i)
    sch.parallel(i)
    assert sch.get(i).kind_name == "parallel"
