"""Whole models compiled by `mlc.compile` next to numpy eager, in one run (not a test).

    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE python bench/models.py [case ...] [--rounds N]

Cases (issue 5's benchmark):
- `mlp-1`, `mlp-64`, `mlp-1024`: examples/mlp.mlir (784-128-10, relu, softmax at the end) at
  batch 1, 64 and 1024;
- `matmul`: one 1024x1024x1024 f32 matmul;
- `chain`: five elementwise ops on 16M floats, `relu(a * b + a - b) * a` (numpy makes five
  passes over memory, a fused kernel one).

Each graph is compiled once by `mlc.compile` (the default pipeline: legalize, fuse, default
schedules, memory planning, one native driver), checked against numpy, then timed with 1
thread and with all threads: ours through `MLC_NUM_THREADS` (read by compiled code at each
parallel launch), numpy's OpenBLAS through threadpoolctl. Candidates take turns in rounds so
that load from other processes hits both alike; a figure is the best call over all rounds,
and `spread` is the median call over the best (how noisy the run was).

Columns: `mlc` and `numpy` time per call, `ratio` = numpy / mlc (above 1: we are faster),
`tvm` the Apache TVM 0.27 MetaSchedule-tuned anchor of the issue (two threads, development
machine) where there is one. The header names numpy's BLAS and the kernel it runs; the
footer gives the planned peak bytes of the MLP's intermediates.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_info, threadpool_limits

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import mlc_dialects as mlc  # noqa: E402

MLP_BATCHES = (1, 64, 1024)
MATMUL_N = 1024
CHAIN_N = 1 << 24

# Anchors of issue 5 (development machines): numpy with one thread, TVM tuned on two.
NUMPY_ANCHOR_1T = {"mlp-1": 9.6e-6, "mlp-64": 151e-6, "mlp-1024": 2.3e-3}
TVM_ANCHOR = {"mlp-1": 6.0e-6, "mlp-64": 66e-6, "mlp-1024": 0.99e-3}


@dataclass
class Case:
    name: str
    module: object
    inputs: list[np.ndarray]
    peer: Callable[[], np.ndarray]
    tol: float


# --------------------------------------------------------------------------- the models


def mlp_text(batch: int) -> str:
    """examples/mlp.mlir at another batch size."""
    text = (ROOT / "examples" / "mlp.mlir").read_text()
    return text.replace("tensor<4x", f"tensor<{batch}x")


def numpy_mlp(x, w0, b0, w1, b1):
    h = np.maximum(x @ w0 + b0, 0)
    z = h @ w1 + b1
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def mlp_case(batch: int, rng: np.random.Generator) -> Case:
    inputs = [
        rng.standard_normal((batch, 784), dtype=np.float32),
        (rng.standard_normal((784, 128), dtype=np.float32) * 0.05).astype(np.float32),
        rng.standard_normal(128, dtype=np.float32),
        (rng.standard_normal((128, 10), dtype=np.float32) * 0.1).astype(np.float32),
        rng.standard_normal(10, dtype=np.float32),
    ]
    return Case(f"mlp-{batch}", mlc.parse(mlp_text(batch)), inputs,
                lambda: numpy_mlp(*inputs), 1e-5)


def matmul_case(rng: np.random.Generator) -> Case:
    n = MATMUL_N
    t = f"tensor<{n}x{n}xf32>"
    text = (f"func.func @main(%a: {t}, %b: {t}) -> {t} {{\n"
            f"  %c = graph.matmul %a, %b : ({t}, {t}) -> {t}\n"
            f"  func.return %c : {t}\n}}\n")
    a, b = (rng.standard_normal((n, n), dtype=np.float32) for _ in range(2))
    return Case("matmul", mlc.parse(text), [a, b], lambda: a @ b, 1e-3)


def chain_case(rng: np.random.Generator) -> Case:
    t = f"tensor<{CHAIN_N}xf32>"
    text = (f"func.func @main(%a: {t}, %b: {t}) -> {t} {{\n"
            f"  %t0 = graph.mul %a, %b : ({t}, {t}) -> {t}\n"
            f"  %t1 = graph.add %t0, %a : ({t}, {t}) -> {t}\n"
            f"  %t2 = graph.sub %t1, %b : ({t}, {t}) -> {t}\n"
            f"  %t3 = graph.relu %t2 : {t}\n"
            f"  %t4 = graph.mul %t3, %a : ({t}, {t}) -> {t}\n"
            f"  func.return %t4 : {t}\n}}\n")
    a, b = (rng.standard_normal(CHAIN_N, dtype=np.float32) for _ in range(2))
    return Case("chain", mlc.parse(text), [a, b],
                lambda: np.maximum(a * b + a - b, 0) * a, 1e-5)


def all_cases(rng: np.random.Generator) -> dict[str, Callable[[], Case]]:
    cases: dict[str, Callable[[], Case]] = {
        f"mlp-{b}": (lambda b=b: mlp_case(b, rng)) for b in MLP_BATCHES}
    cases["matmul"] = lambda: matmul_case(rng)
    cases["chain"] = lambda: chain_case(rng)
    return cases


# --------------------------------------------------------------------------- timing


def time_calls(calls: dict[str, Callable[[], object]], rounds: int, block: float
               ) -> dict[str, list[float]]:
    """Per-call times of each candidate: they take turns in `rounds` rounds of about `block`
    seconds (at least two calls) each; each is called once before timing."""
    for call in calls.values():
        call()
    times: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(rounds):
        for name, call in calls.items():
            spent, count = 0.0, 0
            while spent < block or count < 2:
                start = time.perf_counter()
                call()
                elapsed = time.perf_counter() - start
                times[name].append(elapsed)
                spent += elapsed
                count += 1
    return times


def blas_description() -> str:
    for pool in threadpool_info():
        if pool.get("user_api") == "blas":
            return (f"{pool.get('internal_api')} {pool.get('version')} "
                    f"kernel={pool.get('architecture')} threads={pool.get('num_threads')}")
    return "no BLAS found by threadpoolctl"


def fmt_time(seconds: float) -> str:
    if seconds < 1e-3:
        return f"{seconds * 1e6:8.1f} us"
    return f"{seconds * 1e3:8.3f} ms"


# --------------------------------------------------------------------------- main


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("cases", nargs="*", help="mlp-1 mlp-64 mlp-1024 matmul chain (all)")
    parser.add_argument("--rounds", type=int, default=10)
    parser.add_argument("--block", type=float, default=0.05,
                        help="seconds per candidate per round")
    parser.add_argument("--threads", type=int, nargs="*", default=None,
                        help="thread counts (default: 1 and all)")
    args = parser.parse_args()

    all_threads = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") \
        else os.cpu_count() or 1
    thread_counts = args.threads or sorted({1, all_threads})
    print(f"numpy {np.__version__}: {blas_description()}")
    for var in ("OPENBLAS_CORETYPE", "OPENBLAS_L2_SIZE"):
        if var in os.environ:
            print(f"warning: {var}={os.environ[var]} is set: numpy may not use its best "
                  "kernel (run with `env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE`)")
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f} before the run: other processes share the "
              "cores, figures (all threads above all) may be low")

    rng = np.random.default_rng(0)
    factories = all_cases(rng)
    names = args.cases or list(factories)
    unknown = [n for n in names if n not in factories]
    if unknown:
        parser.error(f"unknown case(s) {', '.join(unknown)}; known: {', '.join(factories)}")

    compiled = []
    peaks: dict[str, int] = {}
    for name in names:
        case = factories[name]()
        start = time.perf_counter()
        exe = mlc.compile(case.module)
        seconds = time.perf_counter() - start
        got = exe["main"](*case.inputs)
        np.testing.assert_allclose(got, case.peer(), rtol=case.tol, atol=case.tol,
                                   err_msg=name)
        if name.startswith("mlp"):
            peaks[name] = exe.peak_bytes("main")
        print(f"compiled {name} in {seconds:.1f} s; matches numpy", flush=True)
        compiled.append((case, exe["main"]))

    print()
    print("time per call, best of all rounds (spread: median / best); ratio = numpy / mlc")
    header = (f"{'case':<9} {'threads':>7} {'mlc':>11} {'spread':>6} {'numpy':>11} "
              f"{'spread':>6} {'ratio':>6} {'tvm (2 thr)':>12}")
    print(header)
    print("-" * len(header))
    for threads in thread_counts:
        os.environ["MLC_NUM_THREADS"] = str(threads)
        for case, fn in compiled:
            inputs = case.inputs
            with threadpool_limits(limits=threads, user_api="blas"):
                times = time_calls({"mlc": lambda: fn(*inputs), "numpy": case.peer},
                                   args.rounds, args.block)
            ours, theirs = min(times["mlc"]), min(times["numpy"])
            spread_ours = statistics.median(times["mlc"]) / ours
            spread_theirs = statistics.median(times["numpy"]) / theirs
            tvm = fmt_time(TVM_ANCHOR[case.name]) if case.name in TVM_ANCHOR else ""
            print(f"{case.name:<9} {threads:>7} {fmt_time(ours)} {spread_ours:6.2f} "
                  f"{fmt_time(theirs)} {spread_theirs:6.2f} {theirs / ours:6.2f} {tvm:>12}",
                  flush=True)
    if peaks:
        print()
        print("planned peak bytes of the MLP's intermediates (graph-plan-memory): " + ", ".join(
            f"{name} {value:,} B" for name, value in peaks.items()))


if __name__ == "__main__":
    main()
