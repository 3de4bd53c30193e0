"""Compile graph modules to native code: `compile_graph(module)["main"](*arrays) -> arrays`.

    from mlc_dialects.graph_executable import compile_graph
    exe = compile_graph(module)                    # or IR text
    y = exe["main"](x, w0, b0, w1, b1)             # numpy array (a tuple for several results)
    exe["main"](x, w0, b0, w1, b1, out=y)          # reuse result arrays
    exe.peak_bytes("main")                         # planned intermediate memory, in bytes

The stages, each with why it is there:

    graph-dispatch-library{ops=...}   only when `library_ops` is given: chosen ops/patterns ->
                                      graph.call_lib of registered library functions
    (large matmuls -> blas.sgemm)     by default (`library_ops="auto"`): see "Library dispatch
                                      by default" below
    convert-graph-to-tensor           every remaining graph op -> a te kernel + graph.call_tir
    graph-fuse                        when `fuse` and passes/graph_fuse.py exists: fuse
                                      elementwise/injective chains into their producers
    graph-plan-memory                 intermediates share one arena when lifetimes allow
    convert-graph-to-driver           each graph function -> one driver over buffers
    (constants stripped)              the values go into one byte buffer made here, once
    lower_tensor_module               kernels: tensor -> loops -> hw -> upstream
    lower-memref-views                the driver's arena/constant views -> pointer offsets
    library symbols                   Python library functions get a ctypes trampoline, native
                                      ones their address, both under the driver's symbol names
    compile_module                    upstream -> llvm -> O3 -> MCJIT (cached by module text)

The call boundary. `exe["main"](*arrays)` checks the arguments as the codegen `Executable`
does (count, then per array: dtype, shape, C-contiguity, element alignment; ValueError naming
the argument), allocates the results with `np.empty` (or takes them from `out=`, checked the
same way), and makes one ctypes call of the driver: inputs, results, then the constant
buffer. The common case (numpy arrays of the right dtype and shape) takes a short path; any
other value goes through the full check, which also accepts DLPack arrays (PyTorch CPU
tensors) without copies.

Library dispatch by default (TVM's BYOC with a size rule). Our default matmul schedule is a
register-tiled loop nest without packing: excellent while the right operand (K x N) stays in
the L2 cache (the MLP's 784x128 weights: 1.1x OpenBLAS), a third of OpenBLAS's speed when it
does not (1024x1024: each 8x32 tile then streams the whole operand from L3). So with the
default `library_ops="auto"`, a 2-D f32 `graph.matmul` whose right operand has at least
`BLAS_MIN_RHS_BYTES` and whose left operand at least `BLAS_MIN_ROWS` rows becomes a
`graph.call_lib "blas.sgemm"` (numpy's OpenBLAS, `mlc_dialects.runtime.libs`); everything
else is compiled. Without an OpenBLAS (`blas.sgemm` not registered) nothing is dispatched
and every matmul is compiled. `library_ops=()` compiles everything; an explicit pattern list
(`("matmul",)`) dispatches exactly what it names. OpenBLAS runs on its own threads: their
count is OpenBLAS's (`OPENBLAS_NUM_THREADS`, threadpoolctl), not `MLC_NUM_THREADS`.

Python library functions run inside the native call, through a trampoline: a ctypes
CFUNCTYPE callback bound with `llvmlite.binding.add_symbol` to the symbol the driver calls.
It wraps the pointers into numpy arrays without copies (inputs read-only), looks the function
up in the registry (so re-registering with `override=True` takes effect) and calls it. An
exception cannot unwind through native code: the trampoline records it, returns, and the call
raises it (as `LibraryCallError`, with the original as its cause) when the driver returns.
"""

from __future__ import annotations

import ctypes
import functools
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, MemRefType, ModuleOp, StringAttr

from mlc_dialects.codegen.executable import MemRefArg, Signature

__all__ = ["GraphExecutable", "GraphFunction", "LibraryCallError", "compile_graph",
           "graph_to_driver_module"]


class LibraryCallError(RuntimeError):
    """A Python library function called from compiled code failed; `__cause__` is why."""


# --- library symbols ---------------------------------------------------------------------------

_SYMBOLS_LOCK = threading.Lock()
_TRAMPOLINES: dict[str, Any] = {}  # symbol -> CFUNCTYPE object (kept alive for the process)
_PENDING = threading.local()       # .error: the first exception of the current call


def _wrap(address: int, shape: tuple[int, ...], typestr: str, readonly: bool) -> np.ndarray:
    """A numpy array over memory at `address` (no copy)."""
    holder = _ArrayView()
    holder.__array_interface__ = {"data": (address, readonly), "shape": shape,
                                  "typestr": typestr, "version": 3}
    return np.asarray(holder)


class _ArrayView:
    __slots__ = ("__array_interface__", "__weakref__")


def _make_trampoline(library: str, types: Sequence[MemRefType], num_inputs: int):
    from mlc_dialects.dtypes import numpy_dtype
    from mlc_dialects.runtime.registry import get_func

    specs = [(tuple(t.get_shape()), np.dtype(numpy_dtype(t.element_type)).str, i < num_inputs)
             for i, t in enumerate(types)]

    def trampoline(*pointers: int | None) -> None:
        try:
            arrays = [_wrap(p or 0, shape, typestr, readonly)
                      for p, (shape, typestr, readonly) in zip(pointers, specs, strict=True)]
            returned = get_func(library)(*arrays)
            if returned is not None:
                raise TypeError(f"library function '{library}' returned a value; library "
                                "functions write their results into the output arguments "
                                "passed after the inputs and return None")
        except BaseException as err:  # noqa: BLE001 - must not unwind through native frames
            if getattr(_PENDING, "error", None) is None:
                _PENDING.error = (library, err)

    proto = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * len(types)))
    return proto(trampoline)


def install_library_symbols(module: ModuleOp) -> None:
    """Bind every library declaration of a driver module to its implementation (see above)."""
    import llvmlite.binding as llvm

    from mlc_dialects.runtime.registry import get_func
    from passes.convert_graph_to_driver import (
        LIBRARY_ATTR,
        LIBRARY_INPUTS_ATTR,
        LIBRARY_KIND_ATTR,
    )

    for op in module.ops:
        name = op.attributes.get(LIBRARY_ATTR)
        if not isinstance(op, func.FuncOp) or not isinstance(name, StringAttr):
            continue
        symbol = op.sym_name.data
        kind = op.attributes[LIBRARY_KIND_ATTR]
        entry = get_func(name.data)  # UnknownFunctionError now rather than at the first call
        if isinstance(kind, StringAttr) and kind.data == "native":
            if entry.native is None:
                raise ValueError(f"@{symbol} was compiled for native library function "
                                 f"'{name.data}', which is now registered as a Python function; "
                                 "compile again")
            llvm.add_symbol(symbol, entry.native.address)
            continue
        with _SYMBOLS_LOCK:
            if symbol in _TRAMPOLINES:
                continue  # same name -> same callee and types -> same trampoline
            n_in = op.attributes[LIBRARY_INPUTS_ATTR]
            assert isinstance(n_in, IntegerAttr)
            types = [t for t in op.function_type.inputs.data]
            callback = _make_trampoline(name.data, types, n_in.value.data)  # type: ignore[arg-type]
            _TRAMPOLINES[symbol] = callback
            llvm.add_symbol(symbol, ctypes.cast(callback, ctypes.c_void_p).value)


# --- the compiled functions --------------------------------------------------------------------


@dataclass(frozen=True)
class DriverSpec:
    """What the Python side knows of one driver: its boundary and its constant buffer."""

    name: str
    inputs: tuple[MemRefArg, ...]
    outputs: tuple[MemRefArg, ...]
    constants: np.ndarray | None
    peak_bytes: int


def _aligned_bytes(size: int, alignment: int = 64) -> np.ndarray:
    raw = np.zeros(size + alignment, dtype=np.uint8)
    start = (-raw.ctypes.data) % alignment
    return raw[start:start + size]


def _constant_pool(driver: func.FuncOp) -> np.ndarray | None:
    from dialects.graph.interp.structure import dense_to_numpy
    from passes.convert_graph_to_driver import constants_of

    values, offsets = constants_of(driver)
    if not values:
        return None
    pool_type = driver.function_type.inputs.data[-1]
    assert isinstance(pool_type, MemRefType)
    pool = _aligned_bytes(pool_type.get_shape()[0])
    for value, offset in zip(values, offsets, strict=True):
        array = np.ascontiguousarray(dense_to_numpy(value))
        data = array.view(np.uint8).reshape(-1)
        pool[offset:offset + data.size] = data
    pool.flags.writeable = False
    return pool


# The short path of the call boundary. Reading an array's attributes from Python costs more
# than the native call: `a.ctypes.data` about a microsecond, `a.flags` a few hundred
# nanoseconds, even `a.dtype != dtype` and `a.shape != shape` some 100 ns per array. So
# Python checks nothing: the arrays go as Python objects (`ctypes.py_object`: no conversion)
# to a tiny JIT-compiled entry that reads numpy's public `PyArrayObject` / `PyArray_Descr`
# structs (`data`, `nd`, `dimensions`, `descr`, `flags` after `PyObject_HEAD`; the
# descriptor's `byteorder` and `type_num`), and checks for each array that it is exactly a
# numpy.ndarray (its `ob_type`), of the parameter's dtype (type number, not big-endian),
# rank and shape, C-contiguous and aligned (and `out=` arrays writeable). Then it calls the
# driver. It returns 0, or 1 + the index of the first array that fails, for which the call
# takes the general path (which reports what is wrong, or accepts what it may: DLPack).
# `_array_layout()` probes the layout on this interpreter once; if it does not hold, no entry
# is built and every call takes the general path.

_C_CONTIGUOUS = 0x1   # NPY_ARRAY_C_CONTIGUOUS
_ALIGNED = 0x100      # NPY_ARRAY_ALIGNED
_WRITEABLE = 0x400    # NPY_ARRAY_WRITEABLE


@dataclass(frozen=True)
class _Layout:
    """Byte offsets in numpy's structs (PyArrayObject, PyArray_Descr) on this interpreter."""

    type: int       # PyObject.ob_type
    data: int
    nd: int
    dims: int
    descr: int
    flags: int
    byteorder: int  # PyArray_Descr.byteorder (char)
    type_num: int   # PyArray_Descr.type_num (int)


@functools.cache
def _array_layout() -> _Layout | None:
    """The offsets of numpy's public struct layout, checked on real arrays (None: mismatch)."""
    pointer = ctypes.sizeof(ctypes.c_void_p)
    data = 2 * pointer                     # PyObject_HEAD: refcount, type
    layout = _Layout(type=pointer, data=data, nd=data + pointer, dims=data + 2 * pointer,
                     descr=data + 5 * pointer, flags=data + 6 * pointer,
                     byteorder=3 * pointer + 2, type_num=3 * pointer + 4)

    def ptr(address: int) -> int:
        return ctypes.c_void_p.from_address(address).value or 0

    def facts(a: np.ndarray) -> tuple[object, ...]:
        base = id(a)
        dims = ptr(base + layout.dims)
        nd = ctypes.c_int.from_address(base + layout.nd).value
        descr = ptr(base + layout.descr)
        return (ptr(base + layout.type), ptr(base + layout.data), nd,
                tuple(ctypes.c_ssize_t.from_address(dims + 8 * i).value for i in range(nd)),
                ctypes.c_int.from_address(base + layout.flags).value,
                ctypes.c_char.from_address(descr + layout.byteorder).value,
                ctypes.c_int.from_address(descr + layout.type_num).value)

    try:
        good = np.zeros((3, 4), dtype=np.float32)
        kind, address, nd, shape, flags, order, num = facts(good)
        big = np.zeros(5, dtype=">f4")
        _, _, _, big_shape, _, big_order, big_num = facts(big)
        _, _, _, _, bad_flags, _, _ = facts(good.T)
    except (ValueError, OSError):
        return None
    if (kind != id(np.ndarray) or address != good.ctypes.data or nd != 2 or shape != (3, 4)
            or flags & (_C_CONTIGUOUS | _ALIGNED) != _C_CONTIGUOUS | _ALIGNED
            or bad_flags & _C_CONTIGUOUS or num != np.dtype(np.float32).num
            or order == b">" or big_order != b">" or big_num != num or big_shape != (5,)):
        return None
    return layout


def _object_entry(driver_address: int, params: Sequence[MemRefArg], num_inputs: int,
                  has_pool: bool) -> tuple[Any, Any]:
    """(JIT engine, ctypes function) of `entry(in.., out..[, pool]) -> i32` (see above)."""
    from mlc_dialects.codegen.jit import JITEngine
    from mlc_dialects.codegen.target import Target

    layout = _array_layout()
    assert layout is not None
    n = len(params)
    ndarray = id(np.ndarray)
    args = [f"ptr %o{i}" for i in range(n)] + (["ptr %pool"] if has_pool else [])
    lines = [f"define i32 @entry({', '.join(args)}) {{", "entry:"]

    def check(i: int, step: str, condition: list[str]) -> None:
        """`condition` computes %{step}{i} (i1); false -> return i + 1."""
        lines.extend(condition)
        lines.extend([f"  br i1 %{step}{i}, label %{step}_ok{i}, label %bad{i}",
                      f"{step}_ok{i}:"])

    for i, p in enumerate(params):
        want = _C_CONTIGUOUS | _ALIGNED | (_WRITEABLE if i >= num_inputs else 0)
        shape = p.shape
        check(i, "ty", [f"  %tp{i} = getelementptr i8, ptr %o{i}, i64 {layout.type}",
                        f"  %tv{i} = load i64, ptr %tp{i}, align 8",
                        f"  %ty{i} = icmp eq i64 %tv{i}, {ndarray}"])
        check(i, "fl", [f"  %fp{i} = getelementptr i8, ptr %o{i}, i64 {layout.flags}",
                        f"  %fv{i} = load i32, ptr %fp{i}, align 4",
                        f"  %fm{i} = and i32 %fv{i}, {want}",
                        f"  %fl{i} = icmp eq i32 %fm{i}, {want}"])
        check(i, "nd", [f"  %np{i} = getelementptr i8, ptr %o{i}, i64 {layout.nd}",
                        f"  %nv{i} = load i32, ptr %np{i}, align 4",
                        f"  %nd{i} = icmp eq i32 %nv{i}, {len(shape)}"])
        check(i, "dt", [f"  %ep{i} = getelementptr i8, ptr %o{i}, i64 {layout.descr}",
                        f"  %e{i} = load ptr, ptr %ep{i}, align 8",
                        f"  %kp{i} = getelementptr i8, ptr %e{i}, i64 {layout.type_num}",
                        f"  %kv{i} = load i32, ptr %kp{i}, align 4",
                        f"  %kk{i} = icmp eq i32 %kv{i}, {p.dtype.num}",
                        f"  %bp{i} = getelementptr i8, ptr %e{i}, i64 {layout.byteorder}",
                        f"  %bv{i} = load i8, ptr %bp{i}, align 1",
                        f"  %bb{i} = icmp ne i8 %bv{i}, {ord('>')}",
                        f"  %dt{i} = and i1 %kk{i}, %bb{i}"])
        if shape:
            dims = [f"  %dp{i} = getelementptr i8, ptr %o{i}, i64 {layout.dims}",
                    f"  %da{i} = load ptr, ptr %dp{i}, align 8"]
            conj = "true"
            for d, extent in enumerate(shape):
                dims += [f"  %dg{i}_{d} = getelementptr i64, ptr %da{i}, i64 {d}",
                         f"  %dv{i}_{d} = load i64, ptr %dg{i}_{d}, align 8",
                         f"  %dc{i}_{d} = icmp eq i64 %dv{i}_{d}, {extent}",
                         f"  %dx{i}_{d} = and i1 {conj}, %dc{i}_{d}"]
                conj = f"%dx{i}_{d}"
            dims.append(f"  %sh{i} = or i1 {conj}, false")
            check(i, "sh", dims)
    for i in range(n):
        lines += [f"  %xp{i} = getelementptr i8, ptr %o{i}, i64 {layout.data}",
                  f"  %x{i} = load ptr, ptr %xp{i}, align 8"]
    call_args = [f"ptr %x{i}" for i in range(n)] + (["ptr %pool"] if has_pool else [])
    lines += [f"  %fn = inttoptr i64 {driver_address} to ptr",
              f"  call void %fn({', '.join(call_args)})", "  ret i32 0"]
    for i in range(n):
        lines += [f"bad{i}:", f"  ret i32 {i + 1}"]
    lines.append("}")
    engine = JITEngine("\n".join(lines) + "\n", Target.host(), speed_level=2)
    argtypes = [ctypes.py_object] * n + ([ctypes.c_void_p] if has_pool else [])
    return engine, ctypes.CFUNCTYPE(ctypes.c_int32, *argtypes)(engine.address("entry"))


class GraphFunction:
    """One compiled graph function: `f(*arrays, out=None)` returns its result array(s)."""

    def __init__(self, spec: DriverSpec, address: int, owner: GraphExecutable,
                 python_libraries: bool = True):
        self.spec = spec
        self._owner = owner  # keeps the JIT engine alive
        n = len(spec.inputs) + len(spec.outputs) + (spec.constants is not None)
        self._cfunc = ctypes.CFUNCTYPE(None, *([ctypes.c_void_p] * n))(address)
        self._pool = () if spec.constants is None else (spec.constants.ctypes.data,)
        self._out_alloc = [(p.shape, p.dtype) for p in spec.outputs]
        self._num_inputs = len(spec.inputs)
        self._single = len(spec.outputs) == 1
        self._python_libraries = python_libraries  # trampolines may leave an error behind
        self._entry = None
        # The entry checks numpy's `aligned` flag, i.e. alignment to the dtype's alignment;
        # a parameter asking for more (`llvm.align`) always takes the general path.
        params = list(spec.inputs) + list(spec.outputs)
        if _array_layout() is not None and all(p.alignment <= p.dtype.alignment
                                               for p in params):
            self._entry_engine, self._entry = _object_entry(
                address, params, len(spec.inputs), spec.constants is not None)

    def __call__(self, *args: Any, out: np.ndarray | Sequence[np.ndarray] | None = None) -> Any:
        entry = self._entry
        if entry is None or len(args) != self._num_inputs:
            return self._general(args, out)
        if out is None:
            if self._single:
                shape, dtype = self._out_alloc[0]
                outs = [np.empty(shape, dtype)]
            else:
                outs = [np.empty(shape, dtype) for shape, dtype in self._out_alloc]
        else:
            outs = [out] if type(out) is np.ndarray else list(out)  # type: ignore[arg-type]
            if len(outs) != len(self._out_alloc):
                return self._general(args, out)  # which reports the count
        if not self._python_libraries:
            if entry(*args, *outs, *self._pool) == 0:
                return outs[0] if self._single else tuple(outs)
            return self._general(args, out)
        _PENDING.error = None
        if entry(*args, *outs, *self._pool) == 0:
            if _PENDING.error is not None:
                self._raise_pending()
            return outs[0] if self._single else tuple(outs)
        return self._general(args, out)

    def _general(self, args: Sequence[Any], out: Any) -> Any:
        """The full check of every argument (DLPack accepted), then the call by address."""
        if len(args) != len(self.spec.inputs):
            raise ValueError(f"@{self.spec.name} takes {len(self.spec.inputs)} arguments, "
                             f"got {len(args)}")
        pointers = [p.check(a) for a, p in zip(args, self.spec.inputs)]
        if out is None:
            outs = [np.empty(shape, dtype) for shape, dtype in self._out_alloc]
        else:
            outs = [out] if isinstance(out, np.ndarray) or not isinstance(out, Sequence) \
                else list(out)
            if len(outs) != len(self._out_alloc):
                raise ValueError(f"@{self.spec.name}: out= needs {len(self._out_alloc)} "
                                 f"arrays, got {len(outs)}")
            for o, p in zip(outs, self.spec.outputs, strict=True):
                if isinstance(o, np.ndarray) and not o.flags.writeable:
                    raise ValueError(f"{p.name}: out= array is read-only")
        pointers += [p.check(o) for o, p in zip(outs, self.spec.outputs)]
        _PENDING.error = None
        self._cfunc(*pointers, *self._pool)
        if _PENDING.error is not None:
            self._raise_pending()
        return outs[0] if self._single else tuple(outs)

    def _raise_pending(self) -> None:
        library, err = _PENDING.error
        _PENDING.error = None
        raise LibraryCallError(f"library function '{library}' called by @{self.spec.name} "
                               f"failed: {type(err).__name__}: {err}") from err


class GraphExecutable:
    """The compiled graph functions of a module: `exe["main"](*arrays)` returns arrays."""

    def __init__(self, executable: Any, drivers: dict[str, DriverSpec], module: ModuleOp):
        self.executable = executable  # the codegen Executable: kernels callable directly too
        self.drivers = drivers
        self.module = module          # the lowered driver module (constants stripped)
        self._functions: dict[str, GraphFunction] = {}

    def __getitem__(self, name: str) -> GraphFunction:
        if name not in self._functions:
            if name not in self.drivers:
                known = ", ".join("@" + n for n in self.drivers) or "none"
                raise KeyError(f"no compiled graph function @{name} (graph functions: {known})")
            self._functions[name] = GraphFunction(
                self.drivers[name], self.executable.engine.address(name), self,
                _calls_python_libraries(self.module))
        return self._functions[name]

    def __contains__(self, name: str) -> bool:
        return name in self.drivers

    @property
    def function_names(self) -> list[str]:
        return list(self.drivers)

    def peak_bytes(self, name: str = "main") -> int:
        """Planned bytes of intermediates of graph function `name` (its arena size)."""
        return self.drivers[name].peak_bytes


def _calls_python_libraries(module: ModuleOp) -> bool:
    """Whether the driver module declares a Python library function (a trampoline)."""
    from passes.convert_graph_to_driver import LIBRARY_ATTR, LIBRARY_KIND_ATTR

    for op in module.ops:
        if isinstance(op, func.FuncOp) and LIBRARY_ATTR in op.attributes:
            kind = op.attributes.get(LIBRARY_KIND_ATTR)
            if not (isinstance(kind, StringAttr) and kind.data == "native"):
                return True
    return False


# --- compilation -------------------------------------------------------------------------------

AUTO_LIBRARY = "auto"
"""`library_ops` default: large matmuls go to blas.sgemm (see "Library dispatch by default")."""

BLAS_MIN_RHS_BYTES = 1 << 20
"""Right operands from this size on no longer stay in L2 next to the rest, and the compiled
matmul (no packing) falls to a third of OpenBLAS: dispatch them."""

BLAS_MIN_ROWS = 64
"""Below this many rows (a GEMV, small batches) the compiled kernel, with its epilogue fused,
is as fast as sgemm and saves a library call."""


def _dispatch_large_matmuls(module: ModuleOp) -> None:
    """Replace the matmuls that `BLAS_MIN_RHS_BYTES`/`BLAS_MIN_ROWS` select by blas.sgemm calls
    (when numpy's OpenBLAS is there); uses graph-dispatch-library's own matmul pattern."""
    from xdsl.pattern_rewriter import PatternRewriteWalker

    from dialects.graph import ops as graph_ops
    from mlc_dialects.runtime.libs import ensure_builtin_libs
    from mlc_dialects.runtime.registry import list_funcs
    from passes.graph_dispatch_library import DispatchMatmul

    ensure_builtin_libs()
    if "blas.sgemm" not in list_funcs():
        return

    class DispatchLargeMatmul(DispatchMatmul):
        def match_and_rewrite(self, op, rewriter) -> None:  # type: ignore[no-untyped-def]
            if not isinstance(op, graph_ops.MatmulOp) or not _large(op):
                return
            super().match_and_rewrite(op, rewriter)

    PatternRewriteWalker(DispatchLargeMatmul("blas.sgemm"),
                         apply_recursively=False).rewrite_module(module)


def _large(op: Any) -> bool:
    lhs, rhs = op.lhs.type, op.rhs.type
    if not hasattr(lhs, "get_shape") or not hasattr(rhs, "get_shape"):
        return False
    lhs_shape, rhs_shape = lhs.get_shape(), rhs.get_shape()
    if len(lhs_shape) != 2 or len(rhs_shape) != 2 or min(*lhs_shape, *rhs_shape) <= 0:
        return False
    return lhs_shape[0] >= BLAS_MIN_ROWS and rhs_shape[0] * rhs_shape[1] * 4 >= BLAS_MIN_RHS_BYTES


def graph_to_driver_module(module: ModuleOp, library_ops: Sequence[str] | str = AUTO_LIBRARY,
                           fuse: bool = True, schedule: bool = True) -> ModuleOp:
    """A copy of `module` with graph functions lowered to drivers; kernels still tensor-level."""
    from mlc_dialects.context import make_context
    from passes.convert_graph_to_driver import ConvertGraphToDriverPass
    from passes.convert_graph_to_tensor import ConvertGraphToTensorPass
    from passes.graph_dispatch_library import GraphDispatchLibraryPass
    from passes.graph_plan_memory import GraphPlanMemoryPass

    module = module.clone()
    ctx = make_context()
    stages = []
    if library_ops == AUTO_LIBRARY:
        _dispatch_large_matmuls(module)
    elif library_ops:
        stages.append(GraphDispatchLibraryPass(ops=tuple(library_ops)))
    stages.append(ConvertGraphToTensorPass())
    if fuse:
        from passes.graph_fuse import GraphFusePass

        stages.append(GraphFusePass())
    if schedule:
        from passes.tensor_default_schedule import TensorDefaultSchedulePass

        stages.append(TensorDefaultSchedulePass())
    stages += [GraphPlanMemoryPass(), ConvertGraphToDriverPass()]
    for stage in stages:
        stage.apply(ctx, module)
    return module


def compile_graph(module_or_text: ModuleOp | str,
                  library_ops: Sequence[str] | str = AUTO_LIBRARY,
                  fuse: bool = True, vector_bits: int = 0, num_threads: int = 0,
                  schedule: bool = True) -> GraphExecutable:
    """Compile every graph function of a module to one native driver (see the docstring).

    `library_ops` are `graph-dispatch-library` patterns (`("linear",)`, `("matmul:blas.sgemm",)`),
    `()` for none, or `"auto"` (default): large matmuls to blas.sgemm when numpy has an
    OpenBLAS (the module docstring says which);
    `fuse` runs `graph-fuse`; `schedule` runs `tensor-default-schedule` on the kernels;
    `vector_bits` / `num_threads` go to the
    tensor lowering (0: the host's vector width, MLC_NUM_THREADS at run time).
    """
    from mlc_dialects.api import as_module
    from mlc_dialects.codegen import compile_module
    from mlc_dialects.codegen_threads import load_thread_runtime
    from mlc_dialects.lowering import lower_tensor_module
    from passes.convert_graph_to_driver import (
        CONSTANT_OFFSETS_ATTR,
        CONSTANTS_ATTR,
        NUM_INPUTS_ATTR,
        NUM_OUTPUTS_ATTR,
    )
    from passes.graph_plan_memory import PEAK_ATTR

    driver_module = graph_to_driver_module(as_module(module_or_text), library_ops, fuse,
                                           schedule)
    specs: dict[str, DriverSpec] = {}
    for op in driver_module.ops:
        if not isinstance(op, func.FuncOp) or NUM_INPUTS_ATTR not in op.attributes:
            continue
        n_in = op.attributes[NUM_INPUTS_ATTR].value.data  # type: ignore[attr-defined]
        n_out = op.attributes[NUM_OUTPUTS_ATTR].value.data  # type: ignore[attr-defined]
        pool = _constant_pool(op)
        # The values now live in `pool`; printing them (the codegen cache key) would be slow.
        op.attributes.pop(CONSTANTS_ATTR, None)
        op.attributes.pop(CONSTANT_OFFSETS_ATTR, None)
        params = Signature.of(op).params
        outputs = tuple(_result_param(p, k) for k, p in enumerate(params[n_in:n_in + n_out]))
        specs[op.sym_name.data] = DriverSpec(
            op.sym_name.data, tuple(params[:n_in]), outputs,  # type: ignore[arg-type]
            pool, op.attributes[PEAK_ATTR].value.data)  # type: ignore[attr-defined]
    lowered = lower_tensor_module(driver_module, vector_bits=vector_bits,
                                  num_threads=num_threads)
    install_library_symbols(lowered)
    if any(op.name == "func.call" and op.callee.string_value() == "GOMP_parallel"  # type: ignore[attr-defined]
           for op in lowered.walk()):
        load_thread_runtime()
    exe = compile_module(lowered)
    return GraphExecutable(exe, specs, lowered)


def _result_param(p: Any, k: int) -> MemRefArg:
    assert isinstance(p, MemRefArg)
    return MemRefArg(f"result {k}", p.shape, p.dtype, p.strides, p.contiguous, p.alignment,
                     p.type_text, p.offset_bytes)
