"""The reference interpreter of the graph level: numpy semantics for every graph op.

    y = interpret(module, "main", x, w)             # one result: an array
    y, z = interpret(module, "two_results", x)      # several: a tuple

It is the oracle that every later pass is checked against, so it favours exactness over
speed: each op is computed with numpy in the op's element type and its result is converted to
the result type (f32 stays f32). It is built on xDSL's `Interpreter`: one
`InterpreterFunctions` class per op family (`elementwise`, `nn`, `shape`, `structure`), and
`CallFunctions` (xDSL's `FuncFunctions`, with a located error for calls of declarations).
Other ops (say `arith` on tensors) have no reference semantics here: an error at the op.

Decisions that numpy alone does not make are documented in the family modules and in
`dtypes` (element types as numpy dtypes, f16 computed in f32, bf16 as rounded float32).

Arguments are checked at the boundary against the function's signature: their number, and
for each one the shape and the dtype (`storage_dtype` of the element type; dynamic dimensions
accept any size). numpy scalars count as 0-d arrays. Arguments are never written and results
never alias them. Runtime failures inside (an unregistered library function, an integer
division by zero) raise a `DiagnosticError` located at the op.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, TensorType
from xdsl.interpreter import (
    Interpreter,
    OpImplResult,
    _InterpreterFunctionImpls,  # private in xDSL 0.74 (pinned); see _PlainImpls
)
from xdsl.ir import Operation
from xdsl.traits import SymbolTable

from dialects.graph.interp.dtypes import convert, describe, is_bf16, shape_matches, storage_dtype
from dialects.graph.interp.elementwise import ElementwiseFunctions
from dialects.graph.interp.nn import NNFunctions
from dialects.graph.interp.shape import ShapeFunctions
from dialects.graph.interp.structure import CallFunctions, StructureFunctions
from mlc_dialects.diagnostics import DiagnosticError, at_op, op_location

__all__ = ["GRAPH_FUNCTIONS", "interpret", "make_interpreter"]

GRAPH_FUNCTIONS = (
    CallFunctions, ElementwiseFunctions, NNFunctions, ShapeFunctions, StructureFunctions,
)
"""The interpreter implementations of func and every graph op, one class per op family."""


class _PlainImpls(_InterpreterFunctionImpls):
    """xDSL's op dispatch without its error decoration.

    xDSL catches every exception raised by an op implementation and attaches the whole module,
    printed in generic form, as a note; it does so again at every enclosing op (dataflow,
    call). With weights in the module that is slow and buries the message. Here a located
    `DiagnosticError` passes through untouched, and any other exception (a bug) gets one short
    note naming the innermost op and its location.
    """

    def run(self, interpreter: Interpreter, op: Operation, args: tuple[Any, ...]
            ) -> OpImplResult:
        entry = self._impl_dict.get(type(op))
        if entry is None:
            raise DiagnosticError(at_op(op, "has no reference semantics in the graph interpreter"))
        functions, implementation = entry
        try:
            return implementation(functions, interpreter, op, args)
        except DiagnosticError:
            raise
        except Exception as err:
            if not getattr(err, "_mlc_located", False):
                file, line, col = op_location(op)
                err.add_note(f"while interpreting '{op.name}' at {file}:{line}:{col}")
                err._mlc_located = True  # type: ignore[attr-defined]
            raise


def make_interpreter(module: ModuleOp) -> Interpreter:
    """An xDSL interpreter for `module` that knows func and every graph op."""
    interpreter = Interpreter(module, _impls=_PlainImpls())
    for functions in GRAPH_FUNCTIONS:
        interpreter.register_implementations(functions())
    return interpreter


def interpret(module: ModuleOp, name: str, *arrays: np.ndarray
              ) -> np.ndarray | tuple[np.ndarray, ...]:
    """Run function `@name` of `module` on `arrays`: one array for one result, else a tuple.

    Raises ValueError for an unknown function or arguments that do not match its signature
    (`argument #1 of @main: expected tensor<784x128xf32> (float32, shape (784, 128)), got
    float64 array of shape (784, 128)`), TypeError for an argument that is not a numpy array,
    and DiagnosticError for a failure at an op.
    """
    fn = _lookup(module, name)
    inputs = _check_arguments(fn, name, arrays)
    with np.errstate(all="ignore"):  # IEEE semantics: inf and NaN are values, not warnings
        results = make_interpreter(module).call_op(fn, tuple(inputs))
    outputs: list[np.ndarray] = []
    for r in results:
        outputs.append(_own(r, outputs))
    return outputs[0] if len(outputs) == 1 else tuple(outputs)


def _lookup(module: ModuleOp, name: str) -> func.FuncOp:
    fn = SymbolTable.lookup_symbol(module, name)
    if isinstance(fn, func.FuncOp) and fn.body.blocks:
        other = [t for t in fn.function_type.inputs.data if not isinstance(t, TensorType)]
        if other:
            raise ValueError(f"cannot interpret @{name}: it takes {other[0]}; graph functions "
                             "take tensors")
        return fn
    names = [f"@{op.sym_name.data}" for op in module.ops
             if isinstance(op, func.FuncOp) and op.body.blocks]
    what = "is only declared" if isinstance(fn, func.FuncOp) else "does not exist"
    raise ValueError(
        f"cannot interpret @{name}: it {what} in the module "
        f"(functions: {', '.join(names) or 'none'})"
    )


def _check_arguments(fn: func.FuncOp, name: str, arrays: tuple[Any, ...]) -> list[np.ndarray]:
    params = list(fn.function_type.inputs.data)
    if len(arrays) != len(params):
        raise ValueError(
            f"@{name} takes {len(params)} argument{'s' if len(params) != 1 else ''} "
            f"({', '.join(map(str, params)) or 'none'}), got {len(arrays)}"
        )
    checked = []
    for i, (a, t) in enumerate(zip(arrays, params, strict=True)):
        if isinstance(a, np.generic):
            a = np.asarray(a)
        if not isinstance(a, np.ndarray):
            raise TypeError(
                f"argument #{i} of @{name}: expected {describe(t)}, got {type(a).__name__}"
            )
        if a.dtype != storage_dtype(t.element_type) or not shape_matches(a.shape, t):
            raise ValueError(
                f"argument #{i} of @{name}: expected {describe(t)}, got {a.dtype.name} array "
                f"of shape {a.shape}"
            )
        view = convert(a, t) if is_bf16(t) else a.view()
        view.flags.writeable = False
        checked.append(view)
    return checked


def _own(value: np.ndarray, earlier: list[np.ndarray]) -> np.ndarray:
    """A writable array sharing no memory with arguments, constants or earlier results."""
    value = np.asarray(value)
    if value.flags.writeable and value.flags.owndata and all(e is not value for e in earlier):
        return value
    return np.array(value, copy=True)
