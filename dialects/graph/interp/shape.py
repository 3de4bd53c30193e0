"""Reference semantics of reductions and shape graph ops.

- Reductions are numpy's over `axes` with `keepdims`. An empty `axes` list reduces nothing (the
  verifier's rule; ONNX's `noop_with_empty_axes = 1`). Integer sums wrap in the element type;
  the integer mean is the sum divided by the count, truncated toward zero. Max and min over an
  empty set of values give -inf / +inf for floats and the smallest / largest integer otherwise
  (ONNX ReduceMax/ReduceMin); the mean of an empty set is NaN.
- `reshape` is row-major, `transpose` numpy.transpose, `broadcast_to` numpy.broadcast_to,
  `concat` numpy.concatenate, `slice` basic slicing (negative indices count from the end,
  bounds are clamped), `rearrange` the einops plan: reshape, transpose, reshape.
"""

from __future__ import annotations

from typing import Any

import numpy as np
from xdsl.interpreter import Interpreter, InterpreterFunctions, impl, register_impls

from dialects.graph import einops, ops
from dialects.graph.base import int_list, int_scalar, string
from dialects.graph.interp.dtypes import result, widen
from dialects.graph.interp.elementwise import trunc_div

Args = tuple[Any, ...]


def _reduce_args(op: ops.ReduceOp, x: np.ndarray) -> tuple[tuple[int, ...], bool]:
    axes = tuple(a % x.ndim if x.ndim else 0 for a in int_list(op.attributes, "axes"))
    return axes, bool(int_scalar(op.attributes, "keepdims", 0))


def _is_empty(x: np.ndarray, axes: tuple[int, ...]) -> bool:
    return any(x.shape[a] == 0 for a in axes) if x.ndim else False


def reduce_mean(x: np.ndarray, axes: tuple[int, ...], keepdims: bool) -> np.ndarray:
    """numpy.mean for floats; for integers the truncated quotient of the wrapped sum."""
    if x.dtype.kind not in "iu":
        return np.mean(x, axis=axes, keepdims=keepdims)
    count = int(np.prod([x.shape[a] for a in axes])) if x.ndim else 1
    total = np.sum(x, axis=axes, keepdims=keepdims, dtype=x.dtype)
    if count == 0:
        return np.zeros_like(total)
    # The count may not fit the element type (a mean of 200 int8 values): divide in int64.
    return trunc_div(total.astype(np.int64), np.int64(count)).astype(x.dtype)


def reduce_extreme(x: np.ndarray, axes: tuple[int, ...], keepdims: bool, largest: bool
                   ) -> np.ndarray:
    """numpy.max / numpy.min, with the identity (-inf, +inf, or the integer range) when empty."""
    fn = np.max if largest else np.min
    if not _is_empty(x, axes):
        return fn(x, axis=axes, keepdims=keepdims)
    if x.dtype.kind == "f":
        initial = -np.inf if largest else np.inf
    else:
        info = np.iinfo(x.dtype)
        initial = info.min if largest else info.max
    return fn(x, axis=axes, keepdims=keepdims, initial=initial)


def rearrange(x: np.ndarray, pattern: str) -> np.ndarray:
    """einops rearrange: reshape into elementary axes, transpose, reshape into output groups."""
    plan = einops.plan(pattern, x.shape)
    return x.reshape(plan.split_shape).transpose(plan.perm).reshape(plan.output_shape)


@register_impls
class ShapeFunctions(InterpreterFunctions):
    """Interpreter implementations of reductions and shape graph ops."""

    # --- reductions ---

    @impl(ops.ReduceSumOp)
    def run_reduce_sum(self, interp: Interpreter, op: ops.ReduceSumOp, args: Args) -> Args:
        x = widen(args[0])
        axes, keepdims = _reduce_args(op, x)
        return (result(op, np.sum(x, axis=axes, keepdims=keepdims, dtype=x.dtype)),)

    @impl(ops.ReduceMeanOp)
    def run_reduce_mean(self, interp: Interpreter, op: ops.ReduceMeanOp, args: Args) -> Args:
        x = widen(args[0])
        return (result(op, reduce_mean(x, *_reduce_args(op, x))),)

    @impl(ops.ReduceMaxOp)
    def run_reduce_max(self, interp: Interpreter, op: ops.ReduceMaxOp, args: Args) -> Args:
        x = args[0]
        return (result(op, reduce_extreme(x, *_reduce_args(op, x), largest=True)),)

    @impl(ops.ReduceMinOp)
    def run_reduce_min(self, interp: Interpreter, op: ops.ReduceMinOp, args: Args) -> Args:
        x = args[0]
        return (result(op, reduce_extreme(x, *_reduce_args(op, x), largest=False)),)

    # --- shape ops ---

    @impl(ops.ReshapeOp)
    def run_reshape(self, interp: Interpreter, op: ops.ReshapeOp, args: Args) -> Args:
        shape = tuple(op.result.type.get_shape())
        return (result(op, np.reshape(args[0], shape)),)

    @impl(ops.TransposeOp)
    def run_transpose(self, interp: Interpreter, op: ops.TransposeOp, args: Args) -> Args:
        return (result(op, np.transpose(args[0], int_list(op.attributes, "perm"))),)

    @impl(ops.BroadcastToOp)
    def run_broadcast_to(self, interp: Interpreter, op: ops.BroadcastToOp, args: Args) -> Args:
        shape = tuple(op.result.type.get_shape())
        return (result(op, np.broadcast_to(args[0], shape)),)

    @impl(ops.ConcatOp)
    def run_concat(self, interp: Interpreter, op: ops.ConcatOp, args: Args) -> Args:
        axis = int_scalar(op.attributes, "axis")
        return (result(op, np.concatenate(args, axis=axis)),)

    @impl(ops.SliceOp)
    def run_slice(self, interp: Interpreter, op: ops.SliceOp, args: Args) -> Args:
        x = args[0]
        a = op.attributes
        starts, ends = int_list(a, "starts"), int_list(a, "ends")
        steps = int_list(a, "steps", [1] * x.ndim)
        index = tuple(slice(s, e, k) for s, e, k in zip(starts, ends, steps, strict=True))
        return (result(op, x[index]),)

    @impl(ops.RearrangeOp)
    def run_rearrange(self, interp: Interpreter, op: ops.RearrangeOp, args: Args) -> Args:
        return (result(op, rearrange(args[0], string(op.attributes, "pattern"))),)
