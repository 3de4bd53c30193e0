"""Schedule errors: one `ScheduleError` subclass per failure mode (TVM's ScheduleError).

Every primitive checks its preconditions before touching the IR and raises one of these when a
precondition fails. The schedule is left unchanged (see `state.py`: primitives run on a clone).

Each error has
- `message`: one short line saying what is wrong (`str(error)` starts with it), and
- `detail`: an optional longer explanation (the violated condition, how to fix it), and
- `location_op`: the loop or block the error is about; `detailed_message()` renders it with
  its source location (when parsed from a file) and the op's first printed line, marked
  `^^^`, so that the user sees which loop or block is meant.

Writing a new failure mode: subclass `ScheduleError` (or a family below), give it a class
docstring saying when it is raised, and raise it with a short message; other modules of this
package may define their own subclasses next to their primitive.

Example:
```python
raise ReduceLoopParallelError(
    "cannot parallelize loop %k: it binds reduce iterator %vk of block \"Y\"",
    detail="a parallel loop must only bind spatial iterators of the blocks under it",
    location_op=loop,
)
```
"""

from __future__ import annotations

from xdsl.ir import Operation


class ScheduleError(Exception):
    """A schedule primitive could not be applied; the schedule is unchanged."""

    def __init__(
        self,
        message: str,
        detail: str | None = None,
        location_op: Operation | None = None,
    ):
        self.message = message
        self.detail = detail
        self.location_op = location_op
        super().__init__(message)

    def __str__(self) -> str:
        return self.message if self.detail is None else f"{self.message}\n{self.detail}"

    def detailed_message(self) -> str:
        """The message, the detail, and the op the error is about with its location."""
        lines = [f"ScheduleError: {self.message}"]
        if self.detail:
            lines.append(self.detail)
        if self.location_op is not None:
            lines.append(_render_op(self.location_op))
        return "\n".join(lines)


def _render_op(op: Operation) -> str:
    """`at file:line:col:` plus the op's first printed line, underlined (best effort)."""
    from mlc_dialects.diagnostics import op_location

    filename, line, col = op_location(op)
    where = f"at {filename}:{line}:{col}:" if line > 0 else "at:"
    try:
        first = str(op).split("\n", 1)[0].rstrip(" {")
    except Exception:  # noqa: BLE001 - printing a detached or half-built op must not hide the real error
        first = op.name
    return f"{where}\n  {first}\n  {'^' * max(1, len(first))}"


# --------------------------------------------------------------------------- random variables


class RVError(ScheduleError):
    """A random variable (BlockRV/LoopRV/ExprRV) cannot be used in this schedule."""


class ForeignRVError(RVError):
    """The random variable belongs to another schedule (not this one or one it was copied from)."""


class ErasedRVError(RVError):
    """The random variable's loop or block was removed by an earlier primitive (e.g. split)."""


class RVTypeError(RVError):
    """A random variable of the wrong kind was passed (a BlockRV where a LoopRV is expected)."""


# --------------------------------------------------------------------------- lookups


class NameLookupError(ScheduleError):
    """A function or block named by the user does not exist or is ambiguous."""


class FunctionNotFoundError(NameLookupError):
    """No `func.func` of that name in the module, or no function chosen and several exist."""


class BlockNotFoundError(NameLookupError):
    """No `tensor.block` of that name in the function."""


class DuplicateBlockNameError(NameLookupError):
    """More than one `tensor.block` of that name in the function."""


# --------------------------------------------------------------------------- loops


class SplitError(ScheduleError):
    """`split` cannot be applied."""


class SplitFactorProductError(SplitError):
    """The factors' product differs from the loop extent (and the split is not imperfect)."""


class SplitMultipleNoneError(SplitError):
    """More than one factor is None, so the missing factors cannot be inferred."""


class SplitNonPositiveFactorError(SplitError):
    """A factor is zero or negative (or not an integer)."""


class FuseError(ScheduleError):
    """`fuse` cannot be applied."""


class FuseNotConsecutiveError(FuseError):
    """The loops are not parent and child in the order given."""


class FuseNotPerfectNestError(FuseError):
    """A loop to fuse has other operations beside the next loop in its body."""


class ReorderError(ScheduleError):
    """`reorder` cannot be applied."""


class ReorderDuplicateLoopError(ReorderError):
    """A loop is given twice."""


class ReorderNotInChainError(ReorderError):
    """The loops are not all ancestors/descendants of one another (not one chain)."""


class ReorderAcrossBlockError(ReorderError):
    """Between the outermost and innermost loop there is a block or another op beside a loop."""


class LoopKindError(ScheduleError):
    """`parallel`, `vectorize` or `unroll` cannot be applied."""


class ReduceLoopParallelError(LoopKindError):
    """The loop binds a reduce iterator of a block under it (no parallel reduce loop)."""


class NestedParallelError(LoopKindError):
    """The loop is already inside (or contains) a parallel loop."""


class VectorizeNotInnermostError(LoopKindError):
    """The loop body is not a single block without loops (the innermost level of a nest)."""


class NonStaticExtentError(ScheduleError):
    """The loop extent is not a static integer (or the loop has no iterations)."""


class AnnotationError(ScheduleError):
    """`annotate` or `unannotate` cannot be applied."""


class AnnotationNotFoundError(AnnotationError):
    """`unannotate` of a key the loop or block does not have."""


class AnnotationValueError(AnnotationError):
    """An annotation value that is not a bool, int, float, str or a list of them."""


# --------------------------------------------------------------------------- sampling


class SamplingError(ScheduleError):
    """A sampling primitive cannot be applied."""


class SampleTileCountError(SamplingError):
    """`sample_perfect_tile` with n < 1."""


class InvalidDecisionError(SamplingError):
    """A given decision does not fit (wrong length, product, or candidate index)."""


class CategoricalDistributionError(SamplingError):
    """Candidates and probabilities differ in length, or the probabilities are invalid."""


# --------------------------------------------------------------------------- other primitives


class UnsupportedArgumentError(ScheduleError):
    """An argument value this implementation does not support (e.g. compute_at index != -1)."""


class InvalidResultError(ScheduleError):
    """A primitive produced IR that fails verification: a bug in the primitive, not the user's."""


# --------------------------------------------------------------------------- traces


class TraceError(ScheduleError):
    """A trace cannot be parsed or replayed."""
