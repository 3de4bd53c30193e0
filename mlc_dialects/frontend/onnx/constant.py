"""ONNX ops whose results are known at import time: Constant, ConstantOfShape, Shape, Size.

They produce numpy arrays, not graph ops: a known value becomes a `graph.constant` only where a
graph op uses it, and shape arithmetic on it (Gather, Concat, Unsqueeze, Equal, ...) is folded
by the importer.
"""

from __future__ import annotations

import numpy as np
from onnx import numpy_helper

from mlc_dialects.frontend.onnx.context import Context
from mlc_dialects.frontend.onnx.registry import Node, Results, converter


@converter("Constant", since=1)
def constant(cx: Context, node: Node) -> Results:
    """Constant: the value of its one attribute (value, value_float(s), value_int(s))."""
    attrs = node.proto.attribute
    if len(attrs) != 1:
        raise cx.unsupported(node, f"expects exactly one value attribute, got {len(attrs)}")
    name = attrs[0].name
    if name == "value":
        return [numpy_helper.to_array(attrs[0].t)]
    if name == "value_float":
        return [np.array(attrs[0].f, dtype=np.float32)]
    if name == "value_floats":
        return [np.array(list(attrs[0].floats), dtype=np.float32)]
    if name == "value_int":
        return [np.array(attrs[0].i, dtype=np.int64)]
    if name == "value_ints":
        return [np.array(list(attrs[0].ints), dtype=np.int64)]
    raise cx.unsupported(node, f"attribute '{name}' is not supported (sparse and string "
                         "constants have no graph type)")


@converter("ConstantOfShape", since=9)
def constant_of_shape(cx: Context, node: Node) -> Results:
    """ConstantOfShape with a known shape: a filled array (a splat constant)."""
    shape = [int(d) for d in cx.const_input(node, 0, "shape").reshape(-1)]
    value = node.attrs.get("value")
    fill = np.zeros(1, dtype=np.float32) if value is None else numpy_helper.to_array(value)
    if min(shape, default=1) < 0:
        raise cx.unsupported(node, f"shape {shape} has a negative dimension")
    # A zero-stride view: weights of "light" models are ConstantOfShape, megabytes each.
    return [np.broadcast_to(fill.reshape(-1)[:1].reshape(()), shape)]


@converter("Shape", since=1)
def shape(cx: Context, node: Node) -> Results:
    """Shape of a static tensor (opset 15: `start`/`end` select a range of it)."""
    dims = list(cx.shape(node, 0))
    start = int(node.attr("start", 0))
    end = node.attr("end")
    return [np.array(dims[start:None if end is None else int(end)], dtype=np.int64)]


@converter("Size", since=1)
def size(cx: Context, node: Node) -> Results:
    """Size (element count) of a static tensor."""
    return [np.array(int(np.prod(cx.shape(node, 0), dtype=np.int64)), dtype=np.int64)]
