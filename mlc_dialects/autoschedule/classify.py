"""Block classification: what kind of computation a `tensor.block` is, read from its iterators
and access regions (never from its name).

| kind | what it is | examples |
|---|---|---|
| `injective` | spatial iterators only | elementwise, broadcast, transpose, pad, cast |
| `reduction` | reduce iterators, not matmul/conv-like | row sums, softmax max/sum, pooling |
| `matmul` | two spatial axes *row* and *col* and reduce axes, reading `A[.., row, k]` (no col) and `B[.., k, col]` (no row), writing `C[.., row, col]` | matmul, batch matmul, einsum contractions |
| `conv` | the same structure where an index of the col operand adds a spatial and a reduce iterator (a sliding window) | conv2d (NCHW/OIHW: row = output channel, col = output column) |

For `matmul` and `conv` the classification also names the *row* iterator (the one the
broadcast operand varies with, unrolled in the register tile) and the *col* iterator (the
output's last index, vectorized), and whether the col operand is contiguous in col (its last
index is `col + ...` with coefficient 1, so a vector of cols is one vector load).

The schedule rules also need the block's loops to be *trivial*: one loop per iterator, in
iterator order, each iterator bound to exactly its loop's variable. That is what te and the op
library produce; a block already scheduled by hand is left alone by the tiling rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

from xdsl.ir.affine import AffineBinaryOpExpr, AffineBinaryOpKind, AffineDimExpr, AffineExpr

from dialects.loops.ops import ForOp
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule import analysis


class BlockKind(Enum):
    INJECTIVE = "injective"
    REDUCTION = "reduction"
    MATMUL = "matmul"
    CONV = "conv"


@dataclass
class BlockInfo:
    """What the rules need to know about one block."""

    kind: BlockKind
    spatial: list[int] = field(default_factory=list)
    """Positions of the spatial iterators."""
    reduce: list[int] = field(default_factory=list)
    """Positions of the reduce iterators."""
    row: int | None = None
    """matmul/conv: the spatial iterator of the broadcast operand (unrolled)."""
    col: int | None = None
    """matmul/conv: the spatial iterator of the output's last index (vectorized)."""
    col_contiguous: bool = False
    """matmul/conv: the col operand is read contiguously along col."""
    inner_contiguous: bool = False
    """Every access is invariant in, or contiguous along, the iterator of the output's last
    index, which is spatial (so a loop over it vectorizes)."""
    inner: int | None = None
    """The iterator of the output's last index when it is one spatial iterator."""


# --------------------------------------------------------------------------- affine helpers


def dims_of(expr: AffineExpr) -> set[int]:
    """The dimensions (iterator positions) an index expression uses."""
    return {e.position for e in expr.dfs() if isinstance(e, AffineDimExpr)}


def _is_add_tree(expr: AffineExpr) -> bool:
    """True when the expression is a sum of dimensions, constants and constant multiples
    (no floordiv/mod/ceildiv)."""
    for e in expr.dfs():
        if isinstance(e, AffineBinaryOpExpr) and e.kind not in (
            AffineBinaryOpKind.Add, AffineBinaryOpKind.Mul
        ):
            return False
    return True


def coefficient(expr: AffineExpr, dim: int) -> int | None:
    """The constant coefficient of `dim` in an affine sum, None when not affine in it."""
    if not _is_add_tree(expr):
        return None
    # Evaluate at dim=1 and dim=0 with the other dims at 0; exact for sums of products by
    # constants (a product of two dims is not affine and is rejected by dfs below).
    for e in expr.dfs():
        if (isinstance(e, AffineBinaryOpExpr) and e.kind == AffineBinaryOpKind.Mul
                and dims_of(e.lhs) and dims_of(e.rhs)):
            return None
    n = max(dims_of(expr) | {dim}) + 1
    at = [0] * n
    base = expr.eval(at, [])
    at[dim] = 1
    return expr.eval(at, []) - base


def _single_dim(expr: AffineExpr) -> int | None:
    return expr.position if isinstance(expr, AffineDimExpr) else None


def contiguous_or_invariant(region: AccessRegionAttr, dim: int) -> bool:
    """`dim` is absent from the region, or appears only in its last index, with coefficient 1,
    and the region is a point access."""
    results = region.map.results
    if not region.is_point:  # a whole window (pad's clamped reads): the lanes would gather
        return False
    for expr in results[:-1]:
        if dim in dims_of(expr):
            return False
    if not results:
        return True
    last = results[-1]
    if dim not in dims_of(last):
        return True
    return coefficient(last, dim) == 1


# --------------------------------------------------------------------------- loops


def trivial_loops(block: BlockOp) -> list[ForOp] | None:
    """The block's loops when they are one per iterator, in iterator order, each iterator
    bound to exactly its loop variable, and perfectly nested down to the block; else None."""
    loops = analysis.get_loops(block)
    kinds = block.iter_kinds
    if len(loops) != len(kinds) or block.predicate_set is not None:
        return None
    values = list(block.binding_values)
    for index, (loop, expr) in enumerate(zip(loops, block.binding_map.results, strict=True)):
        dim = _single_dim(expr)
        if dim is None or values[dim] is not loop.iv:
            return None
        if loop.extent != block.domain_values[index]:
            return None
    for outer in loops[:-1]:
        if len(analysis.child_ops(outer)) != 1:
            return None
    if loops and len(analysis.child_ops(loops[-1])) != 1:
        return None
    return loops


# --------------------------------------------------------------------------- classification


def classify(block: BlockOp) -> BlockInfo:
    """The kind of `block` and the iterators the rules use (module docstring)."""
    kinds = block.iter_kinds
    spatial = [i for i, k in enumerate(kinds) if k == "spatial"]
    reduce = [i for i, k in enumerate(kinds) if k == "reduce"]
    info = BlockInfo(BlockKind.REDUCTION if reduce else BlockKind.INJECTIVE, spatial, reduce)
    writes = block.write_accesses()
    if len(writes) != 1:
        return info
    out_buffer, out_region = writes[0]
    if not out_region.is_point or not out_region.map.results:
        return info
    inner = _single_dim(out_region.map.results[-1])
    if inner is None or inner not in spatial:
        return info
    info.inner = inner
    accesses = [region for _, region in block.read_accesses()] + [out_region]
    info.inner_contiguous = all(contiguous_or_invariant(r, inner) for r in accesses)
    if reduce:
        _classify_contraction(block, info, out_buffer, out_region)
    return info


def _classify_contraction(block: BlockOp, info: BlockInfo, out_buffer, out_region) -> None:
    """Recognize matmul-like and conv-like reductions (module docstring)."""
    out_dims = [_single_dim(e) for e in out_region.map.results]
    if any(d is None for d in out_dims) or len(set(out_dims)) != len(out_dims):
        return
    operands = [r for buf, r in block.read_accesses() if buf is not out_buffer]
    if len(operands) != 2 or not all(r.is_point for r in operands):
        return
    col = info.inner
    assert col is not None
    used = [set().union(*(dims_of(e) for e in r.map.results)) for r in operands]
    reduce = set(info.reduce)
    for col_side in (0, 1):
        col_used, row_used = used[col_side], used[1 - col_side]
        if col not in col_used or col in row_used:
            continue
        if not reduce <= col_used | row_used:
            continue
        # The row iterator: spatial, read by the broadcast operand and not the col operand;
        # the innermost such (i of A[i, k], o of W[o, c, ky, kx]).
        rows = [d for d in info.spatial if d != col and d in row_used and d not in col_used]
        if not rows:
            continue
        info.row = rows[-1]
        info.col = col
        col_region = operands[col_side]
        info.col_contiguous = contiguous_or_invariant(col_region, col)
        window = any(
            dims_of(e) & reduce and dims_of(e) & set(info.spatial)
            for e in col_region.map.results
        )
        info.kind = BlockKind.CONV if window else BlockKind.MATMUL
        return
