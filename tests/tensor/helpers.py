"""Helpers shared by the tensor-dialect tests."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp
from xdsl.parser import Parser

from mlc_dialects.context import make_context


def parse(text: str) -> ModuleOp:
    """Parse and verify IR text with the project's dialects."""
    module = Parser(make_context(), text).parse_module()
    module.verify()
    return module


def sequential_matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """A @ B accumulated over k in order, in the arrays' dtype: what a serial loop computes."""
    out = np.zeros((a.shape[0], b.shape[1]), dtype=a.dtype)
    for k in range(a.shape[1]):
        out = out + a[:, k : k + 1] * b[k : k + 1, :]
    return out
