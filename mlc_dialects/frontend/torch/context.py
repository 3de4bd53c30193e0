"""What converters work with: the `Node` (an ATen call with its arguments bound to their
schema names), the `Context` (builder, imported values, error helpers) and the mapping of
torch dtypes and known tensors to graph types and `graph.constant`s."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

import numpy as np
import torch
from xdsl.dialects.builtin import (
    BFloat16Type,
    BytesAttr,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerType,
    TensorType,
)
from xdsl.ir import Attribute, SSAValue

from dialects.graph import ops
from dialects.graph.builder import GraphBuilder, GraphBuildError
from dialects.graph.interp.dtypes import round_bf16
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError
from mlc_dialects.dtypes import numpy_dtype

_TORCH_TO_GRAPH: dict[torch.dtype, Attribute] = {
    torch.float32: Float32Type(), torch.float64: Float64Type(), torch.float16: Float16Type(),
    torch.bfloat16: BFloat16Type(), torch.int8: IntegerType(8), torch.int16: IntegerType(16),
    torch.int32: IntegerType(32), torch.int64: IntegerType(64), torch.bool: IntegerType(1),
}
"""torch dtypes the graph dialect holds. Unsigned (other than bool), complex and float8 types
have no graph element type: importing them is an error, never a silent change of type."""


def graph_elem_type(dtype: torch.dtype) -> Attribute | None:
    return _TORCH_TO_GRAPH.get(dtype)


def torch_dtype(elem: Attribute) -> torch.dtype:
    for dt, e in _TORCH_TO_GRAPH.items():
        if e == elem:
            return dt
    raise TypeError(f"no torch dtype for {elem}")


def is_float(elem: Attribute) -> bool:
    return isinstance(elem, (Float16Type, BFloat16Type, Float32Type, Float64Type))


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """A known tensor as a numpy array (bf16 as float32, the interpreter's convention)."""
    t = t.detach().cpu()
    if t.dtype == torch.bfloat16:
        t = t.to(torch.float32)
    return t.contiguous().numpy()


def dense_attr(t: torch.Tensor, elem: Attribute) -> DenseIntOrFPElementsAttr:
    """A known tensor as a dense attribute, packed from bytes (weights can be large: no Python
    lists). A tensor whose elements are all equal is stored as a splat."""
    flat = to_numpy(t).reshape(-1)
    if flat.size > 1 and bool(np.all(flat == flat[0])):
        flat = flat[:1]
    if elem == IntegerType(1):
        # xDSL packs i1 as one signed byte per element, -1 for true.
        data = (-flat.astype(np.int8)).astype("<i1").tobytes()
    elif isinstance(elem, BFloat16Type):
        bits = round_bf16(flat.astype(np.float32)).view(np.uint32) >> np.uint32(16)
        data = bits.astype("<u2").tobytes()
    else:
        data = flat.astype(numpy_dtype(elem).newbyteorder("<")).tobytes()
    return DenseIntOrFPElementsAttr(TensorType(elem, list(t.shape)), BytesAttr(data))


def ssa_name(name: str) -> str:
    cleaned = re.sub(r"[^\w$.-]", "_", name)
    return cleaned if re.match(r"[A-Za-z_$.-]", cleaned) else "_" + cleaned


def op_name(target: Any) -> str:
    """`add.Tensor` for `torch.ops.aten.add.Tensor`; the qualified name for other targets."""
    if isinstance(target, torch._ops.OpOverload):
        ns = target.namespace
        name = f"{target._schema.name.split('::', 1)[-1]}.{target._overloadname}"
        return name if ns == "aten" else f"{ns}.{name}"
    if target.__module__ == "_operator":
        return f"operator.{target.__name__}"
    return getattr(target, "__qualname__", str(target))


class Node:
    """One ATen call of the exported graph, with its arguments bound to schema names."""

    def __init__(self, fx_node: torch.fx.Node) -> None:
        self.fx = fx_node
        self.op = op_name(fx_node.target)
        self.args: dict[str, Any] = {}
        schema = getattr(fx_node.target, "_schema", None)
        if schema is None:
            self.args = {f"arg{i}": a for i, a in enumerate(fx_node.args)}
            self.args.update(fx_node.kwargs)
            return
        for i, arg in enumerate(schema.arguments):
            if i < len(fx_node.args) and not arg.kwarg_only:
                self.args[arg.name] = fx_node.args[i]
            elif arg.name in fx_node.kwargs:
                self.args[arg.name] = fx_node.kwargs[arg.name]
            elif arg.has_default_value():
                self.args[arg.name] = arg.default_value
            else:
                self.args[arg.name] = None

    @property
    def qualified_op(self) -> str:
        return f"aten.{self.op}" if isinstance(self.fx.target, torch._ops.OpOverload) \
            and self.fx.target.namespace == "aten" else self.op

    @property
    def label(self) -> str:
        """`node 'conv2d_1' (aten.conv2d.default)`."""
        return f"node '{self.fx.name}' ({self.qualified_op})"

    @property
    def where(self) -> str | None:
        """The line of the model's code that made this node (from torch's stack trace)."""
        trace = self.fx.meta.get("stack_trace")
        if not trace:
            return None
        lines = [ln.strip() for ln in trace.strip().splitlines() if ln.strip()]
        files = [i for i, ln in enumerate(lines) if ln.startswith("File ")]
        if not files:
            return None
        i = files[-1]
        loc = lines[i]
        code = lines[i + 1] if i + 1 < len(lines) and not lines[i + 1].startswith("File ") \
            else ""
        return f"{loc}: {code}" if code else loc

    def arg(self, name: str) -> Any:
        if name not in self.args:
            raise KeyError(f"{self.qualified_op} has no argument '{name}'")
        return self.args[name]

    @property
    def meta(self) -> Any:
        """torch's value of the node (a FakeTensor, or a tuple of them)."""
        return self.fx.meta.get("val")

    def out_shape(self) -> list[int]:
        return [int(d) for d in self.meta.shape]

    def out_dtype(self) -> torch.dtype:
        return self.meta.dtype


Value = SSAValue | torch.Tensor
"""A value of the graph: computed at run time (an `SSAValue`) or known at import time."""


class Context:
    """What a converter sees: the builder, the values imported so far and error helpers."""

    def __init__(self, builder: GraphBuilder, source: str) -> None:
        self.b = builder
        self.source = source
        self.values: dict[torch.fx.Node, Any] = {}
        self._materialized: dict[int, SSAValue] = {}

    # --- errors -----------------------------------------------------------------------------

    def error(self, message: str, notes: Sequence[str] = ()) -> DiagnosticError:
        return DiagnosticError(Diagnostic(
            "error", message, self.source,
            notes=[Diagnostic("note", n, self.source) for n in notes]))

    def unsupported(self, node: Node, what: str) -> DiagnosticError:
        """`<torch MyModel>: error: node 'sort' (aten.sort.default): <what>`; raise it."""
        where = node.where
        return self.error(f"{node.label}: {what}",
                          [f"the node comes from {where}"] if where else [])

    # --- arguments --------------------------------------------------------------------------

    def _lookup(self, node: Node, name: str, raw: Any) -> Any:
        if isinstance(raw, torch.fx.Node):
            return self.values[raw]
        return raw

    def is_given(self, node: Node, name: str) -> bool:
        return node.arg(name) is not None

    def is_tensor(self, node: Node, name: str) -> bool:
        return isinstance(self._lookup(node, name, node.arg(name)), (SSAValue, torch.Tensor))

    def known(self, node: Node, name: str) -> torch.Tensor | None:
        """Argument `name` if it is a tensor known at import time."""
        v = self._lookup(node, name, node.arg(name))
        return v if isinstance(v, torch.Tensor) else None

    def value(self, node: Node, name: str) -> SSAValue:
        """Tensor argument `name` as an SSA value (a known tensor becomes a `graph.constant`,
        once per producing node)."""
        raw = node.arg(name)
        if raw is None:
            raise self.unsupported(node, f"argument '{name}' is required but not given")
        v = self._lookup(node, name, raw)
        return self.as_value(node, v, raw if isinstance(raw, torch.fx.Node) else None,
                             f"argument '{name}'")

    def optional_value(self, node: Node, name: str) -> SSAValue | None:
        return None if node.arg(name) is None else self.value(node, name)

    def values_list(self, node: Node, name: str) -> list[SSAValue]:
        """A list-of-tensors argument (`cat`'s tensors) as SSA values."""
        raw = node.arg(name)
        if not isinstance(raw, (list, tuple)):
            raise self.unsupported(node, f"argument '{name}' must be a list of tensors")
        out = []
        for i, r in enumerate(raw):
            v = self.values[r] if isinstance(r, torch.fx.Node) else r
            out.append(self.as_value(node, v, r if isinstance(r, torch.fx.Node) else None,
                                     f"argument '{name}'[{i}]"))
        return out

    def as_value(self, node: Node, v: Any, producer: torch.fx.Node | None = None,
                 what: str = "a value") -> SSAValue:
        if isinstance(v, SSAValue):
            return v
        if isinstance(v, torch.Tensor):
            key = id(producer) if producer is not None else None
            if key is not None and key in self._materialized:
                return self._materialized[key]
            c = self.const(v, node)
            if producer is not None:
                if not c.name_hint:
                    c.name_hint = ssa_name(producer.name)
                self._materialized[key] = c
            return c
        raise self.unsupported(node, f"{what} must be a tensor, got {type(v).__name__} {v!r}")

    def scalar_arg(self, node: Node, name: str, default: Any = None) -> Any:
        """A Python scalar argument (a 0-d known tensor counts)."""
        v = self._lookup(node, name, node.arg(name))
        if v is None:
            return default
        if isinstance(v, torch.Tensor) and v.dim() == 0:
            return v.item()
        if isinstance(v, (bool, int, float)):
            return v
        raise self.unsupported(node, f"argument '{name}' must be a number known at import "
                               f"time, got {type(v).__name__}")

    def ints(self, node: Node, name: str, rank: int | None = None) -> list[int]:
        """An int-list argument (`[2, 2]`, or an int repeated `rank` times)."""
        v = node.arg(name)
        if isinstance(v, int):
            return [v] * (rank or 1)
        if not isinstance(v, (list, tuple)) or not all(isinstance(i, int) for i in v):
            raise self.unsupported(node, f"argument '{name}' must be a list of ints known at "
                                   f"import time, got {v!r} (dynamic shapes are not supported)")
        if rank is not None and len(v) == 1 and rank > 1:
            return list(v) * rank
        return list(v)

    # --- types ------------------------------------------------------------------------------

    def shape(self, v: Value) -> list[int]:
        return list(v.shape) if isinstance(v, torch.Tensor) else list(v.type.get_shape())

    def elem(self, v: SSAValue) -> Attribute:
        return v.type.element_type

    def out_elem(self, node: Node) -> Attribute:
        elem = graph_elem_type(node.out_dtype())
        if elem is None:
            raise self.unsupported(node, f"the result has dtype {node.out_dtype()}, which the "
                                   "graph dialect has no type for")
        return elem

    # --- building ---------------------------------------------------------------------------

    def const(self, t: torch.Tensor, node: Node | None = None) -> SSAValue:
        """A `graph.constant` holding the known tensor `t`."""
        elem = graph_elem_type(t.dtype)
        if elem is None:
            where = f"{node.label}: " if node is not None else ""
            raise self.error(f"{where}a constant of dtype {t.dtype} has no graph element type "
                             "(unsigned, complex and float8 types are not supported)")
        op = ops.ConstantOp(dense_attr(t, elem))
        return self.b._add(op)  # the builder's constant() packs via Python lists: too slow

    def scalar(self, value: float | bool, elem: Attribute) -> SSAValue:
        """A 0-d constant of element type `elem`."""
        return self.const(torch.tensor(value, dtype=torch_dtype(elem)))

    def cast(self, v: SSAValue, elem: Attribute) -> SSAValue:
        """`v` converted to element type `elem` (no op if it already has it)."""
        return v if v.type.element_type == elem else self.b.cast(v, elem)

    def operand(self, node: Node, name: str, elem: Attribute) -> SSAValue:
        """Argument `name` (a tensor or a number) as a value of element type `elem`: numbers
        become 0-d constants, tensors are cast (torch's type promotion made explicit)."""
        v = self._lookup(node, name, node.arg(name))
        if isinstance(v, (bool, int, float)):
            return self.scalar(v, elem)
        return self.cast(self.value(node, name), elem)

    def build(self, node: Node, fn: Any, *args: Any, **kwargs: Any) -> Any:
        """Call a builder method; a shape or type mistake becomes an error at the node."""
        try:
            return fn(*args, **kwargs)
        except GraphBuildError as err:
            raise self.unsupported(node, f"cannot be expressed in the graph dialect: {err}"
                                   ) from None

    def reshape(self, node: Node, v: SSAValue, shape: Sequence[int]) -> SSAValue:
        if list(shape) == self.shape(v):
            return v
        return self.build(node, self.b.reshape, v, list(shape))


def norm_axis(cx: Context, node: Node, axis: int, rank: int, name: str = "dim") -> int:
    """A torch dim (negative counts from the end; 0-d tensors accept 0 and -1) as 0..rank-1."""
    r = max(rank, 1)
    if not -r <= axis < r:
        raise cx.unsupported(node, f"{name}={axis} is out of range for rank {rank}")
    return axis % r


def norm_axes(cx: Context, node: Node, axes: Sequence[int] | None, rank: int) -> list[int]:
    """Reduction dims: None or [] means all of them."""
    if not axes:
        return list(range(rank))
    return sorted({norm_axis(cx, node, a, rank) for a in axes})
