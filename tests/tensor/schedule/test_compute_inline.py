"""compute_inline: a complete producer disappears into the loads of its consumers."""

from __future__ import annotations

from pathlib import Path

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.inline import (
    InlineBodyError,
    InlineNotCompleteError,
    InlineOutputBlockError,
    InlineReductionError,
)
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import assert_fails_unchanged, assert_replays

INPUTS = Path(__file__).parent / "inputs"
EWISE = (INPUTS / "ewise_chain.mlir").read_text()

AFTER_EWISE = """\
builtin.module {
  func.func @main(%A: memref<16x8xf32>, %C: memref<16x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
    loops.for %i = 0 to 16 {
      loops.for %j = 0 to 8 {
        tensor.block "C"(%vi = spatial(16, %i), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%C[%vi, %vj]) {
          %a = memref.load %A[%vi, %vj] : memref<16x8xf32>
          %two = arith.constant 2.000000e+00 : f32
          %b = arith.mulf %a, %two : f32
          %one = arith.constant 1.000000e+00 : f32
          %c = arith.addf %b, %one : f32
          memref.store %c, %C[%vi, %vj] : memref<16x8xf32>
        }
      }
    }
    func.return
  }
}"""

# B = exp(A) read twice by C at shifted and transposed-free indices: C[i] = B[i] + B[i + 1].
STENCIL = """\
func.func @main(%A: memref<9xf32>, %C: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<9xf32>
  loops.for %i = 0 to 9 {
    tensor.block "B"(%vi = spatial(9, %i)) reads(%A[%vi]) writes(%B[%vi]) {
      %a = memref.load %A[%vi] : memref<9xf32>
      %e = math.exp %a : f32
      memref.store %e, %B[%vi] : memref<9xf32>
    }
  }
  loops.for %i_1 = 0 to 8 {
    tensor.block "C"(%vc = spatial(8, %i_1)) reads(%B[%vc : %vc + 2]) writes(%C[%vc]) {
      %one = arith.constant 1 : index
      %next = arith.addi %vc, %one : index
      %x = memref.load %B[%vc] : memref<9xf32>
      %y = memref.load %B[%next] : memref<9xf32>
      %s = arith.addf %x, %y : f32
      memref.store %s, %C[%vc] : memref<8xf32>
    }
  }
  func.return
}
"""

# B's store index is an expression, not an iterator.
SHIFTED_STORE = """\
func.func @main(%A: memref<8xf32>, %C: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 7 {
    tensor.block "B"(%vi = spatial(7, %i)) reads(%A[%vi]) writes(%B[%vi + 1]) {
      %a = memref.load %A[%vi] : memref<8xf32>
      %one = arith.constant 1 : index
      %n = arith.addi %vi, %one : index
      memref.store %a, %B[%n] : memref<8xf32>
    }
  }
  loops.for %i_1 = 0 to 7 {
    tensor.block "C"(%vc = spatial(7, %i_1)) reads(%B[%vc + 1]) writes(%C[%vc]) {
      %one = arith.constant 1 : index
      %n = arith.addi %vc, %one : index
      %x = memref.load %B[%n] : memref<8xf32>
      memref.store %x, %C[%vc] : memref<8xf32>
    }
  }
  func.return
}
"""

# Two blocks write B: "B" is not the only writer.
TWO_WRITERS = """\
func.func @main(%A: memref<8xf32>, %C: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 8 {
    tensor.block "B"(%vi = spatial(8, %i)) reads(%A[%vi]) writes(%B[%vi]) {
      %a = memref.load %A[%vi] : memref<8xf32>
      memref.store %a, %B[%vi] : memref<8xf32>
    }
  }
  loops.for %i_1 = 0 to 8 {
    tensor.block "B2"(%vj = spatial(8, %i_1)) reads(%A[%vj]) writes(%B[%vj]) {
      %a = memref.load %A[%vj] : memref<8xf32>
      memref.store %a, %B[%vj] : memref<8xf32>
    }
  }
  loops.for %i_2 = 0 to 8 {
    tensor.block "C"(%vc = spatial(8, %i_2)) reads(%B[%vc]) writes(%C[%vc]) {
      %x = memref.load %B[%vc] : memref<8xf32>
      memref.store %x, %C[%vc] : memref<8xf32>
    }
  }
  func.return
}
"""


def test_compute_inline_elementwise() -> None:
    mod = parse(EWISE)
    sch = Schedule(mod)
    sch.compute_inline(sch.get_block("B"))
    assert str(sch.mod) == AFTER_EWISE  # the alloc of %B is gone too
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_compute_inline_two_loads_at_shifted_indices() -> None:
    """Each load of B becomes its own copy of exp(A[...]); C now reads A[vc : vc + 2]."""
    mod = parse(STENCIL)
    sch = Schedule(mod)
    sch.compute_inline(sch.get_block("B"))
    text = str(sch.mod)
    assert text.count("math.exp") == 2
    assert '"C"(%vc = spatial(8, %i)) reads(%A[%vc : %vc + 2]) writes(%C[%vc])' in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_compute_inline_fail_reduction_block() -> None:
    sch = Schedule(mm_relu(8))
    target = sch.get_block("Y")
    assert_fails_unchanged(
        sch,
        InlineReductionError,
        lambda: sch.compute_inline(target),
        "The block has init statement",
    )


def test_compute_inline_fail_output_block() -> None:
    sch = Schedule(parse(EWISE))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch, InlineOutputBlockError, lambda: sch.compute_inline(target), "output block"
    )


def test_compute_inline_fail_store_not_at_iterators() -> None:
    sch = Schedule(parse(SHIFTED_STORE))
    target = sch.get_block("B")
    assert_fails_unchanged(
        sch, InlineBodyError, lambda: sch.compute_inline(target), "not indexed by its iterators"
    )


def test_compute_inline_fail_not_only_writer() -> None:
    sch = Schedule(parse(TWO_WRITERS))
    target = sch.get_block("B")
    assert_fails_unchanged(
        sch, InlineNotCompleteError, lambda: sch.compute_inline(target), "only writer"
    )
