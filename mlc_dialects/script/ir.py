"""`I`: the TVMScript `ir` namespace: `@I.ir_module` collects `@T.prim_func`s into one module.

    from mlc_dialects.script import ir as I, tir as T     # was: from tvm.script import ir as I

    @I.ir_module                  # also the course's spelling, mlc_dialects.script.ir_module
    class MyModule:
        @T.prim_func
        def mm_relu(A: T.Buffer((128, 128), "float32"), ...): ...

`MyModule` is then an `IRModule` (an xDSL `ModuleOp` with TVM's `show()`/`script()`) holding one tensor `func.func` per prim_func, named
after the Python method, in definition order.
"""

from __future__ import annotations

import inspect
from typing import Any

from xdsl.dialects.builtin import ModuleOp

from mlc_dialects.ir_module import IRModule


def ir_module(cls: type | None = None, *, check_well_formed: bool = True) -> Any:
    """Turn a class of `@T.prim_func` methods into one `ModuleOp` (see the module docstring).

    A class attribute that is a plain Python function (not decorated with `@T.prim_func`) is a
    located error: only tensor programs are supported (no Relax functions yet).
    """
    from mlc_dialects.script.parser import function_error, verify_module

    del check_well_formed
    if cls is None:
        return ir_module
    functions = []
    for name, value in vars(cls).items():
        if isinstance(value, ModuleOp):
            functions.extend(op.clone() for op in value.ops)
        elif inspect.isfunction(value):
            raise function_error(
                value,
                f"method '{name}' of @I.ir_module class '{cls.__name__}' is not a "
                f"@T.prim_func; only tensor programs (T.prim_func) are supported",
            )
    module = IRModule(functions)
    verify_module(module)
    return module


__all__ = ["ir_module"]
