"""GFLOP/s of compiled f32 matmul (te + schedule -> mlc.compile) next to numpy's, in one run.

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/matmul.py [n ...]   (default 256 512 1024)

For each n and for 1 thread and all threads, it prints numpy's GFLOP/s and, for each of our
programs, its GFLOP/s and the ratio to numpy measured in the same run with the same thread count:
- `te`: the te program with no schedule (i, j, k loops, scalar);
- `recipe`: the classic CPU recipe written with `mlc.Schedule` (see `recipe` below);
- `recipe+L2`: the same with the outer rows split once more (8 tiles of 8 rows under each
  column panel), so that the panel is read from L2 rather than L3 (at n = 1024 it is 4 MiB).
Threads: ours through MLC_NUM_THREADS (read by compiled code at each parallel launch), numpy's
OpenBLAS through threadpoolctl. Each figure is the best of several calls (at least 3, and as
many as fit in about half a second). Results are checked against numpy before timing.
OPENBLAS_CORETYPE / OPENBLAS_L2_SIZE, when set, change which kernel OpenBLAS runs: unset them
for a fair comparison (the command above); the header says which kernel numpy uses.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import mlc_dialects as mlc
from mlc_dialects import te

TILE_ROWS = 8
TILE_COLS = 32  # two AVX-512 vectors of f32
L2_ROW_TILES = 8  # recipe+L2: 8 tiles of 8 rows (64 rows of A) under each 32-column panel


def matmul_te(n: int):
    """C = A @ B as a te program: no schedule."""
    A = te.placeholder((n, n), "float32", name="A")
    B = te.placeholder((n, n), "float32", name="B")
    k = te.reduce_axis((0, n), name="k")
    C = te.compute((n, n), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")
    return te.create_prim_func([A, B, C])


def recipe(n: int, row_tiles: int = 0):
    """The classic CPU recipe: B packed into column panels `Bp[j // 32, k, j % 32]`, C in
    8 x 32 tiles accumulated in a "local" cache (registers: 8 rows x 2 zmm), the 32 columns
    vectorized, the 8 rows unrolled, outer rows parallel, the reduction's init split off (and
    vectorized/unrolled like the update, as is the copy-out, so that the tile is only ever
    accessed at constant offsets).

    `row_tiles > 0` adds one level of cache blocking (what BLAS calls mc): the outer rows are
    split again so that `row_tiles` tiles of 8 rows run under each column panel, which then
    stays in L2 instead of being streamed from L3 once per 8 rows."""
    assert n % TILE_COLS == 0, f"n={n} must be a multiple of {TILE_COLS}"
    A = te.placeholder((n, n), "float32", name="A")
    B = te.placeholder((n, n), "float32", name="B")
    Bp = te.compute((n // TILE_COLS, n, TILE_COLS),
                    lambda jo, k, ji: B[k, jo * TILE_COLS + ji], name="Bp")
    k = te.reduce_axis((0, n), name="k")
    C = te.compute((n, n), lambda i, j: te.sum(
        A[i, k] * Bp[j // TILE_COLS, k, j % TILE_COLS], axis=k), name="C")
    sch = mlc.Schedule(te.create_prim_func([A, B, C]))

    pack = sch.get_block("Bp")
    jo, _, ji = sch.get_loops(pack)
    sch.parallel(jo)
    sch.vectorize(ji)

    block = sch.get_block("C")
    i, j, kk = sch.get_loops(block)
    jo, ji = sch.split(j, [None, TILE_COLS])
    if row_tiles:
        outer, io, ii = sch.split(i, [None, row_tiles, TILE_ROWS])
        sch.reorder(outer, jo, io, kk, ii, ji)
    else:
        io, ii = sch.split(i, [None, TILE_ROWS])
        sch.reorder(io, jo, kk, ii, ji)
        outer = io
    local = sch.cache_write(block, 0, "local")
    sch.reverse_compute_at(local, io if row_tiles else jo)
    init = sch.decompose_reduction(block, kk)
    sch.vectorize(ji)
    sch.unroll(ii)
    sch.parallel(outer)
    for tile in (init, local):
        rows, cols = sch.get_loops(tile)[-2:]
        sch.unroll(rows)
        sch.vectorize(cols)
    return sch.mod


def best_seconds(calls: dict[str, Callable[[], object]], rounds: int = 10,
                 block: float = 0.1, slow: float = 1.0) -> dict[str, float]:
    """Best time of one call of each candidate. Candidates take turns in `rounds` rounds of
    about `block` seconds (at least one call) each, so that load from other processes on the
    machine hits them alike; each candidate is called once before timing. A candidate slower
    than `slow` seconds a call (the unscheduled program at n = 1024) is timed once."""
    best = {name: float("inf") for name in calls}
    slow_ones = set()
    for name, call in calls.items():
        start = time.perf_counter()
        call()
        if time.perf_counter() - start > slow:
            slow_ones.add(name)
    for round_index in range(rounds):
        for name, call in calls.items():
            if name in slow_ones and round_index > 0:
                continue
            spent = 0.0
            while spent < block:
                start = time.perf_counter()
                call()
                elapsed = time.perf_counter() - start
                best[name] = min(best[name], elapsed)
                spent += elapsed
    return best


def blas_description() -> str:
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return (f"{pool.get('internal_api')} {pool.get('version')} "
                    f"kernel={pool.get('architecture')} threads={pool.get('num_threads')}")
    return "no BLAS found by threadpoolctl"


def main(sizes: list[int]) -> None:
    all_threads = os.cpu_count() or 1
    print(f"numpy {np.__version__}: {blas_description()}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var}={os.environ[var]} is set: numpy may not use its best kernel")
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f} before the run: other processes share the "
              "cores, figures (all threads above all) may be low")
    print(f"threads: 1 and {all_threads} (all); GFLOP/s = 2 n^3 / best time; "
          "ratio = numpy time / our time")
    print(f"{'n':>5} {'threads':>7} {'numpy':>8} {'te':>8} {'te/np':>6} "
          f"{'recipe':>8} {'rec/np':>6} {'recipe+L2':>9} {'+L2/np':>6}")
    for n in sizes:
        flops = 2.0 * n ** 3
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        want = a @ b
        programs = {"te": mlc.compile(matmul_te(n)), "recipe": mlc.compile(recipe(n))}
        if n % (L2_ROW_TILES * TILE_ROWS) == 0:
            programs["recipe+L2"] = mlc.compile(recipe(n, row_tiles=L2_ROW_TILES))
        c = np.zeros((n, n), np.float32)
        for name, exe in programs.items():
            c[:] = 0
            exe["main"](a, b, c)
            np.testing.assert_allclose(c, want, rtol=1e-3, atol=1e-3 * np.sqrt(n),
                                       err_msg=f"{name} at n={n}")
        for threads in (1, all_threads):
            os.environ["MLC_NUM_THREADS"] = str(threads)
            with threadpool_limits(limits=threads, user_api="blas"):
                calls = {"numpy": partial(np.matmul, a, b)}
                calls |= {name: partial(exe["main"], a, b, c) for name, exe in programs.items()}
                best = best_seconds(calls)
            row = f"{n:>5} {threads:>7} {flops / best['numpy'] / 1e9:8.1f}"
            for name in programs:
                width = max(8, len(name))
                row += f" {flops / best[name] / 1e9:{width}.1f} {best['numpy'] / best[name]:6.2f}"
            print(row, flush=True)


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [256, 512, 1024])
