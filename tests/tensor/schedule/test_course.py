"""The MLC course's episode 2 schedules, as written for tvm.tir.Schedule, on our Schedule."""

from __future__ import annotations

from dialects.tensor.schedule import Schedule
from mlc_dialects import te
from tests.tensor.schedule.common import assert_same_numerics, mm_relu
from tests.tensor.schedule.replay import assert_replays


def test_course_mm_relu_transform() -> None:
    """chapter_tensor_program/case_study: split, reorder, reverse_compute_at, decompose."""
    mod = mm_relu(32)
    sch = Schedule(mod)
    block_Y = sch.get_block("Y", func_name="main")
    _i, j, k = sch.get_loops(block_Y)
    j0, j1 = sch.split(j, factors=[None, 4])
    sch.reorder(j0, k, j1)
    block_C = sch.get_block("C", "main")
    sch.reverse_compute_at(block_C, j0)
    block_Y_init = sch.decompose_reduction(block_Y, k)
    assert sch.get(block_Y_init).label == "Y_init"
    assert [sch.get(lp).extent for lp in sch.get_loops(block_C)] == [32, 8, 4]
    assert [sch.get(lp).extent for lp in sch.get_loops(block_Y_init)] == [32, 8, 4]
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_course_bmm_relu_exercise() -> None:
    """tensorir_exercises bmm_relu, scaled down: the primitive order the course uses."""
    a = te.placeholder((2, 32, 32), "float32", name="A")
    b = te.placeholder((2, 32, 32), "float32", name="B")
    r = te.reduce_axis((0, 32), name="k")
    y = te.compute((2, 32, 32), lambda n, i, j: te.sum(a[n, i, r] * b[n, r, j], axis=r), name="Y")
    c = te.compute((2, 32, 32), lambda n, i, j: te.max(y[n, i, j], 0.0), name="C")
    mod = te.create_prim_func([a, b, c])

    sch = Schedule(mod)
    block_Y = sch.get_block("Y", func_name="main")
    n, i, j, k = sch.get_loops(block_Y)
    j0, j1 = sch.split(j, factors=[4, 8])
    k0, k1 = sch.split(k, factors=[8, 4])
    sch.reorder(n, i, j0, k0, k1, j1)
    block_C = sch.get_block("C", "main")
    sch.reverse_compute_at(block_C, j0)
    sch.parallel(n)
    sch.unroll(k1)
    sch.vectorize(sch.get_loops(block_C)[-1])
    block_Y_init = sch.decompose_reduction(block_Y, k0)
    sch.vectorize(sch.get_loops(block_Y_init)[-1])
    text = str(sch.mod)
    assert "parallel" in text and "unrolled" in text and text.count("vectorized") == 2
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)
