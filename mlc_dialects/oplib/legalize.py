"""The dispatcher: a graph op -> the tensor function (te-built) that computes it.

    fn = legalize(op)                 # func.func @add(%lhs, %rhs, %add) over memrefs
    fn = legalize(op, name="add_0")

`LEGALIZERS` maps each graph op class to a function `(op, inputs) -> te.Tensor` that reads the
op's attributes (with the spec's defaults, through the graph dialect's attribute readers) and
calls the op library. `legalize` makes the placeholders from the operand types (named after
the op's operands), calls it, and builds the destination-passing function: inputs, then the
output. A result with no elements gets a function without loops (te cannot express empty
tensors); an operand with no elements is only supported where the result does not read it
(reductions, matmul, einsum, concat).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from xdsl.dialects import func
from xdsl.dialects.builtin import (
    Float16Type,
    Float32Type,
    Float64Type,
    IntegerAttr,
    IntegerType,
    MemRefType,
    TensorType,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region

from dialects.graph import ops
from dialects.graph.base import float_scalar, int_list, int_scalar, string
from dialects.tensor.ops import NUM_INPUTS_ATTR
from mlc_dialects.oplib import elementwise, linalg, nn, reduce, shape
from mlc_dialects.oplib.common import LegalizeError, placeholder, size
from mlc_dialects.te.lower import build_function
from mlc_dialects.te.tensor import Tensor

Legalizer = Callable[[Operation, list[Tensor]], Tensor]


# --- dtypes -------------------------------------------------------------------------------------


def te_dtype(element_type: Attribute) -> str:
    """The te dtype of a graph element type; LegalizeError for types te has not (bf16)."""
    if isinstance(element_type, Float16Type):
        return "float16"
    if isinstance(element_type, Float32Type):
        return "float32"
    if isinstance(element_type, Float64Type):
        return "float64"
    if isinstance(element_type, IntegerType):
        width = element_type.width.data
        if width == 1:
            return "bool"
        if width in (8, 16, 32, 64):
            return f"int{width}"
    raise LegalizeError(
        f"element type {element_type} has no tensor-program equivalent yet (te supports "
        "f16, f32, f64, i1, i8, i16, i32, i64)"
    )


def short_name(op: Operation) -> str:
    """`add` for `graph.add`: the kernel's base name and its output's name."""
    return op.name.split(".", 1)[1]


def _result_shape(op: Operation) -> tuple[int, ...]:
    t = op.results[0].type
    assert isinstance(t, TensorType)
    return tuple(t.get_shape())


# --- the table ----------------------------------------------------------------------------------


def _pair(op: Operation, name: str, default: Sequence[int]) -> list[int]:
    return int_list(op.attributes, name, default)


def _binary(fn: Callable[..., Tensor]) -> Legalizer:
    return lambda op, x: fn(*x, name=short_name(op))


def _unary(fn: Callable[..., Tensor]) -> Legalizer:
    return lambda op, x: fn(x[0], name=short_name(op))


def _clip(op: Operation, x: list[Tensor]) -> Tensor:
    a = op.attributes
    return elementwise.clip(x[0], float_scalar(a, "min"), float_scalar(a, "max"), name="clip")


def _cast(op: Operation, x: list[Tensor]) -> Tensor:
    t = op.results[0].type
    assert isinstance(t, TensorType)
    return elementwise.cast(x[0], te_dtype(t.element_type), name="cast")


def _conv2d(op: Operation, x: list[Tensor]) -> Tensor:
    return nn.conv2d(
        x[0], x[1], x[2] if len(x) == 3 else None, strides=_pair(op, "strides", [1, 1]),
        padding=_pair(op, "padding", [0, 0, 0, 0]), dilations=_pair(op, "dilations", [1, 1]),
        groups=int_scalar(op.attributes, "groups", 1), name="conv2d",
    )


def _pool_args(op: Operation) -> dict[str, object]:
    return {
        "kernel": _pair(op, "kernel", []),
        "strides": _pair(op, "strides", [1, 1]),
        "padding": _pair(op, "padding", [0, 0, 0, 0]),
        "dilations": _pair(op, "dilations", [1, 1]),
        "ceil_mode": bool(int_scalar(op.attributes, "ceil_mode", 0)),
    }


def _max_pool2d(op: Operation, x: list[Tensor]) -> Tensor:
    return nn.max_pool2d(x[0], **_pool_args(op), name="max_pool2d")  # type: ignore[arg-type]


def _avg_pool2d(op: Operation, x: list[Tensor]) -> Tensor:
    include = bool(int_scalar(op.attributes, "count_include_pad", 0))
    return nn.avg_pool2d(x[0], **_pool_args(op), count_include_pad=include,  # type: ignore[arg-type]
                         name="avg_pool2d")


def _lrn(op: Operation, x: list[Tensor]) -> Tensor:
    a = op.attributes
    return nn.lrn(x[0], int_scalar(a, "size"), float_scalar(a, "alpha", 1e-4),  # type: ignore[arg-type]
                  float_scalar(a, "beta", 0.75), float_scalar(a, "bias", 1.0), name="lrn")  # type: ignore[arg-type]


def _axis_op(fn: Callable[..., Tensor]) -> Legalizer:
    return lambda op, x: fn(x[0], int_scalar(op.attributes, "axis", -1), name=short_name(op))


def _layer_norm(op: Operation, x: list[Tensor]) -> Tensor:
    a = op.attributes
    return nn.layer_norm(*x, axis=int_scalar(a, "axis", -1),
                         epsilon=float_scalar(a, "epsilon", 1e-5), name="layer_norm")  # type: ignore[arg-type]


def _batch_norm(op: Operation, x: list[Tensor]) -> Tensor:
    return nn.batch_norm(*x, epsilon=float_scalar(op.attributes, "epsilon", 1e-5),  # type: ignore[arg-type]
                         name="batch_norm")


def _reduce(fn: Callable[..., Tensor]) -> Legalizer:
    def legalize_reduce(op: Operation, x: list[Tensor]) -> Tensor:
        a = op.attributes
        return fn(x[0], int_list(a, "axes"), bool(int_scalar(a, "keepdims", 0)),
                  name=short_name(op))

    return legalize_reduce


def _slice(op: Operation, x: list[Tensor]) -> Tensor:
    a = op.attributes
    return shape.slice(x[0], int_list(a, "starts"), int_list(a, "ends"),
                       int_list(a, "steps", [1] * x[0].ndim), name="slice")


LEGALIZERS: dict[type[Operation], Legalizer] = {
    # elementwise
    ops.AddOp: _binary(elementwise.add),
    ops.SubOp: _binary(elementwise.sub),
    ops.MulOp: _binary(elementwise.mul),
    ops.DivOp: _binary(elementwise.div),
    ops.MaxOp: _binary(elementwise.max),
    ops.MinOp: _binary(elementwise.min),
    ops.PowOp: _binary(elementwise.pow),
    ops.NegOp: _unary(elementwise.neg),
    ops.AbsOp: _unary(elementwise.abs),
    ops.ExpOp: _unary(elementwise.exp),
    ops.LogOp: _unary(elementwise.log),
    ops.SqrtOp: _unary(elementwise.sqrt),
    ops.RsqrtOp: _unary(elementwise.rsqrt),
    ops.TanhOp: _unary(elementwise.tanh),
    ops.SigmoidOp: _unary(elementwise.sigmoid),
    ops.ReluOp: _unary(elementwise.relu),
    ops.ErfOp: _unary(elementwise.erf),
    ops.GeluOp: _unary(elementwise.gelu),
    ops.ClipOp: _clip,
    ops.CastOp: _cast,
    ops.WhereOp: lambda op, x: elementwise.where(*x, name="where"),
    # linear algebra and neural networks
    ops.MatmulOp: _binary(linalg.matmul),
    ops.EinsumOp: lambda op, x: linalg.einsum(string(op.attributes, "equation"), *x,
                                              name="einsum"),
    ops.Conv2dOp: _conv2d,
    ops.MaxPool2dOp: _max_pool2d,
    ops.AvgPool2dOp: _avg_pool2d,
    ops.LrnOp: _lrn,
    ops.SoftmaxOp: _axis_op(nn.softmax),
    ops.LogSoftmaxOp: _axis_op(nn.log_softmax),
    ops.LayerNormOp: _layer_norm,
    ops.BatchNormOp: _batch_norm,
    # reductions
    ops.ReduceSumOp: _reduce(reduce.reduce_sum),
    ops.ReduceMeanOp: _reduce(reduce.reduce_mean),
    ops.ReduceMaxOp: _reduce(reduce.reduce_max),
    ops.ReduceMinOp: _reduce(reduce.reduce_min),
    # shape ops
    ops.ReshapeOp: lambda op, x: shape.reshape(x[0], _result_shape(op), name="reshape"),
    ops.TransposeOp: lambda op, x: shape.transpose(x[0], int_list(op.attributes, "perm"),
                                                   name="transpose"),
    ops.BroadcastToOp: lambda op, x: shape.broadcast_to(x[0], _result_shape(op),
                                                        name="broadcast_to"),
    ops.ConcatOp: lambda op, x: shape.concat(x, int_scalar(op.attributes, "axis"),
                                             name="concat"),
    ops.SliceOp: _slice,
    ops.RearrangeOp: lambda op, x: shape.rearrange(x[0], string(op.attributes, "pattern"),
                                                   name="rearrange"),
}
"""Every graph op with a tensor program, by op class (all but the structural ones)."""

_EMPTY_OPERANDS_OK = (ops.ReduceSumOp, ops.ReduceMeanOp, ops.ReduceMaxOp, ops.ReduceMinOp,
                      ops.MatmulOp, ops.EinsumOp, ops.ConcatOp)
"""Ops whose result may have elements although an operand has none."""


# --- entry point --------------------------------------------------------------------------------


def operand_names(op: Operation) -> list[str]:
    """Names of the op's operands as its definition calls them (`input` -> `x`)."""
    definition = type(op).get_irdl_definition()  # type: ignore[attr-defined]
    defs = ["x" if name == "input" else name for name, _ in definition.operands]
    if defs == ["inputs"]:  # variadic: concat, einsum
        return [f"x{k}" for k in range(len(op.operands))]
    return defs[: len(op.operands)]  # an absent optional operand is the last (conv2d bias)


def legalize(op: Operation, name: str | None = None) -> func.FuncOp:
    """The tensor function computing `op`: `@name(inputs..., output)` over memrefs.

    Raises LegalizeError for an op without a tensor program, an element type te does not
    have, or an operand without elements that the result would read.
    """
    legalizer = LEGALIZERS.get(type(op))
    if legalizer is None:
        raise LegalizeError(f"'{op.name}' has no tensor program in the op library")
    name = name or short_name(op)
    inputs = []
    for operand, operand_name in zip(op.operands, operand_names(op), strict=True):
        t = operand.type
        if not isinstance(t, TensorType):
            raise LegalizeError(f"operand '{operand_name}' is not a ranked tensor: {t}")
        inputs.append(placeholder(_static_shape(t), te_dtype(t.element_type), operand_name))
    out_type = op.results[0].type
    assert isinstance(out_type, TensorType)
    out_shape = _static_shape(out_type)
    out_dtype = te_dtype(out_type.element_type)
    if size(out_shape) == 0:
        return _empty_function(name, [*(o.type for o in op.operands), out_type],
                               [*operand_names(op), short_name(op)], len(inputs))
    if any(size(t) == 0 for t in inputs) and not isinstance(op, _EMPTY_OPERANDS_OK):
        raise LegalizeError(f"'{op.name}' with an operand without elements is not supported")
    out = legalizer(op, inputs)
    if out.shape != out_shape or out.dtype != out_dtype:
        raise LegalizeError(  # the op library and the verifier disagree: a bug
            f"'{op.name}': the op library computed {out.dtype}{list(out.shape)}, the op's "
            f"result type is {out_type} (a bug in mlc_dialects.oplib)"
        )
    return build_function([*inputs, out], name)


def _static_shape(t: TensorType) -> tuple[int, ...]:
    shape = tuple(t.get_shape())
    if any(d < 0 for d in shape):
        raise LegalizeError(f"dynamic shapes are not supported yet: {t}")
    return shape


def _empty_function(name: str, types: Sequence[Attribute], arg_names: Sequence[str],
                    num_inputs: int) -> func.FuncOp:
    """A tensor function with nothing to compute (its output has no elements)."""
    buffers = []
    for t in types:
        assert isinstance(t, TensorType)
        buffers.append(MemRefType(t.element_type, t.get_shape()))
    block = Block(arg_types=buffers)
    for arg, arg_name in zip(block.args, arg_names, strict=True):
        arg.name_hint = arg_name
    block.add_op(func.ReturnOp())
    function = func.FuncOp(name, (buffers, []), Region(block))
    function.attributes[NUM_INPUTS_ATTR] = IntegerAttr(num_inputs, i64)
    return function
