"""Neural-network ops: conv2d, pooling, lrn, softmax/log_softmax, layer_norm, batch_norm.

Layouts and semantics are ONNX's, as the graph interpreter defines them
(dialects/graph/interp/nn.py); float16 is computed in float32 and rounded once.

- `conv2d` (NCHW input, OIHW weights): a zero-padding stage `pad` (only when there is padding),
  one reduction stage over (input channel of the group, kernel row, kernel column), and an
  epilogue stage adding the bias / rounding float16 when needed. TVM's topi conv2d has the same
  structure; the pad stage is there for schedules to inline or cache.
- `max_pool2d` / `avg_pool2d`: one reduction over the window whose `where` clause skips
  positions outside the input, so padding (and the ceil_mode overhang) never wins a max and
  never adds to a sum. The average divides by a count stage of shape (OH, OW): the input
  positions of the window, plus the explicit padding with `count_include_pad` (never the
  ceil_mode overhang). When every window lies inside the input the divisor is a constant.
- `lrn`: the windowed sum of squares across channels, then `x / (bias + alpha/size * s)**beta`.
- `softmax`: stages `max`, `exp` (of x - max), `sum`, and the division; `log_softmax`: `max`,
  `sum_exp`, and `x - max - log(sum_exp)`: no overflow for large inputs.
- `layer_norm`: two passes (mean, then the biased variance of the centred values), then
  `(x - mean) / sqrt(var + eps) * gamma + beta`; gamma and beta broadcast to the normalized
  shape. `batch_norm` (inference form) is one elementwise stage.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

import numpy as np

from dialects.graph import shapes
from mlc_dialects import te
from mlc_dialects.oplib.common import (
    LegalizeError,
    broadcast_index,
    clamp,
    compute_dtype,
    const,
    finish,
    float_in,
    in_range,
    is_float,
    load,
    narrow,
    normalize_axis,
    reduce_or_fill,
    widen,
)
from mlc_dialects.te.expr import Expr, ExprLike, IterVar
from mlc_dialects.te.tensor import Tensor


def _scaled(index: ExprLike, factor: int) -> ExprLike:
    return index if factor == 1 else index * factor


def _offset(index: ExprLike, offset: int) -> ExprLike:
    return index if offset == 0 else index + offset


def _float_input(x: Tensor, op: str) -> None:
    if not is_float(x.dtype):
        raise LegalizeError(f"{op} needs a floating-point input, got {x.dtype}")


def _acc_name(name: str, needs_epilogue: bool) -> str:
    return f"{name}_acc" if needs_epilogue else name


# --- convolution --------------------------------------------------------------------------------


def pad2d(x: Tensor, padding: Sequence[int], value: float = 0.0, name: str = "pad") -> Tensor:
    """Pad the two last axes of an NCHW tensor: padding is (top, left, bottom, right)."""
    top, left, bottom, right = padding
    n, c, h, w = x.shape

    def fcompute(b: IterVar, ch: IterVar, y: IterVar, xx: IterVar) -> Expr:
        inside = te.all(in_range(y, top, top + h), in_range(xx, left, left + w))
        value_in = x[b, ch, clamp(_offset(y, -top), h), clamp(_offset(xx, -left), w)]
        return te.if_then_else(inside, value_in, const(value, x.dtype))

    return te.compute((n, c, h + top + bottom, w + left + right), fcompute, name=name)


def conv2d(x: Tensor, w: Tensor, bias: Tensor | None = None, strides: Sequence[int] = (1, 1),
           padding: Sequence[int] = (0, 0, 0, 0), dilations: Sequence[int] = (1, 1),
           groups: int = 1, name: str = "conv2d") -> Tensor:
    """ONNX Conv: `y[n, o, i, j] = sum over (c, ky, kx) of
    xpad[n, g*C/groups + c, i*sh + ky*dh, j*sw + kx*dw] * w[o, c, ky, kx] (+ bias[o])`
    where g = o // (O/groups)."""
    _float_input(x, name)
    if x.ndim != 4 or w.ndim != 4:
        raise LegalizeError(f"{name} expects NCHW input and OIHW weights, got {x.shape}, {w.shape}")
    try:
        out_shape = shapes.conv2d(x.shape, w.shape, strides, padding, dilations, groups)
    except shapes.ShapeError as err:
        raise LegalizeError(f"{name}: {err}") from None
    o_total, cg, kh, kw = w.shape
    og = o_total // groups
    padded = pad2d(x, padding) if any(padding) and x.shape[1] else x
    sh, sw = strides
    dh, dw = dilations
    dtype = compute_dtype(x.dtype)

    def body(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        n, o, y, xx = i
        c, ky, kx = r
        channel = c if groups == 1 else (o // og) * cg + c
        row = _scaled(y, sh) + _scaled(ky, dh)
        col = _scaled(xx, sw) + _scaled(kx, dw)
        return widen(padded[n, channel, row, col], x.dtype) * widen(w[o, c, ky, kx], w.dtype)

    epilogue = None
    if bias is not None:
        def epilogue(v: Expr, i: Sequence[IterVar]) -> Expr:
            return v + widen(bias[i[1]], bias.dtype)

    acc = reduce_or_fill(out_shape, "sum", [cg, kh, kw], body, dtype,
                         _acc_name(name, bias is not None or dtype != x.dtype))
    return finish(acc, x.dtype, name, epilogue)


# --- pooling ------------------------------------------------------------------------------------


class _Window:
    """Geometry of a pooling window on an NCHW input."""

    def __init__(self, x: Tensor, kernel: Sequence[int], strides: Sequence[int],
                 padding: Sequence[int], dilations: Sequence[int], ceil_mode: bool):
        if x.ndim != 4:
            raise LegalizeError(f"pooling expects an NCHW input, got shape {x.shape}")
        try:
            self.out_shape = shapes.pool2d(x.shape, kernel, strides, padding, dilations,
                                           ceil_mode)
        except shapes.ShapeError as err:
            raise LegalizeError(f"pooling: {err}") from None
        self.x = x
        self.kernel = list(kernel)
        self.strides = list(strides)
        self.padding = list(padding)
        self.dilations = list(dilations)
        self.size = x.shape[2:]
        self.out_hw = self.out_shape[2:]

    def position(self, axis: int, out: ExprLike, r: ExprLike) -> ExprLike:
        """Input row (axis 0) or column (axis 1) of window element `r` at output `out`."""
        base = _offset(_scaled(out, self.strides[axis]), -self.padding[axis])
        return base + _scaled(r, self.dilations[axis]) if self.kernel[axis] > 1 else base

    def inside_input(self) -> bool:
        """Whether every window of every output position lies inside the input."""
        for axis in range(2):
            last = (self.out_hw[axis] - 1) * self.strides[axis] - self.padding[axis]
            span = self.dilations[axis] * (self.kernel[axis] - 1)
            if self.padding[axis] > 0 or last + span >= self.size[axis]:
                return False
        return True

    def element(self, i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        """The input element of window position r (clamped: valid only under `valid`)."""
        n, c, y, xx = i
        rows = self.position(0, y, r[0])
        cols = self.position(1, xx, r[1])
        if self.inside_input():
            return self.x[n, c, rows, cols]
        return self.x[n, c, clamp(rows, self.size[0]), clamp(cols, self.size[1])]

    def valid(self, i: Sequence[IterVar], r: Sequence[IterVar],
              bounds: tuple[tuple[int, int], tuple[int, int]] | None = None) -> Expr:
        """Whether window position r lies inside `bounds` ((lo, hi) per axis; the input)."""
        if bounds is None:
            bounds = ((0, self.size[0]), (0, self.size[1]))
        y, xx = i[-2], i[-1]
        rows = self.position(0, y, r[0])
        cols = self.position(1, xx, r[1])
        return te.all(in_range(rows, *bounds[0]), in_range(cols, *bounds[1]))


def max_pool2d(x: Tensor, kernel: Sequence[int], strides: Sequence[int] = (1, 1),
               padding: Sequence[int] = (0, 0, 0, 0), dilations: Sequence[int] = (1, 1),
               ceil_mode: bool = False, name: str = "max_pool2d") -> Tensor:
    """ONNX MaxPool; padding never wins; a window without input positions gives -inf."""
    _float_input(x, name)
    win = _Window(x, kernel, strides, padding, dilations, ceil_mode)
    where = None if win.inside_input() else win.valid
    return reduce_or_fill(win.out_shape, "max", win.kernel, win.element, x.dtype, name,
                          where=where)


def avg_pool2d(x: Tensor, kernel: Sequence[int], strides: Sequence[int] = (1, 1),
               padding: Sequence[int] = (0, 0, 0, 0), dilations: Sequence[int] = (1, 1),
               ceil_mode: bool = False, count_include_pad: bool = False,
               name: str = "avg_pool2d") -> Tensor:
    """ONNX AveragePool (see the module docstring for the divisor)."""
    _float_input(x, name)
    win = _Window(x, kernel, strides, padding, dilations, ceil_mode)
    dtype = compute_dtype(x.dtype)
    inside = win.inside_input()

    def element(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        return widen(win.element(i, r), x.dtype)

    total = reduce_or_fill(win.out_shape, "sum", win.kernel, element, dtype, f"{name}_sum",
                           where=None if inside else win.valid)
    if inside:
        count = const(math.prod(win.kernel), dtype)
        return finish(total, x.dtype, name, lambda v, i: v / count)
    h, w = win.size
    top, left, bottom, right = win.padding
    bounds = ((-top, h + bottom), (-left, w + right)) if count_include_pad else None

    def one(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        return const(1, dtype)

    counts = reduce_or_fill(win.out_hw, "sum", win.kernel, one, dtype, f"{name}_count",
                            where=lambda i, r: win.valid(i, r, bounds))
    return finish(total, x.dtype, name, lambda v, i: v / counts[i[2], i[3]])


def lrn(x: Tensor, size: int, alpha: float = 1e-4, beta: float = 0.75, bias: float = 1.0,
        name: str = "lrn") -> Tensor:
    """ONNX LRN across the channels of an NCHW tensor."""
    _float_input(x, name)
    if x.ndim != 4:
        raise LegalizeError(f"{name} expects an NCHW input, got shape {x.shape}")
    channels = x.shape[1]
    before = (size - 1) // 2
    dtype = compute_dtype(x.dtype)

    def channel(c: IterVar, r: IterVar) -> ExprLike:
        return _offset(c, -before) + r

    def square(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        n, c, y, xx = i
        v = widen(x[n, clamp(channel(c, r[0]), channels), y, xx], x.dtype)
        return v * v

    def valid(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        return in_range(channel(i[1], r[0]), 0, channels)

    sums = reduce_or_fill(x.shape, "sum", [size], square, dtype, f"{name}_sum", where=valid)
    t = np.dtype(dtype).type
    scale = const(float(t(alpha) / t(size)), dtype)  # alpha / size rounded as numpy does

    def fcompute(*i: IterVar) -> Expr:
        base = const(float_in(bias, dtype), dtype) + scale * sums[i]
        return narrow(widen(x[i], x.dtype) / te.power(base, const(float_in(beta, dtype), dtype)),
                      x.dtype)

    return te.compute(x.shape, fcompute, name=name)


# --- normalization ------------------------------------------------------------------------------


def _without(index: Sequence[ExprLike], axis: int) -> list[ExprLike]:
    return [v for d, v in enumerate(index) if d != axis]


def _with(index: Sequence[ExprLike], axis: int, value: ExprLike) -> list[ExprLike]:
    return [*index[:axis], value, *index[axis:]]


def _axis_max(x: Tensor, axis: int, name: str) -> Tensor:
    shape = tuple(_without(x.shape, axis))
    return reduce_or_fill(shape, "max", [x.shape[axis]],
                          lambda i, r: widen(load(x, _with(i, axis, r[0])), x.dtype),
                          compute_dtype(x.dtype), name)


def softmax(x: Tensor, axis: int = -1, name: str = "softmax") -> Tensor:
    """`exp(x - max) / sum(exp(x - max))` along `axis`."""
    _float_input(x, name)
    axis = normalize_axis(axis, x.ndim)
    dtype = compute_dtype(x.dtype)
    mx = _axis_max(x, axis, "max")
    e = te.compute(x.shape, lambda *i: te.exp(widen(load(x, i), x.dtype)
                                              - load(mx, _without(i, axis))), name="exp")
    s = reduce_or_fill(mx.shape, "sum", [x.shape[axis]], lambda i, r: load(e, _with(i, axis, r[0])),
                       dtype, "sum")
    return te.compute(x.shape, lambda *i: narrow(load(e, i) / load(s, _without(i, axis)),
                                                 x.dtype), name=name)


def log_softmax(x: Tensor, axis: int = -1, name: str = "log_softmax") -> Tensor:
    """`(x - max) - log(sum(exp(x - max)))` along `axis`."""
    _float_input(x, name)
    axis = normalize_axis(axis, x.ndim)
    dtype = compute_dtype(x.dtype)
    mx = _axis_max(x, axis, "max")

    def shifted(index: Sequence[ExprLike], reduced: Sequence[ExprLike]) -> Expr:
        return widen(load(x, index), x.dtype) - load(mx, reduced)

    s = reduce_or_fill(mx.shape, "sum", [x.shape[axis]],
                       lambda i, r: te.exp(shifted(_with(i, axis, r[0]), i)), dtype, "sum_exp")
    return te.compute(
        x.shape,
        lambda *i: narrow(shifted(i, _without(i, axis)) - te.log(load(s, _without(i, axis))),
                          x.dtype),
        name=name,
    )


def layer_norm(x: Tensor, gamma: Tensor, beta: Tensor, axis: int = -1, epsilon: float = 1e-5,
               name: str = "layer_norm") -> Tensor:
    """ONNX LayerNormalization over axes axis..rank-1 (two-pass mean and variance)."""
    _float_input(x, name)
    axis = normalize_axis(axis, x.ndim)
    lead, normalized = x.shape[:axis], x.shape[axis:]
    count = math.prod(normalized)
    dtype = compute_dtype(x.dtype)
    n = const(count, dtype)

    def value(i: Sequence[ExprLike], r: Sequence[ExprLike]) -> Expr:
        return widen(load(x, [*i, *r]), x.dtype)

    mean_sum = reduce_or_fill(lead, "sum", normalized, value, dtype, "mean_sum")

    def mean(i: Sequence[ExprLike]) -> Expr:
        return load(mean_sum, i) / n

    def centred_square(i: Sequence[IterVar], r: Sequence[IterVar]) -> Expr:
        d = value(i, r) - mean(i)
        return d * d

    var_sum = reduce_or_fill(lead, "sum", normalized, centred_square, dtype, "var_sum")
    eps = const(float_in(epsilon, dtype), dtype)

    def fcompute(*i: IterVar) -> Expr:
        outer = i[:axis]
        centred = widen(load(x, i), x.dtype) - mean(outer)
        g = widen(load(gamma, broadcast_index(gamma.shape, i)), gamma.dtype)
        b = widen(load(beta, broadcast_index(beta.shape, i)), beta.dtype)
        return narrow(centred / te.sqrt(load(var_sum, outer) / n + eps) * g + b, x.dtype)

    return te.compute(x.shape, fcompute, name=name)


def batch_norm(x: Tensor, scale: Tensor, bias: Tensor, mean: Tensor, var: Tensor,
               epsilon: float = 1e-5, name: str = "batch_norm") -> Tensor:
    """Inference BatchNormalization: `(x - mean) / sqrt(var + eps) * scale + bias` per
    channel (axis 1)."""
    _float_input(x, name)
    if x.ndim < 2:
        raise LegalizeError(f"{name} expects an input of rank >= 2, got shape {x.shape}")
    dtype = compute_dtype(x.dtype)
    eps = const(float_in(epsilon, dtype), dtype)

    def fcompute(*i: IterVar) -> Expr:
        c = i[1]
        s, b, m, v = (widen(p[c], p.dtype) for p in (scale, bias, mean, var))
        return narrow((widen(x[i], x.dtype) - m) / te.sqrt(v + eps) * s + b, x.dtype)

    return te.compute(x.shape, fcompute, name=name)
