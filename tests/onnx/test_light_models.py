"""The nine "light" models of onnx's test data (ResNet-50, DenseNet-121, Inception v1/v2,
VGG-19, AlexNet, SqueezeNet, ShuffleNet, ZFNet-512: real architectures whose weights are
ConstantOfShape splats) import, and match onnx's expected outputs through the interpreter.

The input is onnx's dummy input for these models (`arange(n) / n`, as its backend test runner
makes it). Each model runs in under 2 s with the interpreter on 2 cores, so all nine run by
default; models marked slow (none at the moment) run with MLC_SLOW=1.
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from onnx import numpy_helper

from dialects.graph.interp import interpret
from mlc_dialects.frontend.onnx import from_onnx

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
MODELS = ["squeezenet", "shufflenet", "bvlc_alexnet", "zfnet512", "inception_v1",
          "inception_v2", "resnet50", "densenet121", "vgg19"]
SLOW: set[str] = set()
"""Models too slow for every CI run (run them with MLC_SLOW=1)."""

slow = pytest.mark.skipif(os.environ.get("MLC_SLOW") != "1", reason="slow: set MLC_SLOW=1")


def _dummy_input(m: onnx.ModelProto) -> np.ndarray:
    inits = {t.name for t in m.graph.initializer}
    (x,) = [i for i in m.graph.input if i.name not in inits]
    shape = tuple(d.dim_value for d in x.type.tensor_type.shape.dim)
    n = int(np.prod(shape))
    return (np.arange(n).reshape(shape) / n).astype(np.float32)


@pytest.mark.parametrize("name", MODELS)
def test_light_model_imports(name: str) -> None:
    module = from_onnx(LIGHT / f"light_{name}.onnx")
    main = module.body.block.first_op
    assert main is not None and main.sym_name.data == "main"
    assert len(main.function_type.inputs) == 1 and len(main.function_type.outputs) == 1


@pytest.mark.parametrize("name", [pytest.param(n, marks=slow) if n in SLOW else n
                                  for n in MODELS])
def test_light_model_matches_expected_output(name: str) -> None:
    path = LIGHT / f"light_{name}.onnx"
    x = _dummy_input(onnx.load(path))
    y = interpret(from_onnx(path), "main", x)
    want = numpy_helper.to_array(onnx.load_tensor(str(LIGHT / f"light_{name}_output_0.pb")))
    assert y.shape == want.shape and y.dtype == want.dtype
    np.testing.assert_allclose(y, want, rtol=1e-3, atol=1e-7)
