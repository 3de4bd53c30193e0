"""Milliseconds per inference of the light ONNX models compiled by mlc next to onnxruntime's, in
one process, with 1 thread and with all threads.

    python bench/onnx_models.py [model ...]        (default: all nine; see MODELS below)
    python bench/onnx_models.py --fast             (squeezenet and shufflenet only)

The models are onnx's "light" test models (real architectures, batch 1, 3 x 224 x 224) with
seeded random weights in place of their splat weights (tests/onnx/light_models.py), imported with
`from_onnx` (weights as constants) and compiled with `mlc.compile` (the default pipeline: fusion,
default schedules, memory planning). onnxruntime runs the same model with its default graph
optimizations. Before timing, the compiled output is checked against onnxruntime's.

Threads: ours through MLC_NUM_THREADS (read by compiled code at each parallel launch),
onnxruntime's through `SessionOptions.intra_op_num_threads` (one session per thread count,
sequential execution). Each figure is the best call of several rounds in which the candidates
take turns (as bench/matmul.py does), so that load from elsewhere hits all of them alike.
Columns: compile seconds (import + mlc.compile), max |ours - ort| / max |ort|, then per thread
count: ort ms, mlc ms and mlc / ort (how many times slower we are; < 1 is faster).
Anchors on the development machines: onnxruntime 1.31 runs ResNet-50 in 76 ms on one thread and
39 ms on two, SqueezeNet in 6.8 / 3.6 ms.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "onnx"))  # light_models: paths and random weights

from light_models import MODELS, data_input, path, random_input, with_random_weights

import mlc_dialects as mlc
from mlc_dialects.frontend.onnx import from_onnx

FAST = ["squeezenet", "shufflenet"]


def best_seconds(calls: dict[str, Callable[[], object]], rounds: int = 5,
                 block: float = 0.2) -> dict[str, float]:
    """Best time of one call of each candidate; candidates take turns in `rounds` rounds of
    about `block` seconds (at least one call) each, after one warm-up call."""
    best = {name: float("inf") for name in calls}
    for call in calls.values():
        call()
    for _ in range(rounds):
        for name, call in calls.items():
            spent = 0.0
            while spent < block:
                start = time.perf_counter()
                call()
                elapsed = time.perf_counter() - start
                best[name] = min(best[name], elapsed)
                spent += elapsed
    return best


def ort_session(m: onnx.ModelProto, threads: int) -> ort.InferenceSession:
    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.inter_op_num_threads = 1
    opts.execution_mode = ort.ExecutionMode.ORT_SEQUENTIAL
    opts.log_severity_level = 3  # no warnings about unused initializers
    return ort.InferenceSession(m.SerializeToString(), opts, providers=["CPUExecutionProvider"])


def bench_model(name: str, thread_counts: list[int]) -> str:
    m = with_random_weights(onnx.load(path(name)), seed=0)
    x = random_input(m, seed=1)
    feed = {data_input(m).name: x}
    start = time.perf_counter()
    exe = mlc.compile(from_onnx(m))
    compile_s = time.perf_counter() - start
    want = ort_session(m, 1).run(None, feed)[0]
    got = exe["main"](x)
    err = float(np.abs(got - want).max() / np.abs(want).max())
    row = f"{name:13} {compile_s:8.1f} {err:8.1e}"
    out = np.empty_like(got)
    for threads in thread_counts:
        os.environ["MLC_NUM_THREADS"] = str(threads)
        session = ort_session(m, threads)
        best = best_seconds({"ort": partial(session.run, None, feed),
                             "mlc": partial(exe["main"], x, out=out)})
        row += (f" | {best['ort'] * 1e3:8.2f} {best['mlc'] * 1e3:8.2f} "
                f"{best['mlc'] / best['ort']:6.2f}")
    return row


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("models", nargs="*", metavar="model",
                   help=f"models to run (default: all): {', '.join(MODELS)}")
    p.add_argument("--fast", action="store_true", help=f"only {', '.join(FAST)}")
    args = p.parse_args()
    unknown = [n for n in args.models if n not in MODELS]
    if unknown:
        p.error(f"unknown models {unknown}: choose among {', '.join(MODELS)}")
    names = args.models or (FAST if args.fast else MODELS)
    all_threads = os.cpu_count() or 1
    thread_counts = [1] if all_threads == 1 else [1, all_threads]
    load = os.getloadavg()[0]
    if load > 0.5:
        print(f"warning: load average {load:.1f} before the run: other processes share the "
              "cores, figures (all threads above all) may be low")
    print(f"onnxruntime {ort.__version__}, onnx {onnx.__version__}; threads "
          f"{' and '.join(map(str, thread_counts))}; ms = best time of one inference; "
          "mlc/ort = our time / onnxruntime's")
    sub = "".join(f" | {f'ort {t}t':>8} {f'mlc {t}t':>8} {'ratio':>6}" for t in thread_counts)
    print(f"{'model':13} {'compile':>8} {'rel.err':>8}{sub}")
    print(f"{'':13} {'s':>8} {'':8}" + f" | {'ms':>8} {'ms':>8} {'mlc/ort':>6}" * len(
        thread_counts))
    for name in names:
        print(bench_model(name, thread_counts), flush=True)


if __name__ == "__main__":
    main()
