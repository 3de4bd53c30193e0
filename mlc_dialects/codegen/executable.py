"""`Executable`: compiled functions called on numpy (or any DLPack) arrays, checked first.

    exe = compile_module(module)
    exe["matmul"](A, B, C)          # writes C in place; returns a scalar result or None

Every argument is checked against the function's signature before any native code runs:
the count, and for a memref argument that it is an array (objects with `__dlpack__`, such as
PyTorch CPU tensors, are viewed through `np.from_dlpack`, without a copy) of the right dtype and
shape, C-contiguous (for identity layouts, or exactly the strides of a strided layout) and
aligned to the element size (or to `llvm.align` when the argument asks for more). A mismatch
raises ValueError naming the argument and the expectation. Scalars (`index`, `iN`, `fN`)
take Python numbers.

The calling convention is the bare-pointer memref ABI of `mlc_dialects.codegen.conversion`:
one data pointer per memref, scalars by value.
"""

from __future__ import annotations

import ctypes
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    AnyFloat,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
)
from xdsl.ir import Attribute

from mlc_dialects.codegen.conversion import memref_layout
from mlc_dialects.codegen.jit import JITEngine

_FLOATS = {16: (np.float16, None), 32: (np.float32, ctypes.c_float),
           64: (np.float64, ctypes.c_double)}
_INTS = {1: (np.bool_, ctypes.c_bool), 8: (np.int8, ctypes.c_int8),
         16: (np.int16, ctypes.c_int16), 32: (np.int32, ctypes.c_int32),
         64: (np.int64, ctypes.c_int64)}


def _scalar(t: Attribute) -> tuple[type, Any]:
    """(numpy scalar type, ctypes type) of an element or scalar type."""
    if isinstance(t, IndexType):
        return _INTS[64]
    if isinstance(t, IntegerType) and t.width.data in _INTS:
        return _INTS[t.width.data]
    if isinstance(t, AnyFloat) and t.bitwidth in _FLOATS:
        return _FLOATS[t.bitwidth]
    raise ValueError(f"type {t} cannot cross the Python boundary")


@dataclass(frozen=True)
class MemRefArg:
    """A memref parameter: what an array must look like to be passed."""

    name: str
    shape: tuple[int, ...]
    dtype: np.dtype
    strides: tuple[int, ...]  # in bytes
    contiguous: bool
    alignment: int
    type_text: str
    offset_bytes: int = 0  # a layout offset: the ABI pointer is this far before element 0

    def check(self, value: Any) -> int:
        """The data address of `value`, or ValueError saying what is wrong with it."""
        if not isinstance(value, np.ndarray) and hasattr(value, "__dlpack__"):
            value = np.from_dlpack(value)
        if not isinstance(value, np.ndarray):
            # ValueError like every other mismatch at this boundary: callers catch one type.
            raise ValueError(  # noqa: TRY004
                f"{self.name}: expected an array for {self.type_text}, got "
                f"{type(value).__name__}")
        if value.dtype != self.dtype and not (
                self.dtype.kind in "iu" and value.dtype.kind in "iu"
                and value.dtype.itemsize == self.dtype.itemsize):
            raise ValueError(f"{self.name}: expected dtype {self.dtype} for {self.type_text}, "
                             f"got {value.dtype}")
        if value.shape != self.shape:
            raise ValueError(f"{self.name}: expected shape {self.shape} for {self.type_text}, "
                             f"got {value.shape}")
        if self.contiguous and not value.flags.c_contiguous:
            raise ValueError(f"{self.name}: expected a C-contiguous array for {self.type_text}, "
                             f"got strides {value.strides} (use np.ascontiguousarray)")
        if not self.contiguous and value.strides != self.strides and value.size > 1:
            raise ValueError(f"{self.name}: expected byte strides {self.strides} for "
                             f"{self.type_text}, got {value.strides}")
        address = value.ctypes.data
        if address % self.alignment:
            raise ValueError(f"{self.name}: expected data aligned to {self.alignment} bytes for "
                             f"{self.type_text}, got address {address:#x}")
        return address - self.offset_bytes


@dataclass(frozen=True)
class ScalarArg:
    """A scalar parameter, passed by value."""

    name: str
    ctype: Any
    is_float: bool
    type_text: str

    def check(self, value: Any) -> Any:
        ok = (isinstance(value, (int, float, np.integer, np.floating)) if self.is_float
              else isinstance(value, (int, np.integer, bool, np.bool_)))
        if not ok:
            raise ValueError(f"{self.name}: expected a {self.type_text} number, got "
                             f"{type(value).__name__}")
        return value


Param = MemRefArg | ScalarArg


@dataclass(frozen=True)
class Signature:
    name: str
    params: tuple[Param, ...]
    result: Any  # ctypes type or None

    @staticmethod
    def of(op: func.FuncOp) -> Signature:
        params: list[Param] = []
        arg_attrs = op.arg_attrs.data if op.arg_attrs is not None else ()
        for i, t in enumerate(op.function_type.inputs.data):
            label = f"argument {i}"
            hint = op.body.blocks.first.args[i].name_hint if op.body.blocks else None
            if hint:
                label += f" (%{hint})"
            attrs = arg_attrs[i].data if i < len(arg_attrs) else {}
            params.append(_param(label, t, attrs))
        outputs = op.function_type.outputs.data
        result = _scalar(outputs[0])[1] if outputs else None
        return Signature(op.sym_name.data, tuple(params), result)


def _param(label: str, t: Attribute, attrs: dict[str, Attribute]) -> Param:
    if isinstance(t, MemRefType):
        np_type, _ = _scalar(t.element_type)
        dtype = np.dtype(np_type)
        strides, offset = memref_layout(t)
        shape = tuple(t.get_shape())
        identity = strides == memref_layout(MemRefType(t.element_type, shape))[0]
        align = attrs.get("llvm.align")
        alignment = max(dtype.itemsize, align.value.data if isinstance(align, IntegerAttr) else 1)
        return MemRefArg(label, shape, dtype, tuple(s * dtype.itemsize for s in strides),
                         identity, alignment, str(t), offset * dtype.itemsize)
    _np_type, ctype = _scalar(t)
    return ScalarArg(label, ctype, isinstance(t, AnyFloat), str(t))


class Function:
    """One compiled function; call it with arrays and numbers."""

    def __init__(self, signature: Signature, address: int, owner: Executable) -> None:
        self.signature = signature
        self._owner = owner  # keeps the JIT engine, hence the code, alive
        argtypes = [ctypes.c_void_p if isinstance(p, MemRefArg) else p.ctype
                    for p in signature.params]
        self._cfunc: Callable[..., Any] = ctypes.CFUNCTYPE(signature.result, *argtypes)(address)

    def __call__(self, *args: Any) -> Any:
        params = self.signature.params
        if len(args) != len(params):
            raise ValueError(f"@{self.signature.name} takes {len(params)} arguments, "
                             f"got {len(args)}")
        native = [p.check(a) for p, a in zip(params, args, strict=True)]
        # Arrays viewed through DLPack stay alive in `args` for the duration of the call.
        return self._cfunc(*native)


class Executable:
    """The compiled public functions of a module: `exe["name"](*arrays)`."""

    def __init__(self, engine: JITEngine, signatures: dict[str, Signature]) -> None:
        self.engine = engine
        self.signatures = signatures
        self._functions: dict[str, Function] = {}

    def __getitem__(self, name: str) -> Function:
        if name not in self._functions:
            if name not in self.signatures:
                known = ", ".join("@" + n for n in self.signatures) or "none"
                raise KeyError(f"no compiled function @{name} (functions: {known})")
            self._functions[name] = Function(self.signatures[name],
                                             self.engine.address(name), self)
        return self._functions[name]

    def __contains__(self, name: str) -> bool:
        return name in self.signatures

    @property
    def function_names(self) -> list[str]:
        return list(self.signatures)


def public_signatures(module: ModuleOp) -> dict[str, Signature]:
    """Signatures of the public function definitions of an upstream-level module."""
    out: dict[str, Signature] = {}
    for op in module.ops:
        if not isinstance(op, func.FuncOp) or op.is_declaration:
            continue
        if op.sym_visibility is not None and op.sym_visibility.data == "private":
            continue
        out[op.sym_name.data] = Signature.of(op)
    return out
