"""Helpers shared by the TVMScript frontend tests."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from mlc_dialects import te


def anonymous_text(module: ModuleOp) -> str:
    """The module printed with every SSA name hint dropped (%0, %1, ...): compares IR built
    with different variable names (TVMScript's vi/vj against te's v_i/v_j)."""
    copy = module.clone()
    for op in copy.walk():
        for value in op.results:
            value.name_hint = None
        for region in op.regions:
            for block in region.blocks:
                for arg in block.args:
                    arg.name_hint = None
    return str(copy)


def te_mm_relu(name: str = "mm_relu") -> ModuleOp:
    A = te.placeholder((128, 128), "float32", name="A")
    B = te.placeholder((128, 128), "float32", name="B")
    k = te.reduce_axis((0, 128), name="k")
    Y = te.compute((128, 128), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="Y")
    C = te.compute((128, 128), lambda i, j: te.max(Y[i, j], 0), name="C")
    return te.create_prim_func([A, B, C], name=name)


def te_bmm_relu() -> ModuleOp:
    A = te.placeholder((16, 128, 128), "float32", name="A")
    W = te.placeholder((16, 128, 128), "float32", name="W")
    k = te.reduce_axis((0, 128), name="k")
    M = te.compute(
        (16, 128, 128), lambda n, i, j: te.sum(A[n, i, k] * W[n, k, j], axis=k), name="M"
    )
    R = te.compute((16, 128, 128), lambda n, i, j: te.max(M[n, i, j], 0), name="R")
    return te.create_prim_func([A, W, R], name="bmm_relu")


def sequential_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A @ B (batched over leading axes) accumulated over k in order, in the arrays' dtype:
    exactly what the interpreter's serial reduction computes."""
    out = np.zeros((*a.shape[:-1], b.shape[-1]), dtype=a.dtype)
    for k in range(a.shape[-1]):
        out = out + a[..., :, k : k + 1] * b[..., k : k + 1, :]
    return out
