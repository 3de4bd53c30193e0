"""cache_read: read a buffer through a cache filled by a copy block."""

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
    %B_shared = tensor.alloc_buffer {tensor.storage_scope = "shared"} : memref<16x8xf32>
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
    loops.for %ax0 = 0 to 16 {
      loops.for %ax1 = 0 to 8 {
        tensor.block "B_shared"(%v0 = spatial(16, %ax0), %v1 = spatial(8, %ax1)) reads(%B[%v0, %v1]) writes(%B_shared[%v0, %v1]) {
          %0 = memref.load %B[%v0, %v1] : memref<16x8xf32>
          memref.store %0, %B_shared[%v0, %v1] : memref<16x8xf32>
        }
      }
    }
    loops.for %i_1 = 0 to 16 {
      loops.for %j_1 = 0 to 8 {
        tensor.block "C"(%vi_1 = spatial(16, %i_1), %vj_1 = spatial(8, %j_1)) reads(%B_shared[%vi_1, %vj_1]) writes(%C[%vi_1, %vj_1]) {
          %x = memref.load %B_shared[%vi_1, %vj_1] : memref<16x8xf32>
          %one = arith.constant 1.000000e+00 : f32
          %c = arith.addf %x, %one : f32
          memref.store %c, %C[%vi_1, %vj_1] : memref<16x8xf32>
        }
      }
    }
    func.return
  }
}"""


def test_cache_read_after_producer() -> None:
    mod = parse(EWISE)
    sch = Schedule(mod)
    copy = sch.cache_read(sch.get_block("C"), 0, "shared")
    assert str(sch.mod) == AFTER_EWISE
    assert sch.get(copy).label == "B_shared"
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_cache_read_input_then_compute_at_tile() -> None:
    """B of a tiled matmul cached, then copied per k step: one row of the 32-column tile."""
    mod = parse(MM_TILED)
    sch = Schedule(mod)
    block_c = sch.get_block("C")
    copy = sch.cache_read(block_c, 1, "local")
    _, _, k, _, _ = sch.get_loops(block_c)
    sch.compute_at(copy, k)
    text = str(sch.mod)
    assert '%B_local = tensor.alloc_buffer {tensor.storage_scope = "local"}' in text
    assert "loops.for %ax0 = 0 to 32 {" in text
    assert '"B_local"(%v0 = spatial(64, %k), %v1 = spatial(64, %j0 * 32 + %ax0))' in text
    assert "reads(%A[%vi, %vk], %B_local[%vk, %vj])" in text
    assert_same_numerics(mod, sch.mod)
    assert_replays(mod, sch)


def test_cache_read_fail_index_out_of_range() -> None:
    sch = Schedule(parse(EWISE))
    block = sch.get_block("C")
    assert_fails_unchanged(sch, CacheIndexError, lambda: sch.cache_read(block, 1, "local"))


def test_cache_read_fail_unknown_scope() -> None:
    sch = Schedule(parse(EWISE))
    block = sch.get_block("C")
    assert_fails_unchanged(
        sch, CacheScopeError, lambda: sch.cache_read(block, 0, "texture"), "unknown storage scope"
    )


def test_cache_read_fail_reader_also_writes() -> None:
    sch = Schedule(parse(ROW_SUM))
    block = sch.get_block("S_update")
    assert_fails_unchanged(
        sch, CacheConflictError, lambda: sch.cache_read(block, 0, "local"), "both reads and writes"
    )
