"""Tensors and the te operations that make them: placeholder, compute, reduce_axis, reducers.

This module shadows the builtins sum/max/min/abs/all/any with TVM's te names; code here that
needs the Python builtins spells them `builtins.any(...)`.
"""

from __future__ import annotations

import builtins
import inspect
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from mlc_dialects.te.expr import (
    Call,
    Expr,
    ExprLike,
    IterVar,
    Load,
    Logical,
    Reduce,
    Select,
    as_expr,
    binary,
    call,
    check_dtype,
    compare,
    const,
    index_exprs,
    unify,
    walk,
)


@dataclass(eq=False)
class PlaceholderOp:
    name: str


@dataclass(eq=False)
class ComputeOp:
    """The operation behind a computed tensor: spatial `axis`, `reduce_axis` and the body."""

    name: str
    axis: tuple[IterVar, ...]
    reduce_axis: tuple[IterVar, ...]
    body: Expr
    attrs: dict[str, object]

    def input_tensors(self) -> list[Tensor]:
        """Tensors read by the body, in order of first appearance."""
        seen: list[Tensor] = []
        for node in walk(self.body):
            if isinstance(node, Load) and all(t is not node.tensor for t in seen):
                seen.append(node.tensor)
        return seen


class Tensor:
    """A named multi-dimensional array produced by a placeholder or a compute.

    Indexing (`A[i, k]`) builds a load expression for use in another compute's body.
    """

    def __init__(self, shape: Sequence[int], dtype: str, name: str, op: PlaceholderOp | ComputeOp):
        self.shape: tuple[int, ...] = tuple(int(s) for s in shape)
        self.dtype = check_dtype(dtype)
        self.name = name
        self.op = op

    @property
    def ndim(self) -> int:
        return len(self.shape)

    def __getitem__(self, indices: ExprLike | tuple[ExprLike, ...]) -> Expr:
        if not isinstance(indices, tuple):
            indices = (indices,)
        exprs = index_exprs(indices)
        if len(exprs) != self.ndim:
            raise IndexError(
                f"tensor '{self.name}' has {self.ndim} dimensions, indexed with {len(exprs)}"
            )
        return Load(self, exprs, self.dtype)

    def __repr__(self) -> str:
        return f"Tensor(name={self.name}, shape={self.shape}, dtype={self.dtype})"


# ---------------------------------------------------------------------------- operations


def placeholder(
    shape: Sequence[int] | int, dtype: str = "float32", name: str = "placeholder"
) -> Tensor:
    """An input tensor of the given shape and dtype (`te.placeholder((128, 128), name="A")`)."""
    if isinstance(shape, int):
        shape = (shape,)
    _check_shape(shape, name)
    return Tensor(shape, dtype, name, PlaceholderOp(name))


def reduce_axis(dom: tuple[int, int] | Sequence[int], name: str = "rv") -> IterVar:
    """A reduction axis over the half-open range `dom = (lo, hi)`."""
    lo, hi = (int(d) for d in dom)
    if hi <= lo:
        raise ValueError(f"reduce_axis '{name}': empty range ({lo}, {hi})")
    return IterVar(name, (lo, hi), "reduce")


def compute(
    shape: Sequence[int] | int,
    fcompute: Callable[..., ExprLike],
    name: str = "compute",
    tag: str = "",
    attrs: dict[str, object] | None = None,
) -> Tensor:
    """A tensor whose element at each index of `shape` is `fcompute(*index)`.

    The axes are named after `fcompute`'s parameters (`lambda i, j: ...` gives axes i, j).
    A reduction (`te.sum(expr, axis=k)`, `te.max`, `te.min`) may only be the whole body.
    """
    if isinstance(shape, int):
        shape = (shape,)
    _check_shape(shape, name)
    names = _axis_names(fcompute, len(shape))
    axis = tuple(IterVar(n, (0, int(extent)), "spatial") for n, extent in zip(names, shape))
    body = as_expr(fcompute(*axis))
    for node in walk(body):
        if isinstance(node, Reduce) and node is not body:
            raise ValueError(
                f"te.compute '{name}': a reduction (te.sum/max/min) must be the whole body, "
                f"not part of a larger expression"
            )
    reduce_axes = body.axis if isinstance(body, Reduce) else ()
    op = ComputeOp(
        name, axis, reduce_axes, body, dict(attrs or {}, tag=tag) if tag else dict(attrs or {})
    )
    return Tensor(shape, body.dtype, name, op)


def _check_shape(shape: Sequence[int], name: str) -> None:
    for extent in shape:
        if not isinstance(extent, int) or extent <= 0:
            raise ValueError(f"'{name}': shape must be positive integers, got {tuple(shape)}")


def _axis_names(fcompute: Callable[..., object], ndim: int) -> list[str]:
    try:
        params = list(inspect.signature(fcompute).parameters.values())
    except (TypeError, ValueError):
        params = []
    positional = [p.name for p in params if p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
    if len(positional) == ndim:
        return positional
    if builtins.any(p.kind == p.VAR_POSITIONAL for p in params):
        return [f"i{d}" for d in range(ndim)]
    raise TypeError(
        f"fcompute takes {len(positional)} index arguments but the shape has {ndim} dimensions"
    )


# ---------------------------------------------------------------------------- reducers


def _reducer(combiner: str) -> Callable[..., Expr]:
    def reduce(
        expr: ExprLike,
        axis: IterVar | Sequence[IterVar] | ExprLike | None = None,
        where: Expr | None = None,
        init: ExprLike | None = None,
    ) -> Expr:
        if combiner != "sum" and axis is not None and not _is_axis(axis):
            # te.max(a, b): the elementwise form (TVM's reducer called with two expressions)
            return binary(combiner, expr, axis)  # type: ignore[arg-type]
        if axis is None:
            raise TypeError(f"te.{combiner} needs axis= (a reduce_axis or a list of them)")
        axes = (axis,) if isinstance(axis, IterVar) else tuple(axis)  # type: ignore[arg-type]
        for ax in axes:
            if ax.kind != "reduce":
                raise ValueError(f"te.{combiner}: axis '{ax.name}' is not a reduce_axis")
        source = as_expr(expr)
        init_expr = None if init is None else as_expr(init, source.dtype)
        return Reduce(combiner, source, axes, where, source.dtype, init_expr)

    reduce.__name__ = combiner
    reduce.__doc__ = (
        f"te.{combiner}(expr, axis=k[, where=cond]): the {combiner} of expr over reduce axes."
        + ("" if combiner == "sum" else f" te.{combiner}(a, b) is the elementwise {combiner}.")
    )
    return reduce


def _is_axis(value: object) -> bool:
    if isinstance(value, IterVar):
        return value.kind == "reduce"
    return isinstance(value, list | tuple) and all(isinstance(v, IterVar) for v in value)


sum = _reducer("sum")
max = _reducer("max")
min = _reducer("min")


# ---------------------------------------------------------------------------- intrinsics


def exp(x: ExprLike) -> Expr:
    return call("exp", x)


def log(x: ExprLike) -> Expr:
    return call("log", x)


def sqrt(x: ExprLike) -> Expr:
    return call("sqrt", x)


def rsqrt(x: ExprLike) -> Expr:
    return call("rsqrt", x)


def tanh(x: ExprLike) -> Expr:
    return call("tanh", x)


def sigmoid(x: ExprLike) -> Expr:
    return call("sigmoid", x)


def erf(x: ExprLike) -> Expr:
    return call("erf", x)


def floor(x: ExprLike) -> Expr:
    return call("floor", x)


def ceil(x: ExprLike) -> Expr:
    return call("ceil", x)


def abs(x: ExprLike) -> Expr:
    expr = as_expr(x)
    return Call("abs", (expr,), expr.dtype)


def power(x: ExprLike, y: ExprLike) -> Expr:
    return binary("pow", x, y)


def if_then_else(cond: Expr, t: ExprLike, f: ExprLike) -> Expr:
    """`t` where `cond` holds, else `f` (both sides computed; select semantics)."""
    if not isinstance(cond, Expr) or cond.dtype != "bool":
        raise TypeError("if_then_else: the condition must be a boolean expression")
    a, b = unify(t, f)
    return Select(cond, a, b, a.dtype)


def all(*conds: Expr) -> Expr:
    return conds[0] if len(conds) == 1 else Logical("and", tuple(conds))


def any(*conds: Expr) -> Expr:
    return conds[0] if len(conds) == 1 else Logical("or", tuple(conds))


def equal(a: ExprLike, b: ExprLike) -> Expr:
    return compare("eq", a, b)


def not_equal(a: ExprLike, b: ExprLike) -> Expr:
    return compare("ne", a, b)


__all__ = [
    "ComputeOp",
    "PlaceholderOp",
    "Tensor",
    "abs",
    "all",
    "any",
    "ceil",
    "compute",
    "const",
    "equal",
    "erf",
    "exp",
    "floor",
    "if_then_else",
    "log",
    "max",
    "min",
    "not_equal",
    "placeholder",
    "power",
    "reduce_axis",
    "rsqrt",
    "sigmoid",
    "sqrt",
    "sum",
    "tanh",
]
