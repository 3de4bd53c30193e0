"""Elementwise ONNX ops: unary math, activations, broadcasting binary and variadic ops, Clip,
Cast, Where.

Activations the graph dialect has no op for are written with the ops it has, exactly (no
approximation): `LeakyRelu(x) = max(x, alpha * x)` for alpha <= 1, `Elu(x) = relu(x) +
alpha * (exp(min(x, 0)) - 1)`, `PRelu(x) = relu(x) + slope * min(x, 0)`, and so on.
Comparisons (Equal, Less, Greater, ...) have no graph op: they are folded when their inputs are
constants (see the importer) and are an error otherwise.
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np
from onnx import TensorProto
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import SSAValue

from dialects.graph.base import is_float
from mlc_dialects.frontend.onnx.context import Context, graph_elem_type, onnx_type_name
from mlc_dialects.frontend.onnx.registry import Node, Results, converter

# --- unary ----------------------------------------------------------------------------------------

_UNARY = {
    "Relu": ("relu", 6), "Sigmoid": ("sigmoid", 6), "Tanh": ("tanh", 6), "Exp": ("exp", 6),
    "Log": ("log", 6), "Sqrt": ("sqrt", 6), "Neg": ("neg", 6), "Abs": ("abs", 6),
    "Erf": ("erf", 9),
}


def _unary(method: str) -> Callable[[Context, Node], Results]:
    def convert(cx: Context, node: Node) -> Results:
        x = cx.value(node, 0)
        return [cx.build(node, getattr(cx.b, method), x)]

    convert.__name__ = f"convert_{method}"
    convert.__doc__ = f"ONNX elementwise op -> `graph.{method}`."
    return convert


for _op, (_method, _since) in _UNARY.items():
    converter(_op, since=_since)(_unary(_method))


@converter("Identity", since=1)
def identity(cx: Context, node: Node) -> Results:
    """Identity: the input itself (a known value stays known)."""
    v = cx.static(node, 0)
    return [v if v is not None else cx.value(node, 0)]


@converter("Reciprocal", since=6)
def reciprocal(cx: Context, node: Node) -> Results:
    """Reciprocal: `1 / x`."""
    x = cx.value(node, 0)
    return [cx.build(node, cx.b.div, cx.scalar(1, x), x)]


def _float_input(cx: Context, node: Node) -> SSAValue:
    x = cx.value(node, 0)
    if not is_float(x.type.element_type):
        raise cx.unsupported(node, f"input has element type {x.type.element_type}; this op is "
                             "imported for floating-point tensors only")
    return x


@converter("LeakyRelu", since=6)
def leaky_relu(cx: Context, node: Node) -> Results:
    """LeakyRelu: `max(x, alpha * x)` (alpha <= 1) or `min(x, alpha * x)` (alpha > 1)."""
    x = _float_input(cx, node)
    alpha = float(node.attr("alpha", 0.01))
    scaled = cx.b.mul(x, cx.scalar(alpha, x))
    return [cx.b.max(x, scaled) if alpha <= 1 else cx.b.min(x, scaled)]


def _neg_part_exp(cx: Context, x: SSAValue, alpha: float, inner_scale: float = 1.0) -> SSAValue:
    """`alpha * (exp(min(x, 0) * inner_scale) - 1)`: the negative branch of Elu/Selu/Celu."""
    b = cx.b
    neg = b.min(x, cx.scalar(0, x))
    if inner_scale != 1.0:
        neg = b.mul(neg, cx.scalar(inner_scale, x))
    return b.mul(b.sub(b.exp(neg), cx.scalar(1, x)), cx.scalar(alpha, x))


@converter("Elu", since=6)
def elu(cx: Context, node: Node) -> Results:
    """Elu: `relu(x) + alpha * (exp(min(x, 0)) - 1)`."""
    x = _float_input(cx, node)
    return [cx.b.add(cx.b.relu(x), _neg_part_exp(cx, x, float(node.attr("alpha", 1.0))))]


@converter("Selu", since=6)
def selu(cx: Context, node: Node) -> Results:
    """Selu: `gamma * (relu(x) + alpha * (exp(min(x, 0)) - 1))`."""
    x = _float_input(cx, node)
    alpha = float(node.attr("alpha", 1.67326319217681884765625))
    gamma = float(node.attr("gamma", 1.05070102214813232421875))
    inner = cx.b.add(cx.b.relu(x), _neg_part_exp(cx, x, alpha))
    return [cx.b.mul(inner, cx.scalar(gamma, x))]


@converter("Celu", since=12)
def celu(cx: Context, node: Node) -> Results:
    """Celu: `relu(x) + alpha * (exp(min(x, 0) / alpha) - 1)`."""
    x = _float_input(cx, node)
    alpha = float(node.attr("alpha", 1.0))
    return [cx.b.add(cx.b.relu(x), _neg_part_exp(cx, x, alpha, 1.0 / alpha))]


@converter("PRelu", since=7)
def prelu(cx: Context, node: Node) -> Results:
    """PRelu: `relu(x) + slope * min(x, 0)` (slope broadcasts to x)."""
    x = _float_input(cx, node)
    slope = cx.value(node, 1)
    neg = cx.build(node, cx.b.mul, cx.b.min(x, cx.scalar(0, x)), slope)
    return [cx.build(node, cx.b.add, cx.b.relu(x), neg)]


@converter("HardSigmoid", since=6)
def hard_sigmoid(cx: Context, node: Node) -> Results:
    """HardSigmoid: `clip(alpha * x + beta, 0, 1)`."""
    x = _float_input(cx, node)
    alpha, beta = float(node.attr("alpha", 0.2)), float(node.attr("beta", 0.5))
    y = cx.b.add(cx.b.mul(x, cx.scalar(alpha, x)), cx.scalar(beta, x))
    return [cx.b.clip(y, 0.0, 1.0)]


@converter("HardSwish", since=14)
def hard_swish(cx: Context, node: Node) -> Results:
    """HardSwish: `x * clip(x / 6 + 1 / 2, 0, 1)`."""
    x = _float_input(cx, node)
    y = cx.b.add(cx.b.mul(x, cx.scalar(1 / 6, x)), cx.scalar(0.5, x))
    return [cx.b.mul(x, cx.b.clip(y, 0.0, 1.0))]


@converter("Softsign", since=1)
def softsign(cx: Context, node: Node) -> Results:
    """Softsign: `x / (1 + |x|)`."""
    x = _float_input(cx, node)
    return [cx.b.div(x, cx.b.add(cx.scalar(1, x), cx.b.abs(x)))]


@converter("Softplus", since=1)
def softplus(cx: Context, node: Node) -> Results:
    """Softplus: `log(exp(x) + 1)` (ONNX's formula; it overflows for large x as ONNX's does)."""
    x = _float_input(cx, node)
    return [cx.b.log(cx.b.add(cx.b.exp(x), cx.scalar(1, x)))]


@converter("Mish", since=18)
def mish(cx: Context, node: Node) -> Results:
    """Mish: `x * tanh(log(1 + exp(x)))`."""
    x = _float_input(cx, node)
    sp = cx.b.log(cx.b.add(cx.b.exp(x), cx.scalar(1, x)))
    return [cx.b.mul(x, cx.b.tanh(sp))]


@converter("Gelu", since=20)
def gelu(cx: Context, node: Node) -> Results:
    """Gelu: `graph.gelu` (approximate="none"), or the tanh formula written out."""
    x = _float_input(cx, node)
    approximate = node.attr("approximate", "none")
    if approximate == "none":
        return [cx.b.gelu(x)]
    if approximate != "tanh":
        raise cx.unsupported(node, f"attribute approximate='{approximate}' is not supported "
                             "(expected 'none' or 'tanh')")
    b = cx.b
    cube = b.mul(b.mul(x, x), x)
    inner = b.mul(b.add(x, b.mul(cube, cx.scalar(0.044715, x))),
                  cx.scalar(math.sqrt(2 / math.pi), x))
    half = b.mul(x, cx.scalar(0.5, x))
    return [b.mul(half, b.add(cx.scalar(1, x), b.tanh(inner)))]


# --- binary and variadic ----------------------------------------------------------------------

_BINARY = {"Add": "add", "Sub": "sub", "Mul": "mul", "Div": "div"}


def _binary(method: str) -> Callable[[Context, Node], Results]:
    def convert(cx: Context, node: Node) -> Results:
        a, b = cx.value(node, 0), cx.value(node, 1)
        return [cx.build(node, getattr(cx.b, method), a, b)]

    convert.__name__ = f"convert_{method}"
    convert.__doc__ = f"ONNX broadcasting binary op -> `graph.{method}`."
    return convert


for _op, _method in _BINARY.items():
    converter(_op, since=7)(_binary(_method))


@converter("Pow", since=7)
def pow_(cx: Context, node: Node) -> Results:
    """Pow: `graph.pow`; an exponent of another type is cast to the base's type when that is
    exact (an integer exponent of a float base, or a known integral exponent)."""
    base = cx.value(node, 0)
    exp_elem = cx.elem(node, 1)
    elem = base.type.element_type
    if exp_elem == elem:
        return [cx.build(node, cx.b.pow, base, cx.value(node, 1))]
    known = cx.static(node, 1)
    if known is not None:
        cast = known.astype(_numpy(elem))
        if np.array_equal(cast.astype(np.float64), known.astype(np.float64)):
            return [cx.build(node, cx.b.pow, base, cx.const(cast, node, elem))]
    if is_float(elem) and isinstance(exp_elem, IntegerType):
        exponent = cx.b.cast(cx.value(node, 1), elem)
        return [cx.build(node, cx.b.pow, base, exponent)]
    raise cx.unsupported(node, f"an exponent of type {exp_elem} for a base of type {elem} is "
                         "not supported (it cannot be converted exactly)")


def _numpy(elem: object) -> np.dtype:
    from mlc_dialects.dtypes import numpy_dtype

    return numpy_dtype(elem)


def _variadic(method: str) -> Callable[[Context, Node], Results]:
    def convert(cx: Context, node: Node) -> Results:
        values = [cx.value(node, i) for i in range(len(node.inputs)) if node.has_input(i)]
        if not values:
            raise cx.unsupported(node, "needs at least one input")
        acc = values[0]
        for v in values[1:]:
            acc = cx.build(node, getattr(cx.b, method), acc, v)
        if node.op_type == "Mean" and len(values) > 1:
            acc = cx.build(node, cx.b.div, acc, cx.scalar(len(values), acc))
        return [acc]

    convert.__name__ = f"convert_variadic_{method}"
    convert.__doc__ = f"ONNX variadic op (broadcasting) -> a chain of `graph.{method}`."
    return convert


converter("Sum", since=6)(_variadic("add"))
converter("Mean", since=6)(_variadic("add"))
converter("Max", since=6)(_variadic("max"))
converter("Min", since=6)(_variadic("min"))


# --- Clip, Cast, Where ------------------------------------------------------------------------


def _clip(cx: Context, node: Node, lo: float | None, hi: float | None) -> Results:
    x = cx.value(node, 0)
    elem = x.type.element_type
    exact_in_f32 = is_float(elem) and elem != graph_elem_type(TensorProto.DOUBLE)
    if exact_in_f32 and (lo is None or hi is None or lo <= hi):
        return [cx.build(node, cx.b.clip, x,
                         None if lo is None else float(lo), None if hi is None else float(hi))]
    # f64 and integer bounds are not exact as f32 attributes: max/min with typed constants.
    # (ONNX: min > max gives max everywhere, which min(max(x, lo), hi) also does.)
    if lo is not None:
        x = cx.build(node, cx.b.max, x, cx.scalar(lo, x))
    if hi is not None:
        x = cx.build(node, cx.b.min, x, cx.scalar(hi, x))
    return [x]


@converter("Clip", since=6, until=10)
def clip_attrs(cx: Context, node: Node) -> Results:
    """Clip (opsets 6-10): bounds are the `min` and `max` attributes."""
    return _clip(cx, node, node.attr("min"), node.attr("max"))


@converter("Clip", since=11)
def clip_inputs(cx: Context, node: Node) -> Results:
    """Clip (opset 11+): bounds are optional inputs, which must be known at import time."""
    bounds = []
    for i, what in ((1, "min"), (2, "max")):
        if not node.has_input(i):
            bounds.append(None)
            continue
        v = cx.const_input(node, i, what)
        bounds.append(v.reshape(-1)[0].item() if v.size else None)
    return _clip(cx, node, *bounds)


def _cast_to(cx: Context, node: Node, x: SSAValue, to: int) -> SSAValue:
    elem = graph_elem_type(to)
    if elem is None:
        raise cx.unsupported(node, f"casting to {onnx_type_name(to)} is not supported (the graph "
                             "dialect has no such element type)")
    if x.type.element_type == elem:
        return x
    return cx.build(node, cx.b.cast, x, elem)


@converter("Cast", since=6)
def cast(cx: Context, node: Node) -> Results:
    """Cast: `graph.cast` to the `to` type (numpy astype: float to int truncates)."""
    to = node.attr("to")
    if to is None:
        raise cx.unsupported(node, "attribute 'to' is required")
    if isinstance(to, str):
        to = TensorProto.DataType.Value(to.upper())
    return [_cast_to(cx, node, cx.value(node, 0), int(to))]


@converter("CastLike", since=15)
def cast_like(cx: Context, node: Node) -> Results:
    """CastLike: `graph.cast` to the element type of the second input."""
    x = cx.value(node, 0)
    target = cx.elem(node, 1)
    if x.type.element_type == target:
        return [x]
    return [cx.build(node, cx.b.cast, x, target)]


@converter("Where", since=9)
def where(cx: Context, node: Node) -> Results:
    """Where: `graph.where` (cond is bool; all three broadcast)."""
    c, a, b = (cx.value(node, i) for i in range(3))
    return [cx.build(node, cx.b.where, c, a, b)]


@converter("Dropout", since=7)
def dropout(cx: Context, node: Node) -> Results:
    """Dropout in inference: the input, and a mask of ones if asked for."""
    if node.has_input(2):
        training = cx.const_input(node, 2, "training_mode")
        if bool(training.reshape(-1)[0]):
            raise cx.unsupported(node, "training_mode = true is not supported (inference only)")
    if node.opset < 7 and node.attr("is_test", 0) == 0:
        raise cx.unsupported(node, "is_test = 0 (training) is not supported")
    x = cx.value(node, 0)
    outs: list[object] = [x]
    if len(node.outputs) > 1 and node.outputs[1]:
        outs.append(np.ones(tuple(x.type.get_shape()), dtype=np.bool_))
    return outs
