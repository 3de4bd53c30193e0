"""Affine expressions written over SSA names, as `tensor.block` prints them.

A block's bindings (`%vj = spatial(128, %j0 * 4 + %j1)`), access regions
(`%A[%vi, %vk * 4 : %vk * 4 + 4]`) and predicate (`where(%j0 * 4 + %j1 < 130)`) are affine
expressions whose dimensions are SSA values. They are stored as builtin `affine_map` /
`affine_set` attributes (so xDSL prints and parses the generic form) and written with SSA names
in the custom form. This module holds the two directions plus small helpers used by the
verifier and the interpreter: intervals of expressions, and conversion to Python source.

Conventions: `a - b` is stored as `a + b * -1` (xDSL's canonical form) and printed back as
`a - b`; predicate constraints are stored canonically as `e >= 0` or `e == 0` and printed as
`lhs < rhs`, `lhs <= rhs`, `lhs >= rhs` or `lhs == rhs` with positive terms on each side.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineSymExpr,
)
from xdsl.ir.affine.affine_set import AffineConstraintExpr, AffineConstraintKind
from xdsl.parser import Parser
from xdsl.parser.affine_parser import AffineParser
from xdsl.printer import Printer
from xdsl.utils.lexer import Span
from xdsl.utils.mlir_lexer import MLIRTokenKind

Kind = AffineBinaryOpKind
_PRECEDENCE = {Kind.Add: 10, Kind.Mul: 20, Kind.Mod: 20, Kind.FloorDiv: 20, Kind.CeilDiv: 20}


# --------------------------------------------------------------------------- parsing


def parse_affine_expr(parser: Parser, resolve: Callable[[Span], AffineExpr]) -> AffineExpr:
    """Parse one affine expression whose variables are `%names`, resolved by `resolve(span)`.

    `resolve` returns the dimension expression standing for the name (and may raise a
    ParseError for names that are not allowed here).
    """
    affine = AffineParser(parser._parser_state)  # pyright: ignore[reportPrivateUsage]

    def parse_optional_name() -> AffineExpr | None:
        token = affine._parse_optional_token(MLIRTokenKind.PERCENT_IDENT)  # pyright: ignore
        if token is None:
            return None
        return resolve(token.span)

    return affine._parse_affine_expr(parse_optional_name)  # pyright: ignore[reportPrivateUsage]


def parse_comparison(parser: Parser) -> str:
    """Parse one of `<`, `<=`, `>`, `>=`, `==`."""
    for first in ("<", ">", "="):
        if parser.parse_optional_punctuation(first) is None:  # type: ignore[arg-type]
            continue
        if parser.parse_optional_punctuation("=") is not None:
            return first + "=" if first != "=" else "=="
        if first == "=":
            parser.raise_error("expected '==', '<', '<=', '>' or '>='")
        return first
    parser.raise_error("expected a comparison: '<', '<=', '>', '>=' or '=='")


def make_constraint(lhs: AffineExpr, cmp: str, rhs: AffineExpr) -> AffineConstraintExpr:
    """`lhs cmp rhs` as the canonical `e >= 0` / `e == 0` constraint."""
    match cmp:
        case "<":
            e = rhs - lhs - 1
        case "<=":
            e = rhs - lhs
        case ">":
            e = lhs - rhs - 1
        case ">=":
            e = lhs - rhs
        case "==":
            return AffineConstraintExpr(AffineConstraintKind.eq, lhs - rhs, AffineExpr.constant(0))
        case _:
            raise ValueError(f"unknown comparison {cmp}")
    return AffineConstraintExpr(AffineConstraintKind.ge, e, AffineExpr.constant(0))


def parse_constraint(parser: Parser, resolve: Callable[[Span], AffineExpr]) -> AffineConstraintExpr:
    lhs = parse_affine_expr(parser, resolve)
    cmp = parse_comparison(parser)
    rhs = parse_affine_expr(parser, resolve)
    return make_constraint(lhs, cmp, rhs)


# --------------------------------------------------------------------------- printing


def summands(expr: AffineExpr) -> list[tuple[AffineExpr | None, int]]:
    """`expr` as a flat sum of (term, coefficient); the constant has term None."""
    if isinstance(expr, AffineBinaryOpExpr) and expr.kind == Kind.Add:
        return summands(expr.lhs) + summands(expr.rhs)
    if isinstance(expr, AffineConstantExpr):
        return [(None, expr.value)]
    if (
        isinstance(expr, AffineBinaryOpExpr)
        and expr.kind == Kind.Mul
        and isinstance(expr.rhs, AffineConstantExpr)
    ):
        return [(expr.lhs, expr.rhs.value)]
    return [(expr, 1)]


def _term_to_str(term: AffineExpr | None, coeff: int, name: Callable[[int], str]) -> str:
    if term is None:
        return str(coeff)
    text = expr_to_str(term, name, _PRECEDENCE[Kind.Mul])
    return text if coeff == 1 else f"{text} * {coeff}"


def _sum_to_str(parts: Sequence[tuple[AffineExpr | None, int]], name: Callable[[int], str]) -> str:
    """Print a flat sum, turning negative coefficients into subtraction after the first term."""
    out = ""
    for index, (term, coeff) in enumerate(parts):
        if index == 0:
            out = _term_to_str(term, coeff, name)
        elif coeff < 0:
            out += " - " + _term_to_str(term, -coeff, name)
        else:
            out += " + " + _term_to_str(term, coeff, name)
    return out or "0"


def expr_to_str(expr: AffineExpr, name: Callable[[int], str], min_prec: int = 0) -> str:
    """Text of `expr` with `name(i)` for dimension i (e.g. `%j0 * 4 + %j1`)."""
    match expr:
        case AffineConstantExpr(value=value):
            return str(value) if value >= 0 or min_prec == 0 else f"({value})"
        case AffineDimExpr(position=position) | AffineSymExpr(position=position):
            return name(position)
        case AffineBinaryOpExpr(kind=Kind.Add):
            text = _sum_to_str(summands(expr), name)
            return f"({text})" if min_prec > _PRECEDENCE[Kind.Add] else text
        case AffineBinaryOpExpr(kind=kind, lhs=lhs, rhs=rhs):
            prec = _PRECEDENCE[kind]
            text = (
                f"{expr_to_str(lhs, name, prec)} {kind.get_token()} "
                f"{expr_to_str(rhs, name, prec + 1)}"
            )
            return f"({text})" if min_prec > prec else text
        case _:
            raise ValueError(f"unexpected affine expression {expr}")


def shifted_to_str(expr: AffineExpr, offset: int, name: Callable[[int], str]) -> str:
    """Text of `expr + offset`, folding the offset into the constant term."""
    parts = summands(expr)
    const = sum(c for t, c in parts if t is None) + offset
    terms = [(t, c) for t, c in parts if t is not None]
    return _sum_to_str(terms + ([(None, const)] if const else []), name)


def constraint_to_str(constraint: AffineConstraintExpr, name: Callable[[int], str]) -> str:
    """`e >= 0` printed as a comparison with positive terms on both sides."""
    expr = constraint.lhs - constraint.rhs
    if constraint.kind == AffineConstraintKind.le:
        expr = expr * -1
    parts = summands(expr)
    const = sum(c for t, c in parts if t is None)
    positive = [(t, c) for t, c in parts if t is not None and c > 0]
    negative = [(t, -c) for t, c in parts if t is not None and c < 0]
    if constraint.kind == AffineConstraintKind.eq:
        # P - N + c == 0 is printed `P == N - c`, which parses back to the same P - N + c.
        if not positive:
            return f"{_sum_to_str(negative, name)} == {const}"
        rhs = negative + ([(None, -const)] if const or not negative else [])
        return f"{_sum_to_str(positive, name)} == {_sum_to_str(rhs, name)}"
    if not negative:  # P + c >= 0
        return f"{_sum_to_str(positive, name)} >= {-const}"
    if not positive:  # N <= c, printed as N < c + 1 (TVM's `T.where(i * 4 + j < 130)`)
        return f"{_sum_to_str(negative, name)} < {const + 1}"
    rhs = positive + ([(None, const)] if const else [])
    return f"{_sum_to_str(negative, name)} <= {_sum_to_str(rhs, name)}"


def printer_names(printer: Printer, values: Sequence) -> Callable[[int], str]:
    """A `name(i)` callback printing `values[i]` through the printer (so names are shared)."""

    def name(position: int) -> str:
        return printer_value_name(printer, values[position])

    return name


def printer_value_name(printer: Printer, value) -> str:
    """The name the printer uses for `value` (assigning one if needed), including the `%`."""
    from io import StringIO

    # print_ssa_value both assigns and prints the name; print it into a scratch stream.
    saved_stream, saved_column = printer.stream, printer._current_column  # pyright: ignore
    printer.stream = StringIO()
    try:
        return "%" + printer.print_ssa_value(value)
    finally:
        printer.stream = saved_stream
        printer._current_column = saved_column  # pyright: ignore[reportPrivateUsage]


def value_name(value, fallback: str) -> str:
    """A name for messages: `%name` from the value's name hint, else `fallback`."""
    hint = getattr(value, "name_hint", None)
    return f"%{hint}" if hint else fallback


# --------------------------------------------------------------------------- analysis


def expr_range(
    expr: AffineExpr, ranges: Sequence[tuple[int, int] | None]
) -> tuple[int, int] | None:
    """Inclusive [lo, hi] of `expr` given inclusive ranges of its dimensions, None if unknown."""
    match expr:
        case AffineConstantExpr(value=value):
            return (value, value)
        case AffineDimExpr(position=position):
            return ranges[position] if position < len(ranges) else None
        case AffineBinaryOpExpr(kind=kind, lhs=lhs, rhs=rhs):
            a = expr_range(lhs, ranges)
            b = expr_range(rhs, ranges)
            if a is None or b is None:
                return None
            if kind == Kind.Add:
                return (a[0] + b[0], a[1] + b[1])
            if kind == Kind.Mul:
                products = [x * y for x in a for y in b]
                return (min(products), max(products))
            if b[0] != b[1] or b[0] <= 0:
                return None
            c = b[0]
            if kind == Kind.FloorDiv:
                return (a[0] // c, a[1] // c)
            if kind == Kind.CeilDiv:
                return (-(-a[0] // c), -(-a[1] // c))
            if kind == Kind.Mod:
                if a[0] // c == a[1] // c:
                    return (a[0] % c, a[1] % c)
                return (0, c - 1)
    return None


def expr_to_python(expr: AffineExpr, names: Sequence[str]) -> str:
    """Python source computing `expr` (floordiv -> //, mod -> %, both floor-based as in MLIR)."""
    match expr:
        case AffineConstantExpr(value=value):
            return f"({value})" if value < 0 else str(value)
        case AffineDimExpr(position=position) | AffineSymExpr(position=position):
            return names[position]
        case AffineBinaryOpExpr(kind=kind, lhs=lhs, rhs=rhs):
            a = expr_to_python(lhs, names)
            b = expr_to_python(rhs, names)
            if kind == Kind.CeilDiv:
                return f"(-((-{a}) // {b}))"
            op = {Kind.Add: "+", Kind.Mul: "*", Kind.FloorDiv: "//", Kind.Mod: "%"}[kind]
            return f"({a} {op} {b})"
    raise ValueError(f"unexpected affine expression {expr}")
