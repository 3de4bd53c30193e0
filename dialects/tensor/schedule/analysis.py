"""Queries on tensor programs shared by the schedule primitives (stable API; see each docstring).

Vocabulary (TensorIR's):
- the *scope* of an op is its nearest enclosing `tensor.block`, else its `func.func`;
- the *loops of a block* are its enclosing `loops.for` ops up to its scope, outermost first
  (TVM's `get_loops`: it stops at the first ancestor that is not a loop);
- the *child blocks* of a loop, block or function are the blocks under it that are not nested
  inside another block under it (TVM's `get_child_blocks`);
- a loop *binds* iterator `n` of a block when the loop's induction variable is one of the
  block's binding values and the binding expression of iterator `n` uses it.

All functions are pure queries: they never change the IR.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation, SSAValue
from xdsl.ir.affine import AffineDimExpr

from dialects.loops.ops import ForOp
from dialects.tensor.ops import BlockOp

# --------------------------------------------------------------------------- structure


def enclosing_func(op: Operation) -> func.FuncOp | None:
    """The `func.func` containing `op` (or `op` itself if it is one)."""
    cur: Operation | None = op
    while cur is not None and not isinstance(cur, func.FuncOp):
        cur = cur.parent_op()
    return cur


def enclosing_block(op: Operation) -> BlockOp | None:
    """The nearest `tensor.block` strictly containing `op`, None at function level."""
    cur = op.parent_op()
    while cur is not None and not isinstance(cur, BlockOp | func.FuncOp):
        cur = cur.parent_op()
    return cur if isinstance(cur, BlockOp) else None


def scope_of(op: Operation) -> BlockOp | func.FuncOp | None:
    """The scope of `op`: its nearest enclosing block, else its function."""
    cur = op.parent_op()
    while cur is not None and not isinstance(cur, BlockOp | func.FuncOp):
        cur = cur.parent_op()
    return cur


def is_ancestor(ancestor: Operation, op: Operation) -> bool:
    """True when `ancestor` strictly contains `op`."""
    cur = op.parent_op()
    while cur is not None:
        if cur is ancestor:
            return True
        cur = cur.parent_op()
    return False


def is_attached(op: Operation, root: Operation) -> bool:
    """True when `op` is `root` or nested in it (False for ops erased or detached)."""
    cur: Operation | None = op
    while cur is not None:
        if cur is root:
            return True
        cur = cur.parent_op()
    return False


def tensor_functions(module: ModuleOp) -> list[func.FuncOp]:
    """The `func.func` ops of a module that have a body, in order."""
    return [op for op in module.body.block.ops if isinstance(op, func.FuncOp) and op.body.blocks]


def find_function(module: ModuleOp, name: str) -> func.FuncOp | None:
    for function in tensor_functions(module):
        if function.sym_name.data == name:
            return function
    return None


def find_blocks(root: Operation, name: str) -> list[BlockOp]:
    """All blocks named `name` under `root` (any depth), in program order."""
    return [op for op in root.walk() if isinstance(op, BlockOp) and op.label == name]


# --------------------------------------------------------------------------- loops and blocks


def get_loops(op: Operation) -> list[ForOp]:
    """The loops around `op` up to its scope, outermost first (TVM's `get_loops`)."""
    loops: list[ForOp] = []
    cur = op.parent_op()
    while isinstance(cur, ForOp):
        loops.append(cur)
        cur = cur.parent_op()
    loops.reverse()
    return loops


def loops_between(outer: ForOp, inner: Operation) -> list[ForOp]:
    """The loops from `outer` down to the parent loop of `inner` (both ends included).

    Empty when `outer` is not an ancestor reachable through loops only.
    """
    chain: list[ForOp] = []
    cur = inner.parent_op()
    while isinstance(cur, ForOp):
        chain.append(cur)
        if cur is outer:
            chain.reverse()
            return chain
        cur = cur.parent_op()
    return []


def child_ops(op: Operation) -> list[Operation]:
    """The ops directly in the body of a loop, block or function (single-block regions)."""
    if not op.regions or not op.regions[0].blocks:
        return []
    return list(op.regions[0].block.ops)


def get_child_blocks(op: Operation) -> list[BlockOp]:
    """Blocks under a loop, block or function that are not inside a nested block, in order."""
    found: list[BlockOp] = []

    def visit(parent: Operation) -> None:
        for child in child_ops(parent):
            if isinstance(child, BlockOp):
                found.append(child)
            else:
                visit(child)

    visit(op)
    return found


def blocks_under(op: Operation) -> list[BlockOp]:
    """All blocks nested in `op` at any depth (including inside other blocks), in order."""
    return [inner for inner in op.walk() if isinstance(inner, BlockOp) and inner is not op]


def loops_under(op: Operation) -> list[ForOp]:
    """All loops nested in `op` at any depth, in order."""
    return [inner for inner in op.walk() if isinstance(inner, ForOp) and inner is not op]


def static_extent(loop: ForOp) -> int | None:
    """The loop's trip count when known statically and positive, else None.

    Bounds are static today; this is the one place to change when dynamic bounds arrive.
    """
    extent = loop.extent
    return extent if extent > 0 else None


# --------------------------------------------------------------------------- bindings


@dataclass(frozen=True)
class IterBinding:
    """Iterator `index` of `block`, of `kind` ('spatial' or 'reduce'), uses the loop's iv."""

    block: BlockOp
    index: int
    kind: str

    @property
    def name(self) -> str:
        return self.block.iter_name(self.index)


def binding_dims(block: BlockOp, value: SSAValue) -> list[int]:
    """The binding-map dimensions of `block` that stand for `value` (normally 0 or 1)."""
    return [i for i, v in enumerate(block.binding_values) if v is value]


def iterators_bound_by(block: BlockOp, value: SSAValue) -> list[IterBinding]:
    """The iterators of `block` whose binding expression uses `value`."""
    dims = set(binding_dims(block, value))
    if not dims:
        return []
    bound = []
    for index, expr in enumerate(block.binding_map.results):
        used = {e.position for e in expr.dfs() if isinstance(e, AffineDimExpr)}
        if used & dims:
            bound.append(IterBinding(block, index, block.iter_kinds[index]))
    return bound


def loop_bindings(loop: ForOp) -> list[IterBinding]:
    """Every block iterator (in blocks at any depth under `loop`) bound by the loop's iv."""
    bindings: list[IterBinding] = []
    for block in blocks_under(loop):
        bindings.extend(iterators_bound_by(block, loop.iv))
    return bindings


def reduce_bindings(loop: ForOp) -> list[IterBinding]:
    """The reduce iterators bound by `loop` (a loop with any is a reduction loop)."""
    return [b for b in loop_bindings(loop) if b.kind == "reduce"]


def is_reduction_loop(loop: ForOp) -> bool:
    return bool(reduce_bindings(loop))


def non_block_uses(value: SSAValue) -> list[Operation]:
    """Ops other than blocks' binding operands that use `value` (e.g. arith on an iv)."""
    return [use.operation for use in value.uses if not _is_binding_use(use.operation, value)]


def _is_binding_use(op: Operation, value: SSAValue) -> bool:
    return isinstance(op, BlockOp) and any(v is value for v in op.binding_values)


# --------------------------------------------------------------------------- dataflow


def writers(scope: Operation, buffer: SSAValue) -> list[BlockOp]:
    """Child blocks of `scope` that write `buffer`, in program order."""
    return [b for b in get_child_blocks(scope) if any(w is buffer for w in b.writes)]


def readers(scope: Operation, buffer: SSAValue) -> list[BlockOp]:
    """Child blocks of `scope` that read `buffer`, in program order."""
    return [b for b in get_child_blocks(scope) if any(r is buffer for r in b.reads)]


def get_producers(block: BlockOp) -> list[BlockOp]:
    """Blocks of the same scope that write a buffer `block` reads (itself excluded)."""
    scope = scope_of(block)
    if scope is None:
        return []
    read = list(block.reads)
    return [
        other
        for other in get_child_blocks(scope)
        if other is not block and any(w is r for w in other.writes for r in read)
    ]


def get_consumers(block: BlockOp) -> list[BlockOp]:
    """Blocks of the same scope that read a buffer `block` writes (itself excluded)."""
    scope = scope_of(block)
    if scope is None:
        return []
    written = list(block.writes)
    return [
        other
        for other in get_child_blocks(scope)
        if other is not block and any(r is w for r in other.reads for w in written)
    ]


def walk_ops(root: Operation) -> Iterator[Operation]:
    """Every op under `root` including itself, in the order `Operation.walk` gives."""
    return root.walk()
