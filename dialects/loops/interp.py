"""Reference interpreter for the `loops` level: the tensor interpreter plus `scf.if`.

After `convert-tensor-to-loops` a function holds `loops.for` nests over plain loads, stores,
`arith`, `math`, `scf.if` (predicates and init parts), `memref.alloc/alloca/dealloc`. The tensor
interpreter (`dialects.tensor.interp`) already runs everything but `scf.if` without results and
`memref.dealloc`; this module extends its translator with them, so that every lowering can be
checked against the same reference semantics:

    from dialects.loops.interp import run
    run(module, "main", [A, B, C])          # writes C in place

Loops at this level run as Python loops (the tensor interpreter vectorizes only loops around
blocks), so keep checked sizes small.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.dialects import func, memref, scf
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation

from dialects.tensor import interp as tensor_interp


class _LoopsTranslator(tensor_interp._Translator):
    """The tensor translator (which runs `scf.if` with results), plus `scf.if` without results
    and `memref.dealloc`."""

    def op(self, op: Operation, depth: int) -> None:
        if isinstance(op, scf.IfOp) and op.results:
            return super().op(op, depth)  # te's guarded if_then_else: a masked select
        if isinstance(op, scf.IfOp):
            self.emit(depth, f"if {self.use(op.cond)}:")
            self.emit(depth + 1, "pass")
            self.ops(op.true_region.block.ops, depth + 1)
            if op.false_region.blocks:
                self.emit(depth, "else:")
                self.emit(depth + 1, "pass")
                self.ops(op.false_region.block.ops, depth + 1)
            return None
        if isinstance(op, scf.YieldOp | memref.DeallocOp):
            return None
        return super().op(op, depth)


def compile_function(module: ModuleOp | func.FuncOp, func_name: str = "main"):
    """A Python callable `f(*arrays)` running the loops-level function (no argument checks)."""
    function = tensor_interp.find_function(module, func_name)
    translator = _LoopsTranslator(function, vectorize=False)
    code = translator.translate()
    namespace: dict[str, object] = dict(translator.globals)
    # Generated from verified IR by the translator; nothing user-written is executed.
    exec(compile(code, f"<loops function @{func_name}>", "exec"), namespace)  # noqa: S102
    return namespace["_kernel"]


def run(module: ModuleOp | func.FuncOp, func_name: str, arrays: Sequence[np.ndarray]) -> None:
    """Run `func_name` on `arrays` (inputs then outputs), writing outputs in place."""
    function = tensor_interp.find_function(module, func_name)
    tensor_interp.check_arguments(function, arrays)
    kernel = compile_function(function, func_name)
    with np.errstate(all="ignore"):
        kernel(*arrays)
