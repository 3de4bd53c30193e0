"""split: perfect and imperfect splits, inferred factors, sampled factors, legality."""

from __future__ import annotations

import pytest

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.errors import (
    ErasedRVError,
    ForeignRVError,
    SplitFactorProductError,
    SplitMultipleNoneError,
    SplitNonPositiveFactorError,
)
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import assert_fails_unchanged, assert_replays, elementwise

PERFECT = """\
builtin.module {
  func.func @main(%A: memref<12x6xf32>, %B: memref<12x6xf32>) attributes {tensor.num_inputs = 1 : i64} {
    loops.for %i0 = 0 to 3 {
      loops.for %i1 = 0 to 4 {
        loops.for %j = 0 to 6 {
          tensor.block "B"(%v_i = spatial(12, %i0 * 4 + %i1), %v_j = spatial(6, %j)) reads(%A[%v_i, %v_j]) writes(%B[%v_i, %v_j]) {
            %0 = memref.load %A[%v_i, %v_j] : memref<12x6xf32>
            %1 = arith.constant 2.000000e+00 : f32
            %2 = arith.mulf %0, %1 : f32
            memref.store %2, %B[%v_i, %v_j] : memref<12x6xf32>
          }
        }
      }
    }
    func.return
  }
}"""


def test_split_perfect_exact_ir() -> None:
    mod = elementwise(12, 6)
    sch = Schedule(mod)
    i, _ = sch.get_loops(sch.get_block("B"))
    i0, i1 = sch.split(i, factors=[3, 4])
    assert str(sch.mod) == PERFECT
    assert (sch.get(i0).extent, sch.get(i1).extent) == (3, 4)
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_split_infers_none_factor_course_mm_relu() -> None:
    """Course episode 2: `j0, j1 = sch.split(j, factors=[None, 4])` on 128x128 mm_relu."""
    mod = mm_relu(128)
    sch = Schedule(mod)
    block_y = sch.get_block("Y", func_name="main")
    _i, j, _k = sch.get_loops(block_y)
    sch.split(j, factors=[None, 4])
    text = str(sch.mod)
    assert (
        "loops.for %j0 = 0 to 32 {\n        loops.for %j1 = 0 to 4 {\n          loops.for %k"
        in text
    )
    assert "%v_j = spatial(128, %j0 * 4 + %j1)" in text
    assert [sch.get(lp).extent for lp in sch.get_loops(block_y)] == [128, 32, 4, 128]
    assert_replays(mod, sch)


def test_split_imperfect_adds_predicate() -> None:
    mod = elementwise(10, 6)
    sch = Schedule(mod)
    i, _ = sch.get_loops(sch.get_block("B"))
    sch.split(i, factors=[None, 4])
    text = str(sch.mod)
    assert "loops.for %i0 = 0 to 3 {" in text
    assert (
        'tensor.block "B"(%v_i = spatial(10, %i0 * 4 + %i1), %v_j = spatial(6, %j)) '
        "where(%i0 * 4 + %i1 < 10)" in text
    )
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_split_three_way_and_unit_iters() -> None:
    mod = elementwise(12, 6)
    sch = Schedule(mod)
    i, _ = sch.get_loops(sch.get_block("B"))
    sch.split(i, factors=[1, None, 3], preserve_unit_iters=False)
    text = str(sch.mod)
    assert "loops.for %i0 = 0 to 1 {" in text
    assert "%v_i = spatial(12, %i1 * 3 + %i2)" in text  # the unit loop is not bound
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_split_reduction_loop_keeps_numerics() -> None:
    mod = mm_relu(16)
    sch = Schedule(mod)
    _, _, k = sch.get_loops(sch.get_block("Y"))
    sch.split(k, factors=[None, 5])  # imperfect: 4 * 5 = 20 > 16
    assert "where(%k0 * 5 + %k1 < 16)" in str(sch.mod)
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_split_accepts_numpy_integers() -> None:
    np = pytest.importorskip("numpy")
    sch = Schedule(elementwise(12, 6))
    i, _ = sch.get_loops(sch.get_block("B"))
    sch.split(i, factors=[np.int64(3), None])
    assert "loops.for %i1 = 0 to 4" in str(sch.mod)


def test_split_fail_factor_product() -> None:
    sch = Schedule(elementwise(10, 6))
    i, _ = sch.get_loops(sch.get_block("B"))
    err = assert_fails_unchanged(
        sch, SplitFactorProductError, lambda: sch.split(i, [2, 4]), "less than the extent 10"
    )
    assert "loops.for %i = 0 to 10" in err.detailed_message()


def test_split_fail_multiple_none() -> None:
    sch = Schedule(elementwise(12, 6))
    i, _ = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, SplitMultipleNoneError, lambda: sch.split(i, [None, 2, None]))


@pytest.mark.parametrize("bad", [0, -4, 2.5])
def test_split_fail_non_positive_factor(bad: object) -> None:
    sch = Schedule(elementwise(12, 6))
    i, _ = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(sch, SplitNonPositiveFactorError, lambda: sch.split(i, [None, bad]))


def test_split_fail_erased_loop() -> None:
    """The split loop is gone: its old handle is invalid, the new ones work."""
    sch = Schedule(elementwise(12, 6))
    i, _ = sch.get_loops(sch.get_block("B"))
    i0, _ = sch.split(i, [3, 4])
    assert_fails_unchanged(sch, ErasedRVError, lambda: sch.split(i, [2, 2]))
    sch.split(i0, [None, 1])


def test_split_fail_foreign_rv() -> None:
    mod = elementwise(12, 6)
    other = Schedule(mod)
    i, _ = other.get_loops(other.get_block("B"))
    sch = Schedule(mod)
    assert_fails_unchanged(sch, ForeignRVError, lambda: sch.split(i, [3, 4]))


def test_split_minus_one_is_inferred_like_tvm() -> None:
    mod = elementwise(12, 6)
    sch = Schedule(mod)
    i, _ = sch.get_loops(sch.get_block("B"))
    sch.split(i, factors=[-1, 4])
    assert "loops.for %i0 = 0 to 3 {" in str(sch.mod)
    assert "factors=[-1, 4]" in str(sch.trace)
    assert_replays(mod, sch)
    i0, _ = sch.get_loops(sch.get_block("B"))[:2]
    assert_fails_unchanged(sch, SplitMultipleNoneError, lambda: sch.split(i0, [-1, None]))


REVERSED = """\
func.func @main(%A: memref<8xf32>, %B: memref<8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 8 {
    %c7 = arith.constant 7 : index
    %r = arith.subi %c7, %i : index
    tensor.block "B"(%vi = spatial(8, %r)) reads(%A[%vi]) writes(%B[%vi]) {
      %0 = memref.load %A[%vi] : memref<8xf32>
      memref.store %0, %B[%vi] : memref<8xf32>
    }
  }
  func.return
}
"""


def test_split_materializes_non_block_uses_of_the_iv() -> None:
    """An iv used by arithmetic (not a block binding) is recomputed from the new ivs."""
    mod = parse(REVERSED)
    sch = Schedule(mod)
    (i,) = sch.get_loops(sch.get_block("B"))
    sch.split(i, [2, 4])
    text = str(sch.mod)
    assert "%1 = arith.muli %i0, %0 : index\n        %i = arith.addi %1, %i1 : index" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)
