"""GFLOP/s of f32 matmul compiled by the LLVM backend (mlc_dialects.codegen) next to numpy.

    python bench/codegen_matmul.py [n ...]        (default n = 256)

Kernels, written directly in scf/arith/memref/vector IR (no schedule involved):
- ikj-vector: the row-update loop order with vector<16xf32> fma over j and a scalar tail
  (the kernel of tests/codegen);
- blocked-8x32: an 8-row x 32-column register tile of C held in 16 vector<16xf32>
  iter_args over the whole k loop (what `cache_write` + `vectorize` + `unroll` will produce).
numpy is measured on one thread (in a child process with OPENBLAS_NUM_THREADS=1) and with all
threads; ours run on one thread. Each figure is the best of several calls in the same run.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests" / "codegen"))
from codegen_kernels import compile_text, matmul_ikj_vector

LANES = 16


def matmul_blocked(n: int, rows: int = 8, vecs: int = 2) -> str:
    """C = A @ B for n divisible by rows and 16*vecs: a rows x (16*vecs) tile of C in registers."""
    cols = LANES * vecs
    assert n % rows == 0 and n % cols == 0, f"n={n} must divide by {rows} and {cols}"
    vt, mt = f"vector<{LANES}xf32>", f"memref<{n}x{n}xf32>"
    accs = [f"%acc{r}_{v}" for r in range(rows) for v in range(vecs)]
    header = (f"func.func @matmul(%A: {mt} {{llvm.noalias}}, %B: {mt} {{llvm.noalias}}, "
              f"%C: {mt} {{llvm.noalias}}) {{")
    lines = [header,
             "  %c0 = arith.constant 0 : index", "  %c1 = arith.constant 1 : index",
             f"  %cn = arith.constant {n} : index", f"  %crows = arith.constant {rows} : index",
             f"  %ccols = arith.constant {cols} : index",
             f"  %zv = arith.constant dense<0.0> : {vt}"]
    lines += [f"  %o{k} = arith.constant {k} : index" for k in range(max(rows, cols))]
    lines += ["  scf.for %i = %c0 to %cn step %crows {",
              "    scf.for %j = %c0 to %cn step %ccols {"]
    lines += [f"      %i{r} = arith.addi %i, %o{r} : index" for r in range(rows)]
    lines += [f"      %j{v} = arith.addi %j, %o{LANES * v} : index" for v in range(vecs)]
    init = ", ".join(f"{a} = %zv" for a in accs)
    types = ", ".join([vt] * len(accs))
    lines.append(f"      %t:{len(accs)} = scf.for %p = %c0 to %cn step %c1 "
                 f"iter_args({init}) -> ({types}) {{")
    lines += [f"        %b{v} = vector.load %B[%p, %j{v}] : {mt}, {vt}" for v in range(vecs)]
    new = []
    for r in range(rows):
        lines.append(f"        %a{r} = memref.load %A[%i{r}, %p] : {mt}")
        lines.append(f"        %ab{r} = vector.broadcast %a{r} : f32 to {vt}")
        for v in range(vecs):
            lines.append(f"        %n{r}_{v} = vector.fma %ab{r}, %b{v}, %acc{r}_{v} : {vt}")
            new.append(f"%n{r}_{v}")
    lines.append(f"        scf.yield {', '.join(new)} : {types}")
    lines.append("      }")
    for idx in range(len(accs)):
        r, v = divmod(idx, vecs)
        lines.append(f"      vector.store %t#{idx}, %C[%i{r}, %j{v}] : {mt}, {vt}")
    lines += ["    }", "  }", "  func.return", "}"]
    return "\n".join(lines)


def best_seconds(call: Callable[[], object], repeats: int = 30) -> float:
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


_ONE_THREAD_SNIPPET = """
import sys, time, numpy as np
n = int(sys.argv[1]); rng = np.random.default_rng(0)
a = rng.standard_normal((n, n), dtype=np.float32); b = rng.standard_normal((n, n), dtype=np.float32)
a @ b; best = float("inf")
for _ in range(30):
    s = time.perf_counter(); a @ b; best = min(best, time.perf_counter() - s)
print(best)
"""


def numpy_one_thread_seconds(n: int) -> float:
    """numpy's best time on one thread: BLAS thread counts are fixed at import, so a child."""
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "OMP_NUM_THREADS": "1",
           "MKL_NUM_THREADS": "1"}
    out = subprocess.run([sys.executable, "-c", _ONE_THREAD_SNIPPET, str(n)], env=env,
                         check=True, capture_output=True, text=True).stdout
    return float(out)


def main(sizes: list[int]) -> None:
    kernels = {"ikj-vector": matmul_ikj_vector, "blocked-8x32": matmul_blocked}
    for n in sizes:
        flops = 2.0 * n ** 3
        rng = np.random.default_rng(0)
        a = rng.standard_normal((n, n), dtype=np.float32)
        b = rng.standard_normal((n, n), dtype=np.float32)
        np_all = best_seconds(partial(np.matmul, a, b))
        np_one = numpy_one_thread_seconds(n)
        print(f"n={n}: numpy {flops / np_one / 1e9:6.1f} GFLOP/s on 1 thread, "
              f"{flops / np_all / 1e9:6.1f} GFLOP/s on all threads")
        for name, gen in kernels.items():
            c = np.zeros((n, n), np.float32)
            func = compile_text(gen(n, n, n) if gen is matmul_ikj_vector else gen(n))["matmul"]
            func(a, b, c)
            assert np.allclose(c, a @ b, rtol=1e-3, atol=1e-3), name
            ours = best_seconds(partial(func, a, b, c))
            gflops = flops / ours / 1e9
            print(f"  {name:13s} {gflops:6.1f} GFLOP/s (1 thread) = {np_one / ours:4.2f}x numpy "
                  f"on 1 thread, {np_all / ours:4.2f}x numpy on all threads")


if __name__ == "__main__":
    main([int(x) for x in sys.argv[1:]] or [256])
