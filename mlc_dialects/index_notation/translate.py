"""Index notation to te tensors (and on to a tensor function); see the package docstring."""

from __future__ import annotations

import inspect
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from lark import Lark, Token, Tree
from lark.exceptions import UnexpectedInput
from xdsl.dialects.builtin import ModuleOp

from mlc_dialects import te
from mlc_dialects.te.expr import Expr, IterVar

_REDUCERS = {"+=": te.sum, "max=": te.max, "min=": te.min}
_FUNCTIONS = {
    "exp": te.exp, "log": te.log, "sqrt": te.sqrt, "rsqrt": te.rsqrt, "tanh": te.tanh,
    "sigmoid": te.sigmoid, "abs": te.abs, "erf": te.erf,
}  # fmt: skip


class IndexNotationError(ValueError):
    """A mistake in an index-notation program, with `line:col` where known."""


@cache
def _parser() -> Lark:
    grammar = (Path(__file__).parent / "grammar.lark").read_text()
    return Lark(grammar, parser="lalr", propagate_positions=True)


@dataclass
class _Statement:
    target: str
    indices: list[str]
    assign: str
    rhs: Tree | Token
    line: int


def _error(node: Tree | Token | None, message: str) -> IndexNotationError:
    line = getattr(getattr(node, "meta", node), "line", None) if node is not None else None
    col = getattr(getattr(node, "meta", node), "column", None) if node is not None else None
    where = f"{line}:{col}: " if line is not None else ""
    return IndexNotationError(f"{where}{message}")


def _statements(text: str) -> list[_Statement]:
    try:
        tree = _parser().parse(text)
    except UnexpectedInput as err:
        raise IndexNotationError(
            f"{err.line}:{err.column}: syntax error\n{err.get_context(text)}"
        ) from None
    statements = []
    for stmt in tree.children:
        access, assign, rhs = stmt.children
        name = str(access.children[0])
        indices = []
        for index in access.children[1:]:
            if index is None:
                continue
            if not (isinstance(index, Tree) and index.data == "name"):
                raise _error(access, f"the indices of '{name}' on the left must be plain names")
            indices.append(str(index.children[0]))
        if len(set(indices)) != len(indices):
            raise _error(access, f"an index is repeated on the left of '{name}'")
        statements.append(_Statement(name, indices, str(assign), rhs, stmt.meta.line))
    return statements


def _accesses(node: Tree | Token):
    if isinstance(node, Tree):
        if node.data == "access":
            yield node
        for child in node.children:
            if child is not None:
                yield from _accesses(child)


def _names_in(node: Tree | Token | None) -> list[str]:
    """Index names used in `node`, in order of first appearance."""
    found: list[str] = []
    if isinstance(node, Tree):
        if node.data == "name":
            found.append(str(node.children[0]))
        for child in node.children:
            for name in _names_in(child):
                if name not in found:
                    found.append(name)
    return found


def to_te(
    text: str,
    shapes: Mapping[str, Sequence[int]],
    dtype: str | Mapping[str, str] = "float32",
    extents: Mapping[str, int] | None = None,
) -> dict[str, te.Tensor]:
    """The te tensors of the program, by name (placeholders and computes)."""
    tensors: dict[str, te.Tensor] = {}
    statements = _statements(text)
    defined = {s.target for s in statements}

    def dtype_of(name: str) -> str:
        return dtype if isinstance(dtype, str) else dtype.get(name, "float32")

    def tensor(name: str, node: Tree) -> te.Tensor:
        if name in tensors:
            return tensors[name]
        if name in defined:
            raise _error(node, f"'{name}' is read before the statement that defines it")
        if name not in shapes:
            raise _error(node, f"no shape given for input '{name}' (pass shapes={{'{name}': ...}})")
        tensors[name] = te.placeholder(tuple(shapes[name]), dtype_of(name), name=name)
        return tensors[name]

    for stmt in statements:
        if stmt.target in tensors:
            raise IndexNotationError(f"{stmt.line}: '{stmt.target}' is defined twice")
        # inputs first (so placeholders are created in order of appearance)
        for access in _accesses(stmt.rhs):
            tensor(str(access.children[0]), access)
        ext = _infer_extents(stmt, tensors, shapes, extents or {})
        rhs_names = _names_in(stmt.rhs)
        reduce_names = [n for n in rhs_names if n not in stmt.indices]
        if reduce_names and stmt.assign == "=":
            raise IndexNotationError(
                f"{stmt.line}: index {', '.join(reduce_names)} appears only on the right of "
                f"'{stmt.target}'; use '+=' (sum), 'max=' or 'min=' to reduce over it"
            )
        if not reduce_names and stmt.assign != "=":
            raise IndexNotationError(
                f"{stmt.line}: '{stmt.assign}' needs an index that appears only on the right"
            )
        shape = (
            tuple(shapes[stmt.target])
            if stmt.target in shapes
            else tuple(ext[i] for i in stmt.indices)
        )
        if len(shape) != len(stmt.indices):
            raise IndexNotationError(
                f"{stmt.line}: '{stmt.target}' has shape {shape} but {len(stmt.indices)} indices"
            )
        raxes = {n: te.reduce_axis((0, ext[n]), name=n) for n in reduce_names}
        tensors[stmt.target] = te.compute(
            shape,
            _fcompute(stmt, tensors, raxes),
            name=stmt.target,
        )
    return tensors


def _infer_extents(
    stmt: _Statement,
    tensors: dict[str, te.Tensor],
    shapes: Mapping[str, Sequence[int]],
    given: Mapping[str, int],
) -> dict[str, int]:
    ext: dict[str, int] = dict(given)
    sources: dict[str, str] = {n: "extents=" for n in given}

    def record(name: str, extent: int, where: str, node: Tree | None) -> None:
        if name in ext and ext[name] != extent:
            raise _error(
                node,
                f"index '{name}' has extent {ext[name]} from {sources[name]} but {extent} "
                f"from {where}",
            )
        ext[name] = extent
        sources[name] = where

    for access in _accesses(stmt.rhs):
        name = str(access.children[0])
        indices = [c for c in access.children[1:] if c is not None]
        shape = tensors[name].shape
        if len(indices) != len(shape):
            raise _error(
                access, f"'{name}' has {len(shape)} dimensions, indexed with {len(indices)}"
            )
        for dim, index in enumerate(indices):
            if isinstance(index, Tree) and index.data == "name":
                record(str(index.children[0]), shape[dim], f"{name} dimension {dim}", access)
    if stmt.target in shapes:
        for dim, index in enumerate(stmt.indices):
            record(index, tuple(shapes[stmt.target])[dim], f"{stmt.target} dimension {dim}", None)
    for name in [*stmt.indices, *_names_in(stmt.rhs)]:
        if name not in ext:
            raise IndexNotationError(
                f"{stmt.line}: cannot infer the extent of index '{name}': it never subscripts "
                f"a tensor dimension directly (pass extents={{'{name}': ...}})"
            )
    return ext


def _fcompute(stmt: _Statement, tensors: dict[str, te.Tensor], raxes: dict[str, IterVar]):
    """A function of the spatial axes, with parameters named like the left-hand indices."""

    def fcompute(*axes: IterVar) -> Expr:
        env: dict[str, IterVar] = dict(zip(stmt.indices, axes)) | raxes
        body = _expr(stmt.rhs, env, tensors)
        if stmt.assign == "=":
            return body
        axis = list(raxes.values())
        return _REDUCERS[stmt.assign](body, axis=axis[0] if len(axis) == 1 else axis)

    fcompute.__signature__ = inspect.Signature(  # type: ignore[attr-defined]
        [inspect.Parameter(n, inspect.Parameter.POSITIONAL_OR_KEYWORD) for n in stmt.indices]
    )
    return fcompute


def _expr(node: Tree | Token, env: dict[str, IterVar], tensors: dict[str, te.Tensor]):
    assert isinstance(node, Tree)
    kids = node.children
    match node.data:
        case "access":
            indices = [_expr(c, env, tensors) for c in kids[1:] if c is not None]
            return tensors[str(kids[0])][tuple(indices)]
        case "number":
            text = str(kids[0])
            return float(text) if any(c in text for c in ".eE") else int(text)
        case "name":
            return env[str(kids[0])]
        case "add":
            return _expr(kids[0], env, tensors) + _expr(kids[1], env, tensors)
        case "sub":
            return _expr(kids[0], env, tensors) - _expr(kids[1], env, tensors)
        case "mul":
            return _expr(kids[0], env, tensors) * _expr(kids[1], env, tensors)
        case "div":
            return _expr(kids[0], env, tensors) / _expr(kids[1], env, tensors)
        case "floordiv":
            return _expr(kids[0], env, tensors) // _expr(kids[1], env, tensors)
        case "mod":
            return _expr(kids[0], env, tensors) % _expr(kids[1], env, tensors)
        case "neg":
            return -_expr(kids[0], env, tensors)
        case "call":
            return _call(node, env, tensors)
    raise _error(node, f"unexpected '{node.data}'")


def _call(node: Tree, env: dict[str, IterVar], tensors: dict[str, te.Tensor]):
    name = str(node.children[0])
    args = [_expr(c, env, tensors) for c in node.children[1:]]
    if name in ("max", "min") and len(args) == 2:
        return (te.max if name == "max" else te.min)(args[0], args[1])
    if name == "relu" and len(args) == 1:
        return te.max(args[0], 0)
    if name in _FUNCTIONS and len(args) == 1:
        return _FUNCTIONS[name](args[0])
    known = ", ".join([*_FUNCTIONS, "max(a, b)", "min(a, b)", "relu"])
    raise _error(node, f"unknown function {name}/{len(args)} (known: {known})")


def from_index_notation(
    text: str,
    shapes: Mapping[str, Sequence[int]],
    dtype: str | Mapping[str, str] = "float32",
    *,
    outputs: Sequence[str] | None = None,
    extents: Mapping[str, int] | None = None,
    name: str = "main",
) -> ModuleOp:
    """A module with one tensor function `name` for the program; see the package docstring.

    Arguments: inputs in order of first appearance, then `outputs` (default: the defined
    tensors that no later statement reads, in definition order).
    """
    tensors = to_te(text, shapes, dtype, extents)
    statements = _statements(text)
    targets = [s.target for s in statements]
    if outputs is None:
        read_later = {str(a.children[0]) for s in statements for a in _accesses(s.rhs)}
        outputs = [t for t in targets if t not in read_later] or targets[-1:]
    for out in outputs:
        if out not in targets:
            raise IndexNotationError(f"output '{out}' is not defined by any statement")
    inputs = [t for n, t in tensors.items() if n not in targets]
    return te.create_prim_func([*inputs, *(tensors[o] for o in outputs)], name=name)
