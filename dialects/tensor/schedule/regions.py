"""Region analysis for the compute-location, caching and blockize primitives.

The question these primitives ask: *which part of a buffer do the instances of a block touch
while the loops inside some loop run?* (TVM's `RelaxBufferRegions` + `EvalSet`.) A block's
access region is an affine map over its iterators; composing it with the block's bindings
gives affine expressions over the values the block is bound to (loop induction variables).
Some of those values are *relaxed* (they range over their whole loop: the loops inside the
target loop) and the others stay *symbolic* (the target loop and the loops around it, whose
value is fixed for one execution of the moved block).

An index is then described as `SymRange`: a symbolic part `S` (a linear combination of atoms:
symbolic values, or opaque `floordiv`/`mod` terms over symbolic values only) plus a constant
interval `[lo, hi]`: the index takes values in `S + lo .. S + hi`. This is exact for affine
bindings (the common case: splits, reorders, tiles); where it is not (a `floordiv` mixing
relaxed and symbolic values, two accesses whose symbolic parts differ), the analysis answers
None and callers fall back to the whole buffer dimension, which is always correct (it only
costs recomputation).

Example: in mm_relu after `split(j, [None, 4])` and `reorder(j0, k, j1)`, block "Y" writes
`Y[vi, vj]` with `vi = i`, `vj = j0 * 4 + j1`; relaxed over the loops inside `j0` (`k`, `j1`)
it covers `Y[i + 0..0, j0 * 4 + 0..3]`, which is the region `reverse_compute_at(C, j0)` makes
block "C" iterate over.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass

from xdsl.dialects.builtin import MemRefType
from xdsl.ir import BlockArgument, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineDimExpr, AffineExpr

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import expr_range, summands
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import BlockOp, loop_range

Range = tuple[int, int]
"""An inclusive integer interval `(lo, hi)`."""


# --------------------------------------------------------------------------- values


def value_range(value: SSAValue) -> Range | None:
    """Inclusive range of an index value: a loop variable's iterations, or a block iterator's
    domain (for values bound inside a blockized outer block). None when unknown."""
    span = loop_range(value)
    if span is not None:
        return span
    if isinstance(value, BlockArgument):
        owner = value.block.parent_op()
        if isinstance(owner, BlockOp) and value.index < len(owner.domain_values):
            return (0, owner.domain_values[value.index] - 1)
    return None


@dataclass(frozen=True)
class Atom:
    """A non-constant term of a linear index: `expr` over `values` (dimension i = values[i]).

    A plain value `v` is `Atom(d0, (v,))`; an opaque term is e.g. `Atom(d0 floordiv 4, (f,))`.
    Atoms compare structurally, values by identity, so equal symbolic parts compare equal.
    """

    expr: AffineExpr
    values: tuple[SSAValue, ...]

    @staticmethod
    def of(value: SSAValue) -> Atom:
        return Atom(AffineExpr.dimension(0), (value,))

    def to_expr(self, dim_of: Callable[[SSAValue], int]) -> AffineExpr:
        return self.expr.replace_dims_and_symbols(
            [AffineExpr.dimension(dim_of(v)) for v in self.values], []
        )


Linear = dict[Atom, int]
"""A symbolic part: atom -> coefficient (no zero coefficients)."""


@dataclass(frozen=True)
class SymRange:
    """The index values `sym + lo .. sym + hi` (inclusive)."""

    sym: tuple[tuple[Atom, int], ...]
    lo: int
    hi: int

    @property
    def linear(self) -> Linear:
        return dict(self.sym)

    @property
    def extent(self) -> int:
        return self.hi - self.lo + 1

    def union(self, other: SymRange | None) -> SymRange | None:
        if other is None or self.linear != other.linear:
            return None
        return SymRange(self.sym, min(self.lo, other.lo), max(self.hi, other.hi))

    def shifted(self, offset: int) -> SymRange:
        return SymRange(self.sym, self.lo + offset, self.hi + offset)

    def symbolic_values(self) -> list[SSAValue]:
        seen: list[SSAValue] = []
        for atom, _ in self.sym:
            for value in atom.values:
                if not any(value is s for s in seen):
                    seen.append(value)
        return seen

    def sym_expr(self, dim_of: Callable[[SSAValue], int]) -> AffineExpr:
        """The symbolic part as an affine expression over `dim_of(value)` dimensions."""
        return linear_expr(self.linear, 0, dim_of)

    def sym_range(self) -> Range | None:
        """The range of the symbolic part over the symbolic values' own ranges."""
        lo = hi = 0
        for atom, coeff in self.sym:
            span = expr_range(atom.expr, [value_range(v) for v in atom.values])
            if span is None:
                return None
            a, b = span[0] * coeff, span[1] * coeff
            lo, hi = lo + min(a, b), hi + max(a, b)
        return (lo, hi)


def make_sym(linear: Linear, lo: int, hi: int) -> SymRange:
    items = tuple((atom, coeff) for atom, coeff in linear.items() if coeff != 0)
    return SymRange(items, lo, hi)


def linear_expr(linear: Mapping[Atom, int], const: int, dim_of: Callable[[SSAValue], int]):
    expr: AffineExpr = AffineExpr.constant(const)
    terms = [atom.to_expr(dim_of) * coeff for atom, coeff in linear.items() if coeff != 0]
    if terms:
        expr = terms[0]
        for term in terms[1:]:
            expr = expr + term
        if const:
            expr = expr + const
    return expr


def _atom_of(term: AffineExpr, values: Sequence[SSAValue]) -> Atom:
    """`term` (over dims standing for `values`) as an atom over just the values it uses."""
    if isinstance(term, AffineDimExpr):
        return Atom.of(values[term.position])
    used = sorted(term.used_dims())
    renamed = term.replace_dims_and_symbols(
        [
            AffineExpr.dimension(used.index(d)) if d in used else AffineExpr.constant(0)
            for d in range(len(values))
        ],
        [],
    )
    return Atom(renamed, tuple(values[d] for d in used))


def relax(
    expr: AffineExpr,
    values: Sequence[SSAValue],
    relaxed: Mapping[SSAValue, Range],
) -> SymRange | None:
    """The values of `expr` (over `values`) when the `relaxed` values range over their ranges.

    Values not in `relaxed` stay symbolic. None when the expression mixes relaxed and symbolic
    values in a non-linear term.
    """
    linear: Linear = {}
    lo = hi = 0
    for term, coeff in summands(expr):
        if term is None:
            lo, hi = lo + coeff, hi + coeff
            continue
        used = [values[d] for d in term.used_dims()]
        relaxed_used = [v for v in used if v in relaxed]
        if not relaxed_used:
            atom = _atom_of(term, values)
            linear[atom] = linear.get(atom, 0) + coeff
            continue
        if len(relaxed_used) != len(used):
            return None
        ranges = [relaxed.get(v) for v in values]
        span = expr_range(term, ranges)
        if span is None:
            return None
        a, b = span[0] * coeff, span[1] * coeff
        lo, hi = lo + min(a, b), hi + max(a, b)
    return make_sym({a: c for a, c in linear.items() if c != 0}, lo, hi)


# --------------------------------------------------------------------------- accesses


def access_exprs(block: BlockOp, region: AccessRegionAttr) -> list[AffineExpr]:
    """The start index of each dimension of `region` over the block's binding values."""
    bindings = list(block.binding_map.results)
    return [start.replace_dims_and_symbols(bindings, []) for start in region.map.results]


def relax_access(
    block: BlockOp,
    region: AccessRegionAttr,
    relaxed: Mapping[SSAValue, Range],
) -> list[SymRange | None]:
    """Per buffer dimension: the indices `region` covers over all instances of `block` where
    the `relaxed` values range over their ranges (None where the analysis cannot say)."""
    values = list(block.binding_values)
    out: list[SymRange | None] = []
    for start, extent in zip(access_exprs(block, region), region.extent_values):
        span = relax(start, values, relaxed)
        out.append(None if span is None else SymRange(span.sym, span.lo, span.hi + extent - 1))
    return out


def union_regions(
    regions: Iterable[list[SymRange | None]], rank: int
) -> list[SymRange | None] | None:
    """Dimension-wise union of several relaxed regions of one buffer (None if none given)."""
    result: list[SymRange | None] | None = None
    for region in regions:
        if result is None:
            result = list(region)
            continue
        result = [
            a.union(b) if a is not None else None for a, b in zip(result, region, strict=True)
        ]
    if result is not None:
        assert len(result) == rank
    return result


def loop_ranges(loops: Iterable[ForOp]) -> dict[SSAValue, Range]:
    """The induction variables of `loops` with their inclusive ranges (empty loops omitted)."""
    out: dict[SSAValue, Range] = {}
    for loop in loops:
        span = loop_range(loop.iv)
        if span is not None:
            out[loop.iv] = span
    return out


def buffer_shape(buffer: SSAValue) -> tuple[int, ...]:
    buffer_type = buffer.type
    assert isinstance(buffer_type, MemRefType)
    return tuple(buffer_type.get_shape())


def clamp_to_buffer(region: list[SymRange | None], buffer: SSAValue) -> list[SymRange]:
    """Replace unknown dimensions by the whole dimension; clamp constant ones to the shape."""
    out: list[SymRange] = []
    for span, size in zip(region, buffer_shape(buffer), strict=True):
        if span is None or span.extent > size:
            out.append(SymRange((), 0, size - 1))
        elif not span.sym:
            out.append(SymRange((), max(0, span.lo), min(size - 1, span.hi)))
        else:
            out.append(span)
    return out


# --------------------------------------------------------------------------- iterator domains


def solve_iterator(start: AffineExpr, required: SymRange) -> tuple[int, SymRange] | None:
    """Which iterator values make a provided index `start` (over the iterators) cover
    `required`: `(iterator, range)` when `start` is `v * e + c` with `e > 0`, else None.

    `v * e + c` in `S + lo .. S + hi` for all needed indices means `v` from
    `floor((S + lo - c) / e)` to `floor((S + hi - c) / e)`; with `e > 1` this needs every
    coefficient of `S` divisible by `e`.
    """
    parts = summands(start)
    const = sum(c for t, c in parts if t is None)
    terms = [(t, c) for t, c in parts if t is not None]
    if len(terms) != 1 or not isinstance(terms[0][0], AffineDimExpr) or terms[0][1] <= 0:
        return None
    dim, scale = terms[0][0].position, terms[0][1]
    linear = required.linear
    if any(coeff % scale for coeff in linear.values()):
        return None
    scaled = {atom: coeff // scale for atom, coeff in linear.items()}
    lo = (required.lo - const) // scale
    hi = (required.hi - const) // scale
    return dim, make_sym(scaled, lo, hi)


def is_constant(expr: AffineExpr) -> bool:
    return isinstance(expr, AffineConstantExpr)
