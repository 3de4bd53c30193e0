"""Which loops the reference interpreter may run as numpy vectors, exactly.

The interpreter (interp.py) turns a tensor function into Python source. A loop chosen here is
not run as a Python `for`: its induction variable becomes a numpy `arange` along its own array
axis, and every operation below it acts on all its iterations at once (lockstep). Each scalar
operation is then applied elementwise in the same dtype and in the same order per element,
so results are bit-identical to the serial loop, provided the iterations ("lanes") never
touch each other's data. A loop L is chosen only if, for its whole subtree:

1. it holds only `loops.for` and `tensor.block` ops (no allocation, no loose loads/stores);
2. L's variable is not used by a predicate or by the binding of a reduce iterator (so `init`
   conditions and predicates stay scalar);
3. every buffer W stored in the subtree is *partitioned* by L: there is a dimension d such that
   every access (load or store) of W in the subtree indexes d with `c * L + g`, where c is one
   nonzero constant, g does not use L or any other chosen loop, and all values of all g lie
   in a window narrower than |c|. Then lanes of L touch disjoint parts of W: no lane reads
   what another writes, and no two lanes write the same element.
   Indices must be iterator values of the enclosing block whose bindings use loop variables.

Loops are tried outermost first (big vectors, fewest Python iterations), re-checking already
chosen enclosing loops each time.
"""

from __future__ import annotations

from collections.abc import Iterator

from xdsl.dialects import func, memref
from xdsl.ir import BlockArgument, Operation, SSAValue
from xdsl.ir.affine import AffineDimExpr, AffineExpr

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import expr_range, summands
from dialects.tensor.ops import BlockOp, InitOp


class _Access:
    """One load or store of a buffer, its indices as affine expressions over loops."""

    def __init__(self, buffer: SSAValue, indices: list[AffineExpr] | None, is_store: bool):
        self.buffer = buffer
        self.indices = indices  # None: not expressible over loop variables
        self.is_store = is_store


class VectorPlan:
    """The loops of one function chosen for vector execution, with their array axes."""

    def __init__(self, function: func.FuncOp, enabled: bool = True):
        self.loops: list[ForOp] = [op for op in function.walk() if isinstance(op, ForOp)]
        self.position = {loop: i for i, loop in enumerate(self.loops)}
        self.ranges: list[tuple[int, int] | None] = [
            (lp.lb, lp.lb + (lp.extent - 1) * lp.step_value) if lp.extent else None
            for lp in self.loops
        ]
        self.chosen: dict[ForOp, int] = {}  # loop -> array axis
        self._accesses: dict[ForOp, list[_Access]] = {}
        if enabled:
            self._choose()

    @property
    def num_axes(self) -> int:
        return 1 + max(self.chosen.values(), default=-1)

    # ------------------------------------------------------------------ choice

    def _choose(self) -> None:
        for loop in self.loops:  # walk() order: outermost first
            enclosing = [lp for lp in _enclosing_loops(loop) if lp in self.chosen]
            if not self._simple_subtree(loop):
                continue
            trial = set(enclosing) | {loop}
            chosen_set = set(self.chosen) | {loop}
            if all(self._partitions(lp, chosen_set) for lp in trial):
                self.chosen[loop] = len(enclosing)

    def _simple_subtree(self, loop: ForOp) -> bool:
        iv = loop.iv
        for op in loop.body.walk():
            parent = op.parent_op()
            if isinstance(parent, ForOp) and not isinstance(op, (ForOp, BlockOp)):
                return False
            if not isinstance(op, BlockOp):
                continue
            used = _loop_dims_used(op, self.position, reduce_only=True)
            if used is None or self.position[loop] in used:
                return False
            pred = op.predicate_set
            if pred is not None:
                for constraint in pred.constraints:
                    dims = (constraint.lhs - constraint.rhs).used_dims()
                    if any(op.binding_values[d] is iv for d in dims):
                        return False
        return True

    def _partitions(self, loop: ForOp, chosen: set[ForOp]) -> bool:
        accesses = self._subtree_accesses(loop)
        written = {a.buffer for a in accesses if a.is_store}
        me = self.position[loop]
        others = {self.position[lp] for lp in chosen if lp is not loop}
        for buffer in written:
            mine = [a for a in accesses if a.buffer is buffer]
            if any(a.indices is None for a in mine):
                return False
            rank = len(mine[0].indices)  # type: ignore[arg-type]
            if not any(self._dim_partitions(mine, d, me, others) for d in range(rank)):
                return False
        return True

    def _dim_partitions(self, accesses: list[_Access], dim: int, me: int, others: set[int]) -> bool:
        coeff: int | None = None
        lo, hi = None, None
        for access in accesses:
            assert access.indices is not None
            c = 0
            g_lo = g_hi = 0
            for term, k in summands(access.indices[dim]):
                if term is None:
                    g_lo, g_hi = g_lo + k, g_hi + k
                    continue
                used = term.used_dims()
                if isinstance(term, AffineDimExpr) and term.position == me:
                    c += k
                    continue
                if me in used or used & others:
                    return False
                span = expr_range(term * k, self.ranges)
                if span is None:
                    return False
                g_lo, g_hi = g_lo + span[0], g_hi + span[1]
            if c == 0 or (coeff is not None and c != coeff):
                return False
            coeff = c
            lo = g_lo if lo is None else min(lo, g_lo)
            hi = g_hi if hi is None else max(hi, g_hi)
        assert coeff is not None and lo is not None and hi is not None
        return hi - lo < abs(coeff)

    def _subtree_accesses(self, loop: ForOp) -> list[_Access]:
        if loop not in self._accesses:
            self._accesses[loop] = list(self._collect(loop))
        return self._accesses[loop]

    def _collect(self, loop: ForOp) -> Iterator[_Access]:
        for op in loop.body.walk():
            if isinstance(op, (memref.LoadOp, memref.StoreOp)):
                yield _Access(op.memref, self._indices(op), isinstance(op, memref.StoreOp))

    def _indices(self, op: memref.LoadOp | memref.StoreOp) -> list[AffineExpr] | None:
        block = _enclosing_block(op)
        if block is None:
            return None
        dims: list[AffineExpr] = []
        for value in block.binding_values:
            loop = _loop_of(value)
            if loop is None or loop not in self.position:
                return None
            dims.append(AffineExpr.dimension(self.position[loop]))
        result: list[AffineExpr] = []
        for index in op.indices:
            if not (isinstance(index, BlockArgument) and index.block is block.body.block):
                return None
            expr = block.binding_map.results[index.index]
            result.append(expr.replace_dims_and_symbols(dims, []))
        return result


def _enclosing_loops(op: Operation) -> list[ForOp]:
    loops: list[ForOp] = []
    parent = op.parent_op()
    while parent is not None:
        if isinstance(parent, ForOp):
            loops.append(parent)
        parent = parent.parent_op()
    return loops


def _enclosing_block(op: Operation) -> BlockOp | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, BlockOp):
        if not isinstance(parent, InitOp):
            return None
        parent = parent.parent_op()
    return parent


def _loop_of(value: SSAValue) -> ForOp | None:
    if isinstance(value, BlockArgument):
        owner = value.block.parent_op()
        if isinstance(owner, ForOp):
            return owner
    return None


def _loop_dims_used(
    block: BlockOp, position: dict[ForOp, int], reduce_only: bool
) -> set[int] | None:
    """Positions of the loops used by the bindings of (reduce) iterators; None if not loops."""
    used: set[int] = set()
    for expr, kind in zip(block.binding_map.results, block.iter_kinds):
        if reduce_only and kind != "reduce":
            continue
        for dim in expr.used_dims():
            loop = _loop_of(block.binding_values[dim])
            if loop is None or loop not in position:
                return None
            used.add(position[loop])
    return used
