"""Checks shared by the loop/sampling primitive tests: trace replay, unchanged-on-failure."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest
from xdsl.dialects.builtin import ModuleOp

from dialects.tensor.schedule import Schedule, ScheduleError, Trace
from mlc_dialects import te


def assert_replays(original: ModuleOp, sch: Schedule) -> None:
    """The trace (as text, and as JSON) replayed on the original gives the same program."""
    text = str(sch.trace)
    assert str(Trace.parse(text)) == text
    from_text = Schedule(original)
    Trace.parse(text).apply_to_schedule(from_text)
    assert str(from_text.mod) == str(sch.mod)
    data = json.loads(json.dumps(sch.trace.as_json()))
    from_json = Schedule(original)
    Trace.from_json(data).apply_to_schedule(from_json)
    assert str(from_json.mod) == str(sch.mod)
    assert str(from_json.trace) == text


def assert_fails_unchanged(
    sch: Schedule,
    error: type[ScheduleError],
    action: Callable[[], object],
    match: str | None = None,
) -> ScheduleError:
    """`action` raises `error` and leaves the module and the trace as they were."""
    before, trace = str(sch.mod), str(sch.trace)
    with pytest.raises(error, match=match) as info:
        action()
    assert str(sch.mod) == before
    assert str(sch.trace) == trace
    return info.value


def elementwise(rows: int = 10, cols: int = 6) -> ModuleOp:
    """B = A * 2 over a rows x cols grid: one spatial block under loops i, j."""
    a = te.placeholder((rows, cols), "float32", name="A")
    b = te.compute((rows, cols), lambda i, j: a[i, j] * 2.0, name="B")
    return te.create_prim_func([a, b])


def matmul(n: int = 16, m: int | None = None, k: int | None = None) -> ModuleOp:
    """C = A @ B from te: block "C" with iterators i, j (spatial) and k (reduce)."""
    m = m or n
    k = k or n
    a = te.placeholder((n, k), "float32", name="A")
    b = te.placeholder((k, m), "float32", name="B")
    r = te.reduce_axis((0, k), name="k")
    c = te.compute((n, m), lambda i, j: te.sum(a[i, r] * b[r, j], axis=r), name="C")
    return te.create_prim_func([a, b, c])


TWO_NESTS = """\
func.func @main(%A: memref<4x8xf32>, %B: memref<4x8xf32>, %C: memref<4x8xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 4 {
    loops.for %j = 0 to 8 {
      tensor.block "B"(%vi = spatial(4, %i), %vj = spatial(8, %j)) reads(%A[%vi, %vj]) writes(%B[%vi, %vj]) {
        %0 = memref.load %A[%vi, %vj] : memref<4x8xf32>
        memref.store %0, %B[%vi, %vj] : memref<4x8xf32>
      }
    }
    loops.for %j2 = 0 to 8 {
      tensor.block "C"(%wi = spatial(4, %i), %wj = spatial(8, %j2)) reads(%B[%wi, %wj]) writes(%C[%wi, %wj]) {
        %1 = memref.load %B[%wi, %wj] : memref<4x8xf32>
        memref.store %1, %C[%wi, %wj] : memref<4x8xf32>
      }
    }
  }
  func.return
}
"""
"""Loop %i holds two loop nests (B then C): not a perfect nest."""

ROW_SUM = """\
func.func @main(%A: memref<4x8xf32>, %S: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 4 {
    tensor.block "S_init"(%vi = spatial(4, %i)) reads() writes(%S[%vi]) {
      %0 = arith.constant 0.000000e+00 : f32
      memref.store %0, %S[%vi] : memref<4xf32>
    }
    loops.for %j = 0 to 8 {
      tensor.block "S_update"(%ui = spatial(4, %i), %uj = reduce(8, %j)) reads(%S[%ui], %A[%ui, %uj]) writes(%S[%ui]) {
        %1 = memref.load %S[%ui] : memref<4xf32>
        %2 = memref.load %A[%ui, %uj] : memref<4x8xf32>
        %3 = arith.addf %1, %2 : f32
        memref.store %3, %S[%ui] : memref<4xf32>
      }
    }
  }
  func.return
}
"""
"""A decomposed row sum: block "S_init" sits between loops %i and %j."""


EMPTY_LOOP = """\
func.func @main(%A: memref<4xf32>, %B: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 0 {
    tensor.block "B"(%vi = spatial(4, %i)) reads(%A[%vi]) writes(%B[%vi]) {
      %0 = memref.load %A[%vi] : memref<4xf32>
      memref.store %0, %B[%vi] : memref<4xf32>
    }
  }
  func.return
}
"""
"""A loop without iterations: its extent is not a usable static (positive) integer."""
