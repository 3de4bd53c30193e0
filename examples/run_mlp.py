"""The main job: compile examples/mlp.mlir to native code, run it, and compare with numpy.

Steps: parse and verify the graph-level model, check the reference interpreter against numpy,
compile it (legalize -> fuse -> default lowering -> LLVM JIT), check the compiled model
against numpy on fresh random data, and print the time per batch next to numpy's.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

import mlc_dialects as mlc

HERE = Path(__file__).resolve().parent


def numpy_mlp(x, w0, b0, w1, b1):
    h = np.maximum(x @ w0 + b0, 0)
    z = h @ w1 + b1
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def random_inputs(rng: np.random.Generator) -> list[np.ndarray]:
    return [
        rng.standard_normal((4, 784), dtype=np.float32),
        (rng.standard_normal((784, 128), dtype=np.float32) * 0.05).astype(np.float32),
        rng.standard_normal(128, dtype=np.float32),
        (rng.standard_normal((128, 10), dtype=np.float32) * 0.1).astype(np.float32),
        rng.standard_normal(10, dtype=np.float32),
    ]


def best_time(fn, repeat: int = 200) -> float:
    fn()
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(repeat):
            fn()
        best = min(best, (time.perf_counter() - start) / repeat)
    return best


def main() -> int:
    module = mlc.parse_file(HERE / "mlp.mlir")
    rng = np.random.default_rng(0)
    args = random_inputs(rng)
    ref = numpy_mlp(*args)
    interpreted = mlc.interpret(module, "main", *args)
    err_interp = float(np.max(np.abs(interpreted - ref)))

    start = time.perf_counter()
    exe = mlc.compile(module)
    t_compile = time.perf_counter() - start
    args = random_inputs(rng)
    ref = numpy_mlp(*args)
    ours = exe["main"](*args)
    err = float(np.max(np.abs(ours - ref)))
    ok = ours.shape == ref.shape and ours.dtype == np.float32 and err < 1e-5 and err_interp < 1e-5

    t_ours = best_time(lambda: exe["main"](*args))
    t_numpy = best_time(lambda: numpy_mlp(*args))
    print(f"mlp 784-128-10, batch 4: output {ours.shape} {ours.dtype}, compiled in "
          f"{t_compile:.1f} s")
    print(f"max |interpreter - numpy| = {err_interp:.3e}, max |compiled - numpy| = {err:.3e}"
          f"  -> {'MATCH' if ok else 'MISMATCH'}")
    print(f"predicted classes: {ours.argmax(axis=1).tolist()} "
          f"(numpy: {ref.argmax(axis=1).tolist()})")
    print(f"time per batch: mlc {t_ours * 1e6:.1f} us, numpy {t_numpy * 1e6:.1f} us "
          f"(numpy / mlc = {t_numpy / t_ours:.2f}x)")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
