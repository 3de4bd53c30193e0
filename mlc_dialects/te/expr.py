"""Tensor-expression nodes: the scalar language of `te.compute` bodies.

Expressions are small immutable trees built with Python operators (`A[i, k] * B[k, j]`,
`te.max(x, 0)`, `te.exp(x)`); `lower.py` turns them into `arith`/`math`/`memref` ops inside a
`tensor.block`. Every node has a dtype string as in TVM ("float32", "int32", "bool", ...);
iteration variables have dtype "index". Python numbers take the dtype of the other operand;
an integer or index operand meeting a float operand is converted to the float type (TVM's
implicit promotion).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    from mlc_dialects.te.tensor import Tensor

FLOAT_DTYPES = ("float16", "float32", "float64")
INT_DTYPES = ("int8", "int16", "int32", "int64")
DTYPES = FLOAT_DTYPES + INT_DTYPES + ("bool",)

ExprLike = Union["Expr", int, float, bool]


def is_float(dtype: str) -> bool:
    return dtype in FLOAT_DTYPES


def is_int(dtype: str) -> bool:
    return dtype in INT_DTYPES or dtype == "index"


def check_dtype(dtype: str) -> str:
    if dtype not in DTYPES:
        raise ValueError(f"unsupported dtype '{dtype}' (supported: {', '.join(DTYPES)})")
    return dtype


class Expr:
    """Base of all expression nodes; arithmetic operators build new nodes."""

    dtype: str

    # Identity semantics for == and hashing (TVM builds EqualOp for ==; use te.equal here).
    __hash__ = object.__hash__

    def __add__(self, other: ExprLike) -> Expr:
        return binary("add", self, other)

    def __radd__(self, other: ExprLike) -> Expr:
        return binary("add", other, self)

    def __sub__(self, other: ExprLike) -> Expr:
        return binary("sub", self, other)

    def __rsub__(self, other: ExprLike) -> Expr:
        return binary("sub", other, self)

    def __mul__(self, other: ExprLike) -> Expr:
        return binary("mul", self, other)

    def __rmul__(self, other: ExprLike) -> Expr:
        return binary("mul", other, self)

    def __truediv__(self, other: ExprLike) -> Expr:
        return binary("div", self, other)

    def __rtruediv__(self, other: ExprLike) -> Expr:
        return binary("div", other, self)

    def __floordiv__(self, other: ExprLike) -> Expr:
        return binary("floordiv", self, other)

    def __rfloordiv__(self, other: ExprLike) -> Expr:
        return binary("floordiv", other, self)

    def __mod__(self, other: ExprLike) -> Expr:
        return binary("floormod", self, other)

    def __neg__(self) -> Expr:
        return binary("sub", const(0, self.dtype), self)

    def __lt__(self, other: ExprLike) -> Expr:
        return compare("lt", self, other)

    def __le__(self, other: ExprLike) -> Expr:
        return compare("le", self, other)

    def __gt__(self, other: ExprLike) -> Expr:
        return compare("gt", self, other)

    def __ge__(self, other: ExprLike) -> Expr:
        return compare("ge", self, other)

    def __bool__(self) -> bool:
        raise TypeError(
            "a tensor expression has no truth value; use te.if_then_else / te.all instead "
            "of Python 'if', 'and', 'or'"
        )

    def astype(self, dtype: str) -> Expr:
        return cast(dtype, self)


@dataclass(eq=False)
class IterVar(Expr):
    """An iteration variable: a spatial axis of a compute, or a reduce axis (`reduce_axis`).

    `dom` is the half-open range `(lo, hi)`. TVM's `.var` and `.dom` are mirrored.
    """

    name: str
    dom: tuple[int, int]
    kind: str  # "spatial" or "reduce"
    dtype: str = "index"

    @property
    def var(self) -> IterVar:
        return self

    @property
    def extent(self) -> int:
        return self.dom[1] - self.dom[0]

    def __repr__(self) -> str:
        return f"IterVar({self.name}, {self.dom}, {self.kind})"


@dataclass(eq=False)
class Const(Expr):
    value: int | float | bool
    dtype: str


@dataclass(eq=False)
class Binary(Expr):
    """`op` is one of add, sub, mul, div, floordiv, floormod, max, min, pow."""

    op: str
    a: Expr
    b: Expr
    dtype: str


@dataclass(eq=False)
class Compare(Expr):
    """`op` is one of lt, le, gt, ge, eq, ne; the result is "bool"."""

    op: str
    a: Expr
    b: Expr
    dtype: str = "bool"


@dataclass(eq=False)
class Logical(Expr):
    """`op` is one of and, or, not (on "bool" operands)."""

    op: str
    args: tuple[Expr, ...]
    dtype: str = "bool"


@dataclass(eq=False)
class Call(Expr):
    """A math intrinsic: exp, log, sqrt, rsqrt, tanh, sigmoid, abs, erf, floor, ceil."""

    fn: str
    args: tuple[Expr, ...]
    dtype: str


@dataclass(eq=False)
class Select(Expr):
    cond: Expr
    true_value: Expr
    false_value: Expr
    dtype: str


@dataclass(eq=False)
class Cast(Expr):
    value: Expr
    dtype: str


@dataclass(eq=False)
class Load(Expr):
    """`tensor[indices]`: an element of a placeholder or of another compute's output."""

    tensor: Tensor
    indices: tuple[Expr, ...]
    dtype: str


@dataclass(eq=False)
class Reduce(Expr):
    """A commutative reduction (`te.sum/max/min`) of `source` over `axis`, optionally `where`."""

    combiner: str  # "sum", "max" or "min"
    source: Expr
    axis: tuple[IterVar, ...]
    where: Expr | None
    dtype: str
    init: Expr | None = field(default=None)


# ---------------------------------------------------------------------------- constructors


def const(value: float | bool, dtype: str | None = None) -> Const:
    """A constant (`te.const(0, "float32")`); dtype defaults to int32/float32/bool."""
    if dtype is None:
        dtype = (
            "bool" if isinstance(value, bool) else "int32" if isinstance(value, int) else "float32"
        )
    if dtype != "index":
        check_dtype(dtype)
    if is_float(dtype):
        value = float(value)
    elif dtype == "bool":
        value = bool(value)
    else:
        if isinstance(value, float) and not value.is_integer():
            raise TypeError(f"cannot make an {dtype} constant from {value}")
        value = int(value)
    return Const(value, dtype)


def as_expr(value: ExprLike, like: str | None = None) -> Expr:
    """Wrap a Python number as a constant of dtype `like` (or its natural dtype)."""
    if isinstance(value, Expr):
        return value
    if isinstance(value, bool | int | float):
        if like is not None and not (isinstance(value, float) and is_int(like)):
            return const(value, like)
        return const(value)
    raise TypeError(f"cannot use {type(value).__name__} {value!r} in a tensor expression")


def unify(a: ExprLike, b: ExprLike) -> tuple[Expr, Expr]:
    """Operands with one dtype: numbers adopt the other side's, ints are promoted to floats."""
    if not isinstance(a, Expr) and not isinstance(b, Expr):
        return as_expr(a), as_expr(b)
    if not isinstance(a, Expr):
        b_expr = as_expr(b)
        a_expr = as_expr(a, b_expr.dtype)
    elif not isinstance(b, Expr):
        a_expr = a
        b_expr = as_expr(b, a.dtype)
    else:
        a_expr, b_expr = a, b
    if a_expr.dtype == b_expr.dtype:
        return a_expr, b_expr
    if is_float(a_expr.dtype) and is_int(b_expr.dtype):
        return a_expr, cast(a_expr.dtype, b_expr)
    if is_float(b_expr.dtype) and is_int(a_expr.dtype):
        return cast(b_expr.dtype, a_expr), b_expr
    if {a_expr.dtype, b_expr.dtype} <= set(INT_DTYPES) | {"index"}:
        # index meets a sized integer: compute in the sized integer type
        target = a_expr.dtype if a_expr.dtype != "index" else b_expr.dtype
        if "index" in (a_expr.dtype, b_expr.dtype):
            return cast(target, a_expr), cast(target, b_expr)
    raise TypeError(
        f"operand dtypes differ: {a_expr.dtype} and {b_expr.dtype}; use .astype() to convert"
    )


def binary(op: str, a: ExprLike, b: ExprLike) -> Expr:
    x, y = unify(a, b)
    if op == "floordiv" and is_float(x.dtype):
        return Call("floor", (Binary("div", x, y, x.dtype),), x.dtype)
    if isinstance(x, Const) and isinstance(y, Const) and x.dtype == "index":
        return _fold_index(op, x, y)
    return Binary(op, x, y, x.dtype)


def _fold_index(op: str, x: Const, y: Const) -> Expr:
    a, b = int(x.value), int(y.value)
    results = {
        "add": a + b, "sub": a - b, "mul": a * b, "floordiv": a // b if b else None,
        "floormod": a % b if b else None, "max": max(a, b), "min": min(a, b),
    }  # fmt: skip
    value = results.get(op)
    if value is None:
        return Binary(op, x, y, x.dtype)
    return Const(value, "index")


def compare(op: str, a: ExprLike, b: ExprLike) -> Expr:
    x, y = unify(a, b)
    return Compare(op, x, y)


def cast(dtype: str, value: ExprLike) -> Expr:
    expr = as_expr(value)
    check_dtype(dtype)
    if expr.dtype == dtype:
        return expr
    if isinstance(expr, Const):
        return const(expr.value, dtype)
    return Cast(expr, dtype)


def call(fn: str, *args: ExprLike) -> Expr:
    exprs = tuple(as_expr(a, "float32") for a in args)
    dtype = exprs[0].dtype
    if fn not in ("abs",) and not is_float(dtype):
        exprs = tuple(cast("float32", e) for e in exprs)
        dtype = "float32"
    return Call(fn, exprs, dtype)


def index_exprs(indices: Sequence[ExprLike]) -> tuple[Expr, ...]:
    out = []
    for index in indices:
        expr = as_expr(index, "index")
        if not is_int(expr.dtype):
            raise TypeError(f"tensor index must be an integer expression, got dtype {expr.dtype}")
        out.append(expr)
    return tuple(out)


def walk(expr: Expr):
    """All nodes of `expr`, parents first (tensors read through Load are not entered)."""
    yield expr
    match expr:
        case Binary(a=a, b=b) | Compare(a=a, b=b):
            yield from walk(a)
            yield from walk(b)
        case Logical(args=args) | Call(args=args):
            for arg in args:
                yield from walk(arg)
        case Select(cond=c, true_value=t, false_value=f):
            yield from walk(c)
            yield from walk(t)
            yield from walk(f)
        case Cast(value=v):
            yield from walk(v)
        case Load(indices=indices):
            for index in indices:
                yield from walk(index)
        case Reduce(source=s, where=w):
            yield from walk(s)
            if w is not None:
                yield from walk(w)
        case _:
            pass
