"""What converters work with: the `Context` (builder, imported values, error helpers) and the
mapping of ONNX element types and known values to graph types and `graph.constant`s."""

from __future__ import annotations

import re
from typing import Any

import numpy as np
from onnx import TensorProto
from xdsl.dialects.builtin import BytesAttr, DenseIntOrFPElementsAttr, TensorType
from xdsl.ir import Attribute, SSAValue

from dialects.graph import ops
from dialects.graph.builder import GraphBuilder, GraphBuildError
from dialects.graph.interp.dtypes import round_bf16
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError
from mlc_dialects.dtypes import element_type as _element_type
from mlc_dialects.dtypes import numpy_dtype
from mlc_dialects.frontend.onnx.registry import Node

_ONNX_TO_GRAPH = {
    TensorProto.FLOAT: "f32", TensorProto.DOUBLE: "f64", TensorProto.FLOAT16: "f16",
    TensorProto.BFLOAT16: "bf16", TensorProto.INT8: "i8", TensorProto.INT16: "i16",
    TensorProto.INT32: "i32", TensorProto.INT64: "i64", TensorProto.BOOL: "i1",
}
"""ONNX element types the graph dialect holds. Unsigned, string, complex and float8 types have
no graph element type: importing them is an error, never a silent change of type."""

def onnx_type_name(elem: int) -> str:
    return TensorProto.DataType.Name(elem).lower() if elem in TensorProto.DataType.values() \
        else str(elem)


def graph_elem_type(elem: int) -> Attribute | None:
    name = _ONNX_TO_GRAPH.get(elem)
    return None if name is None else _element_type(name)


def array_elem_type(array: np.ndarray) -> Attribute | None:
    """The graph element type of a known value (bf16 arrays come from ml_dtypes)."""
    if array.dtype.name == "bfloat16":
        return _element_type("bf16")
    try:
        return _element_type(array.dtype)
    except (TypeError, ValueError, KeyError):
        return None


def dense_attr(array: np.ndarray, elem: Attribute) -> DenseIntOrFPElementsAttr:
    """`array` as a dense attribute of element type `elem`, packed from bytes (weights can be
    large: no Python lists). A tensor whose elements are all equal is stored as a splat."""
    if array.size > 1 and all(st == 0 for st in array.strides):
        flat = np.array([array.flat[0]], dtype=array.dtype)  # a broadcast view: a splat
    else:
        flat = np.ascontiguousarray(array).reshape(-1)
        if flat.size > 1 and bool(np.all(flat == flat[0])):
            flat = flat[:1]
    storage = numpy_dtype(elem)
    if storage == np.bool_:
        # xDSL packs i1 as one signed byte per element, -1 for true.
        data = (-flat.astype(np.int8)).astype("<i1").tobytes()
    elif elem == _element_type("bf16"):
        bits = round_bf16(flat.astype(np.float32)).view(np.uint32) >> np.uint32(16)
        data = bits.astype("<u2").tobytes()
    else:
        data = flat.astype(storage.newbyteorder("<")).tobytes()
    return DenseIntOrFPElementsAttr(TensorType(elem, list(array.shape)), BytesAttr(data))


def ssa_name(name: str) -> str:
    cleaned = re.sub(r"[^\w$.-]", "_", name)
    return cleaned if re.match(r"[A-Za-z_$.-]", cleaned) else "_" + cleaned


class NeedsConstant(DiagnosticError):
    """A graph input is used where a value known at import time is needed (a shape, axes,
    pads...). `input_name` names it; a caller that knows its value (the ONNX backend, at run
    time) can import again with `bind_inputs={input_name: value}`."""

    def __init__(self, diagnostics: list[Diagnostic], input_name: str) -> None:
        super().__init__(diagnostics)
        self.input_name = input_name


class Context:
    """What a converter sees: the builder, the values imported so far and error helpers."""

    def __init__(self, builder: GraphBuilder, source: str) -> None:
        self.b = builder
        self.source = source
        self.values: dict[str, SSAValue | np.ndarray] = {}
        self._materialized: dict[str, SSAValue] = {}
        self.consumers: dict[str, list[Node]] = {}
        self.producers: dict[str, Node] = {}
        self.graph_outputs: set[str] = set()
        self.graph_inputs: set[str] = set()

    # --- errors -----------------------------------------------------------------------------

    def error(self, message: str) -> DiagnosticError:
        return DiagnosticError(Diagnostic("error", message, self.source))

    def unsupported(self, node: Node, what: str) -> DiagnosticError:
        """`model.onnx: error: node 'conv1' (Conv, opset 11): <what>`; raise it."""
        return self.error(f"{node.label}: {what}")

    # --- inputs -----------------------------------------------------------------------------

    def _name(self, node: Node, index: int) -> str:
        if not node.has_input(index):
            raise self.unsupported(node, f"input #{index} is required but not given")
        return node.inputs[index]

    def static(self, node: Node, index: int) -> np.ndarray | None:
        """Input #index if it is known at import time (None if it is not, or not given)."""
        if not node.has_input(index):
            return None
        v = self.values[node.inputs[index]]
        return v if isinstance(v, np.ndarray) else None

    def const_input(self, node: Node, index: int, what: str) -> np.ndarray:
        """Input #index, which must be known at import time (a shape, axes, pads, ...)."""
        v = self.static(node, index)
        if v is None:
            given = "computed at run time" if node.has_input(index) else "missing"
            name = node.inputs[index] if node.has_input(index) else ""
            if name in self.graph_inputs:
                given = f"the graph input '{name}'"
            err = self.unsupported(
                node, f"input #{index} ({what}) must be a constant known at import time, "
                f"but it is {given}; only static shapes are supported (bind the input to a "
                "value with bind_inputs, or make it an initializer)")
            if name in self.graph_inputs:
                raise NeedsConstant(err.diagnostics, name)
            raise err
        return v

    def value(self, node: Node, index: int) -> SSAValue:
        """Input #index as an SSA value (a known value becomes a `graph.constant`, once)."""
        name = self._name(node, index)
        v = self.values[name]
        if isinstance(v, SSAValue):
            return v
        cached = self._materialized.get(name)
        if cached is None:
            cached = self.const(v, node)
            if not cached.name_hint:
                cached.name_hint = ssa_name(name)
            self._materialized[name] = cached
        return cached

    def optional_value(self, node: Node, index: int) -> SSAValue | None:
        return self.value(node, index) if node.has_input(index) else None

    def shape(self, node: Node, index: int) -> tuple[int, ...]:
        v = self.values[self._name(node, index)]
        if isinstance(v, np.ndarray):
            return tuple(v.shape)
        return tuple(v.type.get_shape())

    def elem(self, node: Node, index: int) -> Attribute:
        v = self.values[self._name(node, index)]
        if isinstance(v, np.ndarray):
            elem = array_elem_type(v)
            if elem is None:
                raise self.unsupported(node, f"input #{index} has element type {v.dtype}, "
                                       "which the graph dialect has no type for")
            return elem
        return v.type.element_type

    # --- building ---------------------------------------------------------------------------

    def const(self, array: np.ndarray, node: Node | None = None,
              elem: Attribute | None = None) -> SSAValue:
        """A `graph.constant` holding `array` (element type `elem`, else the array's)."""
        if elem is None:
            elem = array_elem_type(np.asarray(array))
        if elem is None:
            where = f"{node.label}: " if node is not None else ""
            raise self.error(f"{where}a constant of element type {np.asarray(array).dtype} has "
                             "no graph element type (unsigned, string and float8 are not "
                             "supported)")
        array = np.asarray(array)
        if array.dtype.name == "bfloat16":
            array = array.astype(np.float32)
        op = ops.ConstantOp(dense_attr(array, elem))
        return self.b._add(op)  # the builder's constant() packs via Python lists: too slow

    def scalar(self, value: float, like: SSAValue | Attribute) -> SSAValue:
        """A 0-d constant of the element type of `like` (a value or an element type)."""
        elem = like.type.element_type if isinstance(like, SSAValue) else like
        dtype = numpy_dtype(elem)
        return self.const(np.array(value, dtype=dtype), elem=elem)

    def build(self, node: Node, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a builder method; a shape or type mistake becomes an error at the node."""
        try:
            return fn(*args, **kwargs)
        except GraphBuildError as err:
            raise self.unsupported(node, f"cannot be expressed in the graph dialect: {err}"
                                   ) from None

    def single_consumer(self, name: str) -> Node | None:
        """The only node reading value `name`, if it is not also a graph output."""
        users = self.consumers.get(name, [])
        if len({u.index for u in users}) == 1 and name not in self.graph_outputs:
            return users[0]
        return None


