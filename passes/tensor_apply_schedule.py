"""tensor-apply-schedule: replay a schedule trace (text or JSON file) on the module.

Input: a module of tensor functions (`func.func` with `loops.for` and `tensor.block`) and a
trace file written by `str(sch.trace)` (Python text, `def apply_trace(sch): ...`) or
`json.dumps(sch.trace.as_json())`. The trace names its functions (`get_block(...,
func_name="main")`), so one trace may schedule several functions of the module.
Output: the module as the schedule leaves it. The file is read with `ast` / `json`; it is never
executed.

Failures (unreadable or malformed trace, a primitive whose preconditions fail) are diagnostics
that name the pass, the trace file and the instruction.

Before (`mlc-opt mm.mlir -p 'tensor-apply-schedule{trace=mm_split.trace}'`, the trace being
`b0 = sch.get_block(name="Y", func_name="main")`, `l1, l2, l3 = sch.get_loops(block=b0)`,
`l4, l5 = sch.split(loop=l2, factors=[None, 4], preserve_unit_iters=True)`):
```mlir
loops.for %j = 0 to 128 {
  ... tensor.block "Y"(..., %v_j = spatial(128, %j), ...)
```
After:
```mlir
loops.for %j0 = 0 to 32 {
  loops.for %j1 = 0 to 4 {
    ... tensor.block "Y"(..., %v_j = spatial(128, %j0 * 4 + %j1), ...)
```
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from mlc_dialects.diagnostics import Diagnostic, DiagnosticError, op_location


@dataclass(frozen=True)
class TensorApplySchedulePass(ModulePass):
    """Apply the schedule trace in file `trace` (text or JSON) to the module."""

    name = "tensor-apply-schedule"

    trace: str = ""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from dialects.tensor.schedule import Schedule, ScheduleError, Trace

        if not self.trace:
            raise self._error("missing option 'trace' (the path of a trace file)")
        try:
            with open(self.trace, encoding="utf-8") as f:
                text = f.read()
        except OSError as err:
            raise self._error(f"cannot read trace file '{self.trace}': {err.strerror}") from None
        try:
            stripped = text.lstrip()
            trace = Trace.from_json(text) if stripped.startswith("{") else Trace.parse(text)
            sch = Schedule(op)
            trace.apply_to_schedule(sch)
        except ScheduleError as err:
            notes = "; ".join(getattr(err, "__notes__", []))
            message = f"{self.name}: trace '{self.trace}': {err.message}"
            if notes:
                message += f" ({notes})"
            if err.location_op is not None:
                # Clones keep parse locations, so the op of the failed clone points at the
                # user's source line.
                filename, line, col = op_location(err.location_op)
                diagnostic = Diagnostic("error", message, filename, line, col)
                if err.detail:
                    diagnostic.notes.append(Diagnostic("note", err.detail, filename))
                raise DiagnosticError(diagnostic) from None
            if err.detail:
                message += f"\n{err.detail}"
            raise self._error(message, prefixed=True) from None
        # Swap the scheduled body in: `op` is the caller's module object.
        for child in list(op.body.block.ops):
            child.detach()
            child.erase()
        for child in list(sch.mod.body.block.ops):
            child.detach()
            op.body.block.add_op(child)

    def _error(self, message: str, prefixed: bool = False) -> DiagnosticError:
        text = message if prefixed else f"{self.name}: {message}"
        return DiagnosticError(Diagnostic("error", text, "<pass-pipeline>"))
