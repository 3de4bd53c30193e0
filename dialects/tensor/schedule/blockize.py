"""blockize and tensorize: turn a loop subtree into one outer block, and replace the computation
of an outer block by a registered tensor intrinsic (TVM's `blockize_tensorize.cc`).

blockize(loop) -- the subtree under `loop` (loops around exactly one block) becomes the body of a
new block `<name>_o` placed where the loop was:

- *subspace division*: each binding of the inner block, an affine expression of the loops
  outside `loop` (outer part) and of the loops from `loop` down (inner part), is written as
  `outer * f + inner` where `inner` ranges over `[0, f)`. The outer block gets one iterator
  `<iter>_o` per inner iterator, of the same kind (spatial/reduce), with domain
  `ceil(extent / f)` and binding `outer`; the inner block keeps its iterators (and therefore
  its body and access regions) and is re-bound to `<iter>_o * f + inner`, so it only refers to
  the outer block's iterators and the loops inside it. With `preserve_unit_iters=False` outer
  iterators of domain 1 are left out.
- *regions*: the outer block reads and writes what its inner block instances touch while the
  inner loops run (the inner regions relaxed over the inner loops; a dimension that cannot be
  described exactly covers the whole buffer dimension).
- *init* (TVM's rules): a `tensor.init` of the inner block moves to the outer block as a
  block `<name>_init` (its spatial iterators used by the init, under copies of the inner loops
  those bind); the inner block, without init, then reads the buffer it writes (an update). The
  outer init runs when all outer reduce iterators are 0, i.e. once per output tile.
- a predicate of the inner block that uses only loops outside `loop` moves to the outer block.

tensorize(block_or_loop, name) -- blockize first when given a loop; then the outer block's
computation (its loops and single inner block, its init excluded) must match the intrinsic's
description structurally: the same loop extents, iterator kinds and (tile-relative) bindings,
every load/store at the same index relative to the start of the outer block's region of that
buffer, buffers of the tile's shape and element type, and the same body ops up to renaming.
The body (not the init) is then replaced by the intrinsic's implementation, whose buffer
arguments become the matched buffers and whose indices are rebased by the outer region's
starts (`start + index`); the block is annotated `tensor_intrin = "<name>"` so that later
passes (the hw dialect) can map it to a micro-kernel. Intrinsics live in `intrinsics.py`.

Preconditions (each failure is its own ScheduleError subclass below):
1. blockize: the target is a `loops.for` (or a list of exactly one `tensor.block`);
2. blockize: the subtree holds loops and exactly one block, and nothing else;
3. blockize: every binding divides into an outer and an inner part (no term mixes loops from
   both sides, outer coefficients are multiples of the inner extent, a predicate uses no inner
   loop);
4. tensorize: the target is a block or a loop; the intrinsic is registered;
5. tensorize: the computation matches the description (the error names the part that
   differs: loops, iterators, buffers, accesses, body).

Example (matmul 64x64x64, i, j, k split by 4 and reordered to i0, j0, k0, i1, j1, k1):

Before:
```mlir
loops.for %k0 = 0 to 16 {
  loops.for %i1 = 0 to 4 { loops.for %j1 = 0 to 4 { loops.for %k1 = 0 to 4 {
    tensor.block "C"(%v_i = spatial(64, %i0 * 4 + %i1), %v_j = spatial(64, %j0 * 4 + %j1),
                     %v_k = reduce(64, %k0 * 4 + %k1))
        reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%C[%v_i, %v_j]) {
      tensor.init { ... store 0 to %C[%v_i, %v_j] }
      ... %C[%v_i, %v_j] += %A[%v_i, %v_k] * %B[%v_k, %v_j]
    } } } } }
```
`sch.blockize(i1)` -> After:
```mlir
loops.for %k0 = 0 to 16 {
  tensor.block "C_o"(%v_i_o = spatial(16, %i0), %v_j_o = spatial(16, %j0),
                     %v_k_o = reduce(16, %k0))
      reads(%A[%v_i_o * 4 : %v_i_o * 4 + 4, %v_k_o * 4 : %v_k_o * 4 + 4], %B[...])
      writes(%C[%v_i_o * 4 : %v_i_o * 4 + 4, %v_j_o * 4 : %v_j_o * 4 + 4]) {
    tensor.init {
      loops.for %i1_init = 0 to 4 { loops.for %j1_init = 0 to 4 {
        tensor.block "C_init"(%v_i = spatial(64, %v_i_o * 4 + %i1_init), ...)
            reads() writes(%C[%v_i, %v_j]) { ... store 0 ... } } }
    }
    loops.for %i1 = 0 to 4 { loops.for %j1 = 0 to 4 { loops.for %k1 = 0 to 4 {
      tensor.block "C"(%v_i = spatial(64, %v_i_o * 4 + %i1), ...,
                       %v_k = reduce(64, %v_k_o * 4 + %k1))
          reads(%C[%v_i, %v_j], %A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%C[%v_i, %v_j]) {
        ... %C[%v_i, %v_j] += %A[%v_i, %v_k] * %B[%v_k, %v_j]
      } } } }
  } }
```
`sch.tensorize(i1, "mlc.matmul_4x4x4_f32")` -> After: the same `C_o` block header (with
`annotations {tensor_intrin = "mlc.matmul_4x4x4_f32"}`) and init; its body is the
implementation's loops, loading `%A[%v_i_o * 4 + %i, %v_k_o * 4 + %k]`, ... (indices computed
with `arith` from the outer iterators).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import DictionaryAttr, IndexType, IntegerAttr, MemRefType, StringAttr
from xdsl.ir import Block, BlockArgument, Operation, Region, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.ir.affine.affine_set import AffineSet

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import expr_range, make_constraint, summands
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import BlockOp, InitOp, loop_range
from dialects.tensor.schedule import analysis
from dialects.tensor.schedule.editing import (
    copy_loop,
    emit_affine,
    set_accesses,
    set_bindings,
    unique_block_name,
    wrap_in_loops,
)
from dialects.tensor.schedule.errors import ScheduleError
from dialects.tensor.schedule.regions import clamp_to_buffer, loop_ranges, relax_access

INTRIN_ANNOTATION = "tensor_intrin"
"""Annotation of a tensorized block: the name of the intrinsic it was replaced with."""

# =========================================================================== errors


class BlockizeError(ScheduleError):
    """blockize cannot be applied."""


class BlockizeTargetError(BlockizeError):
    """The target is neither a loop nor a list of blocks (precondition 1)."""


class BlockizeNotSingleBlockError(BlockizeError):
    """The subtree under the loop holds no block, several blocks, or ops other than loops
    (precondition 2); also a list of more than one block."""


class SubspaceNotDivisibleError(BlockizeError):
    """A binding of the inner block cannot be divided into outer and inner parts
    (precondition 3)."""


class TensorizeError(ScheduleError):
    """tensorize cannot be applied."""


class TensorizeTargetError(TensorizeError):
    """The target is neither a block nor a loop, or the block holds no single inner
    computation (a loop nest around one block)."""


class IntrinNotFoundError(TensorizeError):
    """No tensor intrinsic of that name is registered."""


class IntrinDefinitionError(TensorizeError):
    """`register_intrin` was given a description or implementation it cannot use."""


class TensorizeMismatchError(TensorizeError):
    """The block's computation does not match the intrinsic's description; subclasses say
    which part differs."""


class TensorizeLoopMismatchError(TensorizeMismatchError):
    """The inner loops differ in number or extents."""


class TensorizeIteratorMismatchError(TensorizeMismatchError):
    """The inner block's iterators differ in number, kind or (tile-relative) binding."""


class TensorizeBufferMismatchError(TensorizeMismatchError):
    """A buffer's tile differs in rank, shape or element type, or buffers are matched
    inconsistently (one buffer for two description buffers or the reverse)."""


class TensorizeAccessMismatchError(TensorizeMismatchError):
    """A load or store indexes its tile at another place than the description does."""


class TensorizeBodyMismatchError(TensorizeMismatchError):
    """The body ops differ (op kinds, attributes, types, or how they use each other)."""


# =========================================================================== blockize


def blockize(target: ForOp | Sequence[BlockOp], preserve_unit_iters: bool = True) -> BlockOp:
    """Blockize the subtree of `target` (a loop, or a list of one block); see the module
    docstring. Returns the new outer block."""
    if isinstance(target, ForOp):
        block = _single_block_under(target)
        inner_loops = analysis.loops_between(target, block)
        anchor: Operation = target
    elif isinstance(target, list | tuple) and all(isinstance(b, BlockOp) for b in target):
        if len(target) != 1:
            raise BlockizeNotSingleBlockError(
                f"blockize of a list of {len(target)} blocks is not supported; give one block "
                "or a loop",
                detail="blockize makes one outer block around a single inner block",
                location_op=target[1] if len(target) > 1 else None,
            )
        block = target[0]
        inner_loops = []
        anchor = block
    else:
        raise BlockizeTargetError(
            f"blockize needs a loop or a list of blocks, got {type(target).__name__}"
        )
    return _blockize(block, inner_loops, anchor, preserve_unit_iters)


def _single_block_under(loop: ForOp) -> BlockOp:
    blocks = analysis.get_child_blocks(loop)
    if len(blocks) != 1:
        names = ", ".join(f'"{b.label}"' for b in blocks) or "none"
        raise BlockizeNotSingleBlockError(
            f"blockize: the loop %{loop.iv.name_hint or 'loop'} holds {len(blocks)} blocks "
            f"({names}); it must hold exactly one",
            detail="blockize turns a loop nest around a single block into one outer block",
            location_op=loop,
        )

    def check(parent: Operation) -> None:
        for op in analysis.child_ops(parent):
            if isinstance(op, ForOp):
                check(op)
            elif not isinstance(op, BlockOp):
                raise BlockizeNotSingleBlockError(
                    f"blockize: the subtree of loop %{loop.iv.name_hint or 'loop'} holds "
                    f"'{op.name}' besides loops and the block",
                    detail="only loops and one block may be under the blockized loop",
                    location_op=op,
                )

    check(loop)
    for inner in analysis.get_loops(blocks[0]):
        if (analysis.is_ancestor(loop, inner) or inner is loop) and (
            analysis.static_extent(inner) is None
        ):
            raise SubspaceNotDivisibleError(
                f"blockize: loop %{inner.iv.name_hint} has no static positive extent",
                location_op=inner,
            )
    return blocks[0]


@dataclass
class _Division:
    """Iterator binding = outer * factor + inner (outer over outer values, inner over inner
    ones; both as expressions over the block's old binding values)."""

    outer: AffineExpr
    factor: int
    inner: AffineExpr
    outer_extent: int


def _divide(block: BlockOp, index: int, inner_values: set[SSAValue]) -> _Division | None:
    values = list(block.binding_values)
    expr = block.binding_map.results[index]
    extent = block.domain_values[index]
    outer_terms: list[tuple[AffineExpr, int]] = []
    inner_terms: list[tuple[AffineExpr, int]] = []
    const = 0
    for term, coeff in summands(expr):
        if term is None:
            const += coeff
            continue
        used = [values[d] for d in term.used_dims()]
        inside = [v for v in used if v in inner_values]
        if inside and len(inside) != len(used):
            return None  # a term mixing loops from both sides
        (inner_terms if inside else outer_terms).append((term, coeff))
    inner: AffineExpr = AffineExpr.constant(0)
    for term, coeff in inner_terms:
        inner = inner + term * coeff
    lo, hi = 0, 0
    if inner_terms:
        span = expr_range(inner, [loop_range(v) if v in inner_values else None for v in values])
        if span is None:
            return None
        lo, hi = span
    factor = hi - lo + 1
    const += lo
    inner = inner - lo if lo else inner
    if const % factor or any(coeff % factor for _, coeff in outer_terms):
        return None
    outer: AffineExpr = AffineExpr.constant(const // factor)
    for term, coeff in outer_terms:
        outer = outer + term * (coeff // factor)
    outer = _simplify(outer, len(values))
    inner = _simplify(inner, len(values))
    return _Division(outer, factor, inner, -(-extent // factor))


def _simplify(expr: AffineExpr, num_dims: int) -> AffineExpr:
    return expr.simplify(num_dims, 0) if expr.is_pure_affine() else expr


def _name(value: SSAValue, fallback: str = "value") -> str:
    return f"%{value.name_hint}" if value.name_hint else fallback


def _blockize(
    block: BlockOp, inner_loops: list[ForOp], anchor: Operation, preserve_unit_iters: bool
) -> BlockOp:
    inner_values = {loop.iv for loop in inner_loops}
    old_values = list(block.binding_values)
    divisions: list[_Division] = []
    for index in range(len(block.iter_kinds)):
        division = _divide(block, index, inner_values)
        if division is None:
            expr = block.binding_map.results[index]
            raise SubspaceNotDivisibleError(
                f"blockize: the binding of iterator {block.iter_name(index)} of block "
                f'"{block.label}" cannot be divided into a part from the loops outside and a '
                f"part from the loops inside ({expr})",
                detail="each binding must be `outer * f + inner` with `inner` from the inner "
                "loops ranging over [0, f) and `outer` from the outer loops",
                location_op=anchor,
            )
        divisions.append(division)
    predicate = block.predicate_set
    if predicate is not None:
        for constraint in predicate.constraints:
            dims = (constraint.lhs - constraint.rhs).used_dims()
            if any(old_values[d] in inner_values for d in dims):
                raise SubspaceNotDivisibleError(
                    f'blockize: the predicate of block "{block.label}" uses a loop inside '
                    "the blockized subtree (an imperfect split inside it)",
                    detail="only predicates over the loops outside the blockized loop can move "
                    "to the outer block",
                    location_op=anchor,
                )

    # ---- the outer block: iterators, bindings over the outer values
    outer_values: list[SSAValue] = []

    def outer_dim(value: SSAValue) -> int:
        for position, known in enumerate(outer_values):
            if known is value:
                return position
        outer_values.append(value)
        return len(outer_values) - 1

    def remap(expr: AffineExpr, dim_of) -> AffineExpr:
        return expr.replace_dims_and_symbols(
            [
                AffineExpr.dimension(dim_of(v)) if d in expr.used_dims() else AffineExpr.constant(0)
                for d, v in enumerate(old_values)
            ],
            [],
        )

    kept: list[int] = []  # iterators that get an outer iterator
    outer_iters: list[tuple[str, int]] = []
    outer_exprs: list[AffineExpr] = []
    for index, division in enumerate(divisions):
        if division.outer_extent == 1 and not preserve_unit_iters:
            continue
        kept.append(index)
        outer_iters.append((block.iter_kinds[index], division.outer_extent))
        outer_exprs.append(remap(division.outer, outer_dim))
    outer_constraints = []
    if predicate is not None:
        for constraint in predicate.constraints:
            lhs = remap(constraint.lhs - constraint.rhs, outer_dim)
            cmp = {"ge": ">=", "le": "<=", "eq": "=="}[constraint.kind.name]
            outer_constraints.append(make_constraint(lhs, cmp, AffineExpr.constant(0)))
    names = [f"{block.iter_vars[i].name_hint or f'v{i}'}_o" for i in kept]
    outer = BlockOp(
        unique_block_name(analysis.enclosing_func(block) or block, f"{block.label}_o"),
        outer_iters,
        AffineMap(len(outer_values), 0, tuple(outer_exprs)),
        outer_values,
        predicate=(
            AffineSet(len(outer_values), 0, tuple(outer_constraints)) if outer_constraints else None
        ),
        iter_names=names,
    )
    outer_args = dict(zip(kept, outer.iter_vars))

    # ---- re-bind the inner block: <iter>_o * f + inner
    new_values: list[SSAValue] = []

    def inner_dim(value: SSAValue) -> int:
        for position, known in enumerate(new_values):
            if known is value:
                return position
        new_values.append(value)
        return len(new_values) - 1

    new_exprs = []
    for index, division in enumerate(divisions):
        base = AffineExpr.dimension(inner_dim(outer_args[index])) if index in outer_args else None
        expr = remap(division.inner, inner_dim)
        if base is not None:
            expr = base * division.factor + expr if division.factor != 1 else base + expr
        new_exprs.append(_simplify(expr, len(new_values)))
    init = block.init
    relaxed = loop_ranges(inner_loops)

    # ---- regions of the outer block (computed on the re-bound inner block)
    set_bindings(block, new_values, new_exprs)

    def outer_region(buffer: SSAValue, region: AccessRegionAttr) -> AccessRegionAttr:
        spans = clamp_to_buffer(relax_access(block, region, relaxed), buffer)
        starts, extents = [], []
        arg_index = {arg: n for n, arg in enumerate(outer.iter_vars)}
        for span in spans:
            if any(v not in arg_index for v in span.symbolic_values()):
                raise SubspaceNotDivisibleError(  # not reachable for affine bindings
                    f'blockize: an access region of block "{block.label}" depends on values '
                    "other than the outer block's iterators",
                    location_op=anchor,
                )
            starts.append(span.sym_expr(lambda v: arg_index[v]) + span.lo)
            extents.append(span.extent)
        return AccessRegionAttr(AffineMap(len(outer.iter_vars), 0, tuple(starts)), extents)

    outer_reads = [(b, outer_region(b, r)) for b, r in block.read_accesses()]
    outer_writes = [(b, outer_region(b, r)) for b, r in block.write_accesses()]
    set_accesses(outer, outer_reads, outer_writes)

    # ---- the init moves to the outer block
    if init is not None:
        outer.body.block.add_op(_outer_init(block, init, inner_loops))
        if block.is_reduction:
            reads = block.read_accesses()
            missing = [(b, r) for b, r in block.write_accesses() if b not in set(block.reads)]
            set_accesses(block, missing + reads, block.write_accesses())

    # ---- move the subtree into the outer block, put the outer block in its place
    parent = anchor.parent_block()
    assert parent is not None
    parent.insert_op_before(outer, anchor)
    anchor.detach()
    outer.body.block.add_op(anchor)
    return outer


def _outer_init(block: BlockOp, init: InitOp, inner_loops: list[ForOp]) -> InitOp:
    """The init part of the outer block: block `<name>_init` over the spatial iterators the init
    (and the written regions) use, under copies of the inner loops their bindings use."""
    used: set[SSAValue] = set()
    for op in init.walk():
        used.update(op.operands)
    for _, region in block.write_accesses():
        used.update(block.iter_vars[d] for d in region.map.used_dims())
    chosen = [
        i
        for i, (arg, kind) in enumerate(zip(block.iter_vars, block.iter_kinds))
        if kind == "spatial" and arg in used
    ]
    values = list(block.binding_values)
    exprs = [block.binding_map.results[i] for i in chosen]
    loop_used = {values[d] for e in exprs for d in e.used_dims()}
    copies: dict[SSAValue, ForOp] = {}
    for loop in inner_loops:
        if loop.iv in loop_used:
            copies[loop.iv] = copy_loop(loop, f"{loop.iv.name_hint or 'l'}_init")
    init_values = [copies[v].iv if v in copies else v for v in values]
    # Drop binding values no chosen expression uses.
    kept_dims = sorted({d for e in exprs for d in e.used_dims()})
    renum = {d: n for n, d in enumerate(kept_dims)}
    exprs = [
        e.replace_dims_and_symbols(
            [AffineExpr.dimension(renum.get(d, 0)) for d in range(len(values))], []
        )
        for e in exprs
    ]
    body = Block(arg_types=[IndexType()] * len(chosen))
    new_block = BlockOp(
        unique_block_name(analysis.enclosing_func(block) or block, f"{block.label}_init"),
        [("spatial", block.domain_values[i]) for i in chosen],
        AffineMap(len(kept_dims), 0, tuple(exprs)),
        [init_values[d] for d in kept_dims],
        body=body,
        iter_names=[block.iter_vars[i].name_hint or f"v{i}" for i in chosen],
    )
    position = {i: n for n, i in enumerate(chosen)}

    def region_for(region: AccessRegionAttr) -> AccessRegionAttr:
        starts = region.map.replace_dims_and_symbols(
            [
                AffineExpr.dimension(position[d]) if d in position else AffineExpr.constant(0)
                for d in range(len(block.iter_vars))
            ],
            [],
            len(chosen),
            0,
        )
        return AccessRegionAttr(starts, list(region.extent_values))

    set_accesses(new_block, [], [(b, region_for(r)) for b, r in block.write_accesses()])
    for i in chosen:
        block.iter_vars[i].replace_uses_with_if(
            body.args[position[i]], lambda use: analysis.is_ancestor(init, use.operation)
        )
    for op in list(init.body.block.ops):
        op.detach()
        body.add_op(op)
    init.detach()
    init.erase()
    nest = wrap_in_loops(new_block, [copies[lp.iv] for lp in inner_loops if lp.iv in copies])
    return InitOp(Region(Block([nest])))


# =========================================================================== tensorize


def tensorize(target: ForOp | BlockOp, intrin_name: str) -> None:
    """Tensorize `target` (a block, or a loop which is blockized first) with the intrinsic
    `intrin_name`; see the module docstring."""
    from dialects.tensor.schedule.intrinsics import get_intrin

    intrin = get_intrin(intrin_name)
    if isinstance(target, ForOp):
        outer = blockize(target)
    elif isinstance(target, BlockOp):
        outer = target
    else:
        raise TensorizeTargetError(
            f"tensorize needs a block or a loop, got {type(target).__name__}"
        )
    computation = target_computation(outer)
    buffer_map = match(computation, intrin.description, intrin.name)
    _replace_body(outer, computation, buffer_map, intrin)


@dataclass
class Computation:
    """A loop nest around one block, in the form tensorize compares (the block of a
    description, or the inner computation of an outer block).

    `loops`: the loops, outermost first; `block`: the block; `starts(buffer)`: the index of the
    tile's first element per buffer dimension as an affine expression over `base_values`
    (the outer block's iterators; constant 0 for a description); `extents(buffer)`: the tile
    shape.
    """

    loops: list[ForOp]
    block: BlockOp
    base_values: list[SSAValue]
    regions: dict[SSAValue, AccessRegionAttr]

    def tile_shape(self, buffer: SSAValue) -> tuple[int, ...]:
        region = self.regions.get(buffer)
        if region is None:
            return analysis_shape(buffer)
        return region.extent_values

    def relative(
        self, expr: AffineExpr, values: Sequence[SSAValue], buffer: SSAValue, dim: int
    ) -> tuple[tuple[tuple[str, int], ...], int] | None:
        """`expr` (over `values`) minus the tile start of `buffer` in dimension `dim`, as a
        canonical linear form over loop positions; None if it still depends on the base
        values or on anything but the loops."""
        loop_pos = {loop.iv: n for n, loop in enumerate(self.loops)}
        base_pos = {v: n for n, v in enumerate(self.base_values)}
        linear: dict[str, int] = {}
        const = 0

        def add(term_expr: AffineExpr, term_values: Sequence[SSAValue], coeff: int) -> bool:
            nonlocal const
            for term, c in summands(term_expr):
                if term is None:
                    const += c * coeff
                    continue
                used = [term_values[d] for d in sorted(term.used_dims())]
                if all(u in loop_pos for u in used):
                    key = "L:" + str(
                        term.replace_dims_and_symbols(
                            [AffineExpr.dimension(loop_pos.get(v, 0)) for v in term_values], []
                        )
                    )
                elif all(u in base_pos for u in used):
                    key = "B:" + str(
                        term.replace_dims_and_symbols(
                            [AffineExpr.dimension(base_pos.get(v, 0)) for v in term_values], []
                        )
                    )
                else:
                    return False
                linear[key] = linear.get(key, 0) + c * coeff
            return True

        if not add(expr, values, 1):
            return None
        region = self.regions.get(buffer)
        if region is not None and not add(region.map.results[dim], self.base_values, -1):
            return None
        linear = {k: c for k, c in linear.items() if c}
        if any(k.startswith("B:") for k in linear):
            return None
        return tuple(sorted(linear.items())), const


def analysis_shape(buffer: SSAValue) -> tuple[int, ...]:
    buffer_type = buffer.type
    assert isinstance(buffer_type, MemRefType)
    return tuple(buffer_type.get_shape())


def _nest_of(parent: Operation, what: str, location: Operation) -> tuple[list[ForOp], BlockOp]:
    """The loops (outermost first) and the single block in the ops under `parent` (an init
    excluded); TensorizeTargetError if it is not such a nest."""
    ops = [op for op in analysis.child_ops(parent) if not isinstance(op, InitOp | func.ReturnOp)]
    loops: list[ForOp] = []
    while len(ops) == 1 and isinstance(ops[0], ForOp):
        loops.append(ops[0])
        ops = list(ops[0].body.block.ops)
    if len(ops) == 1 and isinstance(ops[0], BlockOp) and not ops[0].iter_kinds and loops == []:
        return _nest_of(ops[0], what, location)  # a root block without iterators
    if len(ops) != 1 or not isinstance(ops[0], BlockOp):
        raise TensorizeTargetError(
            f"tensorize: {what} is not a perfect loop nest around a single block",
            detail="tensorize compares one loop nest around one block with the intrinsic's "
            "description",
            location_op=location,
        )
    return loops, ops[0]


def target_computation(outer: BlockOp) -> Computation:
    loops, block = _nest_of(outer, f'the body of block "{outer.label}"', outer)
    regions: dict[SSAValue, AccessRegionAttr] = {}
    for buffer, region in outer.write_accesses() + outer.read_accesses():
        regions.setdefault(buffer, region)
    return Computation(loops, block, list(outer.iter_vars), regions)


def description_computation(function: func.FuncOp) -> Computation:
    loops, block = _nest_of(function, f"the description @{function.sym_name.data}", function)
    return Computation(loops, block, [], {})


def match(target: Computation, desc: Computation, name: str) -> dict[SSAValue, SSAValue]:
    """Check that `target` computes what `desc` does; returns description buffer -> target
    buffer. Raises a TensorizeMismatchError subclass naming the first difference."""
    where = target.block
    t_ext = [lp.extent for lp in target.loops]
    d_ext = [lp.extent for lp in desc.loops]
    if t_ext != d_ext:
        raise TensorizeLoopMismatchError(
            f'tensorize "{name}": the loops differ: extents {t_ext} in the block, {d_ext} in '
            "the description",
            location_op=target.loops[0] if target.loops else where,
        )
    tb, db = target.block, desc.block
    # Iterators that vary inside the tile, with their kinds and tile-relative bindings (unit
    # iterators, fixed for the whole tile, only show up in the accesses).
    t_iters = _varying_iterators(target, tb)
    d_iters = _varying_iterators(desc, db)
    if t_iters is None or [k for _, k, _ in t_iters] != [k for _, k, _ in d_iters or []]:
        raise TensorizeIteratorMismatchError(
            f'tensorize "{name}": the iterators differ: block "{tb.label}" varies '
            f"{_describe_iters(tb, t_iters)} in the tile, the description "
            f"{_describe_iters(db, d_iters)}",
            location_op=tb,
        )
    for (t_index, _, t_rel), (d_index, _, d_rel) in zip(t_iters, d_iters or []):
        if t_rel != d_rel:
            raise TensorizeIteratorMismatchError(
                f'tensorize "{name}": iterator {tb.iter_name(t_index)} of block "{tb.label}" '
                f"is bound differently from iterator {db.iter_name(d_index)} of the "
                "description (relative to the tile)",
                detail="each iterator must be the tile start plus the same function of the "
                "inner loops as in the description",
                location_op=tb,
            )
    t_ops = [op for op in tb.body.block.ops if not _skipped(op)]
    d_ops = [op for op in db.body.block.ops if not _skipped(op)]
    if len(t_ops) != len(d_ops):
        raise TensorizeBodyMismatchError(
            f'tensorize "{name}": the body of block "{tb.label}" has {len(t_ops)} ops, the '
            f"description's has {len(d_ops)}",
            location_op=tb,
        )
    values: dict[SSAValue, SSAValue] = dict(zip(tb.iter_vars, db.iter_vars))
    buffers: dict[SSAValue, SSAValue] = {}  # desc -> target
    for position, (t_op, d_op) in enumerate(zip(t_ops, d_ops)):
        what = f"op #{position} ('{t_op.name}')"
        if t_op.name != d_op.name:
            raise TensorizeBodyMismatchError(
                f'tensorize "{name}": {what} of block "{tb.label}" is \'{d_op.name}\' in the '
                "description",
                location_op=t_op,
            )
        if isinstance(t_op, memref.LoadOp | memref.StoreOp):
            assert isinstance(d_op, memref.LoadOp | memref.StoreOp)
            _match_buffer(buffers, d_op.memref, t_op.memref, target, name, t_op)
            _match_indices(target, desc, t_op, d_op, name)
            if isinstance(t_op, memref.StoreOp):
                assert isinstance(d_op, memref.StoreOp)
                if values.get(t_op.value) is not d_op.value:
                    raise TensorizeBodyMismatchError(
                        f'tensorize "{name}": {what} stores another value than the description',
                        location_op=t_op,
                    )
        else:
            if len(t_op.operands) != len(d_op.operands) or any(
                values.get(a) is not b for a, b in zip(t_op.operands, d_op.operands)
            ):
                raise TensorizeBodyMismatchError(
                    f'tensorize "{name}": {what} of block "{tb.label}" uses other operands than '
                    "in the description",
                    location_op=t_op,
                )
            if str(t_op.properties) != str(d_op.properties) or str(t_op.attributes) != str(
                d_op.attributes
            ):
                raise TensorizeBodyMismatchError(
                    f'tensorize "{name}": {what} of block "{tb.label}" has other attributes '
                    f"than in the description ({dict(t_op.properties)} vs "
                    f"{dict(d_op.properties)})",
                    location_op=t_op,
                )
        if [r.type for r in t_op.results] != [r.type for r in d_op.results]:
            raise TensorizeBodyMismatchError(
                f'tensorize "{name}": {what} of block "{tb.label}" has result types '
                f"{[str(r.type) for r in t_op.results]}, the description "
                f"{[str(r.type) for r in d_op.results]}",
                location_op=t_op,
            )
        values.update(zip(t_op.results, d_op.results))
    function = analysis.enclosing_func(db)
    assert isinstance(function, func.FuncOp)
    for arg in function.body.block.args:
        if arg not in buffers:
            raise TensorizeBufferMismatchError(
                f'tensorize "{name}": the description\'s buffer {_name(arg, "argument")} has no '
                f'counterpart in block "{tb.label}"',
                location_op=tb,
            )
    return buffers


def _skipped(op: Operation) -> bool:
    """Ops the body comparison ignores: the init, and index constants (compared as indices)."""
    return isinstance(op, InitOp) or (
        isinstance(op, arith.ConstantOp) and isinstance(op.result.type, IndexType)
    )


def _varying_iterators(comp: Computation, block: BlockOp):
    out = []
    for index, kind in enumerate(block.iter_kinds):
        rel = _binding_rel(comp, block, index)
        if rel is None:
            return None
        if rel:
            out.append((index, kind, rel))
    return out


def _describe_iters(block: BlockOp, iters) -> str:
    if iters is None:
        return "(iterators bound to values other than the tile start and the inner loops)"
    return "[" + ", ".join(f"{block.iter_name(i)}: {k}" for i, k, _ in iters) + "]"


def _binding_rel(comp: Computation, block: BlockOp, index: int):
    """The binding of iterator `index` relative to the tile: its terms over the loops."""
    expr = block.binding_map.results[index]
    values = list(block.binding_values)
    loop_pos = {loop.iv: n for n, loop in enumerate(comp.loops)}
    base = set(comp.base_values)
    linear: dict[str, int] = {}
    const = 0
    for term, coeff in summands(expr):
        if term is None:
            const += coeff
            continue
        used = [values[d] for d in term.used_dims()]
        if all(u in base for u in used):
            continue  # the tile start
        if not all(u in loop_pos for u in used):
            return None
        key = str(
            term.replace_dims_and_symbols(
                [AffineExpr.dimension(loop_pos.get(v, 0)) for v in values], []
            )
        )
        linear[key] = linear.get(key, 0) + coeff
    return tuple(sorted((k, c) for k, c in linear.items() if c))


def _match_buffer(buffers, desc_buffer, target_buffer, target: Computation, name, op) -> None:
    known = buffers.get(desc_buffer)
    if known is None:
        if any(t is target_buffer for t in buffers.values()):
            raise TensorizeBufferMismatchError(
                f'tensorize "{name}": buffer {_name(target_buffer)} stands for two buffers of '
                "the description",
                location_op=op,
            )
        d_type, t_type = desc_buffer.type, target_buffer.type
        assert isinstance(d_type, MemRefType) and isinstance(t_type, MemRefType)
        if d_type.element_type != t_type.element_type:
            raise TensorizeBufferMismatchError(
                f'tensorize "{name}": buffer {_name(target_buffer)} has element type '
                f"{t_type.element_type}, the description's {_name(desc_buffer)} "
                f"{d_type.element_type}",
                location_op=op,
            )
        tile = target.tile_shape(target_buffer)
        shape = tuple(d_type.get_shape())
        offset = len(tile) - len(shape)
        if offset < 0 or tile[offset:] != shape or any(e != 1 for e in tile[:offset]):
            raise TensorizeBufferMismatchError(
                f'tensorize "{name}": the tile of {_name(target_buffer)} has shape '
                f"{list(tile)}, the description's {_name(desc_buffer)} {list(shape)}",
                location_op=op,
            )
        buffers[desc_buffer] = target_buffer
    elif known is not target_buffer:
        raise TensorizeBufferMismatchError(
            f'tensorize "{name}": the description\'s {_name(desc_buffer)} stands for both '
            f"{_name(known)} and {_name(target_buffer)}",
            location_op=op,
        )


def _index_expr(block: BlockOp, index: SSAValue) -> AffineExpr | None:
    if isinstance(index, BlockArgument) and index.block is block.body.block:
        return block.binding_map.results[index.index]
    owner = index.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return AffineExpr.constant(owner.value.value.data)
    return None


def _match_indices(target: Computation, desc: Computation, t_op, d_op, name: str) -> None:
    tb, db = target.block, desc.block
    t_idx, d_idx = list(t_op.indices), list(d_op.indices)
    offset = len(t_idx) - len(d_idx)
    label = (
        f"the {'load from' if isinstance(t_op, memref.LoadOp) else 'store to'} {_name(t_op.memref)}"
    )
    for dim, index in enumerate(t_idx):
        expr = _index_expr(tb, index)
        if expr is None:
            raise TensorizeAccessMismatchError(
                f'tensorize "{name}": {label} is not indexed by iterators of block "{tb.label}"',
                location_op=t_op,
            )
        rel = target.relative(expr, list(tb.binding_values), t_op.memref, dim)
        if dim < offset:
            want = ((), 0)
        else:
            d_expr = _index_expr(db, d_idx[dim - offset])
            want = (
                None
                if d_expr is None
                else desc.relative(d_expr, list(db.binding_values), d_op.memref, dim - offset)
            )
        if rel is None or rel != want:
            raise TensorizeAccessMismatchError(
                f'tensorize "{name}": {label} in block "{tb.label}" differs from the '
                f"description in dimension {dim} (relative to the start of the tile)",
                detail="every access must index the tile at the same place as the description",
                location_op=t_op,
            )


def _replace_body(
    outer: BlockOp, comp: Computation, buffers: dict[SSAValue, SSAValue], intrin
) -> None:
    """Put the implementation in place of the outer block's body (its init stays)."""
    impl_function = intrin.flat_implementation()
    desc_args = list(intrin.description_function.body.block.args)
    impl_args = list(impl_function.body.block.args)
    to_target = {impl: buffers[desc] for impl, desc in zip(impl_args, desc_args)}
    written = set(outer.writes)
    body = outer.body.block
    for op in list(body.ops):
        if not isinstance(op, InitOp):
            op.detach()
            op.erase()
    impl_ops = [op for op in impl_function.body.block.ops if not isinstance(op, func.ReturnOp)]
    for op in impl_ops:
        op.detach()
        body.add_op(op)
    first = impl_ops[0] if impl_ops else None
    starts: dict[str, SSAValue | None] = {}

    def start(buffer: SSAValue, dim: int) -> SSAValue | None:
        expr = comp.regions[buffer].map.results[dim]
        key = str(expr)
        if key not in starts:
            if expr == AffineExpr.constant(0):
                starts[key] = None
            else:
                starts[key] = emit_affine(expr, list(outer.iter_vars), body, first)
        return starts[key]

    accesses = [
        o for top in impl_ops for o in top.walk() if isinstance(o, memref.LoadOp | memref.StoreOp)
    ]
    for op in accesses:
        buffer = to_target.get(op.memref)
        if buffer is None:
            continue
        if isinstance(op, memref.StoreOp) and buffer not in written:
            raise IntrinDefinitionError(
                f'tensorize "{intrin.name}": the implementation stores to {_name(buffer)}, '
                f'which block "{outer.label}" only reads',
                location_op=outer,
            )
        rank = len(analysis_shape(buffer))
        old = list(op.indices)
        offset = rank - len(old)
        parent = op.parent_block()
        assert parent is not None
        indices: list[SSAValue] = []
        for dim in range(rank):
            base = start(buffer, dim)
            if dim < offset:
                if base is None:
                    zero = arith.ConstantOp.from_int_and_width(0, IndexType())
                    parent.insert_op_before(zero, op)
                    base = zero.result
                indices.append(base)
            elif base is None:
                indices.append(old[dim - offset])
            else:
                add = arith.AddiOp(base, old[dim - offset])
                parent.insert_op_before(add, op)
                indices.append(add.result)
        if isinstance(op, memref.LoadOp):
            new = memref.LoadOp.get(buffer, indices)
            new.res.name_hint = op.res.name_hint
            parent.insert_op_before(new, op)
            op.res.replace_all_uses_with(new.res)
        else:
            new = memref.StoreOp.get(op.value, buffer, indices)
            parent.insert_op_before(new, op)
        op.detach()
        op.erase()
    annotations = dict(outer.annotations.data) if outer.annotations is not None else {}
    annotations[INTRIN_ANNOTATION] = StringAttr(intrin.name)
    outer.annotations = DictionaryAttr(annotations)
