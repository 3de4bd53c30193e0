"""Reference semantics of linear algebra and neural-network graph ops (ONNX where it has them).

- `matmul` is numpy.matmul and `einsum` numpy.einsum (size-1 dimensions broadcast); integer
  products wrap on overflow.
- `conv2d` is ONNX Conv on NCHW/OIHW with strides, padding (top, left, bottom, right),
  dilations and groups: the input is padded with zeros, cut into (dilated, strided) patches and
  multiplied with the weights, one matrix product per group (im2col).
- `max_pool2d`/`avg_pool2d` are ONNX MaxPool/AveragePool with padding, dilations and
  ceil_mode. Padding never wins a max. With `ceil_mode`, a last window may run past the bottom
  or right padding: positions past the padding are never counted. `count_include_pad = 1`
  counts the padded positions (not the ceil_mode overhang) in the divisor, as PyTorch does;
  with 0 the divisor is the number of input positions in the window. A window that holds no
  input position (the verifier allows it with dilations) gives -inf (max) or NaN (avg with
  count_include_pad = 0).
- `lrn` is ONNX LRN: with C channels and the window [c - floor((size-1)/2), c + ceil((size-1)/2)]
  clipped to [0, C-1], `y = x / (bias + alpha / size * sum(x^2 over the window)) ** beta`.
- `softmax`/`log_softmax` subtract the maximum along the axis first (no overflow).
- `layer_norm` is ONNX LayerNormalization: mean and (biased) variance over axes axis..rank-1,
  `(x - mean) / sqrt(var + epsilon) * gamma + beta`.
- `batch_norm` is the inference form of ONNX BatchNormalization, parameters per channel (dim 1).
Float16 inputs are computed in float32 (the ONNX `stash_type` of LayerNormalization).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from dialects.graph import ops
from dialects.graph.base import float_scalar, int_list, int_scalar, string
from dialects.graph.interp.dtypes import result, widen

Args = tuple[Any, ...]


# --- convolution and pooling --------------------------------------------------------------------


def _patches(xp: np.ndarray, kernel: Sequence[int], strides: Sequence[int],
             dilations: Sequence[int], out_hw: Sequence[int]) -> np.ndarray:
    """Windows of a padded NCHW array: a view of shape (N, C, OH, OW, KH, KW)."""
    span = [d * (k - 1) + 1 for k, d in zip(kernel, dilations, strict=True)]
    windows = sliding_window_view(xp, span, axis=(2, 3))
    windows = windows[:, :, ::strides[0], ::strides[1], ::dilations[0], ::dilations[1]]
    return windows[:, :, :out_hw[0], :out_hw[1]]


def conv2d(x: np.ndarray, w: np.ndarray, bias: np.ndarray | None, strides: Sequence[int],
           padding: Sequence[int], dilations: Sequence[int], groups: int) -> np.ndarray:
    """ONNX Conv on NCHW input and OIHW weights (im2col, one matmul per group)."""
    n = x.shape[0]
    o, cg, kh, kw = w.shape
    top, left, bottom, right = padding
    xp = np.pad(x, ((0, 0), (0, 0), (top, bottom), (left, right)))
    oh = (xp.shape[2] - dilations[0] * (kh - 1) - 1) // strides[0] + 1
    ow = (xp.shape[3] - dilations[1] * (kw - 1) - 1) // strides[1] + 1
    p = _patches(xp, (kh, kw), strides, dilations, (oh, ow))  # N, C, OH, OW, KH, KW
    p = p.reshape(n, groups, cg, oh, ow, kh, kw).transpose(1, 0, 3, 4, 2, 5, 6)
    cols = p.reshape(groups, n * oh * ow, cg * kh * kw)
    wg = w.reshape(groups, o // groups, cg * kh * kw).transpose(0, 2, 1)
    out = np.matmul(cols, wg)  # G, N*OH*OW, O/G
    out = out.reshape(groups, n, oh, ow, o // groups).transpose(1, 0, 4, 2, 3).reshape(n, o, oh, ow)
    if bias is not None:
        out = out + bias.reshape(1, o, 1, 1)
    return out


def _pool_geometry(x: np.ndarray, kernel: Sequence[int], strides: Sequence[int],
                   padding: Sequence[int], dilations: Sequence[int], out_hw: Sequence[int]
                   ) -> tuple[list[int], list[int]]:
    """Padding (low, high) per spatial axis such that every output window is inside it."""
    lo = [padding[0], padding[1]]
    hi = []
    for axis in range(2):
        span = dilations[axis] * (kernel[axis] - 1) + 1
        needed = (out_hw[axis] - 1) * strides[axis] + span - (x.shape[2 + axis] + lo[axis])
        hi.append(max(needed, padding[2 + axis]))
    return lo, hi


def max_pool2d(x: np.ndarray, kernel: Sequence[int], strides: Sequence[int],
               padding: Sequence[int], dilations: Sequence[int], out_hw: Sequence[int]
               ) -> np.ndarray:
    """ONNX MaxPool; padded (and ceil_mode overhang) positions are -inf."""
    lo, hi = _pool_geometry(x, kernel, strides, padding, dilations, out_hw)
    pad = ((0, 0), (0, 0), (lo[0], hi[0]), (lo[1], hi[1]))
    fill = -np.inf if x.dtype.kind == "f" else np.iinfo(x.dtype).min
    xp = np.pad(x, pad, constant_values=fill)
    return _patches(xp, kernel, strides, dilations, out_hw).max(axis=(4, 5))


def avg_pool2d(x: np.ndarray, kernel: Sequence[int], strides: Sequence[int],
               padding: Sequence[int], dilations: Sequence[int], out_hw: Sequence[int],
               count_include_pad: bool) -> np.ndarray:
    """ONNX AveragePool; the divisor counts input positions, plus padding if asked."""
    lo, hi = _pool_geometry(x, kernel, strides, padding, dilations, out_hw)
    pad = ((0, 0), (0, 0), (lo[0], hi[0]), (lo[1], hi[1]))
    total = _patches(np.pad(x, pad), kernel, strides, dilations, out_hw).sum(axis=(4, 5))
    # Which padded positions count: the input, and with count_include_pad the explicit padding
    # (never the ceil_mode overhang beyond it).
    h, w = x.shape[2:]
    mask = np.zeros((h + lo[0] + hi[0], w + lo[1] + hi[1]), dtype=x.dtype)
    if count_include_pad:
        mask[: lo[0] + h + padding[2], : lo[1] + w + padding[3]] = 1
    else:
        mask[lo[0]: lo[0] + h, lo[1]: lo[1] + w] = 1
    count = _patches(mask[None, None], kernel, strides, dilations, out_hw).sum(axis=(4, 5))
    return total / count


def lrn(x: np.ndarray, size: int, alpha: float, beta: float, bias: float) -> np.ndarray:
    """ONNX LRN across channels of an NCHW array."""
    c = x.shape[1]
    before, after = (size - 1) // 2, size - 1 - (size - 1) // 2
    padded = np.pad(np.square(x), ((0, 0), (before, after), (0, 0), (0, 0)))
    square_sum = sliding_window_view(padded, size, axis=1)[:, :c].sum(axis=-1)
    t = x.dtype.type
    return x / (t(bias) + t(alpha) / t(size) * square_sum) ** t(beta)


# --- normalization --------------------------------------------------------------------------------


def softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """exp(x - max) / sum(exp(x - max)) along `axis`."""
    e = np.exp(x - np.max(x, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def log_softmax(x: np.ndarray, axis: int) -> np.ndarray:
    """x - max - log(sum(exp(x - max))) along `axis`."""
    shifted = x - np.max(x, axis=axis, keepdims=True)
    return shifted - np.log(np.sum(np.exp(shifted), axis=axis, keepdims=True))


def layer_norm(x: np.ndarray, gamma: np.ndarray, beta: np.ndarray, axis: int, epsilon: float
               ) -> np.ndarray:
    """ONNX LayerNormalization over axes axis..rank-1."""
    axes = tuple(range(axis % x.ndim, x.ndim))
    mean = np.mean(x, axis=axes, keepdims=True)
    centered = x - mean
    var = np.mean(np.square(centered), axis=axes, keepdims=True)
    return centered / np.sqrt(var + x.dtype.type(epsilon)) * gamma + beta


def batch_norm(x: np.ndarray, scale: np.ndarray, bias: np.ndarray, mean: np.ndarray,
               var: np.ndarray, epsilon: float) -> np.ndarray:
    """Inference BatchNormalization with per-channel parameters (dim 1 of x)."""
    shape = (1, x.shape[1]) + (1,) * (x.ndim - 2)
    s, b, m, v = (p.reshape(shape) for p in (scale, bias, mean, var))
    return (x - m) / np.sqrt(v + x.dtype.type(epsilon)) * s + b


def _pair(op: ops.GraphOp, name: str, default: list[int]) -> list[int]:
    return int_list(op.attributes, name, default)


def _out_hw(op: ops.GraphOp) -> list[int]:
    return list(op.results[0].type.get_shape()[2:])


@register_impls
class NNFunctions(InterpreterFunctions):
    """Interpreter implementations of linear algebra and neural-network graph ops."""

    @impl(ops.MatmulOp)
    def run_matmul(self, interp: Interpreter, op: ops.MatmulOp, args: Args) -> Args:
        return (result(op, np.matmul(widen(args[0]), widen(args[1]))),)

    @impl(ops.EinsumOp)
    def run_einsum(self, interp: Interpreter, op: ops.EinsumOp, args: Args) -> Args:
        equation = string(op.attributes, "equation").replace(" ", "")
        return (result(op, np.einsum(equation, *(widen(a) for a in args))),)

    @impl(ops.Conv2dOp)
    def run_conv2d(self, interp: Interpreter, op: ops.Conv2dOp, args: Args) -> Args:
        x, w = widen(args[0]), widen(args[1])
        bias = widen(args[2]) if len(args) == 3 else None
        out = conv2d(
            x, w, bias, _pair(op, "strides", [1, 1]), _pair(op, "padding", [0, 0, 0, 0]),
            _pair(op, "dilations", [1, 1]), int_scalar(op.attributes, "groups", 1),
        )
        return (result(op, out),)

    @impl(ops.MaxPool2dOp)
    def run_max_pool2d(self, interp: Interpreter, op: ops.MaxPool2dOp, args: Args) -> Args:
        out = max_pool2d(
            widen(args[0]), _pair(op, "kernel", []), _pair(op, "strides", [1, 1]),
            _pair(op, "padding", [0, 0, 0, 0]), _pair(op, "dilations", [1, 1]), _out_hw(op),
        )
        return (result(op, out),)

    @impl(ops.AvgPool2dOp)
    def run_avg_pool2d(self, interp: Interpreter, op: ops.AvgPool2dOp, args: Args) -> Args:
        out = avg_pool2d(
            widen(args[0]), _pair(op, "kernel", []), _pair(op, "strides", [1, 1]),
            _pair(op, "padding", [0, 0, 0, 0]), _pair(op, "dilations", [1, 1]), _out_hw(op),
            bool(int_scalar(op.attributes, "count_include_pad", 0)),
        )
        return (result(op, out),)

    @impl(ops.LrnOp)
    def run_lrn(self, interp: Interpreter, op: ops.LrnOp, args: Args) -> Args:
        a = op.attributes
        out = lrn(
            widen(args[0]), int_scalar(a, "size"), float_scalar(a, "alpha", 1e-4),
            float_scalar(a, "beta", 0.75), float_scalar(a, "bias", 1.0),
        )
        return (result(op, out),)

    @impl(ops.SoftmaxOp)
    def run_softmax(self, interp: Interpreter, op: ops.SoftmaxOp, args: Args) -> Args:
        axis = int_scalar(op.attributes, "axis", -1)
        return (result(op, softmax(widen(args[0]), axis)),)

    @impl(ops.LogSoftmaxOp)
    def run_log_softmax(self, interp: Interpreter, op: ops.LogSoftmaxOp, args: Args) -> Args:
        axis = int_scalar(op.attributes, "axis", -1)
        return (result(op, log_softmax(widen(args[0]), axis)),)

    @impl(ops.LayerNormOp)
    def run_layer_norm(self, interp: Interpreter, op: ops.LayerNormOp, args: Args) -> Args:
        x, gamma, beta = (widen(a) for a in args)
        axis = int_scalar(op.attributes, "axis", -1)
        epsilon = float_scalar(op.attributes, "epsilon", 1e-5)
        return (result(op, layer_norm(x, gamma, beta, axis, epsilon)),)

    @impl(ops.BatchNormOp)
    def run_batch_norm(self, interp: Interpreter, op: ops.BatchNormOp, args: Args) -> Args:
        epsilon = float_scalar(op.attributes, "epsilon", 1e-5)
        return (result(op, batch_norm(*(widen(a) for a in args), epsilon)),)
