"""compute_at: move a producer under a consumer's loop, covering the region it needs there."""

from __future__ import annotations

from pathlib import Path

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.compute_location import (
    DependenceOrderError,
    NotAllRequiredBlocksUnderLoopError,
    NotCompleteOrReductionBlockError,
    NotInSameScopeError,
    OutputBlockError,
    RegionNotCoverableError,
    compute_at,
)
from tests.tensor.schedule.common import assert_same_numerics, block, loops, mm_relu, parse
from tests.tensor.schedule.replay import ROW_SUM, assert_fails_unchanged, assert_replays

INPUTS = Path(__file__).parent / "inputs"
EWISE = (INPUTS / "ewise_chain.mlir").read_text()

AFTER_EWISE = """\
builtin.module {
  func.func @main(%A: memref<16x8xf32>, %C: memref<16x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
    %B = tensor.alloc_buffer : memref<16x8xf32>
    loops.for %i0 = 0 to 4 {
      loops.for %ax0 = 0 to 4 {
        loops.for %ax1 = 0 to 8 {
          tensor.block "B"(%vi = spatial(16, %i0 * 4 + %ax0), %vj = spatial(8, %ax1)) reads(%A[%vi, %vj]) writes(%B[%vi, %vj]) {
            %a = memref.load %A[%vi, %vj] : memref<16x8xf32>
            %two = arith.constant 2.000000e+00 : f32
            %b = arith.mulf %a, %two : f32
            memref.store %b, %B[%vi, %vj] : memref<16x8xf32>
          }
        }
      }
      loops.for %i1 = 0 to 4 {
        loops.for %j = 0 to 8 {
          tensor.block "C"(%vi_1 = spatial(16, %i0 * 4 + %i1), %vj_1 = spatial(8, %j)) reads(%B[%vi_1, %vj_1]) writes(%C[%vi_1, %vj_1]) {
            %x = memref.load %B[%vi_1, %vj_1] : memref<16x8xf32>
            %one = arith.constant 1.000000e+00 : f32
            %c = arith.addf %x, %one : f32
            memref.store %c, %C[%vi_1, %vj_1] : memref<16x8xf32>
          }
        }
      }
    }
    func.return
  }
}"""

# C[i] = B[i] + B[i + 1] over 15 elements: each tile of C needs one more element of B (a halo).
STENCIL = """\
func.func @main(%A: memref<16xf32>, %C: memref<15xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<16xf32>
  loops.for %i = 0 to 16 {
    tensor.block "B"(%vi = spatial(16, %i)) reads(%A[%vi]) writes(%B[%vi]) {
      %a = memref.load %A[%vi] : memref<16xf32>
      %b = arith.addf %a, %a : f32
      memref.store %b, %B[%vi] : memref<16xf32>
    }
  }
  loops.for %i_1 = 0 to 15 {
    tensor.block "C"(%vc = spatial(15, %i_1)) reads(%B[%vc : %vc + 2]) writes(%C[%vc]) {
      %one = arith.constant 1 : index
      %next = arith.addi %vc, %one : index
      %x = memref.load %B[%vc] : memref<16xf32>
      %y = memref.load %B[%next] : memref<16xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %C[%vc] : memref<15xf32>
    }
  }
  func.return
}
"""

# B is read by two consumers in different loop nests.
TWO_CONSUMERS = """\
func.func @main(%A: memref<8xf32>, %C: memref<8xf32>, %D: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 8 {
    tensor.block "B"(%vi = spatial(8, %i)) reads(%A[%vi]) writes(%B[%vi]) {
      %a = memref.load %A[%vi] : memref<8xf32>
      memref.store %a, %B[%vi] : memref<8xf32>
    }
  }
  loops.for %i_1 = 0 to 8 {
    tensor.block "C"(%vc = spatial(8, %i_1)) reads(%B[%vc]) writes(%C[%vc]) {
      %x = memref.load %B[%vc] : memref<8xf32>
      memref.store %x, %C[%vc] : memref<8xf32>
    }
  }
  loops.for %i_2 = 0 to 8 {
    tensor.block "D"(%vd = spatial(8, %i_2)) reads(%B[%vd]) writes(%D[%vd]) {
      %x = memref.load %B[%vd] : memref<8xf32>
      memref.store %x, %D[%vd] : memref<8xf32>
    }
  }
  func.return
}
"""

# Under loop %i, consumer "C" (of Y) comes before producer "P" (of X, which "Y" reads).
CYCLE = """\
func.func @main(%A: memref<8xf32>, %C: memref<8xf32>, %X: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %Y = tensor.alloc_buffer : memref<8xf32>
  loops.for %i0 = 0 to 8 {
    tensor.block "Y"(%vy = spatial(8, %i0)) reads(%X[%vy]) writes(%Y[%vy]) {
      %x = memref.load %X[%vy] : memref<8xf32>
      memref.store %x, %Y[%vy] : memref<8xf32>
    }
  }
  loops.for %i = 0 to 8 {
    tensor.block "C"(%vc = spatial(8, %i)) reads(%Y[%vc]) writes(%C[%vc]) {
      %y = memref.load %Y[%vc] : memref<8xf32>
      memref.store %y, %C[%vc] : memref<8xf32>
    }
    tensor.block "P"(%vp = spatial(8, %i)) reads(%A[%vp]) writes(%X[%vp]) {
      %a = memref.load %A[%vp] : memref<8xf32>
      memref.store %a, %X[%vp] : memref<8xf32>
    }
  }
  func.return
}
"""

# B is written at index vi + vj: no single iterator gives the index.
SKEWED = """\
func.func @main(%A: memref<8xf32>, %C: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 4 {
    loops.for %j = 0 to 4 {
      tensor.block "B"(%vi = spatial(4, %i), %vj = spatial(4, %j)) reads(%A[%vi + %vj]) writes(%B[%vi + %vj]) {
        %a = memref.load %A[%vi] : memref<8xf32>
        memref.store %a, %B[%vi] : memref<8xf32>
      }
    }
  }
  loops.for %i_1 = 0 to 8 {
    tensor.block "C"(%vc = spatial(8, %i_1)) reads(%B[%vc]) writes(%C[%vc]) {
      %x = memref.load %B[%vc] : memref<8xf32>
      memref.store %x, %C[%vc] : memref<8xf32>
    }
  }
  func.return
}
"""


def test_compute_at_producer_under_consumer_tile() -> None:
    mod = parse(EWISE)
    sch = Schedule(mod)
    i, _ = sch.get_loops(sch.get_block("C"))
    i0, _ = sch.split(i, [None, 4])
    sch.compute_at(sch.get_block("B"), i0)
    assert str(sch.mod) == AFTER_EWISE
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_compute_at_direct_call_keeps_block_identity() -> None:
    """The primitive moves the same block op (the schedule's handles follow op identity)."""
    mod = parse(EWISE)
    producer = block(mod, "B")
    compute_at(producer, loops(mod, "C")[0])
    assert block(mod, "B") is producer
    assert [lp.iv.name_hint for lp in loops(mod, "B")] == ["i", "ax0"]


def test_compute_at_reduction_producer_gets_full_reduce_loop() -> None:
    """mm_relu: computing Y at C's %j_1 gives one Y element per (i, j), the k loop regenerated."""
    mod = mm_relu(16)
    sch = Schedule(mod)
    _, jc = sch.get_loops(sch.get_block("C"))
    sch.compute_at(sch.get_block("Y"), jc)
    text = str(sch.mod)
    assert "loops.for %ax0 = 0 to 16 {" in text
    assert '"Y"(%v_i = spatial(16, %i), %v_j = spatial(16, %j), %v_k = reduce(16, %ax0))' in text
    assert [sch.get(lp).iv.name_hint for lp in sch.get_loops(sch.get_block("Y"))] == [
        "i",
        "j",
        "ax0",
    ]
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_compute_at_halo_adds_predicate() -> None:
    """Tiles of 4 of C (15 elements, imperfect) need 5 elements of B; the last tile would
    reach B[16], so the moved block gets a predicate."""
    mod = parse(STENCIL)
    sch = Schedule(mod)
    (i,) = sch.get_loops(sch.get_block("C"))
    i0, _ = sch.split(i, [None, 4])
    sch.compute_at(sch.get_block("B"), i0)
    text = str(sch.mod)
    assert "loops.for %ax0 = 0 to 5 {" in text
    assert '"B"(%vi = spatial(16, %i0 * 4 + %ax0)) where(%i0 * 4 + %ax0 < 16)' in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_compute_at_preserve_unit_loops() -> None:
    mod = parse(EWISE)
    sch = Schedule(mod)
    _, j = sch.get_loops(sch.get_block("C"))
    sch.compute_at(sch.get_block("B"), j, preserve_unit_loops=True)
    text = str(sch.mod)
    assert "loops.for %ax0 = 0 to 1 {\n" in text and "loops.for %ax1 = 0 to 1 {\n" in text
    assert '"B"(%vi = spatial(16, %i + %ax0), %vj = spatial(8, %j + %ax1))' in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_compute_at_fail_not_complete_block() -> None:
    """An update block (reduce iterators, no init) cannot be moved."""
    sch = Schedule(parse(ROW_SUM))
    (i,) = sch.get_loops(sch.get_block("S_init"))
    target = sch.get_block("S_update")
    assert_fails_unchanged(
        sch,
        NotCompleteOrReductionBlockError,
        lambda: sch.compute_at(target, i),
        "neither a complete block nor a reduction block",
    )


def test_compute_at_fail_loop_is_ancestor() -> None:
    sch = Schedule(parse(EWISE))
    i, _ = sch.get_loops(sch.get_block("B"))
    target = sch.get_block("B")
    assert_fails_unchanged(sch, NotInSameScopeError, lambda: sch.compute_at(target, i), "ancestor")


def test_compute_at_fail_output_block() -> None:
    sch = Schedule(parse(EWISE))
    i, _ = sch.get_loops(sch.get_block("B"))
    target = sch.get_block("C")
    assert_fails_unchanged(sch, OutputBlockError, lambda: sch.compute_at(target, i), "output block")


def test_compute_at_fail_consumer_not_under_loop() -> None:
    sch = Schedule(parse(TWO_CONSUMERS))
    (i,) = sch.get_loops(sch.get_block("C"))
    target = sch.get_block("B")
    assert_fails_unchanged(
        sch,
        NotAllRequiredBlocksUnderLoopError,
        lambda: sch.compute_at(target, i),
        'consumer\\(s\\) "D"',
    )


def test_compute_at_fail_dependence_cycle() -> None:
    sch = Schedule(parse(CYCLE))
    (i,) = sch.get_loops(sch.get_block("C"))
    target = sch.get_block("Y")
    assert_fails_unchanged(sch, DependenceOrderError, lambda: sch.compute_at(target, i), "cycle")


def test_compute_at_fail_region_not_coverable() -> None:
    sch = Schedule(parse(SKEWED))
    (i,) = sch.get_loops(sch.get_block("C"))
    target = sch.get_block("B")
    assert_fails_unchanged(
        sch,
        RegionNotCoverableError,
        lambda: sch.compute_at(target, i),
        "not 'iterator \\* c \\+ d'",
    )
