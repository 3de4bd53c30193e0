"""Neural-network ATen ops: convolution, pooling, softmax, normalizations, attention and
embedding.

- Convolution and pooling are 2-D in the graph dialect; 1-D ones (N, C, W) are imported as 2-D
  with a height of 1 (a reshape on each side). Transposed convolution is an error.
- `max_pool2d_with_indices` imports its values; using the indices is an error.
- `adaptive_avg_pool2d` to (1, 1) is a `reduce_mean` over H and W; to a size that divides the
  input, an `avg_pool2d`; anything else is an error.
- `scaled_dot_product_attention` is decomposed here: softmax(q k^T * scale + mask) v, with a
  causal mask as a constant and grouped-query attention as a broadcast of k and v heads.
- `embedding` with indices known at run time is a one-hot matmul: one_hot = relu(1 - |i - v|)
  over the vocabulary v (exactly 0 or 1 for integer indices), times the weight. Indices out of
  range give a zero row where torch raises.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import torch
from xdsl.dialects.builtin import IntegerType
from xdsl.ir import SSAValue

from mlc_dialects.frontend.torch.context import (
    Context,
    Node,
    graph_elem_type,
    is_float,
    norm_axis,
    torch_dtype,
)
from mlc_dialects.frontend.torch.registry import converter

# --- convolution and pooling ------------------------------------------------------------------


def _spatial_rank(cx: Context, node: Node, x: SSAValue) -> int:
    rank = len(cx.shape(x))
    if rank not in (3, 4):
        raise cx.unsupported(node, f"input of rank {rank} is not supported: only 1-D and 2-D "
                             "(inputs of rank 3 and 4, N x C x ...) are")
    return rank - 2


def _two(values: Sequence[int], fill: int, n: int) -> list[int]:
    """A per-axis list of a 1-D op as the 2-D one (height first, of size `fill`)."""
    return [fill, *values] if n == 1 else list(values)


def _expand_1d(cx: Context, node: Node, v: SSAValue) -> SSAValue:
    shape = cx.shape(v)
    return cx.reshape(node, v, [*shape[:2], 1, *shape[2:]])


@converter("convolution.default")
def convolution(cx: Context, node: Node) -> SSAValue:
    if node.arg("transposed"):
        raise cx.unsupported(node, "transposed convolution is not supported")
    elem = cx.out_elem(node)
    x = cx.cast(cx.value(node, "input"), elem)
    n = _spatial_rank(cx, node, x)
    w = cx.cast(cx.value(node, "weight"), elem)
    bias = cx.optional_value(node, "bias")
    strides = cx.ints(node, "stride", n)
    pads = cx.ints(node, "padding", n)
    dilations = cx.ints(node, "dilation", n)
    if n == 1:
        x, w = _expand_1d(cx, node, x), _expand_1d(cx, node, w)
    pads2 = _two(pads, 0, n)
    y = cx.build(node, cx.b.conv2d, x, w, None if bias is None else cx.cast(bias, elem),
                 _two(strides, 1, n), [pads2[0], pads2[1], pads2[0], pads2[1]],
                 _two(dilations, 1, n), int(node.arg("groups")))
    return cx.reshape(node, y, node.out_shape()) if n == 1 else y


def _pool_args(cx: Context, node: Node, x: SSAValue) -> tuple[list[int], list[int], list[int]]:
    if len(cx.shape(x)) != 4:
        raise cx.unsupported(node, f"input of rank {len(cx.shape(x))} is not supported (N x C "
                             "x H x W only)")
    kernel = cx.ints(node, "kernel_size", 2)
    strides = cx.ints(node, "stride", 2) if node.arg("stride") else list(kernel)
    pads = cx.ints(node, "padding", 2)
    return kernel, strides, [pads[0], pads[1], pads[0], pads[1]]


def _ceil_mode(cx: Context, node: Node, x: SSAValue, kernel: list[int], strides: list[int],
               padding: list[int], dilations: list[int], out_shape: list[int]) -> bool:
    """ceil_mode only where it changes the output size (torch's and the graph op's rules agree:
    a last window must start inside the input or the left padding)."""
    if not node.arg("ceil_mode"):
        return False
    h, w = cx.shape(x)[2:]
    floor = [(size + padding[i] + padding[i + 2] - d * (k - 1) - 1) // s + 1
             for i, (size, k, s, d) in enumerate(zip((h, w), kernel, strides, dilations,
                                                    strict=True))]
    return floor != out_shape[2:]


@converter("max_pool2d.default", "max_pool2d_with_indices.default")
def max_pool2d(cx: Context, node: Node) -> SSAValue | tuple:
    x = cx.value(node, "self")
    kernel, strides, padding = _pool_args(cx, node, x)
    dilations = cx.ints(node, "dilation", 2)
    meta = node.meta
    if isinstance(meta, (tuple, list)):
        out_shape = [int(d) for d in meta[0].shape]
    else:
        out_shape = node.out_shape()
    ceil = _ceil_mode(cx, node, x, kernel, strides, padding, dilations, out_shape)
    y = cx.build(node, cx.b.max_pool2d, x, kernel, strides, padding,
                 None if dilations == [1, 1] else dilations, ceil)
    if node.op == "max_pool2d_with_indices.default":
        return (y, None)
    return y


@converter("avg_pool2d.default")
def avg_pool2d(cx: Context, node: Node) -> SSAValue:
    if node.arg("divisor_override") is not None:
        raise cx.unsupported(node, "divisor_override is not supported")
    elem = cx.out_elem(node)
    x = cx.cast(cx.value(node, "self"), elem)
    kernel, strides, padding = _pool_args(cx, node, x)
    ceil = _ceil_mode(cx, node, x, kernel, strides, padding, [1, 1], node.out_shape())
    include = bool(node.arg("count_include_pad")) and any(padding)
    return cx.build(node, cx.b.avg_pool2d, x, kernel, strides, padding, None, ceil, include)


@converter("adaptive_avg_pool2d.default", "_adaptive_avg_pool2d.default", preserve=True)
def adaptive_avg_pool2d(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    x = cx.cast(cx.value(node, "self"), elem)
    shape = cx.shape(x)
    if len(shape) not in (3, 4):
        raise cx.unsupported(node, f"input of rank {len(shape)} is not supported")
    out = cx.ints(node, "output_size", 2)
    out = [shape[-2 + i] if o is None else o for i, o in enumerate(out)]
    if out == [1, 1]:
        return cx.b.reduce_mean(x, [len(shape) - 2, len(shape) - 1], keepdims=True)
    h, w = shape[-2:]
    if h % out[0] or w % out[1]:
        raise cx.unsupported(node, f"output size {out} does not divide the input size "
                             f"{[h, w]}: only (1, 1) and divisors are supported")
    kernel = [h // out[0], w // out[1]]
    if len(shape) == 3:
        x = cx.reshape(node, x, [1, *shape])
    y = cx.b.avg_pool2d(x, kernel, kernel)
    return cx.reshape(node, y, node.out_shape())


# --- softmax ----------------------------------------------------------------------------------


@converter("softmax.int", "_softmax.default", "log_softmax.int", "_log_softmax.default",
           preserve=True)
def softmax(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    x = cx.cast(cx.value(node, "self"), elem)
    rank = len(cx.shape(x))
    axis = norm_axis(cx, node, int(node.arg("dim")), rank)
    if rank == 0:  # softmax of a scalar is 1 (log: 0)
        x = cx.reshape(node, x, [1])
    fn = cx.b.log_softmax if "log_softmax" in node.op else cx.b.softmax
    y = cx.build(node, fn, x, axis)
    return cx.reshape(node, y, []) if rank == 0 else y


# --- normalization ----------------------------------------------------------------------------


def _param_or(cx: Context, node: Node, name: str, shape: Sequence[int], fill: float,
              elem) -> SSAValue:
    if node.arg(name) is not None:
        return cx.cast(cx.value(node, name), elem)
    return cx.const(torch.full(list(shape), fill, dtype=torch_dtype(elem)), node)


def _layer_norm(cx: Context, node: Node, elem) -> SSAValue:
    x = cx.cast(cx.value(node, "input"), elem)
    norm_shape = cx.ints(node, "normalized_shape")
    rank = len(cx.shape(x))
    if cx.shape(x)[rank - len(norm_shape):] != norm_shape:
        raise cx.unsupported(node, f"normalized_shape {norm_shape} is not the trailing shape "
                             f"of the input {cx.shape(x)}")
    gamma = _param_or(cx, node, "weight", norm_shape, 1.0, elem)
    beta = _param_or(cx, node, "bias", norm_shape, 0.0, elem)
    return cx.build(node, cx.b.layer_norm, x, gamma, beta, rank - len(norm_shape),
                    float(node.arg("eps")))


@converter("layer_norm.default", preserve=True)
def layer_norm(cx: Context, node: Node) -> SSAValue:
    return _layer_norm(cx, node, cx.out_elem(node))


@converter("native_layer_norm.default")
def native_layer_norm(cx: Context, node: Node) -> tuple:
    """Only output #0 (the normalized tensor); mean and rstd are training outputs."""
    return (_layer_norm(cx, node, graph_elem_type(node.meta[0].dtype)), None, None)


@converter("_native_batch_norm_legit_no_training.default")
def batch_norm(cx: Context, node: Node) -> tuple:
    """Inference batch norm over axis 1; outputs #1 and #2 (saved statistics) are empty in
    inference and not supported."""
    elem = graph_elem_type(node.meta[0].dtype)
    x = cx.cast(cx.value(node, "input"), elem)
    shape = cx.shape(x)
    if len(shape) < 2:
        raise cx.unsupported(node, f"input of rank {len(shape)} has no channel axis")
    c = [shape[1]]
    scale = _param_or(cx, node, "weight", c, 1.0, elem)
    bias = _param_or(cx, node, "bias", c, 0.0, elem)
    mean = cx.cast(cx.value(node, "running_mean"), elem)
    var = cx.cast(cx.value(node, "running_var"), elem)
    y = cx.build(node, cx.b.batch_norm, x, scale, bias, mean, var, float(node.arg("eps")))
    return (y, None, None)


# --- attention --------------------------------------------------------------------------------


def _repeat_heads(cx: Context, node: Node, v: SSAValue, heads: int) -> SSAValue:
    """(B, Hkv, S, E) -> (B, heads, S, E), each kv head repeated heads/Hkv times."""
    shape = cx.shape(v)
    hkv = shape[-3]
    if hkv == heads:
        return v
    if heads % hkv:
        raise cx.unsupported(node, f"{heads} query heads are not a multiple of {hkv} key/value "
                             "heads")
    g = heads // hkv
    lead = shape[:-3]
    v = cx.reshape(node, v, [*lead, hkv, 1, *shape[-2:]])
    v = cx.b.broadcast_to(v, [*lead, hkv, g, *shape[-2:]])
    return cx.reshape(node, v, [*lead, heads, *shape[-2:]])


@converter("scaled_dot_product_attention.default", preserve=True)
def scaled_dot_product_attention(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    if not is_float(elem):
        raise cx.unsupported(node, "attention needs floating-point inputs")
    dropout_p = float(node.arg("dropout_p") or 0.0)
    if dropout_p != 0.0:
        raise cx.unsupported(node, f"dropout_p={dropout_p} is not supported (inference: 0)")
    q = cx.cast(cx.value(node, "query"), elem)
    k = cx.cast(cx.value(node, "key"), elem)
    v = cx.cast(cx.value(node, "value"), elem)
    qs, ks = cx.shape(q), cx.shape(k)
    if len(qs) < 2 or len(ks) < 2:
        raise cx.unsupported(node, "query and key need at least 2 dimensions")
    if node.args.get("enable_gqa") and len(qs) >= 3:
        k = _repeat_heads(cx, node, k, qs[-3])
        v = _repeat_heads(cx, node, v, qs[-3])
    b = cx.b
    rank = len(cx.shape(k))
    perm = [*range(rank - 2), rank - 1, rank - 2]
    scale = node.args.get("scale")
    scale = 1.0 / math.sqrt(qs[-1]) if scale is None else float(scale)
    scores = cx.build(node, b.matmul, q, b.transpose(k, perm))
    scores = b.mul(scores, cx.scalar(scale, elem))
    length, source = qs[-2], ks[-2]
    neg_inf = cx.scalar(float("-inf"), elem)
    if node.arg("is_causal"):
        if node.arg("attn_mask") is not None:
            raise cx.unsupported(node, "attn_mask and is_causal together are not supported "
                                 "(torch rejects them too)")
        causal = torch.ones(length, source, dtype=torch.bool).tril()
        scores = b.where(cx.const(causal, node), scores, neg_inf)
    elif node.arg("attn_mask") is not None:
        mask = cx.value(node, "attn_mask")
        if cx.elem(mask) == IntegerType(1):
            scores = cx.build(node, b.where, mask, scores, neg_inf)
        else:
            scores = cx.build(node, b.add, scores, cx.cast(mask, elem))
    attn = b.softmax(scores, -1)
    return cx.build(node, b.matmul, attn, v)


# --- embedding --------------------------------------------------------------------------------


@converter("embedding.default", preserve=True)
def embedding(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    w = cx.value(node, "weight")
    w_shape = cx.shape(w)
    if len(w_shape) != 2:
        raise cx.unsupported(node, f"a weight of rank {len(w_shape)} is not supported (2 only)")
    if not is_float(elem):
        raise cx.unsupported(node, "only floating-point embedding tables are supported (the "
                             "lookup is a one-hot matmul)")
    vocab = w_shape[0]
    if vocab >= 1 << 24:
        raise cx.unsupported(node, f"a vocabulary of {vocab} entries is too large for the "
                             "one-hot lookup in float32")
    idx = cx.value(node, "indices")
    idx_shape = cx.shape(idx)
    b = cx.b
    fidx = cx.reshape(node, b.cast(idx, elem), [*idx_shape, 1])
    rows = cx.const(torch.arange(vocab, dtype=torch_dtype(elem)), node)
    one_hot = b.relu(b.sub(cx.scalar(1.0, elem), b.abs(b.sub(fidx, rows))))
    return cx.build(node, b.matmul, one_hot, w)
