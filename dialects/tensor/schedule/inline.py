"""compute_inline and reverse_compute_inline (TVM's compute_inline.cc).

`compute_inline(block)`: a complete producer `B[v0, v1, ...] = f(...)` disappears; every load
of `B` in its consumers is replaced by `f` computed at the loaded index (the producer's body
is cloned in place of the load, its iterators replaced by the load's indices). The consumers'
read regions trade `B` for what `f` reads. `B`'s allocation is removed when nothing uses it.

`reverse_compute_inline(block)`: a complete consumer `C[...] = g(B[v...], ...)` disappears
into its single producer: the producer's store `B[p...] = x` becomes the consumer's
computation with `B[...]` replaced by `x` and the consumer's iterators by the producer's store
indices. The producer then writes what the consumer wrote.

Preconditions of compute_inline:
1. the block has no `tensor.init` ("The block has init statement") and no reduce iterators;
2. it writes one buffer, which is not a function argument (not an output block), which no
   other block writes and which it does not read;
3. its body is scalar computation ending in one store whose indices are distinct iterators,
   and the body uses no iterator that is not one of those indices; it has no predicate.
   Scalar computation may hold `scf.if` with results (te's guarded `if_then_else`): it is
   cloned whole, so its loads stay guarded.

Preconditions of reverse_compute_inline:
1. the block is complete (spatial iterators only, no init), has no predicate, writes one
   buffer with one store at the end of its body;
2. it reads exactly one buffer written by another block (its producer), through loads that all
   use the same indices: distinct iterators, one per iterator, spanning the buffer's shape;
   these loads are not inside an `scf.if` branch;
3. the producer is the buffer's only writer, is not a reduction (no init, no reduce
   iterators), writes it with a single store; the buffer is not a function argument and the
   block is its only reader.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import arith, func, memref, scf
from xdsl.ir import BlockArgument, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineExpr, AffineMap

from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import AllocBufferOp, BlockOp, constant_difference
from dialects.tensor.schedule import analysis
from dialects.tensor.schedule.editing import detach_leaf, set_accesses
from dialects.tensor.schedule.errors import ScheduleError
from dialects.tensor.schedule.regions import buffer_shape

# --------------------------------------------------------------------------- errors


class InlineError(ScheduleError):
    """compute_inline / reverse_compute_inline cannot be applied."""


class InlineReductionError(InlineError):
    """compute_inline of a reduction block ("The block has init statement"), or
    reverse_compute_inline into a reduction producer."""


class InlineNotCompleteError(InlineError):
    """The block has reduce iterators, reads what it writes, or shares its output with another
    writer."""


class InlineOutputBlockError(InlineError):
    """The inlined buffer is a function argument: removing its writes would change the output."""


class InlineBodyError(InlineError):
    """The body is not one store of a scalar computation at distinct iterator indices."""


class InlineProducerConsumerError(InlineError):
    """reverse_compute_inline: no single producer, or the consumer is not the buffer's only
    reader, or the consumer does not cover the buffer."""


# --------------------------------------------------------------------------- helpers


def _function_args(block: BlockOp) -> set[SSAValue]:
    function = analysis.enclosing_func(block)
    assert isinstance(function, func.FuncOp)
    return set(function.body.block.args)


def _single_store(block: BlockOp, primitive: str) -> memref.StoreOp:
    """The body's last op, the only store, writing the block's only written buffer."""
    if len(block.writes) != 1:
        raise InlineBodyError(
            f'{primitive}: block "{block.label}" writes {len(block.writes)} buffers, not one',
            location_op=block,
        )
    ops = list(block.body.block.ops)
    stores = [op for op in block.body.walk() if isinstance(op, memref.StoreOp)]
    # scf.if with results is an expression (te's guarded if_then_else); stores were counted above
    nested = [op for op in ops if op.regions and not (isinstance(op, scf.IfOp) and op.results)]
    if len(stores) != 1 or not ops or ops[-1] is not stores[0] or nested:
        raise InlineBodyError(
            f'{primitive}: the body of block "{block.label}" is not a single store of a '
            f"scalar computation",
            detail="the body must be loads and arith/math ops ending in exactly one store",
            location_op=block,
        )
    return stores[0]


def _iterator_positions(
    block: BlockOp, indices: Sequence[SSAValue], primitive: str, what: str
) -> list[int]:
    """The iterator number of each index; they must be distinct iterators of `block`."""
    args = list(block.iter_vars)
    positions = []
    for index in indices:
        if not (isinstance(index, BlockArgument) and index in args):
            raise InlineBodyError(
                f'{primitive}: {what} of block "{block.label}" is not indexed by its iterators',
                detail="each index must be one iterator (no arithmetic)",
                location_op=block,
            )
        positions.append(args.index(index))
    if len(set(positions)) != len(positions):
        raise InlineBodyError(
            f'{primitive}: {what} of block "{block.label}" uses an iterator twice',
            location_op=block,
        )
    return positions


def _index_expr(value: SSAValue, block: BlockOp) -> AffineExpr | None:
    """`value` (an index in `block`'s body) as an affine expression of its iterators."""
    args = list(block.iter_vars)
    if isinstance(value, BlockArgument) and value in args:
        return AffineExpr.dimension(args.index(value))
    op = value.owner
    if isinstance(op, arith.ConstantOp):
        attr = op.value
        return AffineExpr.constant(attr.value.data) if hasattr(attr, "value") else None
    if isinstance(op, arith.AddiOp | arith.SubiOp | arith.MuliOp):
        lhs, rhs = _index_expr(op.lhs, block), _index_expr(op.rhs, block)
        if lhs is None or rhs is None:
            return None
        if isinstance(op, arith.AddiOp):
            return lhs + rhs
        if isinstance(op, arith.SubiOp):
            return lhs - rhs
        if not (isinstance(lhs, AffineConstantExpr) or isinstance(rhs, AffineConstantExpr)):
            return None  # a product of two iterators is not affine
        return lhs * rhs
    return None


def _substituted_region(
    region: AccessRegionAttr, dims: Sequence[AffineExpr], num_dims: int
) -> AccessRegionAttr:
    starts = [e.replace_dims_and_symbols(list(dims), []) for e in region.map.results]
    return AccessRegionAttr(AffineMap(num_dims, 0, tuple(starts)), region.extent_values)


def _whole(buffer: SSAValue, num_dims: int) -> AccessRegionAttr:
    shape = buffer_shape(buffer)
    return AccessRegionAttr(
        AffineMap(num_dims, 0, tuple(AffineExpr.constant(0) for _ in shape)), shape
    )


def _merge_reads(
    reads: list[tuple[SSAValue, AccessRegionAttr]], num_dims: int
) -> list[tuple[SSAValue, AccessRegionAttr]]:
    """One region per buffer: the union of its regions, dimension by dimension (a dimension
    whose starts differ by a non-constant becomes the whole dimension)."""
    merged: list[tuple[SSAValue, AccessRegionAttr]] = []
    for buffer, region in reads:
        for index, (known, known_region) in enumerate(merged):
            if known is buffer:
                merged[index] = (buffer, _union(buffer, known_region, region, num_dims))
                break
        else:
            merged.append((buffer, region))
    return merged


def _union(
    buffer: SSAValue, a: AccessRegionAttr, b: AccessRegionAttr, num_dims: int
) -> AccessRegionAttr:
    starts: list[AffineExpr] = []
    extents: list[int] = []
    for size, sa, ea, sb, eb in zip(
        buffer_shape(buffer),
        a.map.results,
        a.extent_values,
        b.map.results,
        b.extent_values,
        strict=True,
    ):
        shift = constant_difference(sb, sa)  # b starts `shift` after a
        if shift is None:
            starts.append(AffineExpr.constant(0))
            extents.append(size)
        elif shift >= 0:
            starts.append(sa)
            extents.append(max(ea, shift + eb))
        else:
            starts.append(sb)
            extents.append(max(eb, ea - shift))
    return AccessRegionAttr(AffineMap(num_dims, 0, tuple(starts)), extents)


def _remove_block(block: BlockOp) -> None:
    detach_leaf(block)
    block.erase()


def _erase_dead_alloc(buffer: SSAValue) -> None:
    owner = buffer.owner
    if isinstance(owner, AllocBufferOp) and not list(buffer.uses):
        owner.detach()
        owner.erase()


# --------------------------------------------------------------------------- compute_inline


def compute_inline(block: BlockOp) -> None:
    """Inline producer `block` into its consumers; see the module docstring."""
    primitive = "compute_inline"
    if block.init is not None:
        raise InlineReductionError(
            f'{primitive}: block "{block.label}" is a reduction block: The block has init '
            f"statement",
            detail="only a complete block (spatial iterators, no init) can be inlined; "
            "decompose or reverse_compute_inline its consumer instead",
            location_op=block,
        )
    if block.is_reduction:
        raise InlineNotCompleteError(
            f'{primitive}: block "{block.label}" has reduce iterators',
            location_op=block,
        )
    store = _single_store(block, primitive)
    buffer = block.writes[0]
    if buffer in _function_args(block):
        raise InlineOutputBlockError(
            f'{primitive}: block "{block.label}" is an output block (it writes a function '
            f"argument)",
            detail="inlining would drop the writes of the function's output",
            location_op=block,
        )
    scope = analysis.scope_of(block)
    assert scope is not None
    if (
        analysis.writers(scope, buffer) != [block]
        or buffer in set(block.reads)
        or any(isinstance(op, memref.LoadOp) and op.memref is buffer for op in block.body.walk())
    ):
        raise InlineNotCompleteError(
            f'{primitive}: block "{block.label}" is not the only writer of its output, or reads it',
            location_op=block,
        )
    if block.predicate is not None:
        raise InlineBodyError(
            f'{primitive}: block "{block.label}" has a predicate',
            detail="a predicated producer does not define every element it would stand for",
            location_op=block,
        )
    positions = _iterator_positions(block, list(store.indices), primitive, "the store")
    stored_args = {block.iter_vars[p] for p in positions}
    for op in block.body.walk():
        for operand in op.operands:
            if operand in set(block.iter_vars) and operand not in stored_args:
                raise InlineBodyError(
                    f'{primitive}: the body of block "{block.label}" uses an iterator that '
                    f"is not a store index",
                    location_op=block,
                )
    consumers = [b for b in analysis.blocks_under(scope) if b is not block and _loads_of(b, buffer)]
    for consumer in consumers:
        _inline_into(block, store, positions, consumer, buffer)
    _remove_block(block)
    _erase_dead_alloc(buffer)


def _loads_of(block: BlockOp, buffer: SSAValue) -> list[memref.LoadOp]:
    return [op for op in block.body.walk() if isinstance(op, memref.LoadOp) and op.memref is buffer]


def _inline_into(
    producer: BlockOp,
    store: memref.StoreOp,
    positions: list[int],
    consumer: BlockOp,
    buffer: SSAValue,
) -> None:
    num_dims = len(consumer.iter_kinds)
    new_reads: list[tuple[SSAValue, AccessRegionAttr]] = []
    for load in _loads_of(consumer, buffer):
        mapper: dict[SSAValue, SSAValue] = {}
        dims: list[AffineExpr | None] = [None] * len(producer.iter_kinds)
        for position, index in zip(positions, load.indices, strict=True):
            mapper[producer.iter_vars[position]] = index
            dims[position] = _index_expr(index, consumer)
        parent = load.parent_block()
        assert parent is not None
        for op in producer.body.block.ops:
            if op is store:
                break
            parent.insert_op_before(op.clone(mapper), load)
        load.res.replace_all_uses_with(mapper.get(store.value, store.value))
        load.detach()
        load.erase()
        for read_buffer, region in producer.read_accesses():
            if all(d is not None for d in dims):
                new_reads.append(
                    (read_buffer, _substituted_region(region, dims, num_dims))  # type: ignore
                )
            else:
                new_reads.append((read_buffer, _whole(read_buffer, num_dims)))
    reads = [(b, r) for b, r in consumer.read_accesses() if b is not buffer]
    set_accesses(consumer, _merge_reads(reads + new_reads, num_dims), consumer.write_accesses())


# --------------------------------------------------------------------------- reverse_compute_inline


def reverse_compute_inline(block: BlockOp) -> None:
    """Inline consumer `block` into its single producer; see the module docstring."""
    primitive = "reverse_compute_inline"
    if block.init is not None or block.is_reduction:
        raise InlineNotCompleteError(
            f'{primitive}: block "{block.label}" is a reduction, not a complete block',
            location_op=block,
        )
    if block.predicate is not None:
        raise InlineBodyError(
            f'{primitive}: block "{block.label}" has a predicate', location_op=block
        )
    store = _single_store(block, primitive)
    scope = analysis.scope_of(block)
    assert scope is not None
    producers = analysis.get_producers(block)
    produced = [b for b in block.reads if any(b in set(p.writes) for p in producers)]
    produced = list(dict.fromkeys(produced))
    if len(produced) != 1 or block.writes[0] in set(block.reads):
        raise InlineProducerConsumerError(
            f'{primitive}: block "{block.label}" must read exactly one buffer produced by '
            f"another block (it reads {len(produced)})",
            location_op=block,
        )
    buffer = produced[0]
    writers = analysis.writers(scope, buffer)
    if len(writers) != 1:
        raise InlineProducerConsumerError(
            f'{primitive}: the buffer read by block "{block.label}" has {len(writers)} '
            f"writers, not one",
            location_op=block,
        )
    producer = writers[0]
    if producer.init is not None or producer.is_reduction:
        raise InlineReductionError(
            f'{primitive}: the producer "{producer.label}" of block "{block.label}" is a '
            f"reduction block",
            detail="a consumer can only be inlined into a complete producer; decompose the "
            "reduction first or keep the block",
            location_op=producer,
        )
    producer_store = _single_store(producer, primitive)
    if buffer in _function_args(block):
        raise InlineOutputBlockError(
            f'{primitive}: the buffer between "{producer.label}" and "{block.label}" is a '
            f"function argument",
            location_op=block,
        )
    readers = [
        b for b in analysis.blocks_under(scope) if _loads_of(b, buffer) or buffer in set(b.reads)
    ]
    if readers != [block]:
        raise InlineProducerConsumerError(
            f'{primitive}: block "{block.label}" is not the only reader of the buffer it '
            f'inlines ("{producer.label}" output)',
            location_op=block,
        )
    loads = _loads_of(block, buffer)
    if any(load.parent_block() is not block.body.block for load in loads):
        raise InlineBodyError(
            f'{primitive}: block "{block.label}" loads the produced buffer inside an scf.if '
            f"branch",
            detail="only loads at the top of the body can be replaced by the producer's value",
            location_op=block,
        )
    first = [list(load.indices) for load in loads]
    if not loads or any(indices != first[0] for indices in first):
        raise InlineBodyError(
            f'{primitive}: block "{block.label}" loads the produced buffer at different indices',
            location_op=block,
        )
    positions = _iterator_positions(block, first[0], primitive, "the load of the produced buffer")
    shape = buffer_shape(buffer)
    if sorted(positions) != list(range(len(block.iter_kinds))) or any(
        block.domain_values[p] != size for p, size in zip(positions, shape, strict=True)
    ):
        raise InlineProducerConsumerError(
            f'{primitive}: the iterators of block "{block.label}" do not span the produced '
            f"buffer one to one",
            detail="each iterator must index one dimension of the buffer over its whole size",
            location_op=block,
        )
    _inline_consumer(producer, producer_store, block, store, loads, positions)
    _remove_block(block)
    _erase_dead_alloc(buffer)


def _inline_consumer(
    producer: BlockOp,
    producer_store: memref.StoreOp,
    consumer: BlockOp,
    store: memref.StoreOp,
    loads: list[memref.LoadOp],
    positions: list[int],
) -> None:
    del store
    buffer = producer.writes[0]
    mapper: dict[SSAValue, SSAValue] = {}
    for dim, position in enumerate(positions):
        mapper[consumer.iter_vars[position]] = producer_store.indices[dim]
    for load in loads:
        mapper[load.res] = producer_store.value
    parent = producer_store.parent_block()
    assert parent is not None
    for op in consumer.body.block.ops:
        if op in loads:
            continue
        parent.insert_op_before(op.clone(mapper), producer_store)
    producer_store.detach()
    producer_store.erase()
    # Regions: consumer iterator `positions[d]` is the producer's index expression of dim d.
    ((_, region),) = producer.write_accesses()
    dims: list[AffineExpr] = [AffineExpr.constant(0)] * len(consumer.iter_kinds)
    for dim, position in enumerate(positions):
        dims[position] = region.map.results[dim]
    num_dims = len(producer.iter_kinds)
    writes = [(b, _substituted_region(r, dims, num_dims)) for b, r in consumer.write_accesses()]
    extra = [
        (b, _substituted_region(r, dims, num_dims))
        for b, r in consumer.read_accesses()
        if b is not buffer
    ]
    set_accesses(producer, _merge_reads(producer.read_accesses() + extra, num_dims), writes)
