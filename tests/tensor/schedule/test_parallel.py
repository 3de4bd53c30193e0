"""parallel: spatial loops only, no nested parallelism."""

from __future__ import annotations

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.errors import NestedParallelError, ReduceLoopParallelError
from tests.tensor.schedule.common import assert_same_numerics, mm_relu
from tests.tensor.schedule.replay import assert_fails_unchanged, assert_replays, elementwise


def test_parallel_spatial_loop() -> None:
    mod = mm_relu(8)
    sch = Schedule(mod)
    i, _, _ = sch.get_loops(sch.get_block("Y"))
    sch.parallel(i)
    assert "loops.for %i = 0 to 8 parallel {" in str(sch.mod)
    assert sch.get(i).kind_name == "parallel"
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_parallel_fused_loop() -> None:
    mod = elementwise(4, 6)
    sch = Schedule(mod)
    fused = sch.fuse(*sch.get_loops(sch.get_block("B")))
    sch.parallel(fused)
    assert "loops.for %i_j_fused = 0 to 24 parallel {" in str(sch.mod)
    assert_replays(mod, sch)


def test_parallel_fail_reduce_loop() -> None:
    sch = Schedule(mm_relu(8))
    _, _, k = sch.get_loops(sch.get_block("Y"))
    err = assert_fails_unchanged(
        sch, ReduceLoopParallelError, lambda: sch.parallel(k), "binds reduce iterator %v_k"
    )
    assert 'block "Y"' in err.message
    assert "no parallel reduce loop" in err.detailed_message()


def test_parallel_fail_fused_reduce_loop() -> None:
    """A loop that binds a reduce iterator through an expression is a reduce loop too."""
    sch = Schedule(mm_relu(8))
    _, j, k = sch.get_loops(sch.get_block("Y"))
    fused = sch.fuse(j, k)
    assert_fails_unchanged(sch, ReduceLoopParallelError, lambda: sch.parallel(fused))


def test_parallel_fail_nested_parallel() -> None:
    sch = Schedule(mm_relu(8))
    i, j, _ = sch.get_loops(sch.get_block("Y"))
    sch.parallel(i)
    assert_fails_unchanged(sch, NestedParallelError, lambda: sch.parallel(j), "inside parallel")
    sch2 = Schedule(mm_relu(8))
    i, j, _ = sch2.get_loops(sch2.get_block("Y"))
    sch2.parallel(j)
    assert_fails_unchanged(sch2, NestedParallelError, lambda: sch2.parallel(i), "contains")
