"""MultiLevelTiling with few rows (a GEMV, batch 1): the register tile spends the accumulator
registers on columns (1 row x 8 vectors instead of 1 x 2), the vectors unrolled, and the
result still equals the interpreter. No timing here: bench/models.py measures the effect."""

from __future__ import annotations

import numpy as np
import pytest

import mlc_dialects as mlc
from dialects.hw.attrs import TargetAttr
from dialects.loops.ops import ForOp
from dialects.tensor import interp
from dialects.tensor.schedule import Schedule, analysis
from mlc_dialects import te
from mlc_dialects.autoschedule import Decision, default_schedule
from mlc_dialects.autoschedule.rules import ACCUMULATORS, _col_factor
from mlc_dialects.oplib import elementwise, linalg

TARGET = TargetAttr.host(num_threads=4)


def _gemv(rows: int, k: int, n: int, epilogue: bool):
    x = te.placeholder((rows, k), "float32", name="x")
    w = te.placeholder((k, n), "float32", name="w")
    mm = linalg.matmul(x, w)
    if not epilogue:
        return te.create_prim_func([x, w, mm])
    b = te.placeholder((n,), "float32", name="b")
    return te.create_prim_func([x, w, b, elementwise.relu(elementwise.add(mm, b), name="out")])


def _update_loops(sch: Schedule) -> list[tuple[int, str]]:
    function = analysis.find_function(sch.mod, "main")
    assert function is not None
    block = analysis.find_blocks(function, "matmul_update")[0]
    return [(lp.extent, lp.kind_name) for lp in analysis.get_loops(block)]


def _lanes() -> int:
    return TARGET.vector_bits.data // 32


def test_col_factor_widens_only_for_few_rows() -> None:
    lanes = 16
    assert _col_factor(128, lanes, ACCUMULATORS // 1) == 128     # 8 vectors
    assert _col_factor(512, lanes, ACCUMULATORS // 1) == 256     # at most 16 vectors
    assert _col_factor(96, lanes, ACCUMULATORS // 2) == 96       # 6 vectors for 2 rows
    assert _col_factor(128, lanes, ACCUMULATORS // 8) == 32      # 8 rows: two vectors
    assert _col_factor(10, lanes, ACCUMULATORS // 1) == 10       # no whole vector: as before


@pytest.mark.parametrize(("rows", "epilogue"), [(1, False), (1, True), (2, True)])
def test_gemv_tile_is_wide_and_equals_interpreter(rows: int, epilogue: bool) -> None:
    lanes = _lanes()
    n, k = 8 * lanes, 24
    module = _gemv(rows, k, n, epilogue)
    log: list[Decision] = []
    sch = default_schedule(module, TARGET, log=log)
    assert any(d.block == "matmul" and d.rule == "multi_level_tiling" for d in log), log
    loops = _update_loops(sch)
    # ..., reduce, rows of the tile, vectors of the tile (unrolled), lanes (vectorized)
    assert loops[-2:] == [(8, "unrolled"), (lanes, "vectorized")], loops
    function = analysis.find_function(sch.mod, "main")
    assert function is not None
    kinds = [op.kind_name for op in function.walk() if isinstance(op, ForOp)]
    assert "parallel" not in kinds  # one tile: nothing to share between threads
    rng = np.random.default_rng(0)
    x = rng.standard_normal((rows, k), dtype=np.float32)
    w = rng.standard_normal((k, n), dtype=np.float32)
    args = [x, w]
    want = x @ w
    if epilogue:
        b = rng.standard_normal(n, dtype=np.float32)
        args.append(b)
        want = np.maximum(want + b, 0)
    interpreted = np.zeros((rows, n), np.float32)
    interp.run(sch.mod, "main", [*args, interpreted])
    compiled = np.zeros((rows, n), np.float32)
    mlc.compile(sch.mod)["main"](*args, compiled)
    np.testing.assert_allclose(interpreted, want, rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(compiled, interpreted, rtol=1e-5, atol=1e-5)
    replayed = Schedule(module)
    sch.trace.apply_to_schedule(replayed)
    assert str(replayed.mod) == str(sch.mod)


def test_many_rows_keep_the_8x2_tile() -> None:
    lanes = _lanes()
    sch = default_schedule(_gemv(16, 8, 4 * lanes, False), TARGET)
    assert _update_loops(sch)[-2:] == [(8, "unrolled"), (2 * lanes, "vectorized")]
