"""tensor-compact-buffers: shrink each intermediate buffer to what one loop iteration touches.

TVM's CompactBufferAllocation, done inside the tensor level. After `cache_write(..., "local")`
and `reverse_compute_at`, the local buffer still has the full shape of its producer (an n x n
`C_local`) although every iteration of the tile loop only touches an 8 x 32 tile of it: at full
size it lands on the heap and never reaches registers. This pass finds, for each
`tensor.alloc_buffer`, the innermost loop `L` enclosing every block that accesses it and the
region one iteration of `L` touches (`8*i0 + [0, 8)` x `32*j0 + [0, 32)`: a symbolic offset in
the loops around `L` plus a constant window), and shrinks each dimension to the window's extent
`E`, indexing it `mod E`.

Blocks are opaque (their bodies only see their iterators, not the loops around them), so the
offset cannot be subtracted as TVM does; `mod E` needs no outer value, and it is exact here:
- within one iteration of `L` a dimension's indices are `E` consecutive integers, on which
  `mod E` is injective (no two elements share a slot);
- every element is touched in one iteration of the loops around `L` only (checked below:
  regions of different iterations are disjoint), so a slot is reused only after the element
  it held is dead. A buffer whose tile is rewritten in every iteration of a loop it does not
  depend on (a `cache_read` tile reused across an outer loop) fails this check and is left
  whole (a possible extension: prove that each iteration writes the tile before reading it).
Once blocks are lowered, `(8*i0 + i1) mod 8` simplifies to `i1` (convert-loops-to-hw's index
simplification), and a small buffer becomes an `alloca` that LLVM promotes to registers.

Conditions (else the buffer is left as it is, which is always correct): every use is a block's
`reads`/`writes` or a `memref.load/store` in such a block's own body; no accessing block is
nested in another block; every region on the buffer is a point access; the buffer is under at
least one common loop; per dimension the accessing regions have the same symbolic offset,
linear in the enclosing loop variables; and every enclosing loop with more than one iteration
is *separated* by some dimension: that dimension's offset moves by at least `E` between any two
different values of its loops (coefficients in mixed radix, each at least the sum of the
smaller ones' spans plus `E`).

Before:
    %C_local = tensor.alloc_buffer {tensor.storage_scope = "local"} : memref<64x64xf32>
    loops.for %i0 = 0 to 8 {
      loops.for %i1 = 0 to 8 {
        tensor.block "C"(%v_i = spatial(64, %i0 * 8 + %i1)) ... writes(%C_local[%v_i, ...]) {
          memref.store %x, %C_local[%v_i, ...] : memref<64x64xf32>
    ...
After:
    %C_local = tensor.alloc_buffer {tensor.storage_scope = "local"} : memref<8x64xf32>
    loops.for %i0 = 0 to 8 {
      loops.for %i1 = 0 to 8 {
        tensor.block "C"(%v_i = spatial(64, %i0 * 8 + %i1)) ... writes(%C_local[%v_i mod 8, ...]) {
          %c8 = arith.constant 8 : index
          %r = arith.remsi %v_i, %c8 : index
          memref.store %x, %C_local[%r, ...] : memref<8x64xf32>
    ...
(`remsi` equals the floor-based `mod` since buffer indices are never negative.)
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import ArrayAttr, IndexType, IntegerAttr, MemRefType, ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter

from dialects.loops.ops import ForOp
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import AllocBufferOp, BlockOp
from dialects.tensor.schedule.analysis import get_loops
from dialects.tensor.schedule.regions import Atom, SymRange, loop_ranges, relax_access


@dataclass
class _Plan:
    """How to compact one buffer: the new extent of each dimension (None: left whole)."""

    buffer: SSAValue
    blocks: list[BlockOp]
    extents: list[int | None]


def _accessing_blocks(buffer: SSAValue) -> list[BlockOp] | None:
    """The blocks that declare `buffer`, or None when it has any other kind of use."""
    blocks: list[BlockOp] = []
    for use in buffer.uses:
        user = use.operation
        if isinstance(user, BlockOp):
            if user not in blocks:
                blocks.append(user)
            continue
        if not isinstance(user, memref.LoadOp | memref.StoreOp):
            return None
        owner = user.parent_op()
        while owner is not None and not isinstance(owner, BlockOp):
            owner = owner.parent_op()
        if owner is None:
            return None
    for use in buffer.uses:  # body accesses belong to the blocks that declare the buffer
        user = use.operation
        if isinstance(user, BlockOp):
            continue
        owner = user.parent_op()
        while not isinstance(owner, BlockOp):
            owner = owner.parent_op()  # type: ignore[union-attr]
        if owner not in blocks:
            return None
    return blocks


def _regions(block: BlockOp, buffer: SSAValue) -> list[AccessRegionAttr]:
    return [r for b, r in block.read_accesses() + block.write_accesses() if b is buffer]


def _common_loops(blocks: list[BlockOp]) -> list[ForOp]:
    common = get_loops(blocks[0])
    for block in blocks[1:]:
        loops = get_loops(block)
        n = 0
        while n < min(len(common), len(loops)) and common[n] is loops[n]:
            n += 1
        common = common[:n]
    return common


def _separated(offsets: list[dict[SSAValue, int]], extents: list[int],
               outer: list[ForOp]) -> bool:
    """Whether iterations of the `outer` loops touch disjoint parts of the buffer: each loop
    with more than one iteration moves some dimension's window by at least its extent."""
    covered: set[SSAValue] = set()
    for offset, extent in zip(offsets, extents):
        spans = []
        for loop in outer:
            if loop.iv in offset and loop.extent > 1:
                spans.append((abs(offset[loop.iv]) * loop.step_value, loop.extent, loop.iv))
        spans.sort(key=lambda s: s[0])
        reach = 0  # the largest distance reached by the smaller coefficients
        ok = True
        for stride, count, _ in spans:
            if stride < reach + extent:
                ok = False
                break
            reach += stride * (count - 1)
        if ok:
            covered.update(iv for _, _, iv in spans)
    return all(loop.iv in covered for loop in outer if loop.extent > 1)


def plan_compaction(alloc: AllocBufferOp) -> _Plan | None:
    """The compaction of `alloc`'s buffer, or None when it stays whole (module docstring)."""
    buffer = alloc.buffer
    blocks = _accessing_blocks(buffer)
    if not blocks:
        return None
    if any(_enclosing_block(b) is not None for b in blocks):
        return None
    if any(not r.is_point for b in blocks for r in _regions(b, buffer)):
        return None
    outer = _common_loops(blocks)
    if not outer:
        return None
    outer_ivs = {loop.iv for loop in outer}
    shape = list(buffer.type.get_shape())  # type: ignore[attr-defined]
    union: list[SymRange] | None = None
    for block in blocks:
        inner = [loop for loop in get_loops(block) if loop.iv not in outer_ivs]
        relaxed = loop_ranges(inner)
        for region in _regions(block, buffer):
            spans = relax_access(block, region, relaxed)
            if any(s is None for s in spans):
                return None
            if union is None:
                union = list(spans)  # type: ignore[arg-type]
                continue
            merged = [a.union(b) for a, b in zip(union, spans)]
            if any(m is None for m in merged):
                return None
            union = merged  # type: ignore[assignment]
    assert union is not None
    offsets: list[dict[SSAValue, int]] = []
    for span in union:
        offset: dict[SSAValue, int] = {}
        for atom, coeff in span.sym:
            if atom != Atom.of(atom.values[0]) or atom.values[0] not in outer_ivs:
                return None  # not a plain enclosing loop variable
            offset[atom.values[0]] = coeff
        offsets.append(offset)
    windows = [min(span.extent, size) for span, size in zip(union, shape)]
    if not _separated(offsets, windows, outer):
        return None
    extents = [w if w < size else None for w, size in zip(windows, shape)]
    if all(e is None for e in extents):
        return None
    return _Plan(buffer, blocks, extents)


def _enclosing_block(op: Operation) -> BlockOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, BlockOp):
        parent = parent.parent_op()
    return parent


def _folded_region(region: AccessRegionAttr, extents: list[int | None]) -> AccessRegionAttr:
    results: list[AffineExpr] = [
        start if extent is None else start % extent
        for start, extent in zip(region.map.results, extents)
    ]
    return AccessRegionAttr(AffineMap(region.map.num_dims, region.map.num_symbols,
                                      tuple(results)), list(region.extent_values))


def apply_compaction(alloc: AllocBufferOp, plan: _Plan) -> None:
    old_type = plan.buffer.type
    assert isinstance(old_type, MemRefType)
    shape = [e if e is not None else s for e, s in zip(plan.extents, old_type.get_shape())]
    new = AllocBufferOp(MemRefType(old_type.element_type, shape), plan.buffer.name_hint)
    new.attributes.update(alloc.attributes)
    Rewriter.insert_op(new, InsertPoint.before(alloc))
    accesses = [use.operation for use in plan.buffer.uses
                if isinstance(use.operation, memref.LoadOp | memref.StoreOp)]
    for block in plan.blocks:
        for attr, buffers in (("read_regions", block.reads), ("write_regions", block.writes)):
            regions = list(getattr(block, attr).data)
            for position, buf in enumerate(buffers):
                if buf is plan.buffer:
                    regions[position] = _folded_region(regions[position], plan.extents)
            block.properties[attr] = ArrayAttr(regions)
    for access in accesses:
        for dim, extent in enumerate(plan.extents):
            if extent is None:
                continue
            index = access.indices[dim]  # type: ignore[attr-defined]
            size = arith.ConstantOp(IntegerAttr(extent, IndexType()))
            folded = arith.RemSIOp(index, size)
            Rewriter.insert_op([size, folded], InsertPoint.before(access))
            access.operands[_index_operand(access, dim)] = folded.result
    plan.buffer.replace_all_uses_with(new.buffer)
    Rewriter.erase_op(alloc)


def _index_operand(access: Operation, dim: int) -> int:
    """Operand position of index `dim` of a memref.load (memref, indices) or store
    (value, memref, indices)."""
    return dim + (1 if isinstance(access, memref.LoadOp) else 2)


def compact_buffers(function: func.FuncOp) -> int:
    """Compact the buffers of one function; the number compacted."""
    count = 0
    for alloc in [op for op in function.walk() if isinstance(op, AllocBufferOp)]:
        plan = plan_compaction(alloc)
        if plan is not None:
            apply_compaction(alloc, plan)
            count += 1
    return count


@dataclass(frozen=True)
class TensorCompactBuffersPass(ModulePass):
    """Shrink each intermediate buffer to the region one iteration of its innermost enclosing
    loop touches, indexed modulo the new extents (see the module docstring for the IR before
    and after, and the conditions).

    Input and output: tensor-level functions (`tensor.alloc_buffer`, `loops.for`,
    `tensor.block`). Buffers that do not meet the conditions are left unchanged.
    """

    name = "tensor-compact-buffers"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in [f for f in op.walk() if isinstance(f, func.FuncOp)]:
            compact_buffers(function)


__all__ = ["TensorCompactBuffersPass", "apply_compaction", "compact_buffers", "plan_compaction"]
