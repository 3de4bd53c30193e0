"""reverse_compute_inline: a complete consumer disappears into its single producer."""

from __future__ import annotations

from pathlib import Path

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.inline import (
    InlineBodyError,
    InlineNotCompleteError,
    InlineProducerConsumerError,
    InlineReductionError,
)
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import ROW_SUM, assert_fails_unchanged, assert_replays

INPUTS = Path(__file__).parent / "inputs"
EWISE = (INPUTS / "ewise_chain.mlir").read_text()

AFTER_EWISE = """\
builtin.module {
  func.func @main(%A: memref<16x8xf32>, %C: memref<16x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
    loops.for %i = 0 to 16 {
      loops.for %j = 0 to 8 {
        tensor.block "B"(%vi = spatial(16, %i), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%C[%vi, %vj]) {
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

# C = B^T + D: the consumer's iterators are a permutation of B's indices, and it reads D too.
TRANSPOSE = """\
func.func @main(%A: memref<4x6xf32>, %D: memref<6x4xf32>, %C: memref<6x4xf32>) attributes {tensor.num_inputs = 2 : i64} {
  %B = tensor.alloc_buffer : memref<4x6xf32>
  loops.for %i = 0 to 4 {
    loops.for %j = 0 to 6 {
      tensor.block "B"(%vi = spatial(4, %i), %vj = spatial(6, %j)) reads(%A[%vi, %vj]) writes(%B[%vi, %vj]) {
        %a = memref.load %A[%vi, %vj] : memref<4x6xf32>
        %b = arith.mulf %a, %a : f32
        memref.store %b, %B[%vi, %vj] : memref<4x6xf32>
      }
    }
  }
  loops.for %p = 0 to 6 {
    loops.for %q = 0 to 4 {
      tensor.block "C"(%vp = spatial(6, %p), %vq = spatial(4, %q)) reads(%B[%vq, %vp], %D[%vp, %vq]) writes(%C[%vp, %vq]) {
        %x = memref.load %B[%vq, %vp] : memref<4x6xf32>
        %d = memref.load %D[%vp, %vq] : memref<6x4xf32>
        %s = arith.addf %x, %d : f32
        memref.store %s, %C[%vp, %vq] : memref<6x4xf32>
      }
    }
  }
  func.return
}
"""

# B is read by C and by D.
TWO_READERS = """\
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

# C reads only half of B.
PARTIAL = """\
func.func @main(%A: memref<8xf32>, %C: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  %B = tensor.alloc_buffer : memref<8xf32>
  loops.for %i = 0 to 8 {
    tensor.block "B"(%vi = spatial(8, %i)) reads(%A[%vi]) writes(%B[%vi]) {
      %a = memref.load %A[%vi] : memref<8xf32>
      memref.store %a, %B[%vi] : memref<8xf32>
    }
  }
  loops.for %i_1 = 0 to 4 {
    tensor.block "C"(%vc = spatial(4, %i_1)) reads(%B[%vc]) writes(%C[%vc]) {
      %x = memref.load %B[%vc] : memref<8xf32>
      memref.store %x, %C[%vc] : memref<4xf32>
    }
  }
  func.return
}
"""


def test_reverse_compute_inline_elementwise() -> None:
    mod = parse(EWISE)
    sch = Schedule(mod)
    sch.reverse_compute_inline(sch.get_block("C"))
    assert str(sch.mod) == AFTER_EWISE
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_reverse_compute_inline_transposed_consumer() -> None:
    """C's iterators (vp, vq) become B's (vj, vi); C's read of D moves into B."""
    mod = parse(TRANSPOSE)
    sch = Schedule(mod)
    sch.reverse_compute_inline(sch.get_block("C"))
    text = str(sch.mod)
    assert (
        '"B"(%vi = spatial(4, %i), %vj = spatial(6, %j)) reads(%A[%vi, %vj], %D[%vj, %vi]) '
        "writes(%C[%vj, %vi])"
    ) in text
    assert "%d = memref.load %D[%vj, %vi]" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_reverse_compute_inline_fail_producer_is_reduction() -> None:
    sch = Schedule(mm_relu(8))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch, InlineReductionError, lambda: sch.reverse_compute_inline(target), "reduction block"
    )


def test_reverse_compute_inline_fail_consumer_is_reduction() -> None:
    sch = Schedule(parse(ROW_SUM))
    target = sch.get_block("S_update")
    assert_fails_unchanged(sch, InlineNotCompleteError, lambda: sch.reverse_compute_inline(target))


def test_reverse_compute_inline_fail_not_only_reader() -> None:
    sch = Schedule(parse(TWO_READERS))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch, InlineProducerConsumerError, lambda: sch.reverse_compute_inline(target), "only reader"
    )


def test_reverse_compute_inline_fail_partial_consumer() -> None:
    sch = Schedule(parse(PARTIAL))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch, InlineProducerConsumerError, lambda: sch.reverse_compute_inline(target), "span"
    )


def test_reverse_compute_inline_fail_load_not_at_iterators() -> None:
    text = TWO_READERS.replace(
        '    tensor.block "D"(%vd = spatial(8, %i_2)) reads(%B[%vd]) writes(%D[%vd]) {\n'
        "      %x = memref.load %B[%vd] : memref<8xf32>\n"
        "      memref.store %x, %D[%vd] : memref<8xf32>\n",
        '    tensor.block "D"(%vd = spatial(8, %i_2)) reads() writes(%D[%vd]) {\n'
        "      %x = arith.constant 0.0 : f32\n"
        "      memref.store %x, %D[%vd] : memref<8xf32>\n",
    ).replace(
        "reads(%B[%vc]) writes(%C[%vc]) {\n      %x = memref.load %B[%vc]",
        "reads(%B[0]) writes(%C[%vc]) {\n      %z = arith.constant 0 : index\n"
        "      %x = memref.load %B[%z]",
    )
    sch = Schedule(parse(text))
    target = sch.get_block("C")
    assert_fails_unchanged(
        sch, InlineBodyError, lambda: sch.reverse_compute_inline(target), "not indexed"
    )
