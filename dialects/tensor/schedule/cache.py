"""cache_read and cache_write (TVM's cache_read_write.cc).

Both create a cache buffer `<buffer>_<scope>` (a `tensor.alloc_buffer` of the same shape whose
`tensor.storage_scope` attribute records the storage scope: "global", "local", "shared", ...)
and a copy block of the same name, with loops `ax0, ax1, ...` over the copied region:

- `cache_read(block, i, scope)`: the copy block reads the `i`-th buffer `block` reads and
  writes the cache; it is placed right after the buffer's last writer (at the start of the
  scope for a function input), and every block of the scope that reads the buffer reads the
  cache instead. The copied region is what those readers read.
- `cache_write(block, i, scope)`: `block` writes (and reads, for a reduction) the cache instead
  of its `i`-th written buffer; the copy block, placed right after `block`'s loop nest, writes
  the region `block` wrote back to the buffer.

The cache is full-size; combined with `compute_at` / `reverse_compute_at` the copy moves under
a tile loop and then copies one tile per iteration (the matmul recipe's "C in registers").

Preconditions:
1. the index is in range for the block's reads (cache_read) or writes (cache_write);
2. the scope is a known storage scope;
3. cache_read: no reader of the buffer also writes it (the copy would miss those writes);
   cache_write: the block is the only writer of the buffer.

Example: `cache_write(C, 0, "local")` on `C[i, j] = A[i, j] * 2`:
```
%C_local = tensor.alloc_buffer {tensor.storage_scope = "local"} : memref<128x128xf32>
loops.for %i ... { loops.for %j ... { tensor.block "C"(...) reads(%A[...]) writes(%C_local[...]) } }
loops.for %ax0 = 0 to 128 { loops.for %ax1 = 0 to 128 {
  tensor.block "C_local"(%v0 = spatial(128, %ax0), %v1 = spatial(128, %ax1))
      reads(%C_local[%v0, %v1]) writes(%C[%v0, %v1]) { ... } } }
```
"""

from __future__ import annotations

from xdsl.dialects import func, memref
from xdsl.dialects.builtin import MemRefType, StringAttr
from xdsl.ir import Block, Operation, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap

from dialects.loops.ops import ForOp
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import AllocBufferOp, BlockOp
from dialects.tensor.schedule import analysis
from dialects.tensor.schedule.editing import set_operands, unique_block_name, wrap_in_loops
from dialects.tensor.schedule.errors import ScheduleError
from dialects.tensor.schedule.regions import (
    buffer_shape,
    clamp_to_buffer,
    loop_ranges,
    relax_access,
    union_regions,
)

STORAGE_SCOPE_ATTR = "tensor.storage_scope"
"""Attribute of a `tensor.alloc_buffer`: where the buffer lives (TVM's storage scope)."""

STORAGE_SCOPES: tuple[str, ...] = ("global", "shared", "shared.dyn", "local", "warp")
"""Known storage scopes; `<scope>.<tag>` variants (e.g. "local.accumulator") are accepted."""


# --------------------------------------------------------------------------- errors


class CacheError(ScheduleError):
    """cache_read / cache_write cannot be applied."""


class CacheIndexError(CacheError):
    """The buffer index is out of range for the block's reads or writes."""


class CacheScopeError(CacheError):
    """The storage scope is not a known scope."""


class CacheConflictError(CacheError):
    """cache_read of a buffer some reader also writes, or cache_write of a buffer another
    block also writes."""


# --------------------------------------------------------------------------- helpers


def _check_scope(scope: str, primitive: str) -> None:
    base = scope.split(".")[0]
    if scope in STORAGE_SCOPES or base in ("global", "shared", "local"):
        return
    raise CacheScopeError(
        f"{primitive}: unknown storage scope '{scope}'",
        detail=f"expected one of {', '.join(STORAGE_SCOPES)} (or '<scope>.<tag>')",
    )


def _make_cache(buffer: SSAValue, scope: str, function: func.FuncOp) -> AllocBufferOp:
    buffer_type = buffer.type
    assert isinstance(buffer_type, MemRefType)
    alloc = AllocBufferOp(buffer_type, f"{buffer.name_hint or 'buf'}_{scope.replace('.', '_')}")
    alloc.attributes[STORAGE_SCOPE_ATTR] = StringAttr(scope)
    entry = function.body.block
    allocs = [op for op in entry.ops if isinstance(op, AllocBufferOp)]
    if allocs:
        entry.insert_op_after(alloc, allocs[-1])
    else:
        entry.insert_op_before(alloc, entry.first_op)  # type: ignore[arg-type]
    return alloc


def _copy_nest(
    name: str, source: SSAValue, target: SSAValue, region: list[tuple[int, int]]
) -> tuple[Operation, BlockOp]:
    """Loops `ax<d>` over the constant `region` and a block copying `source` to `target`."""
    shape = buffer_shape(source)
    loops = [ForOp(0, hi - lo + 1, iv_name=f"ax{d}") for d, (lo, hi) in enumerate(region)]
    rank = len(shape)
    exprs = [AffineExpr.dimension(d) + lo for d, (lo, _) in enumerate(region)]
    access = AccessRegionAttr.point(rank, [AffineExpr.dimension(d) for d in range(rank)])
    body = Block(arg_types=[loop.iv.type for loop in loops])
    for d, arg in enumerate(body.args):
        arg.name_hint = f"v{d}"
    load = memref.LoadOp.get(source, list(body.args))
    body.add_ops([load, memref.StoreOp.get(load.res, target, list(body.args))])
    block = BlockOp(
        name,
        [("spatial", size) for size in shape],
        AffineMap(rank, 0, tuple(exprs)),
        [loop.iv for loop in loops],
        [(source, access)],
        [(target, access)],
        body,
    )
    return wrap_in_loops(block, loops), block


def _constant_region(
    blocks: list[BlockOp], buffer: SSAValue, writes: bool
) -> list[tuple[int, int]]:
    """The part of `buffer` that `blocks` access over all their loops, as constant ranges."""
    regions = []
    for block in blocks:
        relaxed = loop_ranges(analysis.get_loops(block))
        accesses = block.write_accesses() if writes else block.read_accesses()
        regions += [relax_access(block, r, relaxed) for b, r in accesses if b is buffer]
    shape = buffer_shape(buffer)
    union = union_regions(regions, len(shape)) or [None] * len(shape)
    out = []
    for span, size in zip(clamp_to_buffer(union, buffer), shape, strict=True):
        out.append((0, size - 1) if span.sym else (span.lo, span.hi))
    return out


def _top_level(op: Operation, scope: Operation) -> Operation:
    """The ancestor of `op` (or `op`) directly in the body of `scope`."""
    cur = op
    while cur.parent_op() is not scope:
        parent = cur.parent_op()
        assert parent is not None
        cur = parent
    return cur


def _redirect(block: BlockOp, old: SSAValue, new: SSAValue) -> None:
    """Make `block` use `new` wherever it used `old` (operands, loads and stores)."""
    set_operands(
        block,
        reads=[new if b is old else b for b in block.reads],
        writes=[new if b is old else b for b in block.writes],
    )
    old.replace_uses_with_if(new, lambda use: analysis.is_ancestor(block, use.operation))


# --------------------------------------------------------------------------- primitives


def cache_read(block: BlockOp, read_buffer_index: int, storage_scope: str) -> BlockOp:
    """Read the block's `read_buffer_index`-th buffer through a cache; returns the copy block."""
    if not 0 <= read_buffer_index < len(block.reads):
        raise CacheIndexError(
            f'cache_read: block "{block.label}" reads {len(block.reads)} buffer(s); index '
            f"{read_buffer_index} is out of range",
            location_op=block,
        )
    _check_scope(storage_scope, "cache_read")
    buffer = block.reads[read_buffer_index]
    scope = analysis.scope_of(block)
    function = analysis.enclosing_func(block)
    assert scope is not None and isinstance(function, func.FuncOp)
    readers = analysis.readers(scope, buffer)
    writers = analysis.writers(scope, buffer)
    both = [b for b in readers if b in writers]
    if both:
        raise CacheConflictError(
            f'cache_read: block "{both[0].label}" both reads and writes the buffer',
            detail="a cache copied once cannot follow writes made while it is read",
            location_op=both[0],
        )
    region = _constant_region(readers, buffer, writes=False)
    cache = _make_cache(buffer, storage_scope, function).buffer
    name = unique_block_name(function, cache.name_hint or "cache")
    nest, copy = _copy_nest(name, buffer, cache, region)
    body = scope.regions[0].block
    if writers:
        body.insert_op_after(nest, _top_level(writers[-1], scope))
    else:
        first = next(op for op in body.ops if not isinstance(op, AllocBufferOp))
        body.insert_op_before(nest, first)
    for reader in readers:
        _redirect(reader, buffer, cache)
    return copy


def cache_write(block: BlockOp, write_buffer_index: int, storage_scope: str) -> BlockOp:
    """Write the block's `write_buffer_index`-th buffer through a cache; returns the copy block."""
    if not 0 <= write_buffer_index < len(block.writes):
        raise CacheIndexError(
            f'cache_write: block "{block.label}" writes {len(block.writes)} buffer(s); index '
            f"{write_buffer_index} is out of range",
            location_op=block,
        )
    _check_scope(storage_scope, "cache_write")
    buffer = block.writes[write_buffer_index]
    scope = analysis.scope_of(block)
    function = analysis.enclosing_func(block)
    assert scope is not None and isinstance(function, func.FuncOp)
    writers = analysis.writers(scope, buffer)
    if writers != [block]:
        others = ", ".join(f'"{b.label}"' for b in writers if b is not block)
        raise CacheConflictError(
            f'cache_write: block "{block.label}" is not the only writer of the buffer '
            f"(also written by {others})",
            detail="apply cache_write before decompose_reduction, or to the only writer",
            location_op=block,
        )
    region = _constant_region([block], buffer, writes=True)
    cache = _make_cache(buffer, storage_scope, function).buffer
    name = unique_block_name(function, cache.name_hint or "cache")
    nest, copy = _copy_nest(name, cache, buffer, region)
    scope.regions[0].block.insert_op_after(nest, _top_level(block, scope))
    _redirect(block, buffer, cache)
    return copy
