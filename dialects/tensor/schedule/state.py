"""The schedule's state: the current module and the table of random variables (clone-apply-swap).

Every primitive that changes the IR runs as a transaction:

1. clone the current module;
2. build an op map by zipping `walk()` of the original and the clone (a clone has the same
   shape, so the walks line up op for op);
3. translate the primitive's random variables through the map and run the primitive on the
   clone's ops;
4. verify the clone; on success it becomes the current module and every random variable is
   remapped through the op map (an op the primitive erased or detached maps to nothing, so its
   handles become invalid: `ErasedRVError` on next use).

If the primitive raises a `ScheduleError` (or the result fails verification) the clone is
dropped: the schedule, its module and its handles are exactly as before. This is simpler than
TVM's copy-on-write srefs and costs one clone per primitive, which is cheap next to the Python
interpretation of the programs we schedule.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.utils.exceptions import VerifyException

from dialects.loops.ops import ForOp
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule.analysis import is_attached
from dialects.tensor.schedule.errors import (
    ErasedRVError,
    ForeignRVError,
    InvalidResultError,
    RVTypeError,
)
from dialects.tensor.schedule.rv import RV, BlockRV, ExprRV, LoopRV

T = TypeVar("T")

_EXPECTED: dict[type[RV], type] = {BlockRV: BlockOp, LoopRV: ForOp, ExprRV: int}


class ScheduleState:
    """The current module and what each random variable stands for in it."""

    def __init__(self, mod: ModuleOp):
        self.mod = mod
        # rv -> op (BlockRV, LoopRV) or int (ExprRV); None once the op was removed.
        self.table: dict[RV, Operation | int | None] = {}

    # ------------------------------------------------------------------ handles

    def new_rv(self, value: Operation | int) -> RV:
        """A fresh handle for a block, loop or integer of the current module."""
        rv: RV
        if isinstance(value, BlockOp):
            rv = BlockRV()
        elif isinstance(value, ForOp):
            rv = LoopRV()
        elif isinstance(value, int):
            rv = ExprRV()
        else:
            raise TypeError(f"no random-variable kind for {type(value).__name__}")
        self.table[rv] = value
        return rv

    def lookup(self, rv: object, expected: type[RV] | tuple[type[RV], ...]) -> Operation | int:
        """What `rv` stands for now; raises when it is foreign, erased or of the wrong kind."""
        kinds = expected if isinstance(expected, tuple) else (expected,)
        names = " or ".join(k.__name__ for k in kinds)
        if not isinstance(rv, RV):
            if ExprRV in kinds and isinstance(rv, int) and not isinstance(rv, bool):
                return rv
            raise RVTypeError(f"expected a {names}, got {type(rv).__name__} {rv!r}")
        if not isinstance(rv, kinds):
            raise RVTypeError(f"expected a {names}, got a {type(rv).__name__}")
        if rv not in self.table:
            raise ForeignRVError(
                f"{type(rv).__name__} does not belong to this schedule",
                detail="random variables are only valid in the schedule that created them and "
                "in copies made from it with sch.copy()",
            )
        value = self.table[rv]
        if value is None:
            raise ErasedRVError(
                f"the {rv.kind} of this {type(rv).__name__} was removed by an earlier primitive",
                detail="split and fuse replace their loops: use the loops they return, or "
                "get_loops(block) again",
            )
        return value

    def remove(self, rv: RV) -> None:
        """Forget a handle (TVM's `remove_rv`); later uses raise ErasedRVError."""
        self.lookup(rv, (BlockRV, LoopRV, ExprRV))
        self.table[rv] = None

    # ------------------------------------------------------------------ transactions

    def transaction(
        self, primitive: Callable[[Callable[[Operation], Operation]], T], name: str
    ) -> T:
        """Run `primitive(translate)` on a clone; swap it in when it succeeds (module docstring).

        `translate` maps an op of the current module to its counterpart in the clone; the
        primitive looks up its handles first (`lookup`), then translates them.
        """
        clone = self.mod.clone()
        op_map: dict[Operation, Operation] = dict(zip(self.mod.walk(), clone.walk()))

        def translate(op: Operation) -> Operation:
            return op_map[op]

        result = primitive(translate)
        try:
            clone.verify()
        except VerifyException as error:
            raise InvalidResultError(
                f"{name} produced invalid IR: {error}",
                detail="this is a bug in the primitive, not in the schedule; the schedule is "
                "unchanged",
            ) from error
        self._swap(clone, op_map)
        return result

    def _swap(self, clone: ModuleOp, op_map: dict[Operation, Operation]) -> None:
        table: dict[RV, Operation | int | None] = {}
        for rv, value in self.table.items():
            if isinstance(value, Operation):
                mapped = op_map.get(value)
                value = mapped if mapped is not None and is_attached(mapped, clone) else None
            table[rv] = value
        self.mod = clone
        self.table = table

    def copy(self) -> ScheduleState:
        """An independent state with the same handles (TVM: a copy shares the symbol table)."""
        clone = self.mod.clone()
        op_map = dict(zip(self.mod.walk(), clone.walk()))
        state = ScheduleState(clone)
        for rv, value in self.table.items():
            state.table[rv] = op_map.get(value, None) if isinstance(value, Operation) else value
        return state
