"""Loop primitives on ops: split, fuse, reorder, parallel, vectorize, unroll, annotate.

Each function checks its preconditions first (raising a `ScheduleError` subclass before any
change) and then rewrites the IR in place. `Schedule` runs them on a clone (see `state.py`), so
a failure never leaves a half-transformed module behind.

How loop variables are substituted: a loop's induction variable is used by the blocks under it
as a binding value (the dimensions of their `bindings` map and `predicate` set). Replacing an
iv by an affine expression of new ivs rewrites those maps in place and keeps the block ops
(their handles stay valid). Other uses of an iv (arithmetic left by a lowering) get the
expression materialized with `arith` ops at the top of the innermost new loop.
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import pairwise

from xdsl.dialects import arith
from xdsl.dialects.builtin import (
    AffineMapAttr,
    AffineSetAttr,
    ArrayAttr,
    BoolAttr,
    DenseArrayBase,
    DictionaryAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    StringAttr,
    f64,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
)
from xdsl.ir.affine.affine_set import AffineConstraintExpr, AffineSet

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import make_constraint, value_name
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule.analysis import (
    blocks_under,
    child_ops,
    get_child_blocks,
    is_ancestor,
    loops_under,
    reduce_bindings,
    static_extent,
)
from dialects.tensor.schedule.errors import (
    AnnotationNotFoundError,
    AnnotationValueError,
    FuseNotConsecutiveError,
    FuseNotPerfectNestError,
    NestedParallelError,
    NonStaticExtentError,
    ReduceLoopParallelError,
    ReorderAcrossBlockError,
    ReorderDuplicateLoopError,
    ReorderNotInChainError,
    SplitError,
    SplitFactorProductError,
    SplitMultipleNoneError,
    SplitNonPositiveFactorError,
)


def loop_name(loop: ForOp) -> str:
    """`%j` for messages."""
    return value_name(loop.iv, "loop")


def _iv_hint(loop: ForOp) -> str:
    return loop.iv.name_hint or "i"


# =========================================================================== substitution


def set_binding_values(block: BlockOp, values: Sequence[SSAValue]) -> None:
    """Replace the binding operands of `block` in place (keeps the op and its handles)."""
    reads, writes = list(block.reads), list(block.writes)
    block.operands = [*values, *reads, *writes]
    block.properties["operandSegmentSizes"] = DenseArrayBase.from_list(
        i32, [len(values), len(reads), len(writes)]
    )


def _replace_constraint(
    c: AffineConstraintExpr, dims: Sequence[AffineExpr]
) -> AffineConstraintExpr:
    return AffineConstraintExpr(
        c.kind,
        c.lhs.replace_dims_and_symbols(dims, ()),
        c.rhs.replace_dims_and_symbols(dims, ()),
    )


def substitute_in_block(
    block: BlockOp,
    old: SSAValue,
    expr: AffineExpr,
    new_values: Sequence[SSAValue],
    extra_constraints: Sequence[AffineConstraintExpr] = (),
) -> None:
    """In `block`'s bindings and predicate, replace value `old` by `expr` over `new_values`.

    `extra_constraints` (over `new_values`) are added to the predicate (imperfect splits).
    """
    values = list(block.binding_values)
    kept = [v for v in values if v is not old]
    result = list(kept)
    for value in new_values:
        if not any(value is r for r in result):
            result.append(value)

    def position(value: SSAValue) -> int:
        return next(i for i, r in enumerate(result) if r is value)

    to_result = [AffineExpr.dimension(position(v)) for v in new_values]
    expr_in_result = expr.replace_dims_and_symbols(to_result, ())
    dims = [expr_in_result if v is old else AffineExpr.dimension(position(v)) for v in values]
    block.bindings = AffineMapAttr(
        block.binding_map.replace_dims_and_symbols(dims, (), len(result), 0)
    )
    constraints = [
        _replace_constraint(c, dims)
        for c in (block.predicate_set.constraints if block.predicate_set else ())
    ]
    constraints += [_replace_constraint(c, to_result) for c in extra_constraints]
    if constraints:
        block.predicate = AffineSetAttr(AffineSet(len(result), 0, tuple(constraints)))
    set_binding_values(block, result)


def materialize(expr: AffineExpr, values: Sequence[SSAValue], block: Block) -> SSAValue:
    """Compute `expr` over `values` with `arith` ops inserted at the start of `block`."""
    ops: list[Operation] = []

    def emit(e: AffineExpr) -> SSAValue:
        if isinstance(e, AffineDimExpr):
            return values[e.position]
        if isinstance(e, AffineConstantExpr):
            op = arith.ConstantOp(IntegerAttr(e.value, IndexType()))
        elif isinstance(e, AffineBinaryOpExpr):
            lhs, rhs = emit(e.lhs), emit(e.rhs)
            op = {
                AffineBinaryOpKind.Add: arith.AddiOp,
                AffineBinaryOpKind.Mul: arith.MuliOp,
                AffineBinaryOpKind.FloorDiv: arith.FloorDivSIOp,
                AffineBinaryOpKind.CeilDiv: arith.CeilDivSIOp,
                AffineBinaryOpKind.Mod: arith.RemSIOp,  # operands are never negative here
            }[e.kind](lhs, rhs)
        else:
            raise TypeError(f"cannot materialize {e}")
        ops.append(op)
        return op.results[0]

    result = emit(expr)
    if block.first_op is None:
        block.add_ops(ops)
    else:
        block.insert_ops_before(ops, block.first_op)
    return result


def replace_iv(
    old: SSAValue,
    expr: AffineExpr,
    new_values: Sequence[SSAValue],
    innermost: Block,
    extra_constraints: Sequence[AffineConstraintExpr] = (),
    guarded_blocks: Sequence[BlockOp] = (),
) -> None:
    """Replace every use of `old` by `expr` over `new_values` (module docstring).

    `extra_constraints` go into the predicate of each of `guarded_blocks`.
    """
    users = {use.operation for use in old.uses}
    for user in users:
        if isinstance(user, BlockOp) and any(v is old for v in user.binding_values):
            extra = extra_constraints if user in guarded_blocks else ()
            substitute_in_block(user, old, expr, new_values, extra)
    for block in guarded_blocks:
        if block not in users:
            # The block does not use the old iv, but still must not run the extra iterations.
            substitute_in_block(block, old, expr, new_values, extra_constraints)
    if old.uses:
        old.replace_all_uses_with(materialize(expr, new_values, innermost))


def _linear(terms: Sequence[tuple[int, int]], lb: int, step: int) -> AffineExpr:
    """`lb + step * sum(coeff * d_pos)` for (pos, coeff) terms, without 0 + or * 1 noise."""
    expr: AffineExpr | None = None
    for pos, coeff in terms:
        term = AffineExpr.dimension(pos)
        if coeff != 1:
            term = term * coeff
        expr = term if expr is None else expr + term
    if expr is None:
        expr = AffineExpr.constant(0)
    if step != 1:
        expr = expr * step
    if lb != 0:
        expr = expr + lb
    return expr


# =========================================================================== split


def split(
    loop: ForOp, factors: Sequence[int | None], preserve_unit_iters: bool = True
) -> list[ForOp]:
    """Split `loop` into `len(factors)` nested loops, outermost first (see Schedule.split)."""
    extent = static_extent(loop)
    if extent is None:
        raise NonStaticExtentError(
            f"cannot split loop {loop_name(loop)}: its extent is not a static positive integer",
            location_op=loop,
        )
    if not factors:
        raise SplitNonPositiveFactorError("split needs at least one factor", location_op=loop)
    nones = [i for i, f in enumerate(factors) if f is None]
    if len(nones) > 1:
        raise SplitMultipleNoneError(
            f"split of loop {loop_name(loop)}: only one factor can be None, got {list(factors)}",
            detail="the missing factor is inferred from the extent; with two there are many "
            "choices",
            location_op=loop,
        )
    for f in factors:
        if f is not None and (isinstance(f, bool) or not isinstance(f, int) or f <= 0):
            raise SplitNonPositiveFactorError(
                f"split of loop {loop_name(loop)}: factors must be positive integers, got "
                f"{list(factors)}",
                location_op=loop,
            )
    known = 1
    for f in factors:
        known *= f if f is not None else 1
    values = [f if f is not None else -(-extent // known) for f in factors]
    product = 1
    for f in values:
        product *= f
    if product < extent:
        raise SplitFactorProductError(
            f"split of loop {loop_name(loop)}: the product of factors {values} is {product}, "
            f"less than the extent {extent}",
            detail="a split must cover every iteration (a product larger than the extent makes "
            "an imperfect split, guarded by a block predicate)",
            location_op=loop,
        )
    imperfect = product != extent
    if imperfect:
        _check_guardable(loop)

    new_loops = [ForOp(0, f, iv_name=f"{_iv_hint(loop)}{i}") for i, f in enumerate(values)]
    for outer, inner in pairwise(new_loops):
        outer.body.block.add_op(inner)
    innermost = new_loops[-1].body.block
    for op in list(loop.body.block.ops):
        op.detach()
        innermost.add_op(op)
    parent = loop.parent_block()
    assert parent is not None
    parent.insert_op_before(new_loops[0], loop)

    strides = [1] * len(values)
    for i in range(len(values) - 2, -1, -1):
        strides[i] = strides[i + 1] * values[i + 1]
    # Unit loops stay out of the bindings unless preserve_unit_iters; an imperfect split
    # binds every new iv because its predicate is over all of them.
    used = [i for i, f in enumerate(values) if f != 1 or preserve_unit_iters]
    bound = list(range(len(values))) if imperfect else used
    dim_of = {i: n for n, i in enumerate(bound)}
    new_ivs = [new_loops[i].iv for i in bound]
    expr = _linear([(dim_of[i], strides[i]) for i in used], loop.lb, loop.step_value)
    constraints: list[AffineConstraintExpr] = []
    guarded: list[BlockOp] = []
    if imperfect:
        covered = _linear([(dim_of[i], strides[i]) for i in bound], 0, 1)
        constraints = [make_constraint(covered, "<", AffineExpr.constant(extent))]
        guarded = get_child_blocks(new_loops[-1])
    replace_iv(loop.iv, expr, new_ivs, innermost, constraints, guarded)
    loop.detach()
    loop.erase()
    return new_loops


def _check_guardable(loop: ForOp) -> None:
    """An imperfect split guards extra iterations with block predicates: all work in blocks."""
    for op in child_ops(loop):
        if isinstance(op, BlockOp):
            continue
        if isinstance(op, ForOp):
            _check_guardable(op)
            continue
        raise SplitError(
            f"cannot split loop {loop_name(loop)} imperfectly: '{op.name}' is not inside a "
            "block, so no predicate can guard the extra iterations",
            detail="choose factors whose product equals the extent",
            location_op=loop,
        )


# =========================================================================== fuse


def fuse(loops: Sequence[ForOp], preserve_unit_iters: bool = True) -> ForOp:
    """Fuse consecutive perfectly nested loops into one (see Schedule.fuse)."""
    if not loops:
        raise FuseNotConsecutiveError("fuse needs at least one loop")
    for index, loop in enumerate(loops):
        if any(loop is other for other in loops[:index]):
            raise FuseNotConsecutiveError(
                f"cannot fuse: loop {loop_name(loop)} is given twice", location_op=loop
            )
        if static_extent(loop) is None:
            raise NonStaticExtentError(
                f"cannot fuse loop {loop_name(loop)}: its extent is not a static positive integer",
                location_op=loop,
            )
    for outer, inner in pairwise(loops):
        if inner.parent_op() is not outer:
            raise FuseNotConsecutiveError(
                f"cannot fuse loops {loop_name(outer)} and {loop_name(inner)}: "
                f"{loop_name(inner)} is not directly nested in {loop_name(outer)}",
                detail="fuse takes consecutive loops, outermost first",
                location_op=inner,
            )
        body = child_ops(outer)
        if len(body) != 1:
            others = ", ".join(f"'{op.name}'" for op in body if op is not inner)
            raise FuseNotPerfectNestError(
                f"cannot fuse loops {loop_name(outer)} and {loop_name(inner)}: "
                f"{loop_name(outer)} also contains {others}",
                detail="only perfectly nested loops can be fused",
                location_op=outer,
            )

    extents = [lp.extent for lp in loops]
    kept = [i for i, e in enumerate(extents) if e != 1 or preserve_unit_iters]
    total = 1
    for e in extents:
        total *= e
    name = "_".join(_iv_hint(lp) for lp in loops) + "_fused"
    fused = ForOp(0, total, iv_name=name)
    innermost = fused.body.block
    for op in list(loops[-1].body.block.ops):
        op.detach()
        innermost.add_op(op)
    parent = loops[0].parent_block()
    assert parent is not None
    parent.insert_op_before(fused, loops[0])

    fused_dim = AffineExpr.dimension(0)
    for index, loop in enumerate(loops):
        stride = 1
        for e in extents[index + 1 :]:
            stride *= e
        if index not in kept:
            idx: AffineExpr = AffineExpr.constant(0)
        else:
            idx = fused_dim if stride == 1 else fused_dim // stride
            if index != 0:  # the outermost quotient is already below its extent
                idx = idx % extents[index]
        expr = idx * loop.step_value if loop.step_value != 1 else idx
        if loop.lb:
            expr = expr + loop.lb
        replace_iv(loop.iv, expr, [fused.iv], innermost)
    loops[0].detach()
    loops[0].erase()
    return fused


# =========================================================================== reorder


def reorder(loops: Sequence[ForOp]) -> None:
    """Reorder loops of one perfectly nested chain (see Schedule.reorder)."""
    for index, loop in enumerate(loops):
        if any(loop is other for other in loops[:index]):
            raise ReorderDuplicateLoopError(
                f"cannot reorder: loop {loop_name(loop)} is given more than once",
                location_op=loop,
            )
    if len(loops) < 2:
        return
    by_depth = sorted(loops, key=_depth)
    for outer, inner in pairwise(by_depth):
        if not is_ancestor(outer, inner):
            raise ReorderNotInChainError(
                f"cannot reorder loops {loop_name(outer)} and {loop_name(inner)}: neither "
                "contains the other",
                detail="reorder takes loops of a single nest (one chain from outer to inner)",
                location_op=inner,
            )
    top, bottom = by_depth[0], by_depth[-1]
    chain: list[ForOp] = []
    cur: Operation | None = bottom
    while cur is not top:
        assert cur is not None
        if not isinstance(cur, ForOp):
            raise ReorderAcrossBlockError(
                f"cannot reorder loops {loop_name(top)} and {loop_name(bottom)}: "
                f"{_describe(cur)} lies between them",
                detail="moving a loop across a block would change which iterations the block runs",
                location_op=cur,
            )
        chain.append(cur)
        cur = cur.parent_op()
    chain.append(top)
    chain.reverse()
    for outer in chain[:-1]:
        body = child_ops(outer)
        if len(body) != 1:
            other = next(op for op in body if not (isinstance(op, ForOp) and op in chain))
            raise ReorderAcrossBlockError(
                f"cannot reorder: loop {loop_name(outer)} contains {_describe(other)} beside "
                f"the next loop",
                detail="only a perfectly nested chain of loops can be reordered; reordering "
                "would move that op into (or out of) other loops",
                location_op=other,
            )
    # Positions of the given loops in the chain, filled in the order the user gave.
    positions = sorted(chain.index(loop) for loop in loops)
    order = list(chain)
    for pos, loop in zip(positions, loops):
        order[pos] = loop
    if order == chain:
        return
    inner_ops = list(bottom.body.block.ops)
    for op in inner_ops:
        op.detach()
    parent = top.parent_block()
    assert parent is not None
    anchor = top.next_op
    for loop in chain:
        loop.detach()
    if anchor is None:
        parent.add_op(order[0])
    else:
        parent.insert_op_before(order[0], anchor)
    for outer, inner in pairwise(order):
        outer.body.block.add_op(inner)
    order[-1].body.block.add_ops(inner_ops)


def _depth(op: Operation) -> int:
    depth, cur = 0, op.parent_op()
    while cur is not None:
        depth, cur = depth + 1, cur.parent_op()
    return depth


def _describe(op: Operation) -> str:
    if isinstance(op, BlockOp):
        return f'block "{op.label}"'
    if isinstance(op, ForOp):
        return f"loop {loop_name(op)}"
    return f"'{op.name}'"


# =========================================================================== loop kinds


def _check_no_reduce(loop: ForOp, what: str) -> None:
    bound = reduce_bindings(loop)
    if bound:
        first = bound[0]
        raise ReduceLoopParallelError(
            f"cannot {what} loop {loop_name(loop)}: it binds reduce iterator {first.name} of "
            f'block "{first.block.label}"',
            detail=f"a {what}d loop may only bind spatial iterators (no parallel reduce loop); "
            "use rfactor or reorder the reduction loop inward",
            location_op=loop,
        )


def parallel(loop: ForOp) -> None:
    """Mark `loop` parallel (see Schedule.parallel)."""
    _check_no_reduce(loop, "parallelize")
    cur = loop.parent_op()
    while cur is not None:
        if isinstance(cur, ForOp) and cur.kind_name == "parallel":
            raise NestedParallelError(
                f"cannot parallelize loop {loop_name(loop)}: it is inside parallel loop "
                f"{loop_name(cur)}",
                detail="nested parallelism is not supported; fuse the loops and parallelize "
                "the fused loop",
                location_op=loop,
            )
        cur = cur.parent_op()
    for inner in loops_under(loop):
        if inner.kind_name == "parallel":
            raise NestedParallelError(
                f"cannot parallelize loop {loop_name(loop)}: it contains parallel loop "
                f"{loop_name(inner)}",
                detail="nested parallelism is not supported",
                location_op=loop,
            )
    loop.kind = StringAttr("parallel")


def vectorize(loop: ForOp) -> None:
    """Mark `loop` vectorized (see Schedule.vectorize)."""
    from dialects.tensor.schedule.errors import VectorizeNotInnermostError

    if static_extent(loop) is None:
        raise NonStaticExtentError(
            f"cannot vectorize loop {loop_name(loop)}: its extent is not a static positive integer",
            location_op=loop,
        )
    _check_no_reduce(loop, "vectorize")
    body = child_ops(loop)
    if len(body) != 1 or not isinstance(body[0], BlockOp) or loops_under(body[0]):
        what = ", ".join(_describe(op) for op in body) or "nothing"
        raise VectorizeNotInnermostError(
            f"cannot vectorize loop {loop_name(loop)}: its body must be a single block without "
            f"loops, got {what}",
            detail="only the innermost loop around one block can be vectorized",
            location_op=loop,
        )
    loop.kind = StringAttr("vectorized")


def unroll(loop: ForOp) -> None:
    """Mark `loop` unrolled; always legal."""
    loop.kind = StringAttr("unrolled")


# =========================================================================== annotations


def annotation_attr(value: object) -> Attribute:
    """The attribute for an annotation value: bool, int, float, str, or a list of them."""
    if isinstance(value, Attribute):
        return value
    if isinstance(value, bool):
        return BoolAttr.from_bool(value)
    if isinstance(value, int):
        return IntegerAttr(value, i64)
    if isinstance(value, float):
        return FloatAttr(value, f64)
    if isinstance(value, str):
        return StringAttr(value)
    if isinstance(value, list | tuple):
        return ArrayAttr([annotation_attr(v) for v in value])
    raise AnnotationValueError(
        f"annotation values must be bool, int, float, str or lists of them, got "
        f"{type(value).__name__} {value!r}"
    )


def annotate(target: ForOp | BlockOp, key: str, value: object) -> None:
    """Set annotation `key` of a loop or block (replacing an old value)."""
    attr = annotation_attr(value)
    current = dict(target.annotations.data) if target.annotations is not None else {}
    current[key] = attr
    target.annotations = DictionaryAttr(current)


def unannotate(target: ForOp | BlockOp, key: str) -> None:
    """Remove annotation `key` of a loop or block."""
    current = dict(target.annotations.data) if target.annotations is not None else {}
    if key not in current:
        what = _describe(target)
        raise AnnotationNotFoundError(
            f"cannot unannotate {what}: it has no annotation '{key}'",
            detail=f"its annotations are: {', '.join(sorted(current)) or 'none'}",
            location_op=target,
        )
    del current[key]
    target.annotations = DictionaryAttr(current) if current else None


__all__ = [
    "annotate",
    "blocks_under",
    "fuse",
    "parallel",
    "reorder",
    "split",
    "unannotate",
    "unroll",
    "vectorize",
]
