"""Random variables: the handles a `Schedule` gives out (TVM's BlockRV, LoopRV, ExprRV).

A random variable is an opaque handle; the schedule that created it (and its copies) maps it
to a `tensor.block`, a `loops.for` or an integer. Handles stay valid across primitives that
keep the op (reorder, parallel, annotate, ...), and become invalid when a primitive removes
it (split and fuse replace their loops); using an invalid handle raises `ErasedRVError`.
`sch.get(rv)` returns what a handle stands for now.

They are "random" because a schedule may be stochastic: `sample_perfect_tile` returns
ExprRVs whose values were sampled, and the trace records the decision so a replay gets the
same values.
"""

from __future__ import annotations


class RV:
    """Base of the three handle kinds. Compared by identity; `prefix` names them in traces."""

    prefix = "rv"
    kind = "random variable"
    __slots__ = ("__weakref__",)

    def __repr__(self) -> str:
        return f"{type(self).__name__}(0x{id(self):x})"


class BlockRV(RV):
    """A handle to a `tensor.block`."""

    prefix = "b"
    kind = "block"
    __slots__ = ()


class LoopRV(RV):
    """A handle to a `loops.for`."""

    prefix = "l"
    kind = "loop"
    __slots__ = ()


class ExprRV(RV):
    """A handle to an integer (a sampled tile factor or categorical choice)."""

    prefix = "v"
    kind = "integer"
    __slots__ = ()
