"""compute_at and reverse_compute_at: move a block under another block's loop.

`compute_at(block, loop)` moves a producer under a loop of its consumers, so that each
iteration of `loop` computes just the part of the producer's output that the consumers under
`loop` read in that iteration; `reverse_compute_at(block, loop)` moves a consumer under a loop
of its producers, so that it consumes what they produced in that iteration. The moved block
gets fresh loops (`ax0`, `ax1`, ... one per iterator whose range is not a single value, in
iterator order) covering exactly that region; its iterators are re-bound to
`symbolic part + constant + ax`, and a predicate is added where the range can leave the
iterator's domain. Semantics and rules follow TVM (src/s_tir/schedule/primitive/compute_at.cc).

Preconditions (each failure is its own ScheduleError subclass below):
1. `block` is a complete block (spatial iterators only, it reads nothing it writes, and it is
   the only writer of its outputs) or a reduction block (with `tensor.init`, only writer);
2. `block` and `loop` are in the same scope (function or enclosing block) and `loop` is not
   an ancestor of `block`;
3. compute_at: `block` is not an output block (it writes no function argument);
4. compute_at: every consumer of `block` is under `loop`, and every producer of `block` that
   is not under `loop` comes before it; reverse_compute_at: every producer is under `loop`,
   and every consumer not under `loop` comes after it;
5. under `loop`, the block's producers all come before its consumers (there is a place to
   insert it), otherwise the dependence would form a cycle;
6. every index through which the block provides (compute_at: writes; reverse: reads) the
   needed buffers is `iterator * c + d` or a constant, so the iterator ranges can be solved.

Example (mm_relu after split and reorder, `reverse_compute_at(C, j0)`):
```
loops.for %i ... { loops.for %j0 = 0 to 32 { loops.for %k ... { loops.for %j1 = 0 to 4 {
  tensor.block "Y" ... } } } }
loops.for %i_1 = 0 to 128 { loops.for %j_1 = 0 to 128 { tensor.block "C"(...) ... } }
```
becomes
```
loops.for %i ... { loops.for %j0 = 0 to 32 {
  loops.for %k ... { loops.for %j1 = 0 to 4 { tensor.block "Y" ... } }
  loops.for %ax0 = 0 to 4 {
    tensor.block "C"(%v_i = spatial(128, %i), %v_j = spatial(128, %j0 * 4 + %ax0)) ...
  } } }
```
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import func
from xdsl.ir import SSAValue
from xdsl.ir.affine import AffineExpr

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import make_constraint
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule import analysis
from dialects.tensor.schedule.editing import detach_leaf, set_bindings, wrap_in_loops
from dialects.tensor.schedule.errors import ScheduleError
from dialects.tensor.schedule.regions import (
    SymRange,
    loop_ranges,
    relax_access,
    solve_iterator,
    union_regions,
)

# --------------------------------------------------------------------------- errors


class ComputeLocationError(ScheduleError):
    """compute_at / reverse_compute_at cannot be applied."""


class NotCompleteOrReductionBlockError(ComputeLocationError):
    """The block is neither a complete block nor a reduction block (precondition 1)."""


class NotInSameScopeError(ComputeLocationError):
    """The loop is in another scope than the block, or is an ancestor of it (precondition 2)."""


class OutputBlockError(ComputeLocationError):
    """compute_at of a block that writes a function argument (precondition 3)."""


class NotAllRequiredBlocksUnderLoopError(ComputeLocationError):
    """A consumer (compute_at) or producer (reverse_compute_at) is not under the loop."""


class DependenceOrderError(ComputeLocationError):
    """The block would run before a producer or after a consumer (preconditions 4 and 5)."""


class RegionNotCoverableError(ComputeLocationError):
    """The needed region cannot be turned into iterator ranges of the block (precondition 6)."""


# --------------------------------------------------------------------------- entry points


def compute_at(block: BlockOp, loop: ForOp, preserve_unit_loops: bool = False) -> None:
    """Move producer `block` under `loop` (a loop of its consumers); see the module docstring."""
    _move(block, loop, preserve_unit_loops, reverse=False)


def reverse_compute_at(block: BlockOp, loop: ForOp, preserve_unit_loops: bool = False) -> None:
    """Move consumer `block` under `loop` (a loop of its producers); see the module docstring."""
    _move(block, loop, preserve_unit_loops, reverse=True)


# --------------------------------------------------------------------------- block kinds


def written_buffers_read(block: BlockOp) -> list[SSAValue]:
    """Buffers the block writes and also reads (declared, or loaded in its body)."""
    loaded = {op.operands[0] for op in block.body.walk() if op.name == "memref.load"}
    declared = set(block.reads)
    return [b for b in block.writes if b in declared or b in loaded]


def is_dominant_writer(block: BlockOp) -> bool:
    """The block is the only writer of each buffer it writes, in its scope."""
    scope = analysis.scope_of(block)
    assert scope is not None
    return all(analysis.writers(scope, buffer) == [block] for buffer in block.writes)


def complete_or_reduction_problem(block: BlockOp) -> str | None:
    """Why `block` is neither a complete nor a reduction block, or None if it is one."""
    if not is_dominant_writer(block):
        return "another block of the scope also writes its output"
    if block.init is not None:
        return None  # a reduction block
    if block.is_reduction:
        return "it has reduce iterators but no tensor.init (an update block)"
    if written_buffers_read(block):
        return "it reads the buffer it writes"
    return None


def is_output_block(block: BlockOp) -> bool:
    function = analysis.enclosing_func(block)
    assert function is not None
    args = set(function.body.block.args)
    return any(buffer in args for buffer in block.writes)


# --------------------------------------------------------------------------- the primitive


@dataclass
class _Plan:
    iter_ranges: list[SymRange]  # per iterator of the moved block
    insert_index: int  # position among the loop body's ops


def _move(block: BlockOp, loop: ForOp, preserve_unit_loops: bool, reverse: bool) -> None:
    primitive = "reverse_compute_at" if reverse else "compute_at"
    _check_block_and_loop(block, loop, primitive, reverse)
    producers = analysis.get_producers(block)
    consumers = analysis.get_consumers(block)
    required = producers if reverse else consumers
    insert_index = _insertion_point(block, loop, producers, consumers, reverse, primitive)
    ranges = _iterator_ranges(block, loop, required, reverse, primitive)
    plan = _Plan(ranges, insert_index)
    _rebuild(block, loop, plan, preserve_unit_loops)


def _check_block_and_loop(block: BlockOp, loop: ForOp, primitive: str, reverse: bool) -> None:
    problem = complete_or_reduction_problem(block)
    if problem is not None:
        raise NotCompleteOrReductionBlockError(
            f'{primitive}: block "{block.label}" is neither a complete block nor a reduction '
            f"block: {problem}",
            detail="only a block that is the sole writer of its outputs, and either has only "
            "spatial iterators and reads nothing it writes, or is a reduction with "
            "tensor.init, can be moved",
            location_op=block,
        )
    if analysis.scope_of(block) is not analysis.scope_of(loop):
        raise NotInSameScopeError(
            f'{primitive}: the loop and block "{block.label}" are not in the same scope',
            detail="the loop must be in the same function (or enclosing block) as the block",
            location_op=loop,
        )
    if analysis.is_ancestor(loop, block):
        raise NotInSameScopeError(
            f'{primitive}: the loop is an ancestor of block "{block.label}"',
            detail="the target loop must not already contain the block; pick a loop of "
            f"its {'producers' if reverse else 'consumers'}",
            location_op=loop,
        )
    if not reverse and is_output_block(block):
        raise OutputBlockError(
            f'compute_at: block "{block.label}" is an output block (it writes a function argument)',
            detail="an output block must stay where it computes its whole output; "
            "use reverse_compute_at on its consumers' side instead",
            location_op=block,
        )


def _insertion_point(
    block: BlockOp,
    loop: ForOp,
    producers: list[BlockOp],
    consumers: list[BlockOp],
    reverse: bool,
    primitive: str,
) -> int:
    """Where under `loop` the moved block goes: before the first consumer under it (TVM's
    index = -1), after every producer under it."""
    needed, needed_kind = (producers, "producer") if reverse else (consumers, "consumer")
    missing = [b for b in needed if not analysis.is_ancestor(loop, b)]
    if missing:
        names = ", ".join(f'"{b.label}"' for b in missing)
        raise NotAllRequiredBlocksUnderLoopError(
            f'{primitive}: {needed_kind}(s) {names} of block "{block.label}" are not under '
            f"the loop",
            detail=f"all {needed_kind}s of the block must be under the target loop",
            location_op=loop,
        )
    if not needed:
        raise NotAllRequiredBlocksUnderLoopError(
            f'{primitive}: block "{block.label}" has no {needed_kind}s, so there is no '
            f"region to cover under the loop",
            location_op=block,
        )
    function = analysis.enclosing_func(loop)
    assert isinstance(function, func.FuncOp)
    order = {op: n for n, op in enumerate(function.walk())}
    # Blocks outside the loop keep their place: producers must come before it, consumers after.
    for other in producers:
        if not analysis.is_ancestor(loop, other) and order[other] > order[loop]:
            raise DependenceOrderError(
                f'{primitive}: producer "{other.label}" of block "{block.label}" comes after '
                f"the loop",
                detail="the moved block would read data before it is written",
                location_op=loop,
            )
    for other in consumers:
        if not analysis.is_ancestor(loop, other) and order[other] < order[loop]:
            raise DependenceOrderError(
                f'{primitive}: consumer "{other.label}" of block "{block.label}" comes before '
                f"the loop",
                detail="the moved block would write data after it is read",
                location_op=loop,
            )
    children = list(loop.body.block.ops)

    def position(b: BlockOp) -> int:
        for index, child in enumerate(children):
            if child is b or analysis.is_ancestor(child, b):
                return index
        return -1

    under = [p for p in (position(b) for b in producers) if p >= 0]
    after = [p for p in (position(b) for b in consumers) if p >= 0]
    last_producer = max(under, default=-1)
    first_consumer = min(after, default=len(children))
    if last_producer >= first_consumer:
        raise DependenceOrderError(
            f'{primitive}: under the loop, a consumer of block "{block.label}" comes before '
            f"one of its producers",
            detail="there is no place under the loop after all producers and before all "
            "consumers (the dependence would form a cycle)",
            location_op=loop,
        )
    return first_consumer


def _iterator_ranges(
    block: BlockOp,
    loop: ForOp,
    required_blocks: list[BlockOp],
    reverse: bool,
    primitive: str,
) -> list[SymRange]:
    """Per iterator of `block`: the values it must take under one iteration of `loop`."""
    provided = block.read_accesses() if reverse else block.write_accesses()
    provided_buffers = [b for b, _ in provided]
    # Region of each provided buffer that the required blocks touch in one iteration of loop.
    needed: dict[SSAValue, list] = {}
    for other in required_blocks:
        inside = [lp for lp in analysis.get_loops(other) if analysis.is_ancestor(loop, lp)]
        relaxed = loop_ranges(inside)
        accesses = other.write_accesses() if reverse else other.read_accesses()
        for buffer, region in accesses:
            if buffer in provided_buffers:
                needed.setdefault(buffer, []).append(relax_access(other, region, relaxed))
    solved: dict[int, SymRange | None] = {}
    unknown: set[int] = set()
    for buffer, region in provided:
        regions = needed.get(buffer)
        if not regions:
            continue
        if reverse:
            _check_no_halo(block, buffer, region, provided_buffers, primitive)
        required = union_regions(regions, len(region.map.results))
        assert required is not None
        for dim, start in enumerate(region.map.results):
            need = required[dim]
            if start.used_dims() == set():
                continue  # a constant index provides that one element whatever the iterators
            if need is None:
                unknown |= start.used_dims()
                continue
            answer = solve_iterator(start, need)
            if answer is None:
                raise RegionNotCoverableError(
                    f'{primitive}: cannot derive the iterator ranges of block "{block.label}" '
                    f"from the region its {'producers' if reverse else 'consumers'} need: "
                    f"dimension {dim} of its access to {_name(buffer)} is not "
                    f"'iterator * c + d'",
                    detail=f"needed indices: {_describe(need)}",
                    location_op=block,
                )
            iterator, span = answer
            if iterator not in solved:
                solved[iterator] = span
            elif solved[iterator] is not None:
                solved[iterator] = span.union(solved[iterator])
    ranges: list[SymRange] = []
    for index, extent in enumerate(block.domain_values):
        span = solved.get(index)
        if span is None or index in unknown:  # unconstrained: the whole domain
            span = SymRange((), 0, extent - 1)
        elif not span.sym:
            span = SymRange((), max(0, span.lo), min(extent - 1, span.hi))
        elif span.extent >= extent:
            span = SymRange((), 0, extent - 1)
        ranges.append(span)
    return ranges


def _check_no_halo(block: BlockOp, buffer: SSAValue, region, provided_buffers: list[SSAValue],
                   primitive: str) -> None:
    """A consumer instance placed by reverse_compute_at must read only what one producer
    iteration (and the ones before it) completed. A read of several indices along an
    iterator-driven dimension (a halo, `B[vi] + B[vi + 1]`), or several reads of the same
    buffer, may need data a later iteration produces: refused rather than scheduled wrongly.
    """
    extents = [e.data for e in region.extents.data]
    halo = any(e > 1 and start.used_dims()
               for start, e in zip(region.map.results, extents, strict=True))
    if halo or provided_buffers.count(buffer) > 1:
        raise RegionNotCoverableError(
            f'{primitive}: block "{block.label}" reads a halo of {_name(buffer)} (several '
            "indices per iterator value), so some of its instances need data that a later "
            "iteration of the target loop produces",
            detail="use compute_at of the producer instead, or split the loop so the halo "
                   "falls inside one iteration",
            location_op=block,
        )


def _name(value: SSAValue) -> str:
    return f"%{value.name_hint}" if value.name_hint else "a buffer"


def _describe(span: SymRange) -> str:
    return f"symbolic part { {str(a.expr): c for a, c in span.sym} } + [{span.lo}, {span.hi}]"


def _rebuild(block: BlockOp, loop: ForOp, plan: _Plan, preserve_unit_loops: bool) -> None:
    values: list[SSAValue] = []

    def dim_of(value: SSAValue) -> int:
        for index, known in enumerate(values):
            if known is value:
                return index
        values.append(value)
        return len(values) - 1

    loops: list[ForOp] = []
    exprs: list[AffineExpr] = []
    constraints = []
    for span, extent in zip(plan.iter_ranges, block.domain_values, strict=True):
        expr = span.sym_expr(dim_of) + span.lo
        if span.extent != 1 or preserve_unit_loops:
            new = ForOp(0, span.extent, iv_name=f"ax{len(loops)}")
            loops.append(new)
            expr = expr + AffineExpr.dimension(dim_of(new.iv))
        exprs.append(expr)
        if not span.sym:
            continue
        sym_span = span.sym_range()
        low = None if sym_span is None else sym_span[0] + span.lo
        high = None if sym_span is None else sym_span[1] + span.hi
        if low is None or low < 0:
            constraints.append(make_constraint(expr, ">=", AffineExpr.constant(0)))
        if high is None or high > extent - 1:
            constraints.append(make_constraint(expr, "<", AffineExpr.constant(extent)))
    detach_leaf(block)
    set_bindings(block, values, exprs, constraints)
    nest = wrap_in_loops(block, loops)
    children = list(loop.body.block.ops)
    if plan.insert_index < len(children):
        loop.body.block.insert_op_before(nest, children[plan.insert_index])
    else:
        loop.body.block.add_op(nest)
