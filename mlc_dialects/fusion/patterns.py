"""The op pattern of a tensor kernel, read off its blocks (TVM's AnnotateTIROpPattern).

Graph fusion decides what may be fused by the *pattern* of each kernel, i.e. how its output
depends on its inputs. The kinds and their order are TVM's `OpPatternKind` (a larger value is
a more complex relation, so the pattern of several stages is the maximum of theirs):

| kind                | meaning                                              | examples            |
|---------------------|------------------------------------------------------|---------------------|
| `ELEMWISE` (0)      | out[i...] reads its inputs at exactly [i...]         | relu, add (+ bias)  |
| `BROADCAST` (1)     | inputs read at a subsequence of the output indices   | broadcast_to        |
| `INJECTIVE` (2)     | inputs read at indices computed from output indices  | transpose, reshape  |
| `REDUCTION` (3)     | a commutative reduction over some input axes         | reduce_sum          |
| `OUT_EWISE_FUSABLE` (4) | a complex reduction whose *output* can take an elementwise epilogue | matmul, conv2d, softmax, layer_norm, pooling |
| `OPAQUE` (8)        | anything else; never fused                           | gathers, empty kernels |

The analysis looks at each `tensor.block` of the kernel (TVM's PatternKindAnalyzer):

1. A block must be loads, scalar arith/math and one store (its `tensor.init` aside); otherwise
   the kernel is OPAQUE.
2. Each load is compared with the store (a spatial iterator of extent 1 counts as index 0):
   same indices and buffer shape -> ELEMWISE; its indices are the store's
   in order, unit dimensions read at 0 skipped -> BROADCAST; it only uses iterators the store
   uses -> INJECTIVE. The block's kind is the maximum over its loads, except that a block with
   one ELEMWISE load and otherwise BROADCAST loads is ELEMWISE (`C[i, j] = A[i, j] + b[j]`).
3. If a load relates to the store in none of these ways, the block must be a reduction (reduce
   iterators): `acc = acc + a * b` with `a`, `b` loaded values (a multiply-accumulate, TVM's
   IsFMA) is OUT_EWISE_FUSABLE and marks the kernel as a *contraction*; a load whose index mixes a reduce iterator with anything else
   (pooling windows) makes it OUT_EWISE_FUSABLE; otherwise it is a REDUCTION.
4. An output block (it writes an argument) that follows a REDUCTION stage makes the kernel
   OUT_EWISE_FUSABLE (softmax: max, exp, sum, then the normalizing output block).

The kernel's pattern is the maximum over its blocks in order. `contraction` separates matmul
and conv (producers must not be inlined into them: they would be recomputed at every
reduction step) from the other OUT_EWISE_FUSABLE kernels (softmax, layer_norm, pooling), which
graph-fuse also lets take elementwise producers.

Example:
    from mlc_dialects.fusion.patterns import analyze_kernel
    analyze_kernel(module_kernel)   # KernelPattern(kind=OpPattern.OUT_EWISE_FUSABLE, contraction=True)
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import IntEnum

from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import IntegerAttr, MemRefType
from xdsl.ir import BlockArgument, Operation, SSAValue

from dialects.tensor.ops import BlockOp, InitOp


class OpPattern(IntEnum):
    """TVM's OpPatternKind (same numbers)."""

    ELEMWISE = 0
    BROADCAST = 1
    INJECTIVE = 2
    REDUCTION = 3
    OUT_EWISE_FUSABLE = 4
    OPAQUE = 8


@dataclass(frozen=True)
class KernelPattern:
    """What graph fusion needs to know about one tensor kernel."""

    kind: OpPattern
    contraction: bool = False
    """True when a block is a multiply-accumulate reduction (matmul, conv2d)."""

    def __str__(self) -> str:
        suffix = " (contraction)" if self.contraction else ""
        return f"{self.kind.name.lower()}{suffix}"


OPAQUE = KernelPattern(OpPattern.OPAQUE)

# An index of a load or store, seen from the block's iterators:
#   ("iter", n)            the n-th iterator itself
#   ("const", c)           an integer constant
#   ("expr", {n, ...})     some computation of these iterators (e.g. a reshape's div/mod)
# None stands for an index that depends on loaded data or on values outside the block.
_Index = tuple[str, object]


def analyze_kernel(function: func.FuncOp) -> KernelPattern:
    """The pattern of a tensor function; see the module docstring."""
    blocks = [op for op in function.walk() if isinstance(op, BlockOp)]
    if not blocks:
        return OPAQUE  # an empty kernel (no elements): nothing to fuse into
    if any(isinstance(op, memref.StoreOp) and _enclosing_block(op) is None
           for op in function.walk()):
        return OPAQUE  # computation outside blocks is invisible to the analysis
    outputs = set(function.body.block.args[_num_inputs(function):])
    kind = OpPattern.ELEMWISE
    contraction = False
    for block in blocks:
        block_kind, fma = _block_pattern(block)
        if block_kind == OpPattern.OPAQUE:
            return OPAQUE
        contraction |= fma
        if block_kind <= OpPattern.INJECTIVE and kind == OpPattern.REDUCTION and any(
            w in outputs for w in block.writes
        ):
            kind = OpPattern.OUT_EWISE_FUSABLE  # rule 4: softmax, layer_norm, mean
        else:
            kind = max(kind, block_kind)
    return KernelPattern(kind, contraction and kind == OpPattern.OUT_EWISE_FUSABLE)


# --------------------------------------------------------------------------- one block


def _block_pattern(block: BlockOp) -> tuple[OpPattern, bool]:
    """(kind, is a multiply-accumulate) of one block."""
    body = [op for op in block.body.block.ops if not isinstance(op, InitOp)]
    if any(op.regions for op in body):
        return OpPattern.OPAQUE, False
    stores = [op for op in body if isinstance(op, memref.StoreOp)]
    loads = [op for op in body if isinstance(op, memref.LoadOp)]
    if len(stores) != 1:
        return OpPattern.OPAQUE, False
    (store,) = stores
    store_index = _indices(store.indices, block)
    if store_index is None:
        return OpPattern.OPAQUE, False
    relations = [_relation(store_index, store.memref, load, block) for load in loads]
    if None not in relations:
        kind = max(relations, default=OpPattern.ELEMWISE)
        if kind == OpPattern.BROADCAST and OpPattern.ELEMWISE in relations:
            kind = OpPattern.ELEMWISE
        return kind, False
    # Rule 3: some load is not a function of the output index: a reduction or nothing.
    reduce_iters = {n for n, k in enumerate(block.iter_kinds) if k == "reduce"}
    if not reduce_iters:
        return OpPattern.OPAQUE, False
    if _is_multiply_accumulate(store):
        return OpPattern.OUT_EWISE_FUSABLE, True
    for load in loads:
        index = _indices(load.indices, block)
        if index is None or not _pure_reduce(index, reduce_iters):
            return OpPattern.OUT_EWISE_FUSABLE, False
    return OpPattern.REDUCTION, False


def _relation(
    store: list[_Index], store_buffer: SSAValue, load: memref.LoadOp, block: BlockOp
) -> OpPattern | None:
    """How a load relates to the store: ELEMWISE, BROADCAST, INJECTIVE, or None."""
    index = _indices(load.indices, block)
    if index is None:
        return None
    if index == store and _shape(load.memref) == _shape(store_buffer):
        return OpPattern.ELEMWISE
    if _is_broadcast(store, index, _shape(load.memref)):
        return OpPattern.BROADCAST
    if _iterators(index) <= _iterators(store):
        return OpPattern.INJECTIVE
    return None


def _is_broadcast(store: list[_Index], load: list[_Index], shape: list[int]) -> bool:
    position = 0
    for dim, entry in enumerate(load):
        if entry == ("const", 0) and shape[dim] == 1:
            continue  # a unit dimension: `A[i, j] = B[0, j]` still broadcasts
        if entry[0] != "iter":
            return False
        while position < len(store) and store[position] != entry:
            position += 1
        if position == len(store):
            return False
    return True


def _pure_reduce(index: list[_Index], reduce_iters: set[int]) -> bool:
    """Each index that uses a reduce iterator is exactly that iterator (TVM's
    IsPureReducePattern); `pad[i + r]` (a pooling window) is not."""
    for entry in index:
        used = _iterators([entry]) & reduce_iters
        if used and entry[0] != "iter":
            return False
    return True


def _is_multiply_accumulate(store: memref.StoreOp) -> bool:
    """`C[...] = C[...] + a * b` with the same indices on both sides of C."""
    total = store.value.owner
    if not isinstance(total, arith.AddfOp | arith.AddiOp):
        return False
    operands = [v.owner for v in total.operands]
    acc = [op for op in operands if isinstance(op, memref.LoadOp) and op.memref is store.memref
           and list(op.indices) == list(store.indices)]
    products = [op for op in operands if isinstance(op, arith.MulfOp | arith.MuliOp)]
    if len(acc) != 1 or len(products) != 1:
        return False
    # Both factors are loaded values (possibly widened): a matmul or conv, not the
    # `acc + (x - mean) * (x - mean)` of a variance, which is a plain reduction.
    return all(_is_loaded(v) for v in products[0].operands)


def _is_loaded(value: SSAValue) -> bool:
    op = value.owner
    while isinstance(op, arith.ExtFOp | arith.ExtSIOp | arith.ExtUIOp | arith.SIToFPOp
                     | arith.UIToFPOp | arith.TruncFOp):
        op = op.operands[0].owner
    return isinstance(op, memref.LoadOp)


# --------------------------------------------------------------------------- indices


def _indices(values, block: BlockOp) -> list[_Index] | None:
    result = []
    for value in values:
        entry = _index(value, block)
        if entry is None:
            return None
        result.append(entry)
    return result


def _index(value: SSAValue, block: BlockOp) -> _Index | None:
    iterators = list(block.iter_vars)
    if isinstance(value, BlockArgument):
        if value not in iterators:
            return None
        n = iterators.index(value)
        if block.domain_values[n] == 1 and block.iter_kinds[n] == "spatial":
            return ("const", 0)  # a unit dimension: te reads those at 0 when broadcasting
        return ("iter", n)
    op = value.owner
    if isinstance(op, arith.ConstantOp) and isinstance(op.value, IntegerAttr):
        return ("const", op.value.value.data)
    used = _iterators_under(op, block, set())
    return None if used is None else ("expr", frozenset(used))


def _iterators_under(op: Operation, block: BlockOp, seen: set[Operation]) -> set[int] | None:
    """The iterators an index computation depends on; None if it depends on loaded data."""
    if op in seen:
        return set()
    seen.add(op)
    if isinstance(op, memref.LoadOp) or op.parent_op() is not block:
        return None
    iterators = list(block.iter_vars)
    used: set[int] = set()
    for operand in op.operands:
        if isinstance(operand, BlockArgument):
            if operand not in iterators:
                return None
            used.add(iterators.index(operand))
            continue
        inner = _iterators_under(operand.owner, block, seen)
        if inner is None:
            return None
        used |= inner
    return used


def _iterators(index: list[_Index]) -> set[int]:
    used: set[int] = set()
    for kind, payload in index:
        if kind == "iter":
            used.add(payload)  # type: ignore[arg-type]
        elif kind == "expr":
            used |= payload  # type: ignore[arg-type]
    return used


# --------------------------------------------------------------------------- helpers


def _shape(buffer: SSAValue) -> list[int]:
    assert isinstance(buffer.type, MemRefType)
    return list(buffer.type.get_shape())


def _enclosing_block(op: Operation) -> BlockOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, BlockOp):
        parent = parent.parent_op()
    return parent


def _num_inputs(function: func.FuncOp) -> int:
    attr = function.attributes.get("tensor.num_inputs")
    if isinstance(attr, IntegerAttr):
        return attr.value.data
    return len(function.body.block.args) - 1
