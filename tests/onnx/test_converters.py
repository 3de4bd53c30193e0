"""Each converter family against onnx's reference implementation, plus the IR it makes where
the mapping is a decision (folding, 2-D coercion, padding folded into Conv)."""

from __future__ import annotations

import numpy as np
import pytest

pytest.importorskip("onnx")

from onnx_support import TensorProto, check, helper, ir, model, rand

from dialects.graph.interp import interpret
from mlc_dialects.frontend.onnx import from_onnx, onnx_params

N = helper.make_node

# --- elementwise -----------------------------------------------------------------------------------


@pytest.mark.parametrize("op,attrs,opset", [
    ("Relu", {}, 14), ("Sigmoid", {}, 13), ("Tanh", {}, 13), ("Exp", {}, 13), ("Neg", {}, 13),
    ("Abs", {}, 13), ("Erf", {}, 13), ("Reciprocal", {}, 13), ("Softsign", {}, 13),
    ("Softplus", {}, 13), ("LeakyRelu", {"alpha": 0.1}, 16), ("LeakyRelu", {"alpha": 2.0}, 16),
    ("Elu", {"alpha": 0.5}, 13), ("Selu", {}, 13), ("Celu", {"alpha": 2.0}, 13),
    ("HardSigmoid", {"alpha": 0.3, "beta": 0.4}, 13), ("HardSwish", {}, 14), ("Mish", {}, 18),
    ("Gelu", {}, 20), ("Gelu", {"approximate": "tanh"}, 20), ("Identity", {}, 13),
])
def test_unary(op: str, attrs: dict, opset: int) -> None:
    x = rand(3, 5) * 3
    check(model([N(op, ["x"], ["y"], **attrs)], {"x": x}, ["y"], opset=opset), {"x": x})


def test_log_sqrt_on_positive_values() -> None:
    x = np.abs(rand(4, 4)) + 0.1
    for op in ("Log", "Sqrt"):
        check(model([N(op, ["x"], ["y"])], {"x": x}, ["y"]), {"x": x})


@pytest.mark.parametrize("op", ["Add", "Sub", "Mul", "Div", "Pow"])
def test_binary_broadcasting(op: str) -> None:
    a, b = np.abs(rand(2, 3, 4)) + 0.5, rand(3, 1, seed=1)
    check(model([N(op, ["a", "b"], ["y"])], {"a": a, "b": b}, ["y"]), {"a": a, "b": b})


def test_integer_div_and_pow_with_integer_exponent() -> None:
    a = np.array([7, -7, 9], dtype=np.int64)
    b = np.array([2, 2, -4], dtype=np.int64)
    check(model([N("Div", ["a", "b"], ["y"])], {"a": a, "b": b}, ["y"]), {"a": a, "b": b})
    x, e = rand(3), np.array([2, 3, 1], dtype=np.int64)
    check(model([N("Pow", ["x", "e"], ["y"])], {"x": x, "e": e}, ["y"], opset=15),
          {"x": x, "e": e})


@pytest.mark.parametrize("op", ["Sum", "Mean", "Max", "Min"])
def test_variadic(op: str) -> None:
    xs = {"a": rand(2, 3), "b": rand(3, seed=1), "c": rand(1, 3, seed=2)}
    check(model([N(op, list(xs), ["y"])], xs, ["y"]), xs)


def test_clip_attributes_and_inputs() -> None:
    x = rand(4, 4) * 3
    check(model([N("Clip", ["x"], ["y"], min=-1.0, max=0.5)], {"x": x}, ["y"], opset=7),
          {"x": x})
    inits = {"lo": np.array(-0.5, np.float32)}
    m = model([N("Clip", ["x", "lo", ""], ["y"])], {"x": x}, ["y"], inits, opset=13)
    check(m, {"x": x})
    assert "graph.clip" in ir(m) and "max = " not in ir(m)  # only a lower bound


def test_clip_f64_and_int_use_exact_max_min() -> None:
    x = rand(5, dtype=np.float64)
    m = model([N("Clip", ["x", "lo", "hi"], ["y"])], {"x": x}, ["y"],
              {"lo": np.array(-0.1, np.float64), "hi": np.array(0.2, np.float64)}, opset=13)
    check(m, {"x": x})
    assert "graph.clip" not in ir(m)  # f32 attributes would round the f64 bounds
    i = np.array([-9, 3, 2**40], dtype=np.int64)
    check(model([N("Clip", ["x", "lo", "hi"], ["y"])], {"x": i}, ["y"],
                {"lo": np.array(-5, np.int64), "hi": np.array(2**35 + 1, np.int64)}, opset=13),
          {"x": i})


def test_cast_castlike_where() -> None:
    x = rand(3, 4) * 4
    check(model([N("Cast", ["x"], ["y"], to=TensorProto.INT32)], {"x": x}, ["y"]), {"x": x})
    check(model([N("Cast", ["x"], ["y"], to=TensorProto.BOOL)], {"x": x}, ["y"]), {"x": x})
    like = np.zeros(1, np.float64)
    check(model([N("CastLike", ["x", "l"], ["y"])], {"x": x, "l": like}, ["y"]),
          {"x": x, "l": like})
    c = rand(3, 1) > 0
    check(model([N("Where", ["c", "x", "z"], ["y"])], {"c": c, "x": x, "z": rand(4)}, ["y"]),
          {"c": c, "x": x, "z": rand(4)})


def test_prelu_and_dropout_inference() -> None:
    x, s = rand(2, 3, 4), rand(3, 1, seed=1)
    check(model([N("PRelu", ["x", "s"], ["y"])], {"x": x, "s": s}, ["y"]), {"x": x, "s": s})
    m = model([N("Dropout", ["x"], ["y", "mask"], ratio=0.5)], {"x": x}, ["y", "mask"], opset=12)
    y, mask = interpret(from_onnx(m), "main", x)
    np.testing.assert_array_equal(y, x)
    assert mask.dtype == np.bool_ and mask.all()


# --- linalg ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("trans_a,trans_b,alpha,beta,c_shape", [
    (0, 0, 1.0, 1.0, (4,)), (1, 0, 0.5, 2.0, (3, 4)), (0, 1, 1.0, 0.0, (1, 4)), (1, 1, 2.0, 1.0,
                                                                                None),
])
def test_gemm(trans_a: int, trans_b: int, alpha: float, beta: float, c_shape: tuple | None
              ) -> None:
    a = rand(*((5, 3) if trans_a else (3, 5)))
    b = rand(*((4, 5) if trans_b else (5, 4)), seed=1)
    inputs = {"a": a, "b": b}
    names = ["a", "b"]
    if c_shape is not None:
        inputs["c"] = rand(*c_shape, seed=2)
        names.append("c")
    node = N("Gemm", names, ["y"], transA=trans_a, transB=trans_b, alpha=alpha, beta=beta)
    check(model([node], inputs, ["y"], opset=13), inputs)


def test_matmul_batched_and_vector() -> None:
    a, b, v = rand(2, 3, 4), rand(4, 5, seed=1), rand(4, seed=2)
    check(model([N("MatMul", ["a", "b"], ["y"])], {"a": a, "b": b}, ["y"]), {"a": a, "b": b})
    check(model([N("MatMul", ["a", "v"], ["y"])], {"a": a, "v": v}, ["y"]), {"a": a, "v": v})


@pytest.mark.parametrize("equation,shapes", [
    ("ij,jk->ik", [(2, 3), (3, 4)]), ("ij,jk", [(2, 3), (3, 4)]), ("ii->i", [(3, 3)]),
    ("...ij,...jk->...ik", [(2, 2, 3), (2, 3, 4)]), ("bij,bjk", [(2, 2, 3), (2, 3, 4)]),
    ("i,i", [(5,), (5,)]),
])
def test_einsum(equation: str, shapes: list[tuple[int, ...]]) -> None:
    inputs = {f"x{i}": rand(*s, seed=i) for i, s in enumerate(shapes)}
    check(model([N("Einsum", list(inputs), ["y"], equation=equation)], inputs, ["y"]), inputs)


# --- nn -------------------------------------------------------------------------------------------


@pytest.mark.parametrize("attrs", [
    {}, {"pads": [1, 2, 0, 1], "strides": [2, 1]}, {"auto_pad": "SAME_UPPER", "strides": [2, 2]},
    {"auto_pad": "SAME_LOWER", "strides": [2, 2]}, {"auto_pad": "VALID"},
    {"dilations": [2, 1], "group": 2},
])
def test_conv2d(attrs: dict) -> None:
    x, w, b = rand(1, 4, 9, 8), rand(6, 4 // attrs.get("group", 1), 3, 3, seed=1), rand(6, seed=2)
    check(model([N("Conv", ["x", "w", "b"], ["y"], **attrs)], {"x": x, "w": w, "b": b}, ["y"]),
          {"x": x, "w": w, "b": b}, rtol=1e-4, atol=1e-5)


def test_conv1d_is_2d_with_height_one() -> None:
    x, w = rand(2, 3, 10), rand(4, 3, 3, seed=1)
    m = model([N("Conv", ["x", "w"], ["y"], pads=[1, 2], strides=[2])], {"x": x, "w": w}, ["y"])
    check(m, {"x": x, "w": w}, rtol=1e-4, atol=1e-5)
    assert "tensor<2x3x1x10xf32>" in ir(m)


def test_zero_pad_folds_into_conv_padding() -> None:
    x, w = rand(1, 2, 6, 6), rand(3, 2, 3, 3, seed=1)
    pads = np.array([0, 0, 1, 2, 0, 0, 1, 0], np.int64)
    m = model([N("Pad", ["x", "pads"], ["p"]), N("Conv", ["p", "w"], ["y"])],
              {"x": x, "w": w}, ["y"], {"pads": pads}, opset=13)
    check(m, {"x": x, "w": w}, rtol=1e-4, atol=1e-5)
    text = ir(m)
    assert "graph.concat" not in text
    assert "padding = array<i64: 1, 2, 1, 0>" in text


def test_pad_kept_when_also_an_output() -> None:
    x, w = rand(1, 2, 6, 6), rand(3, 2, 3, 3, seed=1)
    pads = np.array([0, 0, 1, 1, 0, 0, 1, 1], np.int64)
    m = model([N("Pad", ["x", "pads"], ["p"]), N("Conv", ["p", "w"], ["y"])],
              {"x": x, "w": w}, ["y", "p"], {"pads": pads}, opset=13)
    check(m, {"x": x, "w": w}, rtol=1e-4, atol=1e-5)
    assert "graph.concat" in ir(m)


@pytest.mark.parametrize("op,attrs", [
    ("MaxPool", {"kernel_shape": [3, 3], "strides": [2, 2]}),
    ("MaxPool", {"kernel_shape": [3, 3], "strides": [2, 2], "ceil_mode": 1, "pads": [1, 1, 1, 1]}),
    ("MaxPool", {"kernel_shape": [2, 2], "auto_pad": "SAME_UPPER", "strides": [2, 2]}),
    ("MaxPool", {"kernel_shape": [2, 2], "dilations": [2, 2]}),
    ("AveragePool", {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1]}),
    ("AveragePool", {"kernel_shape": [3, 3], "pads": [1, 1, 1, 1], "count_include_pad": 1}),
    ("AveragePool", {"kernel_shape": [3, 2], "strides": [2, 2], "ceil_mode": 1}),
])
def test_pool2d(op: str, attrs: dict) -> None:
    x = rand(1, 2, 7, 8)
    check(model([N(op, ["x"], ["y"], **attrs)], {"x": x}, ["y"], opset=19), {"x": x})


def test_pool1d_and_global_pools() -> None:
    x = rand(2, 3, 9)
    check(model([N("MaxPool", ["x"], ["y"], kernel_shape=[3], strides=[2])], {"x": x}, ["y"]),
          {"x": x})
    x4 = rand(2, 3, 4, 5)
    for op in ("GlobalAveragePool", "GlobalMaxPool"):
        check(model([N(op, ["x"], ["y"])], {"x": x4}, ["y"]), {"x": x4})


@pytest.mark.parametrize("opset", [7, 9, 15])
def test_batch_norm(opset: int) -> None:
    """Checked against the formula: onnx.reference's BatchNormalization-9 (opsets 9-13)
    applies the training update (momentum) by default, and -6 returns a tuple."""
    x = rand(2, 3, 4, 4)
    params = {"s": rand(3, seed=1), "b": rand(3, seed=2), "m": rand(3, seed=3),
              "v": np.abs(rand(3, seed=4)) + 0.5}
    m = model([N("BatchNormalization", ["x", *params], ["y"], epsilon=1e-3)], {"x": x}, ["y"],
              params, opset=opset)
    s, b, mean, var = (p.reshape(1, 3, 1, 1) for p in params.values())
    want = (x - mean) / np.sqrt(var + np.float32(1e-3)) * s + b
    np.testing.assert_allclose(interpret(from_onnx(m), "main", x), want, rtol=1e-5, atol=1e-6)


def test_layer_norm_with_mean_and_inv_std_outputs() -> None:
    x, g, b = rand(2, 3, 8), rand(8, seed=1), rand(8, seed=2)
    m = model([N("LayerNormalization", ["x", "g", "b"], ["y", "mean", "inv"], axis=-1)],
              {"x": x, "g": g, "b": b}, ["y", "mean", "inv"])
    check(m, {"x": x, "g": g, "b": b}, rtol=1e-4, atol=1e-5)
    m2 = model([N("LayerNormalization", ["x", "g"], ["y"], axis=1)], {"x": x, "g": rand(3, 8)},
               ["y"])
    check(m2, {"x": x, "g": rand(3, 8)}, rtol=1e-4, atol=1e-5)


def test_lrn_and_instance_norm() -> None:
    """LRN against the ONNX formula (onnx.reference's LRN loops over the batch axis where it
    means channels, so only channel 0 of it is right)."""
    x = rand(2, 5, 4, 4)
    m = model([N("LRN", ["x"], ["y"], size=3, alpha=1e-2, beta=0.5, bias=2.0)], {"x": x}, ["y"])
    sq = np.pad(x**2, ((0, 0), (1, 1), (0, 0), (0, 0)))
    window = sq[:, :-2] + sq[:, 1:-1] + sq[:, 2:]
    want = x / (2.0 + 1e-2 / 3 * window) ** 0.5
    np.testing.assert_allclose(interpret(from_onnx(m), "main", x), want, rtol=1e-5, atol=1e-6)
    s, b = rand(5, seed=1), rand(5, seed=2)
    check(model([N("InstanceNormalization", ["x", "s", "b"], ["y"])],
                {"x": x, "s": s, "b": b}, ["y"]), {"x": x, "s": s, "b": b}, rtol=1e-4, atol=1e-5)


@pytest.mark.parametrize("op", ["Softmax", "LogSoftmax"])
@pytest.mark.parametrize("opset,axis", [(11, 1), (11, 0), (11, -1), (13, 1), (13, -1)])
def test_softmax_axis_semantics(op: str, opset: int, axis: int) -> None:
    """Opsets < 13 normalize the input coerced to 2-D at `axis` (onnx.reference implements
    only the opset-13 semantics, so the expected values are computed here)."""
    x = rand(2, 3, 4)
    m = model([N(op, ["x"], ["y"], axis=axis)], {"x": x}, ["y"], opset=opset)
    if opset >= 13:
        check(m, {"x": x})
    else:
        a = axis % 3
        rows = x.reshape(int(np.prod(x.shape[:a])), -1)
        e = np.exp(rows - rows.max(axis=1, keepdims=True))
        sm = e / e.sum(axis=1, keepdims=True)
        want = (sm if op == "Softmax" else np.log(sm)).reshape(x.shape)
        np.testing.assert_allclose(interpret(from_onnx(m), "main", x), want, rtol=1e-5,
                                   atol=1e-6)
    coerced = opset < 13 and axis % 3 != 2
    assert ("graph.reshape" in ir(m)) == coerced  # old opsets: rows of the input made 2-D


# --- reductions -----------------------------------------------------------------------------------


@pytest.mark.parametrize("op", ["ReduceSum", "ReduceMean", "ReduceMax", "ReduceMin",
                                "ReduceSumSquare", "ReduceL1", "ReduceL2", "ReduceLogSumExp"])
@pytest.mark.parametrize("opset", [11, 18])
@pytest.mark.parametrize("axes,keepdims", [([1], 1), ([0, -1], 0), (None, 1)])
def test_reductions(op: str, opset: int, axes: list[int] | None, keepdims: int) -> None:
    x = np.abs(rand(2, 3, 4)) + 0.1
    axes_as_input = opset >= (13 if op == "ReduceSum" else 18)
    inits, names, attrs = {}, ["x"], {"keepdims": keepdims}
    if axes is not None and axes_as_input:
        inits["axes"] = np.array(axes, np.int64)
        names.append("axes")
    elif axes is not None:
        attrs["axes"] = axes
    check(model([N(op, names, ["y"], **attrs)], {"x": x}, ["y"], inits, opset=opset), {"x": x},
          rtol=1e-5)


def test_reduce_noop_with_empty_axes() -> None:
    x = rand(2, 3)
    m = model([N("ReduceSum", ["x"], ["y"], noop_with_empty_axes=1)], {"x": x}, ["y"], opset=13)
    check(m, {"x": x})
    assert "graph.reduce_sum" not in ir(m)


# --- shape ----------------------------------------------------------------------------------------


def test_reshape_zero_and_minus_one_and_flatten() -> None:
    x = rand(2, 3, 4)
    check(model([N("Reshape", ["x", "s"], ["y"])], {"x": x}, ["y"],
                {"s": np.array([0, -1], np.int64)}), {"x": x})
    for axis in (0, 2, -1, 3):
        check(model([N("Flatten", ["x"], ["y"], axis=axis)], {"x": x}, ["y"]), {"x": x})


def test_transpose_concat_expand_tile() -> None:
    x = rand(2, 3, 4)
    check(model([N("Transpose", ["x"], ["y"], perm=[2, 0, 1])], {"x": x}, ["y"]), {"x": x})
    check(model([N("Transpose", ["x"], ["y"])], {"x": x}, ["y"]), {"x": x})
    check(model([N("Concat", ["x", "x"], ["y"], axis=-2)], {"x": x}, ["y"]), {"x": x})
    v = rand(3, 1)
    check(model([N("Expand", ["v", "s"], ["y"])], {"v": v}, ["y"],
                {"s": np.array([2, 1, 5], np.int64)}), {"v": v})
    check(model([N("Tile", ["v", "r"], ["y"])], {"v": v}, ["y"],
                {"r": np.array([2, 3], np.int64)}), {"v": v})


@pytest.mark.parametrize("starts,ends,axes,steps", [
    ([1], [3], [1], [1]), ([0, -1], [2, -100], [0, 2], [1, -1]), ([10], [-10], [2], [-2]),
    ([-3], [2**62], [-1], [1]),
])
def test_slice_inputs(starts: list, ends: list, axes: list, steps: list) -> None:
    x = rand(3, 4, 5)
    inits = {k: np.array(v, np.int64) for k, v in
             {"st": starts, "en": ends, "ax": axes, "sp": steps}.items()}
    check(model([N("Slice", ["x", "st", "en", "ax", "sp"], ["y"])], {"x": x}, ["y"], inits,
                opset=13), {"x": x})


def test_slice_attributes_old_opset() -> None:
    x = rand(3, 4)
    check(model([N("Slice", ["x"], ["y"], starts=[1, 0], ends=[3, -1])], {"x": x}, ["y"],
                opset=9), {"x": x})


def test_squeeze_unsqueeze_old_and_new() -> None:
    x = rand(2, 1, 3, 1)
    check(model([N("Squeeze", ["x"], ["y"], axes=[1])], {"x": x}, ["y"], opset=11), {"x": x})
    check(model([N("Squeeze", ["x"], ["y"])], {"x": x}, ["y"], opset=13), {"x": x})
    check(model([N("Unsqueeze", ["x", "a"], ["y"])], {"x": x}, ["y"],
                {"a": np.array([0, -1], np.int64)}, opset=13), {"x": x})
    check(model([N("Unsqueeze", ["x"], ["y"], axes=[2])], {"x": x}, ["y"], opset=11), {"x": x})


def test_split_and_gather_with_known_indices() -> None:
    x = rand(4, 6)
    check(model([N("Split", ["x", "s"], ["a", "b"], axis=1)], {"x": x}, ["a", "b"],
                {"s": np.array([2, 4], np.int64)}, opset=13), {"x": x})
    check(model([N("Split", ["x"], ["a", "b", "c"], axis=1)], {"x": x}, ["a", "b", "c"],
                opset=13), {"x": x})
    for idx in (np.array(2), np.array([3, 1, -1]), np.array([[0, 1], [2, 3]]),
                np.array([1, 3, 5])):
        check(model([N("Gather", ["x", "i"], ["y"], axis=1)], {"x": x}, ["y"],
                    {"i": idx.astype(np.int64)}), {"x": x})


@pytest.mark.parametrize("mode", ["constant", "edge", "reflect", "wrap"])
def test_pad_modes(mode: str) -> None:
    x = rand(3, 4)
    pads = np.array([1, 2, 2, 3], np.int64)
    inits = {"p": pads, "v": np.array(1.5, np.float32)}
    names = ["x", "p", "v"] if mode == "constant" else ["x", "p"]
    check(model([N("Pad", names, ["y"], mode=mode)], {"x": x}, ["y"], inits, opset=19),
          {"x": x})


def test_negative_pads_crop() -> None:
    """onnx.reference rejects negative pads; ONNX allows them (they remove elements)."""
    x = rand(3, 4)
    m = model([N("Pad", ["x", "p"], ["y"])], {"x": x}, ["y"],
              {"p": np.array([1, -1, -2, 2], np.int64)}, opset=13)
    want = np.pad(x[:1, 1:], ((1, 0), (0, 2)))
    np.testing.assert_array_equal(interpret(from_onnx(m), "main", x), want)


def test_depth_to_space_and_space_to_depth() -> None:
    x = rand(1, 8, 2, 3)
    for mode in ("DCR", "CRD"):
        check(model([N("DepthToSpace", ["x"], ["y"], blocksize=2, mode=mode)], {"x": x}, ["y"]),
              {"x": x})
    x2 = rand(1, 2, 4, 6)
    check(model([N("SpaceToDepth", ["x"], ["y"], blocksize=2)], {"x": x2}, ["y"]), {"x": x2})


# --- constants and folding ------------------------------------------------------------------------


def test_shape_arithmetic_is_folded() -> None:
    """Shape -> Gather -> Unsqueeze -> Concat -> Reshape: only the reshape remains."""
    x = rand(2, 3, 4)
    nodes = [
        N("Shape", ["x"], ["s"]),
        N("Gather", ["s", "zero"], ["n"], axis=0),
        N("Unsqueeze", ["n", "ax"], ["n1"]),
        N("Concat", ["n1", "minus1"], ["target"], axis=0),
        N("Reshape", ["x", "target"], ["y"]),
    ]
    inits = {"zero": np.array(0, np.int64), "ax": np.array([0], np.int64),
             "minus1": np.array([-1], np.int64)}
    m = model(nodes, {"x": x}, ["y"], inits, opset=13)
    check(m, {"x": x})
    ops = [line.split("=")[1].split()[0] for line in ir(m).splitlines() if " = graph." in line]
    assert ops == ["graph.dataflow", "graph.reshape"]


def test_constants_and_comparisons_on_constants_fold() -> None:
    x = rand(2, 3)
    nodes = [
        N("Constant", [], ["c"], value_floats=[1.0, 2.0, 3.0]),
        N("Constant", [], ["k"], value_float=2.0),
        N("Greater", ["c", "k"], ["mask"]),
        N("ConstantOfShape", ["shape"], ["zeros"], value=helper.make_tensor(
            "v", TensorProto.FLOAT, [1], [0.0])),
        N("Where", ["mask", "x", "zeros"], ["y"]),
    ]
    m = model(nodes, {"x": x}, ["y"], {"shape": np.array([2, 3], np.int64)}, opset=13)
    check(m, {"x": x})
    assert "graph.constant dense<[false, false, true]>" in ir(m)


def test_params_as_args() -> None:
    x, w = rand(2, 3), rand(3, 4, seed=1)
    m = model([N("MatMul", ["x", "w"], ["y"]), N("Reshape", ["y", "s"], ["z"])], {"x": x},
              ["z"], {"w": w, "s": np.array([-1], np.int64)})
    module = from_onnx(m, params_as_args=True)
    params = onnx_params(m)
    assert len(params) == 1
    np.testing.assert_allclose(interpret(module, "main", x, *params), (x @ w).reshape(-1),
                               rtol=1e-5)
    assert "%w: tensor<3x4xf32>" in str(module)


def test_input_shapes_fix_dynamic_dimensions_and_bind_inputs() -> None:
    x = helper.make_tensor_value_info("x", TensorProto.FLOAT, ["batch", 3])
    s = helper.make_tensor_value_info("s", TensorProto.INT64, [2])
    graph = helper.make_graph([N("Relu", ["x"], ["r"]), N("Reshape", ["r", "s"], ["y"])], "g",
                              [x, s], [helper.make_empty_tensor_value_info("y")])
    m = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    module = from_onnx(m, input_shapes={"x": (2, 3)}, bind_inputs={"s": np.array([3, 2])})
    xv = rand(2, 3)
    np.testing.assert_array_equal(interpret(module, "main", xv), np.maximum(xv, 0).reshape(3, 2))
