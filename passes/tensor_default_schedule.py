"""tensor-default-schedule: schedule every tensor function with the default rules.

Input: a module whose tensor functions (`func.func` holding `tensor.block`s) are as te, the op
library or graph legalization build them (other functions, e.g. graph-level ones, are left
alone). Output: the same functions scheduled by `mlc_dialects.autoschedule.default_schedule`:
elementwise producers inlined, outer spatial loops fused and parallel, innermost contiguous
loops vectorized, matmul- and conv-like reductions in register tiles (a "local" cache, the row
loop unrolled, the column loop vectorized), long row reductions in vector lanes (rfactor).
Every step is a legality-checked schedule primitive; a rule that does not apply leaves its
block unchanged.

Options: `vector-bits` (default: the module's `#hw.target`, else the host) and `num-threads`
(default: the target's, else MLC_NUM_THREADS, else all cores); both only steer the decisions
(tile widths, whether a loop is worth a thread launch).

Before (`mlc-opt f.mlir -p 'tensor-default-schedule{vector-bits=256 num-threads=4}'`):
```mlir
loops.for %i = 0 to 256 {
  loops.for %j = 0 to 256 {
    tensor.block "C"(%vi = spatial(256, %i), %vj = spatial(256, %j)) ...
```
After:
```mlir
loops.for %i = 0 to 256 parallel {
  loops.for %j = 0 to 256 vectorized {
    tensor.block "C"(%vi = spatial(256, %i), %vj = spatial(256, %j)) ...
```
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass


@dataclass(frozen=True)
class TensorDefaultSchedulePass(ModulePass):
    """Schedule every tensor function with the default rules (parallel, vectorize, tile)."""

    name = "tensor-default-schedule"

    vector_bits: int = 0
    """SIMD width in bits the rules plan for; 0: the module's `#hw.target`, else the host's."""
    num_threads: int = 0
    """Cores the rules plan for; 0: the target's, else MLC_NUM_THREADS, else all cores."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from dialects.hw.attrs import TARGET_ATTR, TargetAttr
        from mlc_dialects.autoschedule import default_schedule

        target = op.attributes.get(TARGET_ATTR)
        if not isinstance(target, TargetAttr):
            target = TargetAttr.host()
        if self.vector_bits or self.num_threads:
            target = TargetAttr(
                target.triple.data, target.cpu.data, target.features.data,
                self.vector_bits or target.vector_bits.data,
                self.num_threads or target.num_threads.data,
            )  # fmt: skip
        sch = default_schedule(op, target)
        # Swap the scheduled body in: `op` is the caller's module object.
        for child in list(op.body.block.ops):
            child.detach()
            child.erase()
        for child in list(sch.mod.body.block.ops):
            child.detach()
            op.body.block.add_op(child)
