"""Per-op speed of default-scheduled op-library kernels next to numpy (not a test).

    python bench/ops.py [--threads N] [op ...]      ops: matmul softmax conv2d add chain

Each kernel is the op library's te program (`mlc_dialects.oplib`), scheduled by
`mlc_dialects.autoschedule.default_schedule` with no tuning, compiled by `mlc.compile`, and
checked against numpy before it is timed. Figures are the best of several calls in the same
process; numpy runs eagerly (its BLAS uses all threads for matmul and the im2col convolution,
one with `--threads 1`; convolution has no numpy primitive, so the peer is the usual im2col:
`sliding_window_view` + `tensordot`).

Shapes: matmul 512x512x512, softmax 1024x1024 rows, conv2d 1x64x56x56 with 64 3x3 filters
(padding 1, bias), add on 16M floats, and a five-op elementwise chain on 16M floats (one
fused kernel; numpy pays five passes).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

if "--threads" in sys.argv[:-1] and sys.argv[sys.argv.index("--threads") + 1] == "1":
    # numpy's BLAS fixes its thread count at import: one thread for both sides.
    for var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ[var] = "1"

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from mlc_dialects import te
from mlc_dialects.oplib import elementwise, linalg, nn


def best_seconds(call: Callable[[], object], repeats: int = 20) -> float:
    call()
    best = float("inf")
    for _ in range(repeats):
        start = time.perf_counter()
        call()
        best = min(best, time.perf_counter() - start)
    return best


def matmul_case(rng: np.random.Generator):
    n = 512
    a, b = (te.placeholder((n, n), "float32", name=nm) for nm in ("a", "b"))
    module = te.create_prim_func([a, b, linalg.matmul(a, b)])
    x, y = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    return module, [x, y], np.zeros((n, n), np.float32), lambda: x @ y, 1e-3


def softmax_case(rng: np.random.Generator):
    n = 1024
    x = te.placeholder((n, n), "float32", name="x")
    module = te.create_prim_func([x, nn.softmax(x, -1)])
    data = rng.standard_normal((n, n), dtype=np.float32)

    def numpy_softmax() -> np.ndarray:
        e = np.exp(data - data.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)

    return module, [data], np.zeros((n, n), np.float32), numpy_softmax, 1e-5


def conv2d_case(rng: np.random.Generator):
    x = te.placeholder((1, 64, 56, 56), "float32", name="x")
    w = te.placeholder((64, 64, 3, 3), "float32", name="w")
    bias = te.placeholder((64,), "float32", name="bias")
    module = te.create_prim_func([x, w, bias, nn.conv2d(x, w, bias, padding=(1, 1, 1, 1))])
    xd = rng.standard_normal((1, 64, 56, 56), dtype=np.float32)
    wd = rng.standard_normal((64, 64, 3, 3), dtype=np.float32)
    bd = rng.standard_normal((64,), dtype=np.float32)

    def numpy_conv() -> np.ndarray:
        padded = np.pad(xd, ((0, 0), (0, 0), (1, 1), (1, 1)))
        windows = np.lib.stride_tricks.sliding_window_view(padded, (3, 3), axis=(2, 3))
        # windows: (1, C, 56, 56, 3, 3); contract C, ky, kx with w (O, C, 3, 3)
        out = np.tensordot(wd, windows[0], axes=([1, 2, 3], [0, 3, 4]))
        return (out + bd[:, None, None])[None]

    return module, [xd, wd, bd], np.zeros((1, 64, 56, 56), np.float32), numpy_conv, 1e-3


N_ELEMENTWISE = 1 << 24


def add_case(rng: np.random.Generator):
    a, b = (te.placeholder((N_ELEMENTWISE,), "float32", name=nm) for nm in ("a", "b"))
    module = te.create_prim_func([a, b, elementwise.add(a, b)])
    x, y = (rng.standard_normal(N_ELEMENTWISE, dtype=np.float32) for _ in range(2))
    return module, [x, y], np.zeros(N_ELEMENTWISE, np.float32), lambda: x + y, 0.0


def chain_case(rng: np.random.Generator):
    """relu((a * b + a) - b) * a: five elementwise ops, fused by AutoInline."""
    a, b = (te.placeholder((N_ELEMENTWISE,), "float32", name=nm) for nm in ("a", "b"))
    t = elementwise.mul(a, b, name="t0")
    t = elementwise.add(t, a, name="t1")
    t = elementwise.sub(t, b, name="t2")
    t = elementwise.relu(t, name="t3")
    out = elementwise.mul(t, a, name="out")
    module = te.create_prim_func([a, b, out])
    x, y = (rng.standard_normal(N_ELEMENTWISE, dtype=np.float32) for _ in range(2))

    def numpy_chain() -> np.ndarray:
        return np.maximum(x * y + x - y, 0) * x

    return module, [x, y], np.zeros(N_ELEMENTWISE, np.float32), numpy_chain, 1e-5


CASES = {"matmul": matmul_case, "softmax": softmax_case, "conv2d": conv2d_case,
         "add": add_case, "chain": chain_case}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("ops", nargs="*", default=list(CASES))
    parser.add_argument("--threads", type=int, default=0, help="MLC_NUM_THREADS (0: all)")
    args = parser.parse_args()
    if args.threads:
        os.environ["MLC_NUM_THREADS"] = str(args.threads)

    import mlc_dialects as mlc
    from mlc_dialects.autoschedule import default_schedule

    rng = np.random.default_rng(0)
    threads = os.environ.get("MLC_NUM_THREADS", f"all ({os.cpu_count()})")
    print(f"default schedules vs numpy, threads: {threads}")
    for name in args.ops:
        module, inputs, out, peer, tol = CASES[name](rng)
        start = time.perf_counter()
        log: list = []
        sch = default_schedule(module, log=log)
        exe = mlc.compile(sch.mod)
        compile_s = time.perf_counter() - start
        exe["main"](*inputs, out)
        want = peer()
        np.testing.assert_allclose(out, want, rtol=tol, atol=tol, err_msg=name)
        ours = best_seconds(partial(exe["main"], *inputs, out))
        theirs = best_seconds(peer)
        rules = ", ".join(sorted({f"{d.block}:{d.rule}" for d in log}))
        print(f"  {name:8s} ours {ours * 1e3:8.3f} ms  numpy {theirs * 1e3:8.3f} ms  "
              f"speedup {theirs / ours:5.2f}x  (compile {compile_s:.1f} s; {rules})")


if __name__ == "__main__":
    main()
