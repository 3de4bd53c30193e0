"""Neural-network ONNX ops: Conv, pooling, normalizations, LRN, Softmax and LogSoftmax.

Convolution and pooling are 2-D in the graph dialect; 1-D ones (N, C, W) are imported as 2-D
with a height of 1 (a reshape on each side), 3-D ones are an error. A zero-valued constant
`Pad` whose only reader is a Conv (or an AveragePool that counts padding) is folded into the
op's padding (the pad's own ops become dead and are removed).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
from xdsl.ir import SSAValue

from mlc_dialects.dtypes import element_type
from mlc_dialects.frontend.onnx.context import Context
from mlc_dialects.frontend.onnx.registry import Node, Results, converter
from mlc_dialects.frontend.onnx.shape import foldable_pad

# --- convolution and pooling ------------------------------------------------------------------


def _spatial_rank(cx: Context, node: Node, x: SSAValue) -> int:
    rank = len(x.type.get_shape())
    if rank not in (3, 4):
        raise cx.unsupported(node, f"input of rank {rank} is not supported: only 1-D and 2-D "
                             "(inputs of rank 3 and 4, N x C x ...) are")
    return rank - 2


def _to_2d(values: Sequence[int] | None, default: int, n: int) -> list[int] | None:
    """A per-axis attribute of a 1-D op as the 2-D one (height first, of size `default`)."""
    if values is None:
        return None
    return [default, *values] if n == 1 else list(values)


def _pads_2d(pads: Sequence[int], n: int) -> list[int]:
    """ONNX pads (begins, then ends) -> (top, left, bottom, right)."""
    if n == 1:
        return [0, pads[0], 0, pads[1]]
    return [pads[0], pads[1], pads[2], pads[3]]


def _window_pads(cx: Context, node: Node, in_hw: Sequence[int], kernel: Sequence[int],
                 strides: Sequence[int], dilations: Sequence[int]) -> list[int]:
    """ONNX `pads` in (begins..., ends...) order, from `auto_pad` or the `pads` attribute."""
    n = len(kernel)
    auto_pad = node.attr("auto_pad", "NOTSET")
    if auto_pad == "NOTSET":
        pads = node.ints("pads", [0] * 2 * n)
        if len(pads) != 2 * n or min(pads) < 0:
            raise cx.unsupported(node, f"attribute pads={pads} must have {2 * n} non-negative "
                                 "entries")
        return pads
    if auto_pad == "VALID":
        return [0] * 2 * n
    if auto_pad not in ("SAME_UPPER", "SAME_LOWER"):
        raise cx.unsupported(node, f"attribute auto_pad='{auto_pad}' is not supported")
    begins, ends = [], []
    for size, k, s, d in zip(in_hw, kernel, strides, dilations, strict=True):
        out = -(-size // s)
        total = max((out - 1) * s + (k - 1) * d + 1 - size, 0)
        small, big = total // 2, total - total // 2
        begins.append(small if auto_pad == "SAME_UPPER" else big)
        ends.append(big if auto_pad == "SAME_UPPER" else small)
    return begins + ends


def _expand_1d(cx: Context, v: SSAValue) -> SSAValue:
    shape = list(v.type.get_shape())
    return cx.b.reshape(v, [*shape[:2], 1, *shape[2:]])


def _squeeze_1d(cx: Context, v: SSAValue) -> SSAValue:
    shape = list(v.type.get_shape())
    return cx.b.reshape(v, [*shape[:2], *shape[3:]])


def _input_through_pad(cx: Context, node: Node, count_padding: bool
                       ) -> tuple[SSAValue, list[int]]:
    """Input #0, or the input of a zero `Pad` that can be folded into this op, and the extra
    (top, left, bottom, right) padding that folding adds."""
    name = node.inputs[0]
    producer = cx.producers.get(name)
    if count_padding and producer is not None and producer.op_type == "Pad" \
            and getattr(cx.single_consumer(name), "index", None) == node.index:
        extra = foldable_pad(cx, producer)
        if extra is not None:
            return cx.value(producer, 0), extra
    return cx.value(node, 0), [0, 0, 0, 0]


@converter("Conv", since=1)
def conv(cx: Context, node: Node) -> Results:
    """Conv (1-D, 2-D): `graph.conv2d`, with auto_pad resolved to explicit padding."""
    x, folded = _input_through_pad(cx, node, count_padding=True)
    w = cx.value(node, 1)
    n = _spatial_rank(cx, node, x)
    w_shape = list(w.type.get_shape())
    kernel = node.ints("kernel_shape", w_shape[2:])
    if kernel != w_shape[2:]:
        raise cx.unsupported(node, f"kernel_shape={kernel} differs from the weight's spatial "
                             f"shape {w_shape[2:]}")
    strides = node.ints("strides", [1] * n)
    dilations = node.ints("dilations", [1] * n)
    pads = _window_pads(cx, node, list(x.type.get_shape())[2:], kernel, strides, dilations)
    padding = [p + e for p, e in zip(_pads_2d(pads, n), folded, strict=True)]
    bias = cx.optional_value(node, 2)
    if n == 1:
        x, w = _expand_1d(cx, x), _expand_1d(cx, w)
    y = cx.build(node, cx.b.conv2d, x, w, bias, _to_2d(strides, 1, n), padding,
                 _to_2d(dilations, 1, n), int(node.attr("group", 1)))
    return [_squeeze_1d(cx, y) if n == 1 else y]


def _pool(cx: Context, node: Node, kind: str) -> Results:
    count_include_pad = bool(node.attr("count_include_pad", 0)) if kind == "avg" else False
    x = cx.value(node, 0)
    n = _spatial_rank(cx, node, x)
    kernel = node.ints("kernel_shape")
    if kernel is None or len(kernel) != n:
        raise cx.unsupported(node, f"attribute kernel_shape must have {n} entries, got {kernel}")
    strides = node.ints("strides", [1] * n)
    dilations = node.ints("dilations", [1] * n)
    if node.attr("storage_order", 0) != 0:
        raise cx.unsupported(node, "attribute storage_order=1 is not supported")
    if len(node.outputs) > 1 and node.outputs[1]:
        raise cx.unsupported(node, "output #1 (Indices) is not supported")
    pads = _pads_2d(_window_pads(cx, node, list(x.type.get_shape())[2:], kernel, strides,
                                 dilations), n)
    if kind == "avg" and (count_include_pad or not any(pads)):
        # An explicit zero Pad before it counts as padding: fold it (counting it).
        x2, folded = _input_through_pad(cx, node, count_padding=True)
        if any(folded):
            x, pads = x2, [p + e for p, e in zip(pads, folded, strict=True)]
            count_include_pad = True
    ceil_mode = bool(node.attr("ceil_mode", 0))
    if n == 1:
        x = _expand_1d(cx, x)
    args = {"kernel": _to_2d(kernel, 1, n), "strides": _to_2d(strides, 1, n), "padding": pads,
            "dilations": _to_2d(dilations, 1, n) if node.attr("dilations") else None,
            "ceil_mode": ceil_mode}
    if kind == "max":
        y = cx.build(node, cx.b.max_pool2d, x, **args)
    else:
        y = cx.build(node, cx.b.avg_pool2d, x, count_include_pad=count_include_pad, **args)
    return [_squeeze_1d(cx, y) if n == 1 else y]


@converter("MaxPool", since=1)
def max_pool(cx: Context, node: Node) -> Results:
    """MaxPool (1-D, 2-D): `graph.max_pool2d`; the Indices output is not supported."""
    return _pool(cx, node, "max")


@converter("AveragePool", since=1)
def average_pool(cx: Context, node: Node) -> Results:
    """AveragePool (1-D, 2-D): `graph.avg_pool2d`."""
    return _pool(cx, node, "avg")


def _global_pool(cx: Context, node: Node, method: str) -> Results:
    x = cx.value(node, 0)
    rank = len(x.type.get_shape())
    if rank < 3:
        raise cx.unsupported(node, f"input must have rank >= 3 (N x C x ...), got {x.type}")
    return [cx.build(node, getattr(cx.b, method), x, list(range(2, rank)), True)]


@converter("GlobalAveragePool", since=1)
def global_average_pool(cx: Context, node: Node) -> Results:
    """GlobalAveragePool: `graph.reduce_mean` over the spatial axes, keeping them."""
    return _global_pool(cx, node, "reduce_mean")


@converter("GlobalMaxPool", since=1)
def global_max_pool(cx: Context, node: Node) -> Results:
    """GlobalMaxPool: `graph.reduce_max` over the spatial axes, keeping them."""
    return _global_pool(cx, node, "reduce_max")


# --- normalization ------------------------------------------------------------------------------


@converter("BatchNormalization", since=7)
def batch_norm(cx: Context, node: Node) -> Results:
    """BatchNormalization (inference): `graph.batch_norm`."""
    if node.opset < 9 and node.attr("spatial", 1) != 1:
        raise cx.unsupported(node, "attribute spatial=0 is not supported")
    if node.attr("training_mode", 0):
        raise cx.unsupported(node, "training_mode=1 is not supported (inference only)")
    if any(node.outputs[1:]):
        raise cx.unsupported(node, "the running mean/variance outputs (training) are not "
                             "supported")
    args = [cx.value(node, i) for i in range(5)]
    return [cx.build(node, cx.b.batch_norm, *args, float(node.attr("epsilon", 1e-5)))]


@converter("InstanceNormalization", since=6)
def instance_norm(cx: Context, node: Node) -> Results:
    """InstanceNormalization: mean and variance per sample and channel over the spatial axes,
    written with reductions (`(x - mean) * rsqrt(var + eps) * scale + bias`)."""
    b = cx.b
    x = cx.value(node, 0)
    shape = list(x.type.get_shape())
    if len(shape) < 3:
        raise cx.unsupported(node, f"input must have rank >= 3, got {x.type}")
    axes = list(range(2, len(shape)))
    per_channel = [shape[1]] + [1] * (len(shape) - 2)
    scale = b.reshape(cx.value(node, 1), per_channel)
    bias = b.reshape(cx.value(node, 2), per_channel)
    centered = b.sub(x, b.reduce_mean(x, axes, True))
    var = b.reduce_mean(b.mul(centered, centered), axes, True)
    eps = cx.scalar(float(node.attr("epsilon", 1e-5)), x)
    y = b.mul(b.mul(centered, b.rsqrt(b.add(var, eps))), scale)
    return [b.add(y, bias)]


@converter("LayerNormalization", since=17)
def layer_norm(cx: Context, node: Node) -> Results:
    """LayerNormalization: `graph.layer_norm`; the optional Mean and InvStdDev outputs are
    computed with reductions (in f32, the stash type)."""
    b = cx.b
    x = cx.value(node, 0)
    axis = int(node.attr("axis", -1))
    eps = float(node.attr("epsilon", 1e-5))
    if node.attr("stash_type", 1) != 1:
        raise cx.unsupported(node, "stash_type other than 1 (float) is not supported")
    gamma = cx.value(node, 1)
    beta = cx.value(node, 2) if node.has_input(2) else cx.const(
        np.zeros(tuple(gamma.type.get_shape()), dtype=np.float32), node,
        gamma.type.element_type)
    y = cx.build(node, b.layer_norm, x, gamma, beta, axis, eps)
    outs: list[SSAValue | None] = [y]
    if any(node.outputs[1:]):
        rank = len(x.type.get_shape())
        axes = list(range(axis % rank, rank))
        xf = x if x.type.element_type == element_type("f32") else b.cast(x, "f32")
        mean = b.reduce_mean(xf, axes, True)
        centered = b.sub(xf, mean)
        var = b.reduce_mean(b.mul(centered, centered), axes, True)
        outs += [mean, b.rsqrt(b.add(var, cx.scalar(eps, var)))]
    return outs


@converter("LRN", since=1)
def lrn(cx: Context, node: Node) -> Results:
    """LRN: `graph.lrn` (across channels of an NCHW tensor)."""
    size = node.attr("size")
    if size is None:
        raise cx.unsupported(node, "attribute 'size' is required")
    return [cx.build(node, cx.b.lrn, cx.value(node, 0), int(size),
                     float(node.attr("alpha", 1e-4)), float(node.attr("beta", 0.75)),
                     float(node.attr("bias", 1.0)))]


def _softmax(cx: Context, node: Node, method: str) -> Results:
    x = cx.value(node, 0)
    shape = list(x.type.get_shape())
    rank = len(shape)
    fn = getattr(cx.b, method)
    if node.opset >= 13:
        return [cx.build(node, fn, x, int(node.attr("axis", -1)))]
    # Opsets < 13 coerce the input to 2-D: [prod(shape[:axis]), prod(shape[axis:])], and
    # normalize each row. When axis is the last one, that is the plain softmax.
    axis = int(node.attr("axis", 1))
    if not -rank <= axis < max(rank, 1):
        raise cx.unsupported(node, f"axis {axis} is out of range for rank {rank}")
    axis %= max(rank, 1)
    if axis == rank - 1:
        return [cx.build(node, fn, x, -1)]
    rows = int(np.prod(shape[:axis], dtype=np.int64))
    cols = int(np.prod(shape[axis:], dtype=np.int64))
    flat = cx.b.reshape(x, [rows, cols])
    return [cx.b.reshape(cx.build(node, fn, flat, 1), shape)]


@converter("Softmax", since=1)
def softmax(cx: Context, node: Node) -> Results:
    """Softmax: `graph.softmax` (opsets < 13: over the input coerced to 2-D at `axis`)."""
    return _softmax(cx, node, "softmax")


@converter("LogSoftmax", since=1)
def log_softmax(cx: Context, node: Node) -> Results:
    """LogSoftmax: `graph.log_softmax` (opsets < 13: over the input coerced to 2-D)."""
    return _softmax(cx, node, "log_softmax")
