"""reverse_compute_at: move a consumer under a producer's loop, over what it produced there."""

from __future__ import annotations

from pathlib import Path

import pytest

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.compute_location import (
    NotAllRequiredBlocksUnderLoopError,
    NotCompleteOrReductionBlockError,
    NotInSameScopeError,
    reverse_compute_at,
)
from tests.tensor.schedule.common import assert_same_numerics, block, loops, parse
from tests.tensor.schedule.replay import ROW_SUM, assert_fails_unchanged, assert_replays

INPUTS = Path(__file__).parent / "inputs"
MM_RELU = (INPUTS / "mm_relu_split_reorder.mlir").read_text()

# C reads two buffers produced in separate nests.
TWO_PRODUCERS = """\
func.func @main(%A: memref<8xf32>, %C: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B1 = tensor.alloc_buffer : memref<8xf32>
  %B2 = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 8 {
    tensor.block "B1"(%v1 = spatial(8, %i)) reads(%A[%v1]) writes(%B1[%v1]) {
      %a = memref.load %A[%v1] : memref<8xf32>
      memref.store %a, %B1[%v1] : memref<8xf32>
    }
  }
  loops.for %i_1 = 0 to 8 {
    tensor.block "B2"(%v2 = spatial(8, %i_1)) reads(%A[%v2]) writes(%B2[%v2]) {
      %a = memref.load %A[%v2] : memref<8xf32>
      memref.store %a, %B2[%v2] : memref<8xf32>
    }
  }
  loops.for %i_2 = 0 to 8 {
    tensor.block "C"(%vc = spatial(8, %i_2)) reads(%B1[%vc], %B2[%vc]) writes(%C[%vc]) {
      %x = memref.load %B1[%vc] : memref<8xf32>
      %y = memref.load %B2[%vc] : memref<8xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %C[%vc] : memref<8xf32>
    }
  }
  func.return
}
"""


def test_reverse_compute_at_course_mm_relu() -> None:
    """Episode 2 step 3: C moves under j0 and covers the 4 columns of the j1 loop."""
    mod = parse(MM_RELU)
    sch = Schedule(mod)
    _, j0, _, _ = sch.get_loops(sch.get_block("Y"))
    sch.reverse_compute_at(sch.get_block("C"), j0)
    text = str(sch.mod)
    assert (
        "        }\n"
        "        loops.for %ax0 = 0 to 4 {\n"
        '          tensor.block "C"(%v_i_1 = spatial(128, %i), %v_j_1 = spatial(128, %j0 * 4 + %ax0))'
        " reads(%Y[%v_i_1, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {\n"
    ) in text
    assert "%i_1" not in text  # C's old loops are gone
    assert [sch.get(lp).iv.name_hint for lp in sch.get_loops(sch.get_block("C"))] == [
        "i", "j0", "ax0",
    ]  # fmt: skip
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_reverse_compute_at_direct_call_at_inner_loop() -> None:
    """Under %j1 (innermost), C covers one element per iteration: no new loop."""
    mod = parse(MM_RELU)
    before = mod.clone()
    consumer = block(mod, "C")
    reverse_compute_at(consumer, loops(mod, "Y")[3])
    mod.verify()
    assert block(mod, "C") is consumer
    assert '"C"(%v_i_1 = spatial(128, %i), %v_j_1 = spatial(128, %j0 * 4 + %j1))' in str(mod)
    assert_same_numerics(before, mod)


def test_reverse_compute_at_preserve_unit_loops() -> None:
    mod = parse(MM_RELU)
    sch = Schedule(mod)
    _, j0, _, _ = sch.get_loops(sch.get_block("Y"))
    sch.reverse_compute_at(sch.get_block("C"), j0, preserve_unit_loops=True)
    text = str(sch.mod)
    assert "loops.for %ax0 = 0 to 1 {\n" in text and "loops.for %ax1 = 0 to 4 {\n" in text
    assert "spatial(128, %i + %ax0), %v_j_1 = spatial(128, %j0 * 4 + %ax1)" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_reverse_compute_at_fail_producer_not_under_loop() -> None:
    sch = Schedule(parse(TWO_PRODUCERS))
    (i,) = sch.get_loops(sch.get_block("B1"))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch,
        NotAllRequiredBlocksUnderLoopError,
        lambda: sch.reverse_compute_at(target, i),
        'producer\\(s\\) "B2"',
    )


def test_reverse_compute_at_fail_not_complete_block() -> None:
    sch = Schedule(parse(ROW_SUM))
    (i,) = sch.get_loops(sch.get_block("S_init"))
    target = sch.get_block("S_update")
    assert_fails_unchanged(
        sch, NotCompleteOrReductionBlockError, lambda: sch.reverse_compute_at(target, i)
    )


def test_reverse_compute_at_fail_loop_is_ancestor() -> None:
    sch = Schedule(parse(MM_RELU))
    i, _ = sch.get_loops(sch.get_block("C"))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch, NotInSameScopeError, lambda: sch.reverse_compute_at(target, i), "ancestor"
    )


def test_reverse_compute_at_fail_halo() -> None:
    """A consumer reading B[i] and B[i + 1] cannot run right after B's iteration i."""
    import mlc_dialects as mlc
    from dialects.tensor.schedule.errors import ScheduleError
    from mlc_dialects import te

    a = te.placeholder((5,), "float32", name="A")
    b = te.compute((5,), lambda i: a[i] * 2.0, name="B")
    c = te.compute((4,), lambda i: b[i] + b[i + 1], name="C")
    sch = mlc.Schedule(te.create_prim_func([a, c]))
    before = str(sch.mod)
    with pytest.raises(ScheduleError, match="reads a halo of"):
        sch.reverse_compute_at(sch.get_block("C"), sch.get_loops(sch.get_block("B"))[0])
    assert str(sch.mod) == before
