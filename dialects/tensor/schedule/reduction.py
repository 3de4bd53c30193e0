"""Reduction primitives: decompose_reduction and rfactor (TVM's reduction.cc).

`decompose_reduction(block, loop)` splits a reduction block's `tensor.init` into its own block
`<name>_init`, placed right before `loop` under copies (`<loop>_init`) of the loops between
`loop` and the block that bind no reduce iterator; the original block loses its init, becomes
`<name>_update` and reads the buffer it accumulates into. Only spatial iterators are kept in
the init block.

`rfactor(loop, factor_axis)` factorizes an associative reduction by the reduce loop `loop`:
a new block `<name>_rf` computes partial results into a new buffer `<buffer>_rf` (the loop's
extent inserted as dimension `factor_axis` of the output's shape), with `loop` turned into a
spatial iterator, and the original block, under new loops over its spatial loops and `loop`,
reduces the partial results into the output.

Example (mm_relu after split, reorder and reverse_compute_at; `decompose_reduction(Y, k)`):
```
loops.for %j0 = 0 to 32 {
  loops.for %j1_init = 0 to 4 {
    tensor.block "Y_init"(%v_i = spatial(128, %i), %v_j = spatial(128, %j0 * 4 + %j1_init))
        reads() writes(%Y[%v_i, %v_j]) { ... store 0 ... }
  }
  loops.for %k = 0 to 128 { loops.for %j1 = 0 to 4 {
    tensor.block "Y_update"(...) reads(%Y[%v_i, %v_j], %A[...], %B[...]) writes(%Y[...]) {...}
  } }
  ...
}
```
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    StringAttr,
    i64,
)
from xdsl.ir import Block, Operation, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.ir.affine.affine_set import AffineConstraintExpr

from dialects.loops.ops import ForOp
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import AllocBufferOp, BlockOp, InitOp
from dialects.tensor.schedule import analysis
from dialects.tensor.schedule.editing import (
    copy_loop,
    emit_affine,
    rename,
    set_accesses,
    set_bindings,
    set_operands,
    unique_block_name,
    wrap_in_loops,
)
from dialects.tensor.schedule.errors import ScheduleError

# --------------------------------------------------------------------------- errors


class DecomposeReductionError(ScheduleError):
    """decompose_reduction cannot be applied."""


class NoInitError(DecomposeReductionError):
    """The block has no `tensor.init` (it is not a reduction block, or already decomposed)."""


class LoopNotAncestorError(DecomposeReductionError):
    """The loop is not one of the block's loops."""


class ReduceLoopAboveError(DecomposeReductionError):
    """A loop binding a reduce iterator is outside (above) the given loop."""


class MixedLoopError(ScheduleError):
    """A loop binds both a spatial and a reduce iterator of the block (e.g. after fuse)."""


class InitUsesReduceIteratorError(DecomposeReductionError):
    """The init part uses a reduce iterator, so it cannot be separated from the reduction."""


class RFactorError(ScheduleError):
    """rfactor cannot be applied."""


class RFactorNotReductionLoopError(RFactorError):
    """The loop binds no reduce iterator (or also binds a spatial one)."""


class RFactorBlockError(RFactorError):
    """The loop's subtree is not exactly one reduction block with tensor.init writing one
    buffer."""


class RFactorReducerError(RFactorError):
    """The block body is not `out = out <op> value` with an associative, commutative `op`
    whose identity is what the init stores."""


class RFactorAxisError(RFactorError):
    """factor_axis is outside [-(rank + 1), rank] for the output's rank."""


# --------------------------------------------------------------------------- helpers


def reduce_values(block: BlockOp) -> set[SSAValue]:
    """Binding values used by the block's reduce iterators."""
    used: set[SSAValue] = set()
    values = list(block.binding_values)
    for expr, kind in zip(block.binding_map.results, block.iter_kinds, strict=True):
        if kind == "reduce":
            used |= {values[d] for d in expr.used_dims()}
    return used


def spatial_values(block: BlockOp) -> set[SSAValue]:
    used: set[SSAValue] = set()
    values = list(block.binding_values)
    for expr, kind in zip(block.binding_map.results, block.iter_kinds, strict=True):
        if kind == "spatial":
            used |= {values[d] for d in expr.used_dims()}
    return used


def remap_region(region: AccessRegionAttr, dims: Sequence[AffineExpr], num_dims: int):
    """`region` with iterator dimension i replaced by `dims[i]`, over `num_dims` iterators."""
    starts = [e.replace_dims_and_symbols(list(dims), []) for e in region.map.results]
    return AccessRegionAttr(AffineMap(num_dims, 0, tuple(starts)), region.extent_values)


def build_spatial_init_block(
    block: BlockOp, name: str, value_map: dict[SSAValue, SSAValue]
) -> BlockOp:
    """A block running `block`'s init over its spatial iterators only, bound like `block` with
    binding values renamed through `value_map` (loops copied for the init)."""
    init = block.init
    assert init is not None
    spatial = [n for n, kind in enumerate(block.iter_kinds) if kind == "spatial"]
    reduce_args = {block.iter_vars[n] for n in range(len(block.iter_kinds)) if n not in spatial}
    for op in init.body.walk():
        if any(operand in reduce_args for operand in op.operands):
            raise InitUsesReduceIteratorError(
                f'block "{block.label}": its tensor.init uses a reduce iterator',
                detail="the init part must only depend on spatial iterators",
                location_op=block,
            )
    old_values = list(block.binding_values)
    exprs = [block.binding_map.results[n] for n in spatial]
    used = sorted({d for e in exprs for d in e.used_dims()})
    predicate = _spatial_constraints(block, set(used))
    used = sorted(set(used) | {d for c in predicate for d in (c.lhs - c.rhs).used_dims()})
    new_dims = [
        AffineExpr.dimension(used.index(d)) if d in used else AffineExpr.constant(0)
        for d in range(len(old_values))
    ]
    values = [value_map.get(old_values[d], old_values[d]) for d in used]
    new_exprs = [e.replace_dims_and_symbols(new_dims, []) for e in exprs]
    new_predicate = [
        AffineConstraintExpr(
            c.kind,
            c.lhs.replace_dims_and_symbols(new_dims, []),
            c.rhs.replace_dims_and_symbols(new_dims, []),
        )
        for c in predicate
    ]
    iter_dims = [
        AffineExpr.dimension(spatial.index(n)) if n in spatial else AffineExpr.constant(0)
        for n in range(len(block.iter_kinds))
    ]
    writes = [
        (buffer, remap_region(region, iter_dims, len(spatial)))
        for buffer, region in block.write_accesses()
    ]
    loaded = {op.memref for op in init.body.walk() if isinstance(op, memref.LoadOp)}
    reads = [
        (buffer, remap_region(region, iter_dims, len(spatial)))
        for buffer, region in block.read_accesses()
        if buffer in loaded
    ]
    body = Block(arg_types=[block.iter_vars[n].type for n in spatial])
    mapper: dict[SSAValue, SSAValue] = {}
    for new_arg, n in zip(body.args, spatial, strict=True):
        new_arg.name_hint = block.iter_vars[n].name_hint
        mapper[block.iter_vars[n]] = new_arg
    for op in init.body.block.ops:
        body.add_op(op.clone(mapper))
    iterators = [(block.iter_kinds[n], block.domain_values[n]) for n in spatial]
    new = BlockOp(
        name,
        iterators,
        AffineMap(len(values), 0, tuple(new_exprs)),
        values,
        reads,
        writes,
        body,
        predicate=None,
        annotations=block.annotations,
    )
    set_bindings(new, values, new_exprs, new_predicate)
    return new


def _spatial_constraints(block: BlockOp, spatial_dims: set[int]) -> list[AffineConstraintExpr]:
    """The predicate's constraints that do not involve reduce-only binding values; a
    constraint mixing them with spatial values cannot be split (MixedLoopError)."""
    pred = block.predicate_set
    if pred is None:
        return []
    values = list(block.binding_values)
    reduce_only = reduce_values(block) - spatial_values(block)
    kept = []
    for c in pred.constraints:
        dims = (c.lhs - c.rhs).used_dims()
        on_reduce = {d for d in dims if values[d] in reduce_only}
        if not on_reduce:
            kept.append(c)
        elif on_reduce != dims:
            raise MixedLoopError(
                f'block "{block.label}": its predicate mixes reduce and spatial loops',
                detail="the predicate cannot be split between the init and the update",
                location_op=block,
            )
    del spatial_dims
    return kept


def check_not_mixed(block: BlockOp, loops: Sequence[ForOp], primitive: str) -> None:
    both = reduce_values(block) & spatial_values(block)
    for loop in loops:
        if loop.iv in both:
            raise MixedLoopError(
                f"{primitive}: loop %{loop.iv.name_hint or '?'} binds both spatial and reduce "
                f'iterators of block "{block.label}"',
                detail="the init part cannot be separated along a loop that also drives the "
                "reduction (e.g. a fused spatial and reduce loop)",
                location_op=loop,
            )


# --------------------------------------------------------------------------- decompose_reduction


def decompose_reduction(block: BlockOp, loop: ForOp) -> BlockOp:
    """Split `block`'s init into `<name>_init` before `loop`; returns the init block."""
    if block.init is None:
        raise NoInitError(
            f'decompose_reduction: block "{block.label}" has no tensor.init',
            detail="only a reduction block with an init part can be decomposed",
            location_op=block,
        )
    block_loops = analysis.get_loops(block)
    if not any(lp is loop for lp in block_loops):
        raise LoopNotAncestorError(
            f'decompose_reduction: the loop is not a loop of block "{block.label}"',
            detail="pick one of the loops around the block (get_loops)",
            location_op=loop,
        )
    position = next(n for n, lp in enumerate(block_loops) if lp is loop)
    outer, inner = block_loops[:position], block_loops[position:]
    reducing = reduce_values(block)
    for lp in outer:
        if lp.iv in reducing:
            raise ReduceLoopAboveError(
                f"decompose_reduction: loop %{lp.iv.name_hint or '?'} binds a reduce iterator "
                f'of block "{block.label}" but is outside the given loop',
                detail="the init must run before the whole reduction: decompose at a loop "
                "that is higher than every loop related to a reduce iterator",
                location_op=loop,
            )
    check_not_mixed(block, inner, "decompose_reduction")
    copies: list[ForOp] = []
    value_map: dict[SSAValue, SSAValue] = {}
    for lp in inner:
        if lp.iv in reducing:
            continue
        copy = copy_loop(lp, f"{lp.iv.name_hint or 'i'}_init")
        value_map[lp.iv] = copy.iv
        copies.append(copy)
    function = analysis.enclosing_func(block)
    assert function is not None
    init_block = build_spatial_init_block(
        block, unique_block_name(function, f"{block.label}_init"), value_map
    )
    nest = wrap_in_loops(init_block, copies)
    parent = loop.parent_block()
    assert parent is not None
    parent.insert_op_before(nest, loop)
    make_update_block(block)
    rename(block, unique_block_name(function, f"{block.label}_update"))
    return init_block


def make_update_block(block: BlockOp) -> None:
    """Drop the block's init and declare the read of what it accumulates into."""
    init = block.init
    assert init is not None
    init.detach()
    init.erase()
    reads = block.read_accesses()
    declared = set(block.reads)
    extra = [(b, r) for b, r in block.write_accesses() if b not in declared]
    set_accesses(block, extra + reads, block.write_accesses())


# --------------------------------------------------------------------------- rfactor


_REDUCERS: dict[type[Operation], str] = {
    arith.AddfOp: "add",
    arith.AddiOp: "add",
    arith.MulfOp: "mul",
    arith.MuliOp: "mul",
    arith.MaximumfOp: "max",
    arith.MaxnumfOp: "max",
    arith.MaxSIOp: "max",
    arith.MinimumfOp: "min",
    arith.MinnumfOp: "min",
    arith.MinSIOp: "min",
}


def _is_identity(kind: str, const: arith.ConstantOp) -> bool:
    """Whether the constant the init stores is the identity of the reduction `kind`."""
    value = const.value.value.data  # type: ignore[union-attr]
    if kind == "add":
        return value == 0
    if kind == "mul":
        return value == 1
    element = const.result.type
    if isinstance(element, IntegerType):
        width = element.width.data
        return value == (-(2 ** (width - 1)) if kind == "max" else 2 ** (width - 1) - 1)
    return value == (float("-inf") if kind == "max" else float("inf"))


def _find_reducer(block: BlockOp) -> tuple[memref.StoreOp, Operation, memref.LoadOp]:
    """The store of the result, the combining op and the load of the accumulator."""
    out = block.writes[0]
    stores = [
        op for op in block.body.block.ops if isinstance(op, memref.StoreOp) and op.memref is out
    ]
    problem = "the body must end in one store of `out <op> value` to the output"
    if len(stores) == 1:
        store = stores[0]
        combine = store.value.owner
        if isinstance(combine, Operation) and type(combine) in _REDUCERS:
            for operand in combine.operands:
                load = operand.owner
                if (
                    isinstance(load, memref.LoadOp)
                    and load.memref is out
                    and list(load.indices) == list(store.indices)
                ):
                    return store, combine, load
            problem = "the combining op does not read the accumulator at the stored index"
        else:
            problem = "the stored value is not an add, mul, max or min"
    raise RFactorReducerError(
        f'rfactor: cannot find the reducer of block "{block.label}": {problem}',
        detail="rfactor needs an associative and commutative reduction `out = out <op> value`",
        location_op=block,
    )


def _check_init_identity(block: BlockOp, kind: str) -> None:
    init = block.init
    assert init is not None
    stores = [op for op in init.body.block.ops if isinstance(op, memref.StoreOp)]
    const = stores[0].value.owner if len(stores) == 1 else None
    if (
        isinstance(const, arith.ConstantOp)
        and isinstance(const.value, FloatAttr | IntegerAttr)
        and _is_identity(kind, const)
    ):
        return
    raise RFactorReducerError(
        f'rfactor: the init of block "{block.label}" does not store the identity of its '
        f"'{kind}' reduction",
        detail="each partial result starts from the init value, so it must be the identity "
        "(0 for add, 1 for mul, -inf/+inf for max/min)",
        location_op=block,
    )


def rfactor(loop: ForOp, factor_axis: int) -> BlockOp:
    """Factorize the reduction under `loop` by it; returns the new `<name>_rf` block."""
    blocks = analysis.get_child_blocks(loop)
    if len(blocks) != 1 or blocks[0].init is None or len(blocks[0].writes) != 1:
        raise RFactorBlockError(
            "rfactor: the loop must contain exactly one reduction block with tensor.init "
            "writing one buffer",
            detail=f"found {len(blocks)} block(s) under the loop",
            location_op=loop,
        )
    block = blocks[0]
    if loop.iv not in reduce_values(block) or loop.iv in spatial_values(block):
        raise RFactorNotReductionLoopError(
            f'rfactor: the loop does not bind only reduce iterators of block "{block.label}"',
            detail="rfactor factorizes a reduction by one of its reduce loops",
            location_op=loop,
        )
    block_loops = analysis.get_loops(block)
    reducing = reduce_values(block)
    check_not_mixed(block, block_loops, "rfactor")
    reduce_loops = [lp for lp in block_loops if lp.iv in reducing]
    for lp in reduce_loops:
        if lp.lb != 0 or lp.step_value != 1:
            raise RFactorNotReductionLoopError(
                f"rfactor: reduce loop %{lp.iv.name_hint or '?'} does not start at 0 with step 1",
                location_op=lp,
            )
    _, combine, _ = _find_reducer(block)
    kind = _REDUCERS[type(combine)]
    _check_init_identity(block, kind)
    out = block.writes[0]
    out_type = out.type
    assert isinstance(out_type, MemRefType)
    shape = list(out_type.get_shape())
    rank = len(shape)
    if not -(rank + 1) <= factor_axis <= rank:
        raise RFactorAxisError(
            f"rfactor: factor_axis {factor_axis} is out of range for a rank-{rank} output "
            f"(expected [{-(rank + 1)}, {rank}])",
            location_op=loop,
        )
    axis = factor_axis if factor_axis >= 0 else factor_axis + rank + 1
    function = analysis.enclosing_func(block)
    assert function is not None

    # 1. The rf buffer, allocated after the existing buffers.
    rf_type = MemRefType(out_type.element_type, shape[:axis] + [loop.extent] + shape[axis:])
    rf_alloc = AllocBufferOp(rf_type, f"{out.name_hint or 'buf'}_rf")
    entry = function.body.block
    allocs = [op for op in entry.ops if isinstance(op, AllocBufferOp)]
    if allocs:
        entry.insert_op_after(rf_alloc, allocs[-1])
    else:
        entry.insert_op_before(rf_alloc, entry.first_op)
    rf = rf_alloc.buffer

    # 2. The write-back block, built from the original before it changes.
    nest, write_back = _write_back_nest(block, loop, block_loops, rf, axis, kind, combine)

    # 3. A copy of the original becomes the rf block: one iterator per reduce loop (spatial
    #    for `loop`), the old reduce iterators recomputed from them in the body.
    label = block.label
    rf_block = block.clone()
    block.parent_block().insert_op_before(rf_block, block)  # type: ignore[union-attr]
    block.detach()
    _turn_into_rf_block(rf_block, loop, reduce_loops, rf, axis)
    rename(rf_block, unique_block_name(function, f"{label}_rf"))

    # 4. The original op takes the write-back block's place and contents, so that handles to
    #    the block follow the write-back block (named like the original), as in TVM.
    if nest is write_back:
        nest = block
    _transplant(write_back, block)
    rename(block, label)
    top = block_loops[0] if block_loops else rf_block
    top.parent_block().insert_op_after(nest, top)  # type: ignore[union-attr]
    return rf_block


def _transplant(source: BlockOp, target: BlockOp) -> None:
    """Make the detached `target` a copy of `source` (properties, operands, body) and put it
    where `source` is; `source` is erased."""
    for name in ("block_name", "iterator_types", "domains", "bindings", "read_regions",
                 "write_regions"):  # fmt: skip
        target.properties[name] = source.properties[name]
    for name in ("predicate", "annotations"):
        if name in source.properties:
            target.properties[name] = source.properties[name]
        elif name in target.properties:
            del target.properties[name]
    set_operands(target, list(source.binding_values), list(source.reads), list(source.writes))
    old = target.body.detach_block(0)
    old.erase(safe_erase=False)
    source.body.move_blocks(target.body)
    parent = source.parent_block()
    if parent is not None:
        parent.insert_op_before(target, source)
        source.detach()
    source.erase()


def _with_axis(indices: Sequence, axis: int, value) -> list:
    return [*indices[:axis], value, *indices[axis:]]


def _turn_into_rf_block(
    block: BlockOp,
    loop: ForOp,
    reduce_loops: list[ForOp],
    rf: SSAValue,
    axis: int,
) -> None:
    out = block.writes[0]
    n_old = len(block.iter_kinds)
    old_values = list(block.binding_values)
    old_exprs = list(block.binding_map.results)
    kinds = list(block.iter_kinds)
    spatial = [n for n in range(n_old) if kinds[n] == "spatial"]
    reduce_ = [n for n in range(n_old) if kinds[n] == "reduce"]
    body = block.body.block
    # New iterators: one per reduce loop, appended as new body arguments.
    new_args = []
    for lp in reduce_loops:
        arg = body.insert_arg(body.args[0].type, len(body.args))
        arg.name_hint = f"v_{lp.iv.name_hint or 'r'}"
        new_args.append(arg)
    rf_arg = new_args[next(n for n, lp in enumerate(reduce_loops) if lp is loop)]
    # Old reduce iterator values, recomputed at the top of the body from the new iterators.
    loop_dim = {lp.iv: n for n, lp in enumerate(reduce_loops)}
    init = block.init
    first = init.next_op if init is not None else body.first_op  # the init stays first
    for n in reduce_:
        expr = old_exprs[n]
        dims = [
            AffineExpr.dimension(loop_dim[v]) if v in loop_dim else AffineExpr.constant(0)
            for v in old_values
        ]
        value = emit_affine(expr.replace_dims_and_symbols(dims, []), new_args, body, first)
        body.args[n].replace_all_uses_with(value)
    # Accesses of the output become accesses of the rf buffer with the new index.
    for op in list(block.body.walk()):
        if isinstance(op, memref.LoadOp | memref.StoreOp) and op.memref is out:
            indices = _with_axis(list(op.indices), axis, rf_arg)
            if isinstance(op, memref.LoadOp):
                new_op: Operation = memref.LoadOp.get(rf, indices)
            else:
                new_op = memref.StoreOp.get(op.value, rf, indices)
            op.parent_block().insert_op_before(new_op, op)  # type: ignore[union-attr]
            if isinstance(op, memref.LoadOp):
                op.res.replace_all_uses_with(new_op.results[0])
            op.detach()
            op.erase()
    # Drop the old reduce iterators (now unused body arguments), keep the spatial ones.
    for n in reversed(reduce_):
        body.erase_arg(body.args[n])
    n_new = len(spatial) + len(reduce_loops)
    new_kinds = ["spatial"] * len(spatial) + [
        "spatial" if lp is loop else "reduce" for lp in reduce_loops
    ]
    domains = [block.domain_values[n] for n in spatial] + [lp.extent for lp in reduce_loops]
    values = list(old_values)
    loop_positions = []
    for lp in reduce_loops:
        if lp.iv not in values:
            values.append(lp.iv)
        loop_positions.append(values.index(lp.iv))
    exprs = [old_exprs[n] for n in spatial] + [AffineExpr.dimension(p) for p in loop_positions]
    # Regions: old iterator dims -> new dims (spatial kept, reduce replaced by expressions).
    iter_dims: list[AffineExpr] = []
    for n in range(n_old):
        if kinds[n] == "spatial":
            iter_dims.append(AffineExpr.dimension(spatial.index(n)))
        else:
            dims = [
                AffineExpr.dimension(len(spatial) + loop_dim[v])
                if v in loop_dim
                else AffineExpr.constant(0)
                for v in old_values
            ]
            iter_dims.append(old_exprs[n].replace_dims_and_symbols(dims, []))
    rf_dim = AffineExpr.dimension(len(spatial) + reduce_loops.index(loop))
    reads = [
        (b, remap_region(r, iter_dims, n_new)) for b, r in block.read_accesses() if b is not out
    ]
    ((_, write_region),) = block.write_accesses()
    w = remap_region(write_region, iter_dims, n_new)
    rf_region = AccessRegionAttr(
        AffineMap(n_new, 0, tuple(_with_axis(list(w.map.results), axis, rf_dim))),
        _with_axis(list(w.extent_values), axis, 1),
    )
    block.iterator_types = ArrayAttr([StringAttr(k) for k in new_kinds])
    block.domains = DenseArrayBase.from_list(i64, domains)
    set_bindings(
        block, values, exprs, list(block.predicate_set.constraints) if block.predicate else None
    )
    set_accesses(block, reads, [(rf, rf_region)])


def _write_back_nest(
    block: BlockOp,
    loop: ForOp,
    block_loops: list[ForOp],
    rf: SSAValue,
    axis: int,
    kind: str,
    combine: Operation,
) -> tuple[Operation, BlockOp]:
    """Loops over the block's spatial loops and `loop`, and the block reducing `rf` into the
    output (`out = out <op> rf[...]`, with the original init)."""
    out = block.writes[0]
    reducing = reduce_values(block)
    kept = [lp for lp in block_loops if lp.iv not in reducing or lp is loop]
    value_map: dict[SSAValue, SSAValue] = {}
    copies = []
    for lp in kept:
        copy = copy_loop(lp, lp.iv.name_hint or "i")
        value_map[lp.iv] = copy.iv
        copies.append(copy)
    init_block = build_spatial_init_block(block, block.label + "__wb", value_map)
    # Add the reduce iterator over `loop` and the update body.
    body = init_block.body.block
    init_ops = list(body.ops)
    new_init = InitOp()
    for op in init_ops:
        op.detach()
        new_init.body.block.add_op(op)
    body.add_op(new_init)
    r_arg = body.insert_arg(body.args[0].type if body.args else IndexType(), len(body.args))
    r_arg.name_hint = f"v_{loop.iv.name_hint or 'r'}"
    n_spatial = len(body.args) - 1
    ((_, write_region),) = init_block.write_accesses()
    write_map = write_region.map
    idx_exprs = list(write_map.results)
    # Indices of the output as values: spatial iterator args when the region is the identity
    # on them, else materialized.
    indices = [emit_affine(e, list(body.args[:n_spatial]), body, None) for e in idx_exprs]
    acc = memref.LoadOp.get(out, indices)
    part = memref.LoadOp.get(rf, _with_axis(indices, axis, r_arg))
    body.add_ops([acc, part])
    new_combine = type(combine)(acc.res, part.res) if not combine.properties else combine.clone()
    if combine.properties:
        new_combine.operands = [acc.res, part.res]
    body.add_op(new_combine)
    body.add_op(memref.StoreOp.get(new_combine.results[0], out, indices))
    n_new = n_spatial + 1
    r_dim = AffineExpr.dimension(n_spatial)
    write = AccessRegionAttr(AffineMap(n_new, 0, write_map.results), write_region.extent_values)
    rf_read = AccessRegionAttr(
        AffineMap(n_new, 0, tuple(_with_axis(list(write_map.results), axis, r_dim))),
        _with_axis(list(write_region.extent_values), axis, 1),
    )
    values = list(init_block.binding_values)
    if value_map[loop.iv] not in values:
        values.append(value_map[loop.iv])
    exprs = [
        *init_block.binding_map.results,
        AffineExpr.dimension(values.index(value_map[loop.iv])),
    ]
    init_block.iterator_types = ArrayAttr([*init_block.iterator_types.data, StringAttr("reduce")])
    init_block.domains = DenseArrayBase.from_list(i64, [*init_block.domain_values, loop.extent])
    pred = init_block.predicate_set
    set_bindings(init_block, values, exprs, list(pred.constraints) if pred else None)
    set_accesses(init_block, [(rf, rf_read)], [(out, write)])
    return wrap_in_loops(init_block, copies), init_block
