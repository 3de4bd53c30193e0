"""Unsupported ops, attributes, types and dynamic shapes are errors that name the node, its op
type and what is missing; never a silent wrong import."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")

from onnx_support import TensorProto, helper, model, rand

from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.frontend.onnx import from_onnx
from mlc_dialects.frontend.onnx.context import NeedsConstant

N = helper.make_node


def error_of(m: object, **kwargs: object) -> str:
    with pytest.raises(DiagnosticError) as info:
        from_onnx(m, **kwargs)
    return str(info.value)


def test_unsupported_op_names_node_and_op_type() -> None:
    x = rand(2, 3)
    msg = error_of(model([N("TopK", ["x", "k"], ["v", "i"], name="top")], {"x": x}, ["v"],
                         {"k": np.array([1], np.int64)}, opset=13))
    assert "node 'top' (TopK, opset 13): op type 'TopK' is not supported" in msg


def test_unnamed_node_is_named_by_index() -> None:
    x = rand(2, 3)
    msg = error_of(model([N("Relu", ["x"], ["r"]), N("Hardmax", ["r"], ["y"])], {"x": x}, ["y"]))
    assert "node #1 (Hardmax, opset 17)" in msg


def test_comparison_on_run_time_values() -> None:
    x = rand(2, 3)
    msg = error_of(model([N("Less", ["x", "x"], ["y"], name="cmp")], {"x": x}, ["y"]))
    assert "node 'cmp' (Less, opset 17): op type 'Less' is not supported" in msg
    assert "folded at import time only when all its inputs are constants" in msg


def test_unsupported_attribute() -> None:
    x = rand(1, 2, 4, 4)
    msg = error_of(model([N("MaxPool", ["x"], ["y"], name="pool", kernel_shape=[2, 2],
                            storage_order=1)], {"x": x}, ["y"]))
    assert "node 'pool' (MaxPool, opset 17): attribute storage_order=1 is not supported" in msg
    msg = error_of(model([N("Gelu", ["x"], ["y"], approximate="fast")], {"x": x}, ["y"],
                         opset=20))
    assert "approximate='fast' is not supported" in msg


def test_unsupported_rank() -> None:
    x, w = rand(1, 2, 3, 3, 3), rand(2, 2, 1, 1, 1)
    msg = error_of(model([N("Conv", ["x", "w"], ["y"], name="c3")], {"x": x, "w": w}, ["y"]))
    assert "node 'c3' (Conv, opset 17): input of rank 5 is not supported" in msg


def test_dynamic_input_dimension() -> None:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])
    graph = helper.make_graph([N("Relu", ["x"], ["y"])], "g", [x],
                              [helper.make_empty_tensor_value_info("y")])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    msg = error_of(m)
    assert "input 'x' has a dynamic dimension 'batch' (dimension 0)" in msg
    assert "input_shapes={'x': (...)}" in msg
    from_onnx(m, input_shapes={"x": (4, 3)})  # fixed: imports


def test_shape_computed_at_run_time() -> None:
    x, s = rand(2, 3), np.array([3, 2], np.int64)
    m = model([N("Reshape", ["x", "s"], ["y"], name="rs")], {"x": x, "s": s}, ["y"])
    with pytest.raises(NeedsConstant) as info:
        from_onnx(m)
    assert info.value.input_name == "s"
    assert ("node 'rs' (Reshape, opset 17): input #1 (shape) must be a constant known at import "
            "time, but it is the graph input 's'") in str(info.value)
    relu = N("Relu", ["s"], ["s2"])
    msg = error_of(model([relu, N("Reshape", ["x", "s2"], ["y"])], {"x": x, "s": s}, ["y"]))
    assert "input #1 (shape) must be a constant known at import time, but it is computed" in msg


def test_gather_with_run_time_indices() -> None:
    x, i = rand(5, 3), np.array([1, 2], np.int64)
    msg = error_of(model([N("Gather", ["x", "i"], ["y"], name="emb")], {"x": x, "i": i}, ["y"]))
    assert "node 'emb' (Gather, opset 17): indices computed at run time are not supported" in msg


def test_unsigned_and_float8_types() -> None:
    x = np.array([1, 2], np.uint8)
    assert "input 'x' has element type uint8, which the graph dialect has no type for" in \
        error_of(model([N("Relu", ["x"], ["y"])], {"x": x}, ["y"]))
    msg = error_of(model([N("Cast", ["x"], ["y"], name="c", to=TensorProto.UINT16)],
                         {"x": rand(2)}, ["y"]))
    assert "node 'c' (Cast, opset 17): casting to uint16 is not supported" in msg


def test_training_modes_are_rejected() -> None:
    x = rand(2, 3)
    msg = error_of(model([N("Dropout", ["x", "r", "t"], ["y"])], {"x": x}, ["y"],
                         {"r": np.array(0.5, np.float32), "t": np.array(True)}, opset=13))
    assert "training_mode = true is not supported" in msg


def test_old_opset_other_domain_and_bad_files(tmp_path) -> None:
    x = rand(2)
    assert "opset 6 of the default ONNX domain; opsets 7 and newer" in \
        error_of(model([N("Relu", ["x"], ["y"])], {"x": x}, ["y"], opset=6))
    custom = model([N("FusedThing", ["x"], ["y"], domain="com.microsoft")], {"x": x}, ["y"])
    custom.opset_import.append(helper.make_opsetid("com.microsoft", 1))
    assert "ops of domain 'com.microsoft' are not supported" in error_of(custom)
    bad = tmp_path / "bad.onnx"
    bad.write_text("not a model")
    assert f"{bad}: error: cannot read the ONNX model" in error_of(str(bad))
    assert f"{tmp_path / 'missing.onnx'}: error: no such file" in \
        error_of(str(tmp_path / "missing.onnx"))


def test_input_shapes_names_unknown_input() -> None:
    x = rand(2)
    msg = error_of(model([N("Relu", ["x"], ["y"])], {"x": x}, ["y"]), input_shapes={"z": (2,)})
    assert "input_shapes or bind_inputs names 'z', which is not an input of the model" in msg
