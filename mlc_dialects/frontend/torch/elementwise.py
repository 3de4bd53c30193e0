"""Elementwise ATen ops: activations, unary math, binary arithmetic (tensor and scalar forms,
`alpha`), clamp, where and dtype casts.

torch's type promotion is made explicit: the result dtype is torch's (the node's
`meta["val"]`), tensor operands of another dtype are cast to it and Python numbers become 0-d
constants of it (graph binary ops take equal element types).
"""

from __future__ import annotations

import math

from xdsl.dialects.builtin import IntegerType
from xdsl.ir import SSAValue

from mlc_dialects.frontend.torch.context import Context, Node, is_float
from mlc_dialects.frontend.torch.registry import converter

# --- unary ------------------------------------------------------------------------------------


def _unary_input(cx: Context, node: Node) -> SSAValue:
    """Input `self`, cast to the result dtype (exp of an int tensor is float in torch)."""
    return cx.cast(cx.value(node, "self"), cx.out_elem(node))


_UNARY = {
    "relu": "relu", "sigmoid": "sigmoid", "tanh": "tanh", "exp": "exp", "log": "log",
    "sqrt": "sqrt", "rsqrt": "rsqrt", "neg": "neg", "abs": "abs", "erf": "erf",
}


def _make_unary(method: str):
    def convert(cx: Context, node: Node) -> SSAValue:
        return cx.build(node, getattr(cx.b, method), _unary_input(cx, node))

    convert.__name__ = method
    return convert


for _op, _method in _UNARY.items():
    converter(f"{_op}.default")(_make_unary(_method))


@converter("gelu.default", preserve=True)
def gelu(cx: Context, node: Node) -> SSAValue:
    """`approximate='none'` is `graph.gelu`; `'tanh'` is written with graph ops:
    0.5 x (1 + tanh(sqrt(2/pi) (x + 0.044715 x^3)))."""
    x = _unary_input(cx, node)
    approximate = node.arg("approximate") or "none"
    if approximate == "none":
        return cx.b.gelu(x)
    if approximate != "tanh":
        raise cx.unsupported(node, f"approximate='{approximate}' is not supported")
    b, elem = cx.b, cx.elem(x)
    inner = b.mul(cx.scalar(math.sqrt(2.0 / math.pi), elem),
                  b.add(x, b.mul(cx.scalar(0.044715, elem), b.mul(x, b.mul(x, x)))))
    return b.mul(b.mul(cx.scalar(0.5, elem), x), b.add(cx.scalar(1.0, elem), b.tanh(inner)))


@converter("silu.default", preserve=True)
def silu(cx: Context, node: Node) -> SSAValue:
    x = _unary_input(cx, node)
    return cx.b.mul(x, cx.b.sigmoid(x))


@converter("hardtanh.default", preserve=True)
def hardtanh(cx: Context, node: Node) -> SSAValue:
    lo = float(cx.scalar_arg(node, "min_val", -1.0))
    hi = float(cx.scalar_arg(node, "max_val", 1.0))
    return cx.build(node, cx.b.clip, _unary_input(cx, node), lo, hi)


@converter("hardsigmoid.default", preserve=True)
def hardsigmoid(cx: Context, node: Node) -> SSAValue:
    """clip(x / 6 + 1/2, 0, 1)."""
    x = _unary_input(cx, node)
    elem = cx.elem(x)
    y = cx.b.add(cx.b.div(x, cx.scalar(6.0, elem)), cx.scalar(0.5, elem))
    return cx.b.clip(y, 0.0, 1.0)


@converter("hardswish.default", preserve=True)
def hardswish(cx: Context, node: Node) -> SSAValue:
    """x * clip(x + 3, 0, 6) / 6."""
    x = _unary_input(cx, node)
    elem = cx.elem(x)
    g = cx.b.clip(cx.b.add(x, cx.scalar(3.0, elem)), 0.0, 6.0)
    return cx.b.div(cx.b.mul(x, g), cx.scalar(6.0, elem))


@converter("leaky_relu.default", preserve=True)
def leaky_relu(cx: Context, node: Node) -> SSAValue:
    """relu(x) - slope * relu(-x) (no comparison op needed)."""
    x = _unary_input(cx, node)
    slope = float(cx.scalar_arg(node, "negative_slope", 0.01))
    neg = cx.b.mul(cx.scalar(slope, cx.elem(x)), cx.b.relu(cx.b.neg(x)))
    return cx.b.sub(cx.b.relu(x), neg)


@converter("elu.default", preserve=True)
def elu(cx: Context, node: Node) -> SSAValue:
    """scale * (relu(x) + alpha * (exp(min(x, 0)) - 1)), input_scale applied to x first."""
    x = _unary_input(cx, node)
    elem = cx.elem(x)
    alpha = float(cx.scalar_arg(node, "alpha", 1.0))
    scale = float(cx.scalar_arg(node, "scale", 1.0))
    in_scale = float(cx.scalar_arg(node, "input_scale", 1.0))
    b = cx.b
    if in_scale != 1.0:
        neg_part = b.mul(x, cx.scalar(in_scale, elem))
    else:
        neg_part = x
    neg = b.mul(cx.scalar(alpha, elem),
                b.sub(b.exp(b.min(neg_part, cx.scalar(0.0, elem))), cx.scalar(1.0, elem)))
    y = b.add(b.relu(x), neg)
    return y if scale == 1.0 else b.mul(y, cx.scalar(scale, elem))


@converter("reciprocal.default")
def reciprocal(cx: Context, node: Node) -> SSAValue:
    x = _unary_input(cx, node)
    return cx.b.div(cx.scalar(1.0, cx.elem(x)), x)


# --- binary -----------------------------------------------------------------------------------


def _binary(cx: Context, node: Node, method: str, lhs: str = "self", rhs: str = "other"
            ) -> SSAValue:
    elem = cx.out_elem(node)
    a = cx.operand(node, lhs, elem)
    b = cx.operand(node, rhs, elem)
    alpha = node.args.get("alpha", 1)
    if alpha is not None and alpha != 1:
        b = cx.b.mul(b, cx.scalar(alpha, elem))
    return cx.build(node, getattr(cx.b, method), a, b)


@converter("add.Tensor", "add.Scalar")
def add(cx: Context, node: Node) -> SSAValue:
    return _binary(cx, node, "add")


@converter("sub.Tensor", "sub.Scalar")
def sub(cx: Context, node: Node) -> SSAValue:
    return _binary(cx, node, "sub")


@converter("rsub.Tensor", "rsub.Scalar")
def rsub(cx: Context, node: Node) -> SSAValue:
    """other - alpha * self."""
    elem = cx.out_elem(node)
    a = cx.operand(node, "self", elem)
    alpha = node.args.get("alpha", 1)
    if alpha != 1:
        a = cx.b.mul(a, cx.scalar(alpha, elem))
    return cx.build(node, cx.b.sub, cx.operand(node, "other", elem), a)


@converter("mul.Tensor", "mul.Scalar")
def mul(cx: Context, node: Node) -> SSAValue:
    return _binary(cx, node, "mul")


@converter("div.Tensor", "div.Scalar", "div.Tensor_mode", "div.Scalar_mode")
def div(cx: Context, node: Node) -> SSAValue:
    mode = node.args.get("rounding_mode")
    if mode is not None:
        raise cx.unsupported(node, f"rounding_mode='{mode}' is not supported (only true "
                             "division)")
    return _binary(cx, node, "div")


@converter("pow.Tensor_Scalar", "pow.Tensor_Tensor")
def pow_(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    x = cx.operand(node, "self", elem)
    exponent = node.arg("exponent")
    if isinstance(exponent, (int, float)) and exponent == 2 and is_float(elem):
        return cx.b.mul(x, x)
    if isinstance(exponent, (int, float)) and exponent == 0.5 and is_float(elem):
        return cx.b.sqrt(x)
    return cx.build(node, cx.b.pow, x, cx.operand(node, "exponent", elem))


@converter("pow.Scalar")
def pow_scalar(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    return cx.build(node, cx.b.pow, cx.operand(node, "self", elem),
                    cx.operand(node, "exponent", elem))


@converter("maximum.default", "max.other")
def maximum(cx: Context, node: Node) -> SSAValue:
    return _binary(cx, node, "max")


@converter("minimum.default", "min.other")
def minimum(cx: Context, node: Node) -> SSAValue:
    return _binary(cx, node, "min")


# --- clamp, where, casts ----------------------------------------------------------------------


@converter("clamp.default", "clamp.Tensor", "clamp_min.default", "clamp_max.default",
           "clamp_min.Tensor", "clamp_max.Tensor")
def clamp(cx: Context, node: Node) -> SSAValue:
    """Number bounds on a float tensor are `graph.clip`; tensor bounds (or integer tensors)
    are `graph.max` / `graph.min` with torch's order: min first, then max."""
    elem = cx.out_elem(node)
    x = cx.operand(node, "self", elem)
    names = [n for n in ("min", "max") if n in node.args and node.args[n] is not None]
    bounds = {n: node.args[n] for n in names}
    if all(isinstance(v, (int, float)) for v in bounds.values()) and is_float(elem):
        return cx.build(node, cx.b.clip, x, bounds.get("min"), bounds.get("max"))
    if "min" in bounds:
        x = cx.b.max(x, cx.operand(node, "min", elem))
    if "max" in bounds:
        x = cx.b.min(x, cx.operand(node, "max", elem))
    return x


@converter("where.self", "where.ScalarSelf", "where.ScalarOther", "where.Scalar")
def where(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    cond = cx.value(node, "condition")
    if cx.elem(cond) != IntegerType(1):
        cond = cx.cast(cond, IntegerType(1))  # torch accepts a uint8 or int mask: nonzero
    return cx.build(node, cx.b.where, cond, cx.operand(node, "self", elem),
                    cx.operand(node, "other", elem))


@converter("_to_copy.default", "to.dtype", "_to_dim_order_copy.default")
def to_copy(cx: Context, node: Node) -> SSAValue:
    """A dtype conversion (device, layout and memory format do not matter here)."""
    x = cx.value(node, "self")
    return cx.build(node, cx.cast, x, cx.out_elem(node))


@converter("type_as.default")
def type_as(cx: Context, node: Node) -> SSAValue:
    return cx.build(node, cx.cast, cx.value(node, "self"), cx.out_elem(node))


@converter("softplus.default", preserve=True)
def softplus(cx: Context, node: Node) -> SSAValue:
    """(relu(bx) + log(1 + exp(-|bx|))) / b: the overflow-free form. Above torch's
    `threshold` torch returns x; this form differs from x there by less than exp(-threshold)."""
    x = _unary_input(cx, node)
    elem = cx.elem(x)
    beta = float(cx.scalar_arg(node, "beta", 1.0))
    b = cx.b
    bx = x if beta == 1.0 else b.mul(x, cx.scalar(beta, elem))
    y = b.add(b.relu(bx), b.log(b.add(cx.scalar(1.0, elem), b.exp(b.neg(b.abs(bx))))))
    return y if beta == 1.0 else b.div(y, cx.scalar(beta, elem))


@converter("mish.default", preserve=True)
def mish(cx: Context, node: Node) -> SSAValue:
    """x * tanh(softplus(x))."""
    x = _unary_input(cx, node)
    elem = cx.elem(x)
    b = cx.b
    sp = b.add(b.relu(x), b.log(b.add(cx.scalar(1.0, elem), b.exp(b.neg(b.abs(x))))))
    return b.mul(x, b.tanh(sp))
