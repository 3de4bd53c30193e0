"""Reference semantics of the structural graph ops: constants, dataflow regions and calls.

- `graph.constant` decodes its dense attribute once per interpreter (cached) into a read-only
  array.
- `graph.dataflow` runs its region; `graph.output` is its terminator.
- `func.call`, `func.return` and function bodies are xDSL's `FuncFunctions`; calling a function
  that is only declared is an error at the call.
- `graph.call_lib` looks its callee up in the library registry and calls it in
  destination-passing style: inputs are passed as read-only views (no copies), outputs are
  fresh `np.empty` arrays of the result types, passed after the inputs. The function must
  write them and return None. An unknown name, an exception inside the function or a returned
  value is an error at the op.
- `graph.call_tir` allocates the outputs the same way and runs the tensor program through the
  tensor dialect's interpreter (`dialects.tensor.interp.run`), with C-contiguous inputs.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import DenseIntOrFPElementsAttr, TensorType
from xdsl.interpreter import (
    Interpreter,
    InterpreterFunctions,
    ReturnedValues,
    TerminatorValue,
    impl,
    impl_terminator,
    register_impls,
)
from xdsl.interpreters.func import FuncFunctions
from xdsl.ir import Operation
from xdsl.traits import SymbolTable

from dialects.graph import ops
from dialects.graph.interp.dtypes import is_bf16, round_bf16, storage_dtype
from mlc_dialects.diagnostics import DiagnosticError, at_op
from mlc_dialects.runtime.registry import UnknownFunctionError, get_func

Args = tuple[Any, ...]


def dense_to_numpy(attr: DenseIntOrFPElementsAttr) -> np.ndarray:
    """The values of a dense elements attribute as an array of the storage dtype."""
    t = attr.type
    assert isinstance(t, TensorType)
    shape = tuple(t.get_shape())
    raw = attr.data.data
    if is_bf16(t):
        flat = (np.frombuffer(raw, dtype="<u2").astype(np.uint32) << 16).view(np.float32)
    else:
        dtype = storage_dtype(t.element_type)
        # xDSL packs i1 as one signed byte per element (-1 for true).
        packed = np.dtype("<i1") if dtype == np.bool_ else dtype.newbyteorder("<")
        flat = np.frombuffer(raw, dtype=packed).astype(dtype)
    count = int(np.prod(shape))
    if flat.size == 1 and count != 1:
        flat = np.full(count, flat[0], dtype=flat.dtype)
    out = flat.reshape(shape)
    out.flags.writeable = False
    return out


def read_only(a: np.ndarray) -> np.ndarray:
    """A read-only view of `a` (no copy): library functions must not write their inputs."""
    view = a.view()
    view.flags.writeable = False
    return view


def allocate_outputs(op: Operation) -> list[np.ndarray]:
    """One uninitialized array per result of `op`, of the result's storage dtype and shape."""
    outs = []
    for r in op.results:
        t = r.type
        assert isinstance(t, TensorType)
        outs.append(np.empty(tuple(t.get_shape()), dtype=storage_dtype(t.element_type)))
    return outs


def _finish_outputs(op: Operation, outs: list[np.ndarray]) -> tuple[np.ndarray, ...]:
    return tuple(round_bf16(o) if is_bf16(r.type) else o
                 for o, r in zip(outs, op.results, strict=True))


@register_impls
class CallFunctions(FuncFunctions):
    """xDSL's func implementations, with a located error for calls of declarations."""

    @impl(func.CallOp)
    def run_call(self, interpreter: Interpreter, op: func.CallOp, args: Args) -> Args:
        callee = SymbolTable.lookup_symbol(op, op.callee)
        if isinstance(callee, func.FuncOp) and not callee.body.blocks:
            raise DiagnosticError(at_op(
                op, f"calls {op.callee}, which is only declared; the interpreter needs its body"
            ))
        return interpreter.call_op(op.callee, args)


@register_impls
class StructureFunctions(InterpreterFunctions):
    """Interpreter implementations of constants, dataflow regions and calls."""

    @impl(ops.ConstantOp)
    def run_constant(self, interp: Interpreter, op: ops.ConstantOp, args: Args) -> Args:
        cache: dict[int, np.ndarray] = interp.get_data(StructureFunctions, "constants", dict)
        value = cache.get(id(op))
        if value is None:
            value = cache[id(op)] = dense_to_numpy(op.value)
        return (value,)

    @impl(ops.DataflowOp)
    def run_dataflow(self, interp: Interpreter, op: ops.DataflowOp, args: Args) -> Args:
        return interp.run_ssacfg_region(op.body, (), "graph.dataflow")

    @impl_terminator(ops.OutputOp)
    def run_output(self, interp: Interpreter, op: ops.OutputOp, args: Args
                   ) -> tuple[TerminatorValue, Args]:
        return ReturnedValues(args), ()

    @impl(ops.CallLibOp)
    def run_call_lib(self, interp: Interpreter, op: ops.CallLibOp, args: Args) -> Args:
        name = op.callee.data
        try:
            fn = get_func(name)
        except UnknownFunctionError as err:
            raise DiagnosticError(at_op(op, str(err))) from None
        outs = allocate_outputs(op)
        try:
            returned = fn(*(read_only(a) for a in args), *outs)
        except Exception as err:  # any failure of user code is reported at the op
            raise DiagnosticError(at_op(
                op, f"library function '{name}' failed: {type(err).__name__}: {err}"
            )) from err
        if returned is not None:
            raise DiagnosticError(at_op(
                op, f"library function '{name}' returned a value; library functions write "
                "their results into the output arguments passed after the inputs and return None"
            ))
        return _finish_outputs(op, outs)

    @impl(ops.CallTIROp)
    def run_call_tir(self, interp: Interpreter, op: ops.CallTIROp, args: Args) -> Args:
        try:
            from dialects.tensor import interp as tensor_interp
        except ImportError as err:
            raise DiagnosticError(at_op(
                op, "needs the tensor dialect's interpreter (dialects.tensor.interp), which "
                f"cannot be imported: {err}"
            )) from None
        outs = allocate_outputs(op)
        # np.require keeps 0-d arrays 0-d (np.ascontiguousarray would make them shape (1,)).
        inputs = [np.require(a, requirements='C') for a in args]
        callee = op.callee.root_reference.data
        tensor_interp.run(interp.module, callee, [*inputs, *outs])
        return _finish_outputs(op, outs)
