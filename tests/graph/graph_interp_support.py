"""Helpers of the interpreter tests: one graph op as IR text (generic form), parsed, verified
and interpreted."""

from __future__ import annotations

import itertools

import numpy as np

from dialects.graph.interp import interpret
from mlc_dialects.context import make_context
from mlc_dialects.parsing import parse_and_verify

CTX = make_context()
DTYPES = {"f16": np.float16, "f32": np.float32, "f64": np.float64, "i8": np.int8,
          "i16": np.int16, "i32": np.int32, "i64": np.int64, "i1": np.bool_}
_NAMES = (f"interp{i}.mlir" for i in itertools.count())


def ttype(shape: tuple[int, ...], elem: str) -> str:
    """`tensor<2x3xf32>` for shape (2, 3) and "f32"; `tensor<f32>` for ()."""
    return f"tensor<{''.join(f'{d}x' for d in shape)}{elem}>"


def run_text(text: str, *arrays: np.ndarray, name: str = "main"):
    """Parse and verify `text` (under a fresh buffer name), then interpret `@name`."""
    return interpret(parse_and_verify(CTX, text, next(_NAMES)), name, *arrays)


def run_op(op: str, operands: list[np.ndarray], result: str, attrs: str = "",
           elems: list[str] | None = None) -> np.ndarray:
    """Interpret one op, written in the generic form, on `operands` (types from their dtypes)."""
    names = {np.dtype(v): k for k, v in DTYPES.items()}
    elems = elems or [names[a.dtype] for a in operands]
    types = [ttype(a.shape, e) for a, e in zip(operands, elems, strict=True)]
    params = ", ".join(f"%a{i}: {t}" for i, t in enumerate(types))
    uses = ", ".join(f"%a{i}" for i in range(len(types)))
    text = (
        f"func.func @main({params}) -> {result} {{\n"
        f'  %r = "graph.{op}"({uses}) {attrs} : ({", ".join(types)}) -> {result}\n'
        f"  func.return %r : {result}\n}}\n"
    )
    return run_text(text, *operands)


def rand(shape: tuple[int, ...], elem: str, rng: np.random.Generator, lo: int = -9,
         hi: int = 10) -> np.ndarray:
    """Random values of element type `elem`: small integers, normal floats, or booleans."""
    dtype = DTYPES[elem]
    if elem == "i1":
        return rng.random(shape) < 0.5
    if np.issubdtype(dtype, np.integer):
        return rng.integers(lo, hi, shape).astype(dtype)
    return np.asarray(rng.standard_normal(shape) * 3).astype(dtype)
