"""The top-level Python API: parse, interpret (and, with codegen, compile).

    import mlc_dialects as mlc
    module = mlc.parse(text)                     # verified ModuleOp; DiagnosticError if invalid
    y = mlc.interpret(module, "main", x, w)      # graph function: returns array(s)
    mlc.interpret(module, "mm", a, b, c)         # tensor function: writes c in place
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
from xdsl.dialects.builtin import MemRefType, ModuleOp
from xdsl.dialects.func import FuncOp

from mlc_dialects.context import make_context
from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.parsing import parse_and_verify


def parse(text: str, name: str = "<string>") -> ModuleOp:
    """Parse and verify IR text; a mistake raises DiagnosticError with file:line:col."""
    return parse_and_verify(make_context(), text, name)


def parse_file(path: str | Path) -> ModuleOp:
    """Parse and verify an IR file."""
    from mlc_dialects.parsing import decode_source

    data = Path(path).read_bytes()
    return parse(decode_source(data, str(path)), str(path))


def as_module(module_or_text: ModuleOp | str) -> ModuleOp:
    if isinstance(module_or_text, ModuleOp):
        return module_or_text
    return parse(module_or_text)


def find_function(module: ModuleOp, name: str) -> FuncOp:
    """The `func.func` called `name`, or ValueError listing the functions there are."""
    funcs = [op for op in module.walk() if isinstance(op, FuncOp)]
    for f in funcs:
        if f.sym_name.data == name:
            return f
    names = ", ".join("@" + f.sym_name.data for f in funcs) or "none"
    raise ValueError(f"no function @{name} in the module (functions: {names})")


def is_tensor_program(func: FuncOp) -> bool:
    """Tensor programs take buffers (memrefs); graph functions take value tensors."""
    inputs = func.function_type.inputs.data
    return bool(inputs) and all(isinstance(t, MemRefType) for t in inputs)


def interpret(module_or_text: ModuleOp | str, name: str = "main", *arrays: np.ndarray
              ) -> np.ndarray | tuple[np.ndarray, ...] | None:
    """Run function `name` with the reference interpreter of its level.

    A graph function returns its result (a tuple for several); a tensor program writes its
    destination arguments in place and returns None.
    """
    module = as_module(module_or_text)
    func = find_function(module, name)
    if is_tensor_program(func):
        from dialects.tensor.interp import run

        run(module, name, list(arrays))
        return None
    from dialects.graph.interp import interpret as interpret_graph

    return interpret_graph(module, name, *arrays)


def compile(module_or_text: ModuleOp | str, target: str = "host"):  # noqa: A001 - TVM's name
    """Compile a module to native code for the host; returns an `Executable`.

    `exe["name"](*arrays)` calls a compiled function on numpy (or DLPack) arrays after checking
    count, shapes, dtypes, strides and alignment against its signature.
    """
    if target != "host":
        raise ValueError(f"unknown target '{target}' (available: host)")
    from mlc_dialects.pipeline import compile_to_executable

    return compile_to_executable(as_module(module_or_text))


__all__ = ["DiagnosticError", "compile", "find_function", "interpret", "parse", "parse_file"]
