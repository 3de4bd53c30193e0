"""The nine "light" models of onnx's test data, and the two ways the tests and bench/onnx_models.py
feed them: onnx's dummy input with the models' own (splat) weights, or seeded random weights.

The light models are real architectures (ResNet-50, DenseNet-121, Inception v1/v2, VGG-19,
AlexNet, SqueezeNet, ShuffleNet, ZFNet-512) whose weights are `ConstantOfShape` splats of 0.02,
so that the files stay small. A splat weight makes every output channel of a conv the same
value, which hides most indexing bugs (a transposed kernel, a wrong channel offset): the
expected outputs are a weak check. `with_random_weights` replaces every float weight by seeded
random values of the same shape, for comparisons against the interpreter and onnxruntime.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import onnx
from onnx import helper, numpy_helper

LIGHT = Path(onnx.__file__).parent / "backend" / "test" / "data" / "light"
MODELS = ["squeezenet", "shufflenet", "bvlc_alexnet", "zfnet512", "inception_v1",
          "inception_v2", "resnet50", "densenet121", "vgg19"]


def path(name: str) -> Path:
    return LIGHT / f"light_{name}.onnx"


def expected_output(name: str) -> np.ndarray:
    return numpy_helper.to_array(onnx.load_tensor(str(LIGHT / f"light_{name}_output_0.pb")))


def data_input(m: onnx.ModelProto) -> onnx.ValueInfoProto:
    """The one graph input that is not an initializer (the image)."""
    inits = {t.name for t in m.graph.initializer}
    (x,) = [i for i in m.graph.input if i.name not in inits]
    return x


def dummy_input(m: onnx.ModelProto) -> np.ndarray:
    """onnx's dummy input for these models (`arange(n) / n`, as its backend test runner makes
    it): the input the expected outputs were computed with."""
    shape = tuple(d.dim_value for d in data_input(m).type.tensor_type.shape.dim)
    n = int(np.prod(shape))
    return (np.arange(n).reshape(shape) / n).astype(np.float32)


def random_input(m: onnx.ModelProto, seed: int = 0) -> np.ndarray:
    shape = tuple(d.dim_value for d in data_input(m).type.tensor_type.shape.dim)
    return np.random.default_rng(seed).standard_normal(shape).astype(np.float32)


def _random_weight(shape: tuple[int, ...], rng: np.random.Generator) -> np.ndarray:
    """Values that keep activations of order one through a deep net: weights (rank >= 2)
    normal with variance 1 / fan-in (fan-in: the product of all but the first dimension, which
    is the output channel for Conv and Gemm with transB); vectors (biases, batch-norm scales,
    means and variances) uniform in [0.5, 1.5], positive so that a variance stays valid."""
    if len(shape) >= 2:
        fan_in = int(np.prod(shape[1:]))
        return (rng.standard_normal(shape) / np.sqrt(fan_in)).astype(np.float32)
    return rng.uniform(0.5, 1.5, shape).astype(np.float32)


def with_random_weights(m: onnx.ModelProto, seed: int = 0) -> onnx.ModelProto:
    """A copy of `m` whose float weights are seeded random values of the same shapes: each
    float `ConstantOfShape` with a constant shape becomes an initializer, each float
    initializer gets new values, and initializers left unused are removed."""
    m = onnx.ModelProto.FromString(m.SerializeToString())
    rng = np.random.default_rng(seed)
    graph = m.graph
    inits = {t.name: t for t in graph.initializer}
    for t in graph.initializer:
        if t.data_type == onnx.TensorProto.FLOAT:
            shape = tuple(t.dims)
            t.CopyFrom(numpy_helper.from_array(_random_weight(shape, rng), t.name))
    kept = []
    for node in graph.node:
        value = next((a.t for a in node.attribute if a.name == "value"), None)
        if (node.op_type != "ConstantOfShape" or node.input[0] not in inits
                or (value is not None and value.data_type != onnx.TensorProto.FLOAT)):
            kept.append(node)
            continue
        shape = tuple(int(d) for d in numpy_helper.to_array(inits[node.input[0]]))
        t = numpy_helper.from_array(_random_weight(shape, rng), node.output[0])
        graph.initializer.append(t)
        if m.ir_version < 4:  # initializers had to be graph inputs too
            graph.input.append(helper.make_tensor_value_info(t.name, t.data_type, shape))
    del graph.node[:]
    graph.node.extend(kept)
    # The shapes of the replaced ConstantOfShape nodes are now unused: drop them (onnxruntime
    # warns about each unused initializer).
    used = {i for n in graph.node for i in n.input} | {o.name for o in graph.output}
    unused = {t.name for t in graph.initializer} - used
    _remove(graph.initializer, unused)
    _remove(graph.input, unused)
    return m


def _remove(items: Any, names: set[str]) -> None:
    kept = [x for x in items if x.name not in names]
    del items[:]
    items.extend(kept)
