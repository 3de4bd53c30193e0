"""`IRModule`: a `builtin.module` with TVM's display methods, so course code ports unchanged.

The MLC course prints modules with `mod.show()` and `mod.script()`. An `IRModule` is exactly
xDSL's `ModuleOp` (same op, same verifier, same printing; `isinstance(m, ModuleOp)` holds) with
those two Python methods added. `Schedule.mod` and the TVMScript frontend return one.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp


class IRModule(ModuleOp):
    """`builtin.module` plus `script()` (its IR text) and `show()` (prints it)."""

    def script(self) -> str:
        return str(self)

    def show(self) -> None:
        print(self)


def as_ir_module(module: ModuleOp) -> IRModule:
    """The same module object, viewed as an IRModule (no copy: only the Python class changes,
    which is safe because IRModule adds methods and no state)."""
    if not isinstance(module, IRModule):
        module.__class__ = IRModule
    return module  # type: ignore[return-value]
