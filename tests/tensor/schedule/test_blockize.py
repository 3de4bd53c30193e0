"""blockize: turn a loop subtree (loops around one block) into one outer block."""

from __future__ import annotations

import numpy as np
import pytest

from dialects.tensor.interp import run
from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.blockize import (
    BlockizeNotSingleBlockError,
    BlockizeTargetError,
    SubspaceNotDivisibleError,
    blockize,
)
from dialects.tensor.schedule.errors import RVTypeError
from tests.tensor.schedule.common import assert_same_numerics, mm_relu, parse
from tests.tensor.schedule.replay import (
    TWO_NESTS,
    assert_fails_unchanged,
    assert_replays,
    elementwise,
    matmul,
)


def tiled_matmul(n: int = 16, tile: int = 4):
    """matmul with i, j, k split by `tile` and reordered to i0, j0, k0, i1, j1, k1."""
    mod = matmul(n)
    sch = Schedule(mod)
    block = sch.get_block("C")
    i, j, k = sch.get_loops(block)
    i0, i1 = sch.split(i, [None, tile])
    j0, j1 = sch.split(j, [None, tile])
    k0, k1 = sch.split(k, [None, tile])
    sch.reorder(i0, j0, k0, i1, j1, k1)
    return mod, sch, block, (i0, j0, k0, i1, j1, k1)


def test_blockize_tiled_matmul() -> None:
    """Outer iterators from the outer loops (k0 reduce), regions relaxed over the inner loops,
    the init moved into the outer block as C_init, the inner block re-bound to the outer
    iterators and reading what it writes."""
    mod, sch, block, loops = tiled_matmul()
    outer = sch.blockize(loops[3])
    text = str(sch.mod)
    assert (
        'tensor.block "C_o"(%v_i_o = spatial(4, %i0), %v_j_o = spatial(4, %j0), '
        "%v_k_o = reduce(4, %k0)) reads(%A[%v_i_o * 4 : %v_i_o * 4 + 4, %v_k_o * 4 : "
        "%v_k_o * 4 + 4], %B[%v_k_o * 4 : %v_k_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) "
        "writes(%C[%v_i_o * 4 : %v_i_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) {"
    ) in text
    assert (
        'tensor.block "C_init"(%v_i = spatial(16, %v_i_o * 4 + %i1_init), '
        "%v_j = spatial(16, %v_j_o * 4 + %j1_init)) reads() writes(%C[%v_i, %v_j])"
    ) in text
    assert (
        'tensor.block "C"(%v_i_1 = spatial(16, %v_i_o * 4 + %i1), %v_j_1 = spatial(16, '
        "%v_j_o * 4 + %j1), %v_k = reduce(16, %v_k_o * 4 + %k1)) reads(%C[%v_i_1, %v_j_1], "
        "%A[%v_i_1, %v_k], %B[%v_k, %v_j_1]) writes(%C[%v_i_1, %v_j_1])"
    ) in text
    assert sch.get(outer).label == "C_o"
    assert sch.get(block).label == "C"  # the handle follows the inner block
    assert [sch.get(lp).iv.name_hint for lp in sch.get_loops(outer)] == ["i0", "j0", "k0"]
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)
    parse(text)  # the printed program parses and verifies (nested blocks, nested init)


def test_blockize_whole_reduction_inside() -> None:
    """Blockizing at k (all of the reduction inside): the outer reduce iterator has domain 1
    and the init runs once per (i, j) tile."""
    mod = matmul(8)
    sch = Schedule(mod)
    _, _, k = sch.get_loops(sch.get_block("C"))
    sch.blockize(k)
    text = str(sch.mod)
    assert (
        'tensor.block "C_o"(%v_i_o = spatial(8, %i), %v_j_o = spatial(8, %j), '
        "%v_k_o = reduce(1, 0)) reads(%A[%v_i_o, %v_k_o * 8 : %v_k_o * 8 + 8], "
        "%B[%v_k_o * 8 : %v_k_o * 8 + 8, %v_j_o]) "
        "writes(%C[%v_i_o, %v_j_o])"
    ) in text
    assert 'tensor.block "C_init"(%v_i = spatial(8, %v_i_o), %v_j = spatial(8, %v_j_o))' in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_blockize_no_unit_iters() -> None:
    """preserve_unit_iters=False leaves out outer iterators of domain 1."""
    mod = matmul(8)
    sch = Schedule(mod)
    _, _, k = sch.get_loops(sch.get_block("C"))
    sch.blockize(k, preserve_unit_iters=False)
    text = str(sch.mod)
    assert 'tensor.block "C_o"(%v_i_o = spatial(8, %i), %v_j_o = spatial(8, %j)) ' in text
    assert "%v_k = reduce(8, %k)" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_blockize_elementwise_tile() -> None:
    """A spatial block: no init; the outer block covers a 2x3 tile."""
    mod = elementwise(10, 6)
    sch = Schedule(mod)
    i, j = sch.get_loops(sch.get_block("B"))
    i0, i1 = sch.split(i, [None, 2])
    j0, j1 = sch.split(j, [None, 3])
    sch.reorder(i0, j0, i1, j1)
    sch.blockize(i1)
    text = str(sch.mod)
    assert (
        'tensor.block "B_o"(%v_i_o = spatial(5, %i0), %v_j_o = spatial(2, %j0)) '
        "reads(%A[%v_i_o * 2 : %v_i_o * 2 + 2, %v_j_o * 3 : %v_j_o * 3 + 3]) "
        "writes(%B[%v_i_o * 2 : %v_i_o * 2 + 2, %v_j_o * 3 : %v_j_o * 3 + 3])"
    ) in text
    assert "tensor.init" not in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_blockize_list_of_one_block() -> None:
    """A list with one block: an outer block around just that block (no inner loops)."""
    mod = mm_relu(16)
    sch = Schedule(mod)
    outer = sch.blockize([sch.get_block("C")])
    text = str(sch.mod)
    assert (
        'tensor.block "C_o"(%v_i_o = spatial(16, %i_1), %v_j_o = spatial(16, %j_1)) '
        "reads(%Y[%v_i_o, %v_j_o]) writes(%C[%v_i_o, %v_j_o])"
    ) in text
    assert sch.get(outer).label == "C_o"
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_blockize_then_schedule_outer_loops() -> None:
    """Loop primitives still work on the loops around the outer block (here: parallel)."""
    mod, sch, _, loops = tiled_matmul(8)
    sch.blockize(loops[3])
    sch.parallel(loops[0])
    assert "loops.for %i0 = 0 to 2 parallel" in str(sch.mod)
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_blockize_interpreter_serial_and_vectorized_agree() -> None:
    """The interpreter runs nested blocks the same with and without numpy vectorization."""
    _, sch, _, loops = tiled_matmul(8)
    sch.blockize(loops[3])
    rng = np.random.default_rng(1)
    a, b = (rng.standard_normal((8, 8)).astype(np.float32) for _ in range(2))
    c1, c2 = np.zeros((8, 8), np.float32), np.zeros((8, 8), np.float32)
    run(sch.mod, "main", [a, b, c1])
    run(sch.mod, "main", [a, b, c2], vectorize=False)
    np.testing.assert_array_equal(c1, c2)
    np.testing.assert_allclose(c1, a @ b, rtol=1e-5, atol=1e-5)


# --------------------------------------------------------------------------- failures


def test_blockize_fail_not_a_loop() -> None:
    sch = Schedule(matmul(8))
    block = sch.get_block("C")
    assert_fails_unchanged(sch, RVTypeError, lambda: sch.blockize(block), "LoopRV")
    with pytest.raises(BlockizeTargetError, match="loop or a list of blocks"):
        blockize("C")  # type: ignore[arg-type]


def test_blockize_fail_multiple_blocks() -> None:
    sch = Schedule(parse(TWO_NESTS))
    (i, _) = sch.get_loops(sch.get_block("B"))
    assert_fails_unchanged(
        sch, BlockizeNotSingleBlockError, lambda: sch.blockize(i), "holds 2 blocks"
    )


def test_blockize_fail_list_of_several_blocks() -> None:
    sch = Schedule(parse(TWO_NESTS))
    blocks = [sch.get_block("B"), sch.get_block("C")]
    assert_fails_unchanged(
        sch, BlockizeNotSingleBlockError, lambda: sch.blockize(blocks), "list of 2 blocks"
    )


def test_blockize_fail_not_divisible() -> None:
    """After fuse(i, j) and split by 4, vi = (f0 * 4 + f1) floordiv 6 mixes both sides."""
    sch = Schedule(elementwise(10, 6))
    i, j = sch.get_loops(sch.get_block("B"))
    fused = sch.fuse(i, j)
    _, f1 = sch.split(fused, [None, 4])
    assert_fails_unchanged(
        sch, SubspaceNotDivisibleError, lambda: sch.blockize(f1), "cannot be divided"
    )


def test_blockize_fail_predicate_inside() -> None:
    """An imperfect split (10 = 3 x 4 with a predicate) inside the blockized loop."""
    sch = Schedule(elementwise(10, 6))
    i, _ = sch.get_loops(sch.get_block("B"))
    _, i1 = sch.split(i, [None, 4])
    assert_fails_unchanged(sch, SubspaceNotDivisibleError, lambda: sch.blockize(i1), "predicate")


def test_blockize_predicate_outside_moves_to_outer_block() -> None:
    """The predicate of an imperfect split outside the blockized loop moves to the outer
    block."""
    mod = elementwise(10, 6)
    sch = Schedule(mod)
    i, j = sch.get_loops(sch.get_block("B"))
    sch.split(i, [None, 4])
    sch.blockize(j)
    text = str(sch.mod)
    assert (
        'tensor.block "B_o"(%v_i_o = spatial(10, %i0 * 4 + %i1), %v_j_o = spatial(1, 0)) '
        "where(%i0 * 4 + %i1 < 10) reads(%A[%v_i_o, %v_j_o * 6 : %v_j_o * 6 + 6])"
    ) in text
    assert (
        'tensor.block "B"(%v_i = spatial(10, %v_i_o), %v_j = spatial(6, %v_j_o * 6 + %j))' in text
    )
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


# --------------------------------------------------------------------------- nested blocks


NESTED = """\
func.func @main(%A: memref<8xf32>, %S: memref<2xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %o = 0 to 2 {
    tensor.block "S_o"(%v_o = spatial(2, %o)) reads(%A[%v_o * 4 : %v_o * 4 + WIDTH]) writes(%S[%v_o]) {
      loops.for %k = 0 to 4 {
        tensor.block "S"(%v_i = spatial(2, %v_o), %v_k = reduce(8, %v_o * 4 + %k)) reads(%A[%v_k]) writes(%S[%v_i]) {
          tensor.init {
            %0 = arith.constant 0.000000e+00 : f32
            memref.store %0, %S[%v_i] : memref<2xf32>
          }
          %1 = memref.load %S[%v_i] : memref<2xf32>
          %2 = memref.load %A[%v_k] : memref<8xf32>
          %3 = arith.addf %1, %2 : f32
          memref.store %3, %S[%v_i] : memref<2xf32>
        }
      }
    }
  }
  func.return
}
"""


def test_nested_block_with_init_verifies_and_runs() -> None:
    """A block nested in another keeps its own tensor.init (verified on its own). The init runs
    where the nested block's reduce iterator is 0, i.e. only in the first outer instance
    (v_k = v_o * 4 + k): S[1] keeps its initial 7 and accumulates onto it."""
    mod = parse(NESTED.replace("WIDTH", "4"))
    a = np.arange(8, dtype=np.float32)
    s = np.full(2, 7, dtype=np.float32)
    run(mod, "main", [a, s])
    np.testing.assert_array_equal(s, [6, 7 + 4 + 5 + 6 + 7])


def test_nested_block_outside_outer_region_fails_verification() -> None:
    from xdsl.utils.exceptions import VerifyException

    with pytest.raises(VerifyException, match='nested block "S" reads %A outside the region'):
        parse(NESTED.replace("WIDTH", "3"))
