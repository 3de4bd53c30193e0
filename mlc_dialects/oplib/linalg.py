"""Linear algebra: `matmul` (numpy.matmul) and `einsum` (numpy.einsum, explicit `->` form).

Both are one reduction stage (`te.sum` over the contracted axes), followed by a rounding stage
for float16, which accumulates in float32 as the graph interpreter does. Integer products wrap.
A contraction over an empty range gives zeros.
"""

from __future__ import annotations

from collections.abc import Sequence

from mlc_dialects.oplib.common import (
    LegalizeError,
    broadcast_index,
    broadcast_shape,
    compute_dtype,
    finish,
    load,
    reduce_or_fill,
    widen,
)
from mlc_dialects.te.expr import Expr, IterVar
from mlc_dialects.te.tensor import Tensor


def matmul(a: Tensor, b: Tensor, name: str = "matmul") -> Tensor:
    """numpy.matmul: a 1-D `a` is a row and a 1-D `b` a column (their axis is dropped from the
    result); batch dimensions broadcast."""
    if a.ndim == 0 or b.ndim == 0:
        raise LegalizeError(f"{name}: operands must have rank >= 1, got {a.shape} and {b.shape}")
    if a.dtype != b.dtype:
        raise LegalizeError(f"{name}: operand dtypes differ ({a.dtype} and {b.dtype})")
    a2 = a.shape if a.ndim > 1 else (1, *a.shape)
    b2 = b.shape if b.ndim > 1 else (*b.shape, 1)
    if a2[-1] != b2[-2]:
        raise LegalizeError(f"{name}: contracting dimensions differ: {a2[-1]} and {b2[-2]}")
    batch = broadcast_shape(a2[:-2], b2[:-2])
    shape = (*batch, *a2[-2:-1][: a.ndim - 1], *b2[-1:][: b.ndim - 1])
    dtype = compute_dtype(a.dtype)

    def body(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        index = list(i)
        (k,) = r
        col = index.pop() if b.ndim > 1 else None
        row = index.pop() if a.ndim > 1 else None
        a_index = [*broadcast_index(a.shape[:-2], index), row, k] if row is not None else [k]
        b_index = [*broadcast_index(b.shape[:-2], index), k, col] if col is not None else [k]
        return widen(load(a, a_index), a.dtype) * widen(load(b, b_index), b.dtype)

    acc_name = name if dtype == a.dtype else f"{name}_acc"
    acc = reduce_or_fill(shape, "sum", [a2[-1]], body, dtype, acc_name)
    return finish(acc, a.dtype, name)


def parse_equation(equation: str, shapes: Sequence[Sequence[int]]
                   ) -> tuple[list[str], str, dict[str, int]]:
    """The input terms, the output term and the size of every index letter (size-1 operand
    dimensions broadcast against the others)."""
    text = equation.replace(" ", "")
    if text.count("->") != 1:
        raise LegalizeError(f"einsum equation '{equation}' needs the explicit '->' form")
    lhs, out = text.split("->")
    terms = lhs.split(",")
    if len(terms) != len(shapes):
        raise LegalizeError(f"einsum equation '{equation}' has {len(terms)} inputs, "
                            f"got {len(shapes)} operands")
    sizes: dict[str, int] = {}
    for term, shape in zip(terms, shapes, strict=True):
        if len(term) != len(shape):
            raise LegalizeError(f"einsum term '{term}' does not match operand shape {shape}")
        for letter, d in zip(term, shape, strict=True):
            if sizes.get(letter, 1) == 1:
                sizes[letter] = d
    return terms, out, sizes


def einsum(equation: str, *operands: Tensor, name: str = "einsum") -> Tensor:
    """numpy.einsum: the product of the operands summed over every letter not in the output."""
    if not operands:
        raise LegalizeError(f"{name}: needs at least one operand")
    dtype = operands[0].dtype
    if any(t.dtype != dtype for t in operands):
        raise LegalizeError(f"{name}: operand dtypes differ")
    terms, out, sizes = parse_equation(equation, [t.shape for t in operands])
    summed: list[str] = []
    for term in terms:
        summed.extend(c for c in term if c not in out and c not in summed)
    shape = tuple(sizes[c] for c in out)
    cdtype = compute_dtype(dtype)

    def body(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        value: dict[str, Expr] = {**dict(zip(out, i, strict=True)),
                                  **dict(zip(summed, r, strict=True))}
        product: Expr | None = None
        for term, t in zip(terms, operands, strict=True):
            index = [0 if d == 1 else value[c] for c, d in zip(term, t.shape, strict=True)]
            factor = widen(load(t, index), dtype)
            product = factor if product is None else product * factor
        assert product is not None
        return product

    acc_name = name if cdtype == dtype else f"{name}_acc"
    acc = reduce_or_fill(shape, "sum", [sizes[c] for c in summed], body, cdtype, acc_name)
    return finish(acc, dtype, name)
