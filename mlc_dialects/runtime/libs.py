"""Built-in library functions: what `graph-dispatch-library` maps ops to out of the box.

    from mlc_dialects.runtime.libs import ensure_builtin_libs
    ensure_builtin_libs()           # registers the ones below that are not registered yet

Python (numpy, destination passing; inputs are read-only views, outputs are written in place):

| name         | arguments          | computes                                          |
|--------------|--------------------|---------------------------------------------------|
| env.linear   | x, w, b, out       | out = x @ w.T + b   (the MLC course's "env.linear": w is (out, in), as in torch) |
| env.matmul   | a, b, out          | out = a @ b (numpy broadcasting rules)             |
| env.relu     | x, out             | out = max(x, 0)                                    |
| env.softmax  | x, out             | softmax over the last axis                        |

Native (C symbols, called directly by compiled code):

| name         | symbol                          | computes                               |
|--------------|---------------------------------|----------------------------------------|
| blas.sgemm   | cblas_sgemm of numpy's OpenBLAS | out = a @ b, 2-D f32, row-major        |

`blas.sgemm` is registered only when numpy ships an OpenBLAS (`numpy.libs/` or the
`scipy_openblas64`/`scipy_openblas32` packages); `find_openblas()` says where it looked.
Registration never overrides a name the user registered first: a user's own `env.linear`
(the course registers one with `override=True`) wins.
"""

from __future__ import annotations

import ctypes
import functools
import glob
import os
from collections.abc import Sequence

import numpy as np

from mlc_dialects.runtime.registry import (
    F32,
    I32,
    I64,
    ArraySpec,
    NativeArg,
    Ptr,
    list_funcs,
    register_func,
    register_native,
)

# --- Python library functions ---------------------------------------------------------------


def env_linear(x: np.ndarray, w: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = x @ w.T + b (torch.nn.functional.linear), written in place."""
    np.matmul(x, w.T, out=out)
    np.add(out, b, out=out)


def env_matmul(a: np.ndarray, b: np.ndarray, out: np.ndarray) -> None:
    """out = a @ b."""
    np.matmul(a, b, out=out)


def env_relu(x: np.ndarray, out: np.ndarray) -> None:
    """out = max(x, 0)."""
    np.maximum(x, 0, out=out)


def env_softmax(x: np.ndarray, out: np.ndarray) -> None:
    """Softmax over the last axis, numerically stable."""
    np.subtract(x, x.max(axis=-1, keepdims=True), out=out)
    np.exp(out, out=out)
    out /= out.sum(axis=-1, keepdims=True)


PYTHON_LIBS = {
    "env.linear": env_linear,
    "env.matmul": env_matmul,
    "env.relu": env_relu,
    "env.softmax": env_softmax,
}

# --- native: numpy's OpenBLAS ----------------------------------------------------------------

CBLAS_ROW_MAJOR = 101
CBLAS_NO_TRANS = 111


@functools.cache
def find_openblas() -> tuple[str, str, bool] | None:
    """(library path, cblas_sgemm symbol, 64-bit integers?) of numpy's OpenBLAS, or None.

    numpy wheels bundle `libscipy_openblas64_*.so` in `numpy.libs/` (ILP64: its symbols are
    suffixed `64_` and take 64-bit integers); a source build may link a system libopenblas
    with plain `cblas_sgemm`.
    """
    root = os.path.dirname(os.path.dirname(np.__file__))
    patterns = [
        os.path.join(root, "numpy.libs", "*openblas*.so*"),
        os.path.join(root, "scipy_openblas64", "lib", "*openblas*.so*"),
        os.path.join(root, "scipy_openblas32", "lib", "*openblas*.so*"),
    ]
    candidates = [p for pattern in patterns for p in sorted(glob.glob(pattern))]
    for path in candidates:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for symbol, ilp64 in (("scipy_cblas_sgemm64_", True), ("cblas_sgemm64_", True),
                              ("scipy_cblas_sgemm", False), ("cblas_sgemm", False)):
            if hasattr(lib, symbol):
                return path, symbol, ilp64
    return None


def sgemm_signature(ilp64: bool):
    """cblas_sgemm(order, transA, transB, M, N, K, alpha, A, lda, B, ldb, beta, C, ldc)."""
    Int = I64 if ilp64 else I32

    def signature(ins: Sequence[ArraySpec], outs: Sequence[ArraySpec]) -> list[NativeArg]:
        (m, k), (k2, n) = ins[0].shape, ins[1].shape
        if k != k2 or outs[0].shape != (m, n):
            raise ValueError(f"blas.sgemm: shapes {ins[0].shape} @ {ins[1].shape} -> "
                             f"{outs[0].shape} do not match")
        return [I32(CBLAS_ROW_MAJOR), I32(CBLAS_NO_TRANS), I32(CBLAS_NO_TRANS),
                Int(m), Int(n), Int(k), F32(1.0), Ptr(0), Int(k), Ptr(1), Int(n),
                F32(0.0), Ptr(2), Int(n)]

    return signature


def ensure_builtin_libs() -> list[str]:
    """Register every built-in whose name is free; returns the names registered now."""
    taken = set(list_funcs())
    added = []
    for name, fn in PYTHON_LIBS.items():
        if name not in taken:
            register_func(name, fn)
            added.append(name)
    if "blas.sgemm" not in taken:
        found = find_openblas()
        if found is not None:
            path, symbol, ilp64 = found
            register_native("blas.sgemm", symbol, path, sgemm_signature(ilp64))
            added.append("blas.sgemm")
    return added


__all__ = ["PYTHON_LIBS", "ensure_builtin_libs", "env_linear", "env_matmul", "env_relu",
           "env_softmax", "find_openblas", "sgemm_signature"]
