"""In-place edits of blocks and loop nests shared by the block-level primitives.

Primitives keep the *same* `BlockOp` object when they move or change a block (the schedule maps
block handles through op identity, see state.py), so bindings, regions and operands are edited
in place here rather than by building a new op.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    AffineMapAttr,
    AffineSetAttr,
    ArrayAttr,
    DenseArrayBase,
    IndexType,
    IntegerAttr,
    StringAttr,
    i32,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
    AffineMap,
)
from xdsl.ir.affine.affine_set import AffineSet

from dialects.loops.ops import ForOp
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import BlockOp


def set_operands(
    block: BlockOp,
    binding_values: Sequence[SSAValue] | None = None,
    reads: Sequence[SSAValue] | None = None,
    writes: Sequence[SSAValue] | None = None,
) -> None:
    """Replace the block's operand groups (None keeps a group), updating the segment sizes."""
    groups = [
        list(block.binding_values) if binding_values is None else list(binding_values),
        list(block.reads) if reads is None else list(reads),
        list(block.writes) if writes is None else list(writes),
    ]
    block.operands = [v for group in groups for v in group]
    block.properties["operandSegmentSizes"] = DenseArrayBase.from_list(
        i32, [len(g) for g in groups]
    )


def set_bindings(
    block: BlockOp,
    values: Sequence[SSAValue],
    exprs: Sequence[AffineExpr],
    predicate: Sequence | None = None,
) -> None:
    """Bind the block's iterators to `exprs` over `values`; `predicate` is a list of
    constraints over the same dimensions (None or empty: no predicate)."""
    set_operands(block, binding_values=values)
    block.bindings = AffineMapAttr(AffineMap(len(values), 0, tuple(exprs)))
    if predicate:
        block.predicate = AffineSetAttr(AffineSet(len(values), 0, tuple(predicate)))
    elif block.predicate is not None:
        del block.properties["predicate"]


def set_accesses(
    block: BlockOp,
    reads: Sequence[tuple[SSAValue, AccessRegionAttr]],
    writes: Sequence[tuple[SSAValue, AccessRegionAttr]],
) -> None:
    set_operands(block, reads=[b for b, _ in reads], writes=[b for b, _ in writes])
    block.read_regions = ArrayAttr([r for _, r in reads])
    block.write_regions = ArrayAttr([r for _, r in writes])


def rename(block: BlockOp, name: str) -> None:
    block.block_name = StringAttr(name)


def detach_leaf(op: Operation) -> None:
    """Detach `op` from its position, erasing the loops around it left empty (TVM's
    LeafBlockRemovalPlan): the outermost ancestor loop whose subtree is only `op` goes."""
    top = op
    parent = op.parent_op()
    while isinstance(parent, ForOp) and len(list(parent.body.block.ops)) == 1:
        top, parent = parent, parent.parent_op()
    op.detach()
    if top is not op:
        top.detach()
        top.erase()


def wrap_in_loops(op: Operation, loops: Sequence[ForOp]) -> Operation:
    """Nest `loops` (outermost first, empty bodies) around `op`; returns the outermost op."""
    if not loops:
        return op
    for outer, inner in itertools.pairwise(loops):
        outer.body.block.add_op(inner)
    loops[-1].body.block.add_op(op)
    return loops[0]


def new_loop(extent: int, name: str, like: ForOp | None = None) -> ForOp:
    """A loop `0 to extent`, copying kind and annotations from `like` when given."""
    if like is None:
        return ForOp(0, extent, iv_name=name)
    return ForOp(
        0,
        extent,
        kind=like.kind_name,
        annotations=like.annotations,
        iv_name=name,
    )


def copy_loop(loop: ForOp, name: str) -> ForOp:
    """An empty loop with the bounds, step, kind and annotations of `loop`."""
    return ForOp(
        loop.lower_bound,
        loop.upper_bound,
        step=loop.step,
        kind=loop.kind_name,
        annotations=loop.annotations,
        iv_name=name,
    )


def unique_block_name(root: Operation, wanted: str) -> str:
    """`wanted`, or `wanted_1`, `wanted_2`... so that block names stay unique under `root`."""
    taken = {op.label for op in root.walk() if isinstance(op, BlockOp)}
    if wanted not in taken:
        return wanted
    n = 1
    while f"{wanted}_{n}" in taken:
        n += 1
    return f"{wanted}_{n}"


# --------------------------------------------------------------------------- affine -> arith


def emit_affine(
    expr: AffineExpr, values: Sequence[SSAValue], block: Block, before: Operation | None
) -> SSAValue:
    """Materialize `expr` (dimension i = values[i]) as `arith` index ops in `block`, before
    `before` (at the end when None). Used where a body needs an index its iterators no longer
    hold directly (rfactor, tensorize)."""

    def insert(op: Operation) -> SSAValue:
        if before is None:
            block.add_op(op)
        else:
            block.insert_op_before(op, before)
        return op.results[0]

    def const(value: int) -> SSAValue:
        return insert(arith.ConstantOp(IntegerAttr(value, IndexType())))

    def visit(e: AffineExpr) -> SSAValue:
        if isinstance(e, AffineDimExpr):
            return values[e.position]
        if isinstance(e, AffineConstantExpr):
            return const(e.value)
        assert isinstance(e, AffineBinaryOpExpr)
        lhs, rhs = visit(e.lhs), visit(e.rhs)
        match e.kind:
            case AffineBinaryOpKind.Add:
                return insert(arith.AddiOp(lhs, rhs))
            case AffineBinaryOpKind.Mul:
                return insert(arith.MuliOp(lhs, rhs))
            case AffineBinaryOpKind.FloorDiv:
                return insert(arith.FloorDivSIOp(lhs, rhs))
            case AffineBinaryOpKind.CeilDiv:
                return insert(arith.CeilDivSIOp(lhs, rhs))
            case AffineBinaryOpKind.Mod:
                return insert(arith.RemSIOp(lhs, rhs))  # operands are non-negative indices
        raise ValueError(f"unexpected affine expression {e}")

    return visit(expr)
