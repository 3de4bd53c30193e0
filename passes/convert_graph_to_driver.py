"""convert-graph-to-driver: each graph function -> one native driver function over buffers.

TVM Relax's CallTIRRewrite + StaticPlanBlockMemory + the VM's builtins, compiled instead of
interpreted: after legalization a graph function is a sequence of destination-passing calls,
so it becomes a `func.func` over memrefs that allocates the planned intermediates and calls
the kernels and library functions in order. One call from Python then runs the whole model.

The driver ABI (all buffers static-shape memrefs, so bare data pointers after lowering):

    func.func @main(<inputs...>, <results...>, [%constants: memref<Cxi8>])
        attributes {graph.num_inputs = N, graph.num_outputs = M, graph.peak_bytes = P,
                    graph.constants = [dense<...>, ...], graph.constant_offsets = array<i64: ...>}

- inputs: one buffer per graph argument, read only;
- results: one buffer per graph result, allocated by the caller and written by the driver
  (destination passing, as for kernels);
- constants: when the function uses `graph.constant`s, one trailing byte buffer holding all of
  them (each at a 64-byte aligned offset in `graph.constant_offsets`, values in
  `graph.constants`). The caller builds it once (`mlc_dialects.graph_executable` does, at
  executable creation) and passes the same pointer on every call. Why not `memref.global`s
  with dense initializers: the backend does not lower globals, and for real models the
  initializers would go through the printed IR and LLVM's constant folding, which is slow to
  compile; a side buffer costs one pointer argument.

Inside: one `memref.alloc` of `graph.peak_bytes` bytes (64-byte aligned; none when nothing is
planned), a `memref.view` per intermediate at its planned offset (`graph-plan-memory`; the
plan in the IR is used when present, else it is computed here), `func.call`s, `memref.copy`
into a result buffer for results that are arguments, constants or returned twice, and a
`memref.dealloc` before the return. `memref.view` is lowered by `lower-memref-views`.

Calls:
- `graph.call_tir @k(args)` -> `func.call @k(args..., outs...)`.
- `graph.call_lib "name"` of a Python function (or of a name not registered when the pass
  runs, resolved at executable creation) -> `func.call @__mlc_lib_<name>_<hash>(args...,
  outs...)`, a private declaration over the memref types of this call, carrying
  `mlc.library = "name"`, `mlc.library_kind = "python"` and `mlc.library_num_inputs` (how
  many of the buffers are inputs, passed as read-only arrays). The executable binds the symbol to
  a ctypes trampoline that wraps the pointers into numpy arrays (no copies) and calls the
  registered function.
- `graph.call_lib "name"` of a native entry (`register_native`) -> the same, with
  `mlc.library_kind = "native"` and the declaration's parameters taken from the entry's
  signature for this call's shapes: scalars become `arith.constant`s, pointers the buffers.
  The executable binds the symbol to the C function's address; the call is direct.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

import numpy as np
from xdsl.context import Context
from xdsl.dialects import arith, func, memref
from xdsl.dialects.builtin import (
    ArrayAttr,
    DenseArrayBase,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    StringAttr,
    TensorType,
    f32,
    f64,
    i8,
    i32,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.passes import ModulePass
from xdsl.traits import SymbolTable

from dialects.graph import ops
from mlc_dialects.diagnostics import DiagnosticError, at_op
from passes.graph_plan_memory import (
    ALIGNMENT,
    PEAK_ATTR,
    MemoryPlan,
    graph_functions,
    linear_ops,
    plan_from_attributes,
    plan_memory,
    resolve,
    tensor_bytes,
)

PASS_NAME = "convert-graph-to-driver"

NUM_INPUTS_ATTR = "graph.num_inputs"
NUM_OUTPUTS_ATTR = "graph.num_outputs"
CONSTANTS_ATTR = "graph.constants"
CONSTANT_OFFSETS_ATTR = "graph.constant_offsets"
LIBRARY_ATTR = "mlc.library"
LIBRARY_KIND_ATTR = "mlc.library_kind"
LIBRARY_INPUTS_ATTR = "mlc.library_num_inputs"
LIBRARY_PREFIX = "__mlc_lib_"


def buffer_type(t: Attribute) -> MemRefType:
    """The memref a value of tensor type `t` lives in (identity layout)."""
    assert isinstance(t, TensorType)
    return MemRefType(t.element_type, t.get_shape())


def library_symbol(name: str, types: list[Attribute]) -> str:
    """`__mlc_lib_<name>_<hash>`: one declaration per library function and call signature."""
    digest = hashlib.sha1(f"{name}|{','.join(map(str, types))}".encode()).hexdigest()[:10]
    return f"{LIBRARY_PREFIX}{re.sub(r'[^A-Za-z0-9_]', '_', name)}_{digest}"


class _Driver:
    """Builds the driver of one graph function (see the module docstring)."""

    def __init__(self, module: ModuleOp, function: func.FuncOp, plan: MemoryPlan):
        self.module = module
        self.function = function
        self.plan = plan
        ftype = function.function_type
        self.result_types = list(ftype.outputs.data)
        self.constants: list[ops.ConstantOp] = [
            op for op in linear_ops(function)
            if isinstance(op, ops.ConstantOp) and op.result.uses.get_length() > 0]
        arg_types = [buffer_type(t) for t in ftype.inputs.data]
        out_types = [buffer_type(t) for t in self.result_types]
        pool_bytes = self._constant_layout()
        extra = [MemRefType(i8, [pool_bytes])] if self.constants else []
        self.block = Block(arg_types=[*arg_types, *out_types, *extra])
        old_args = function.body.block.args
        for new, old in zip(self.block.args, old_args, strict=False):
            new.name_hint = old.name_hint
        n_in = len(arg_types)
        self.outputs = list(self.block.args[n_in:n_in + len(out_types)])
        for k, out in enumerate(self.outputs):
            out.name_hint = f"result{k}"
        self.pool = self.block.args[-1] if self.constants else None
        if self.pool is not None:
            self.pool.name_hint = "constants"
        # old SSA value (resolved) -> buffer holding it
        self.values: dict[SSAValue, SSAValue] = dict(
            zip(old_args, self.block.args[:n_in], strict=True))
        self.arena: SSAValue | None = None

    # --- layout of the constant pool -----------------------------------------------------------

    def _constant_layout(self) -> int:
        offset = 0
        self.constant_offsets: list[int] = []
        for c in self.constants:
            self.constant_offsets.append(offset)
            size = tensor_bytes(c.result.type, PASS_NAME, c)  # type: ignore[arg-type]
            offset += -(-max(size, 1) // ALIGNMENT) * ALIGNMENT
        return max(offset, ALIGNMENT)

    # --- building -----------------------------------------------------------------------------

    def add(self, op: Operation) -> Operation:
        self.block.add_op(op)
        return op

    def view(self, base: SSAValue, offset: int, t: MemRefType, hint: str | None) -> SSAValue:
        shift = self.add(arith.ConstantOp(IntegerAttr(offset, IndexType()))).results[0]
        result = self.add(memref.ViewOp(base, shift, [], t)).results[0]
        result.name_hint = hint
        return result

    def lookup(self, value: SSAValue, user: Operation) -> SSAValue:
        buffer = self.values.get(resolve(value))
        if buffer is None:
            raise DiagnosticError(at_op(user, f"{PASS_NAME}: operand {value} has no buffer "
                                        "(defined by an op that is not supported)"))
        return buffer

    def build(self) -> func.FuncOp:
        if self.plan.peak_bytes:
            alloc = memref.AllocOp.get(i8, ALIGNMENT, [self.plan.peak_bytes])
            alloc.memref.name_hint = "arena"
            self.arena = self.add(alloc).results[0]
        for op in linear_ops(self.function):
            if isinstance(op, ops.ConstantOp):
                self._constant(op)
            elif isinstance(op, ops.CallTIROp):
                outs = self._results(op)
                callee = op.callee.root_reference.data
                self._check_kernel(op, callee, outs)
                self.add(func.CallOp(callee, [*self._args(op), *outs], []))
            elif isinstance(op, ops.CallLibOp):
                self._call_lib(op, self._results(op))
            elif isinstance(op, func.ReturnOp):
                self._return(op)
        return self._finish()

    def _constant(self, op: ops.ConstantOp) -> None:
        if op not in self.constants:
            return
        assert self.pool is not None
        offset = self.constant_offsets[self.constants.index(op)]
        self.values[op.result] = self.view(self.pool, offset, buffer_type(op.result.type),
                                           op.result.name_hint)

    def _args(self, op: Operation) -> list[SSAValue]:
        return [self.lookup(a, op) for a in op.operands]

    def _results(self, op: Operation) -> list[SSAValue]:
        """The buffers `op` writes: a result buffer or a view of the arena, per result."""
        outs = []
        for r in op.results:
            b = self.plan.buffer_of(r)
            if b.output is not None:
                buffer = self.outputs[b.output]
            else:
                assert self.arena is not None and b.offset is not None
                buffer = self.view(self.arena, b.offset, buffer_type(r.type), r.name_hint)
            self.values[r] = buffer
            outs.append(buffer)
        return outs

    def _check_kernel(self, op: Operation, callee: str, outs: list[SSAValue]) -> None:
        kernel = SymbolTable.lookup_symbol(self.module, callee)
        if not isinstance(kernel, func.FuncOp):
            raise DiagnosticError(at_op(op, f"{PASS_NAME}: callee @{callee} is not a func.func "
                                        "in this module"))
        want = list(kernel.function_type.inputs.data)
        got = [v.type for v in [*self._args(op), *outs]]
        if want != got:
            raise DiagnosticError(at_op(
                op, f"{PASS_NAME}: kernel @{callee} takes ({', '.join(map(str, want))}), but "
                f"the driver passes ({', '.join(map(str, got))}); only static identity-layout "
                "buffers are supported"))

    def _call_lib(self, op: ops.CallLibOp, outs: list[SSAValue]) -> None:
        from mlc_dialects.runtime.registry import ArraySpec, Ptr, UnknownFunctionError, get_func

        name = op.callee.data
        buffers = [*self._args(op), *outs]
        try:
            entry = get_func(name)
        except UnknownFunctionError:
            entry = None  # a Python function registered later, before the executable is made
        if entry is None or entry.kind == "python":
            self._declare_and_call(name, "python", buffers, len(op.args))
            return
        assert entry.native is not None
        specs = [ArraySpec(tuple(b.type.get_shape()),  # type: ignore[union-attr]
                           _numpy_dtype(b.type)) for b in buffers]
        n_in = len(op.args)
        try:
            c_args = entry.native.arguments(specs[:n_in], specs[n_in:])
        except ValueError as err:
            raise DiagnosticError(at_op(op, f"{PASS_NAME}: {err}")) from None
        values: list[SSAValue] = []
        for a in c_args:
            if isinstance(a, Ptr):
                values.append(buffers[a.index])
                continue
            t = {"I32": i32, "I64": i64, "F32": f32, "F64": f64}[type(a).__name__]
            attr = IntegerAttr(a.value, t) if t in (i32, i64) else FloatAttr(a.value, t)
            values.append(self.add(arith.ConstantOp(attr)).results[0])
        self._declare_and_call(name, "native", values, len(op.args))

    def _declare_and_call(self, name: str, kind: str, args: list[SSAValue],
                          num_inputs: int) -> None:
        types = [a.type for a in args]
        symbol = library_symbol(name, types)
        if SymbolTable.lookup_symbol(self.module, symbol) is None:
            decl = func.FuncOp.external(symbol, types, [])
            decl.attributes[LIBRARY_ATTR] = StringAttr(name)
            decl.attributes[LIBRARY_KIND_ATTR] = StringAttr(kind)
            if kind == "python":
                decl.attributes[LIBRARY_INPUTS_ATTR] = IntegerAttr(num_inputs, i64)
            self.module.body.block.add_op(decl)
        self.add(func.CallOp(symbol, args, []))

    def _return(self, op: func.ReturnOp) -> None:
        for k, value in enumerate(op.arguments):
            source = resolve(value)
            owner = source.owner
            if isinstance(owner, (ops.CallTIROp, ops.CallLibOp)) and \
                    self.plan.buffer_of(source).output == k:
                continue  # written in place by its call
            self.add(memref.CopyOp(self.lookup(source, op), self.outputs[k]))

    def _finish(self) -> func.FuncOp:
        if self.arena is not None:
            self.add(memref.DeallocOp.get(self.arena))
        self.add(func.ReturnOp())
        inputs = [a.type for a in self.block.args]
        driver = func.FuncOp.from_region(self.function.sym_name.data, inputs, [],
                                         Region(self.block))
        if self.function.sym_visibility is not None:
            driver.sym_visibility = self.function.sym_visibility
        attrs = driver.attributes
        attrs[NUM_INPUTS_ATTR] = IntegerAttr(len(self.function.function_type.inputs.data), i64)
        attrs[NUM_OUTPUTS_ATTR] = IntegerAttr(len(self.result_types), i64)
        attrs[PEAK_ATTR] = IntegerAttr(self.plan.peak_bytes, i64)
        if self.constants:
            attrs[CONSTANTS_ATTR] = ArrayAttr([c.value for c in self.constants])
            attrs[CONSTANT_OFFSETS_ATTR] = DenseArrayBase.from_list(IntegerType(64),
                                                                    self.constant_offsets)
        return driver


def _numpy_dtype(t: Attribute) -> np.dtype:
    from mlc_dialects.dtypes import numpy_dtype

    assert isinstance(t, MemRefType)
    return np.dtype(numpy_dtype(t.element_type))


def lower_graph_function(module: ModuleOp, function: func.FuncOp) -> func.FuncOp:
    """Replace graph function `function` of `module` by its driver; returns the driver."""
    plan = plan_from_attributes(function) or plan_memory(function, PASS_NAME)
    driver = _Driver(module, function, plan).build()
    module.body.block.insert_op_before(driver, function)
    function.detach()
    function.erase(safe_erase=False)
    return driver


def constants_of(driver: func.FuncOp) -> tuple[list[DenseIntOrFPElementsAttr], list[int]]:
    """The constant values of a driver and their byte offsets in its constant buffer."""
    values = driver.attributes.get(CONSTANTS_ATTR)
    offsets = driver.attributes.get(CONSTANT_OFFSETS_ATTR)
    if not isinstance(values, ArrayAttr) or not isinstance(offsets, DenseArrayBase):
        return [], []
    return list(values.data), [int(v) for v in offsets.get_values()]  # type: ignore[arg-type]


@dataclass(frozen=True)
class ConvertGraphToDriverPass(ModulePass):
    """Lower each graph function to a driver over buffers: planned arena, kernel and library calls.

    Input: graph functions after legalization (and fusion): only `graph.call_tir`,
    `graph.call_lib`, `graph.constant`, `graph.dataflow` and `func.return`, static shapes;
    optionally planned by `graph-plan-memory`. Output: one `func.func` per graph function, of
    the same name, in destination-passing style (see the module docstring for the ABI), plus
    private declarations of the library functions it calls. Kernels are left as they are.

    Before:
        func.func @main(%x: tensor<4x8xf32>) -> tensor<4x8xf32> {
          %a = graph.call_tir @relu_0(%x) : (tensor<4x8xf32>) -> tensor<4x8xf32>
          %b = graph.call_lib "env.relu"(%a) {pure} : (tensor<4x8xf32>) -> tensor<4x8xf32>
          func.return %b : tensor<4x8xf32>
        }
    After:
        func.func @main(%x: memref<4x8xf32>, %result0: memref<4x8xf32>)
            attributes {graph.num_inputs = 1 : i64, graph.num_outputs = 1 : i64,
                        graph.peak_bytes = 128 : i64} {
          %arena = memref.alloc() {alignment = 64 : i64} : memref<128xi8>
          %0 = arith.constant 0 : index
          %a = memref.view %arena[%0][] : memref<128xi8> to memref<4x8xf32>
          func.call @relu_0(%x, %a) : (memref<4x8xf32>, memref<4x8xf32>) -> ()
          func.call @__mlc_lib_env_relu_<hash>(%a, %result0) : (...) -> ()
          memref.dealloc %arena : memref<128xi8>
          func.return
        }
        func.func private @__mlc_lib_env_relu_<hash>(memref<4x8xf32>, memref<4x8xf32>)
            attributes {mlc.library = "env.relu", mlc.library_kind = "python",
                        mlc.library_num_inputs = 1 : i64}
    """

    name = PASS_NAME

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from mlc_dialects.runtime.libs import ensure_builtin_libs

        ensure_builtin_libs()  # so that built-in native entries (blas.sgemm) are called directly
        for function in graph_functions(op):
            lower_graph_function(op, function)
