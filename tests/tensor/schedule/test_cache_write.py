"""cache_write: write through a cache copied back by a block; the matmul "C in registers"."""

from __future__ import annotations

from pathlib import Path

from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.cache import CacheConflictError, CacheIndexError, CacheScopeError
from tests.tensor.schedule.common import assert_same_numerics, parse
from tests.tensor.schedule.replay import ROW_SUM, assert_fails_unchanged, assert_replays

INPUTS = Path(__file__).parent / "inputs"
EWISE = (INPUTS / "ewise_chain.mlir").read_text()
MM_TILED = (INPUTS / "mm_tiled.mlir").read_text()

AFTER_EWISE = """\
builtin.module {
  func.func @main(%A: memref<16x8xf32>, %C: memref<16x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
    %B = tensor.alloc_buffer : memref<16x8xf32>
    %C_local = tensor.alloc_buffer {tensor.storage_scope = "local"} : memref<16x8xf32>
    loops.for %i = 0 to 16 {
      loops.for %j = 0 to 8 {
        tensor.block "B"(%vi = spatial(16, %i), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%B[%vi, %vj]) {
          %a = memref.load %A[%vi, %vj] : memref<16x8xf32>
          %two = arith.constant 2.000000e+00 : f32
          %b = arith.mulf %a, %two : f32
          memref.store %b, %B[%vi, %vj] : memref<16x8xf32>
        }
      }
    }
    loops.for %i_1 = 0 to 16 {
      loops.for %j_1 = 0 to 8 {
        tensor.block "C"(%vi_1 = spatial(16, %i_1), %vj_1 = spatial(8, %j_1)) reads(%B[%vi_1, %vj_1]) writes(%C_local[%vi_1, %vj_1]) {
          %x = memref.load %B[%vi_1, %vj_1] : memref<16x8xf32>
          %one = arith.constant 1.000000e+00 : f32
          %c = arith.addf %x, %one : f32
          memref.store %c, %C_local[%vi_1, %vj_1] : memref<16x8xf32>
        }
      }
    }
    loops.for %ax0 = 0 to 16 {
      loops.for %ax1 = 0 to 8 {
        tensor.block "C_local"(%v0 = spatial(16, %ax0), %v1 = spatial(8, %ax1)) reads(%C_local[%v0, %v1]) writes(%C[%v0, %v1]) {
          %0 = memref.load %C_local[%v0, %v1] : memref<16x8xf32>
          memref.store %0, %C[%v0, %v1] : memref<16x8xf32>
        }
      }
    }
    func.return
  }
}"""


def test_cache_write_elementwise() -> None:
    mod = parse(EWISE)
    sch = Schedule(mod)
    copy = sch.cache_write(sch.get_block("C"), 0, "local")
    assert str(sch.mod) == AFTER_EWISE
    assert sch.get(copy).label == "C_local"
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_cache_write_matmul_tile_in_registers() -> None:
    """The matmul recipe: C accumulates in a local cache, written back per 8x32 tile."""
    mod = parse(MM_TILED)
    sch = Schedule(mod)
    block_c = sch.get_block("C")
    write_back = sch.cache_write(block_c, 0, "local")
    _, j0, k, _, _j1 = sch.get_loops(block_c)
    sch.reverse_compute_at(write_back, j0)
    sch.vectorize(sch.get_loops(write_back)[-1])
    sch.decompose_reduction(block_c, k)
    text = str(sch.mod)
    assert "loops.for %ax0 = 0 to 8 {\n          loops.for %ax1 = 0 to 32 vectorized {" in text
    assert (
        '"C_local"(%v0 = spatial(64, %i0 * 8 + %ax0), %v1 = spatial(64, %j0 * 32 + %ax1)) '
        "reads(%C_local[%v0, %v1]) writes(%C[%v0, %v1])"
    ) in text
    assert 'tensor.block "C_init"' in text and "writes(%C_local[%vi, %vj])" in text
    assert "reads(%C_local[%vi_1, %vj_1], %A[%vi_1, %vk], %B[%vk, %vj_1])" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_cache_write_fail_index_out_of_range() -> None:
    sch = Schedule(parse(EWISE))
    block = sch.get_block("C")
    assert_fails_unchanged(sch, CacheIndexError, lambda: sch.cache_write(block, 2, "local"))


def test_cache_write_fail_unknown_scope() -> None:
    sch = Schedule(parse(EWISE))
    block = sch.get_block("C")
    assert_fails_unchanged(sch, CacheScopeError, lambda: sch.cache_write(block, 0, "l0cal"))


def test_cache_write_fail_not_only_writer() -> None:
    sch = Schedule(parse(ROW_SUM))
    block = sch.get_block("S_update")
    assert_fails_unchanged(
        sch, CacheConflictError, lambda: sch.cache_write(block, 0, "local"), "only writer"
    )
