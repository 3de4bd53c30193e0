"""Helpers of the ONNX tests: build one-graph models and check the importer against onnx's
reference implementation."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper
from onnx.reference import ReferenceEvaluator

from dialects.graph.interp import interpret
from mlc_dialects.frontend.onnx import from_onnx


def model(nodes: Sequence[onnx.NodeProto], inputs: dict[str, np.ndarray],
          outputs: Sequence[str], initializers: dict[str, np.ndarray] | None = None,
          opset: int = 17) -> onnx.ModelProto:
    """A model of `nodes`; graph inputs typed like the arrays in `inputs`; outputs untyped."""
    vis = [helper.make_tensor_value_info(n, helper.np_dtype_to_tensor_dtype(a.dtype), a.shape)
           for n, a in inputs.items()]
    outs = [helper.make_empty_tensor_value_info(n) for n in outputs]
    inits = [numpy_helper.from_array(a, n) for n, a in (initializers or {}).items()]
    graph = helper.make_graph(list(nodes), "test", vis, outs, initializer=inits)
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def check(m: onnx.ModelProto, inputs: dict[str, np.ndarray], rtol: float = 1e-5,
          atol: float = 1e-6) -> list[np.ndarray]:
    """Import `m`, run it with the interpreter and compare with onnx.reference."""
    module = from_onnx(m)
    got = interpret(module, "main", *inputs.values())
    got = list(got) if isinstance(got, tuple) else [got]
    want = ReferenceEvaluator(m).run(None, inputs)
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        w = np.asarray(w)
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        assert g.shape == w.shape, (g.shape, w.shape)
        np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)
    return got


def ir(m: onnx.ModelProto, **kwargs: object) -> str:
    return str(from_onnx(m, **kwargs))


def rand(*shape: int, dtype: type = np.float32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


__all__ = ["TensorProto", "check", "helper", "ir", "model", "rand"]
