"""The main job: parse, verify and run examples/mlp.mlir, and compare with numpy.

Today the graph level runs on the reference interpreter; native compilation replaces it when
the codegen and whole-model issues land (the comparison with numpy stays the same).
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


def main() -> int:
    module = mlc.parse_file(HERE / "mlp.mlir")
    rng = np.random.default_rng(0)
    x = rng.standard_normal((4, 784), dtype=np.float32)
    w0 = (rng.standard_normal((784, 128), dtype=np.float32) * 0.05).astype(np.float32)
    b0 = rng.standard_normal(128, dtype=np.float32)
    w1 = (rng.standard_normal((128, 10), dtype=np.float32) * 0.1).astype(np.float32)
    b1 = rng.standard_normal(10, dtype=np.float32)

    start = time.perf_counter()
    ours = mlc.interpret(module, "main", x, w0, b0, w1, b1)
    t_ours = time.perf_counter() - start
    start = time.perf_counter()
    ref = numpy_mlp(x, w0, b0, w1, b1)
    t_ref = time.perf_counter() - start

    err = float(np.max(np.abs(ours - ref)))
    ok = ours.shape == ref.shape and ours.dtype == np.float32 and err < 1e-5
    print(f"mlp 784-128-10, batch 4: output {ours.shape} {ours.dtype}")
    print(f"max |mlc - numpy| = {err:.3e}  -> {'MATCH' if ok else 'MISMATCH'}")
    print(f"predicted classes: {ours.argmax(axis=1).tolist()} (numpy: {ref.argmax(axis=1).tolist()})")
    print(f"time: reference interpreter {t_ours * 1e3:.2f} ms, numpy {t_ref * 1e3:.3f} ms")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
