"""The nine "light" models of onnx's test data (ResNet-50, DenseNet-121, Inception v1/v2,
VGG-19, AlexNet, SqueezeNet, ShuffleNet, ZFNet-512) import, and match onnx's expected outputs
through the interpreter and compiled.

Their weights are ConstantOfShape splats, a weak check (see light_models.py), so each model also
runs with seeded random weights: compiled, interpreted and onnxruntime (when installed) must
agree.

The input is onnx's dummy input (`arange(n) / n`, as its backend test runner makes it). Each
model runs in under 2 s with the interpreter on 2 cores, so all nine interpret by default.
Compiling is slower (`COMPILE_SECONDS`, measured on 2 cores): SqueezeNet, ShuffleNet, AlexNet
and ZFNet-512 compile in every run, the five others only with MLC_SLOW=1.
"""

from __future__ import annotations

import os

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from light_models import (
    MODELS,
    data_input,
    dummy_input,
    expected_output,
    path,
    random_input,
    with_random_weights,
)

import mlc_dialects as mlc
from dialects.graph.interp import interpret
from mlc_dialects.frontend.onnx import from_onnx

COMPILE_SECONDS = {"squeezenet": 11, "shufflenet": 7, "bvlc_alexnet": 5, "zfnet512": 7,
                   "inception_v1": 32, "inception_v2": 33, "resnet50": 14, "densenet121": 55,
                   "vgg19": 17}
"""Import + mlc.compile seconds of each model on an idle 2-core machine (bench/onnx_models.py
prints them); each compiled test compiles its model once. All nine: about 3 min a test."""
FAST = {"squeezenet", "shufflenet", "bvlc_alexnet", "zfnet512"}
"""The models compiled in every CI run (about 30 s a test); the others with MLC_SLOW=1."""

slow = pytest.mark.skipif(os.environ.get("MLC_SLOW") != "1", reason="slow: set MLC_SLOW=1")


def _maybe_slow(names: list[str]) -> list[object]:
    return [n if n in FAST else pytest.param(n, marks=slow) for n in names]


@pytest.mark.parametrize("name", MODELS)
def test_light_model_imports(name: str) -> None:
    module = from_onnx(path(name))
    main = module.body.block.first_op
    assert main is not None and main.sym_name.data == "main"
    assert len(main.function_type.inputs) == 1 and len(main.function_type.outputs) == 1


@pytest.mark.parametrize("name", MODELS)
def test_light_model_matches_expected_output(name: str) -> None:
    x = dummy_input(onnx.load(path(name)))
    y = interpret(from_onnx(path(name)), "main", x)
    want = expected_output(name)
    assert y.shape == want.shape and y.dtype == want.dtype
    np.testing.assert_allclose(y, want, rtol=1e-3, atol=1e-7)


@pytest.mark.parametrize("name", _maybe_slow(MODELS))
def test_light_model_compiled_matches_expected_output(name: str) -> None:
    x = dummy_input(onnx.load(path(name)))
    y = mlc.compile(from_onnx(path(name)))["main"](x)
    want = expected_output(name)
    assert y.shape == want.shape and y.dtype == want.dtype
    np.testing.assert_allclose(y, want, rtol=1e-3, atol=1e-7)


@pytest.mark.parametrize("name", _maybe_slow(MODELS))
def test_light_model_random_weights_compiled_interpreted_onnxruntime(name: str) -> None:
    """With random weights every channel differs: the strong check of conv/pool indexing."""
    m = with_random_weights(onnx.load(path(name)), seed=0)
    x = random_input(m, seed=1)
    module = from_onnx(m)
    compiled = mlc.compile(module)["main"](x)
    interpreted = interpret(module, "main", x)
    # Softmax outputs of order 1e-3: compare relative to the largest value.
    scale = float(np.abs(interpreted).max())
    np.testing.assert_allclose(compiled, interpreted, rtol=1e-3, atol=1e-4 * scale)
    try:
        import onnxruntime as ort
    except ImportError:
        return
    opts = ort.SessionOptions()
    opts.log_severity_level = 3
    session = ort.InferenceSession(m.SerializeToString(), opts,
                                   providers=["CPUExecutionProvider"])
    (want,) = session.run(None, {data_input(m).name: x})
    np.testing.assert_allclose(compiled, want, rtol=1e-3, atol=1e-4 * scale)
    np.testing.assert_allclose(interpreted, want, rtol=1e-3, atol=1e-4 * scale)
