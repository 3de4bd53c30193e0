"""The graph builder: it builds exactly the IR that the text parses to, and reports bad shapes.

Each case builds one op with `GraphBuilder` and compares the printed module with the printed
parse of the equivalent text, so the builder and the custom syntax cannot drift apart.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
import pytest
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    BFloat16Type,
    Float32Type,
    FunctionType,
    IntegerType,
    MemRefType,
    ModuleOp,
    TensorType,
)
from xdsl.ir import Block, Region, SSAValue

from dialects.graph.builder import GraphBuilder, GraphBuildError, element_type, tensor_type
from dialects.graph.ops import GRAPH_OPS
from dialects.graph.shapes import DYN
from mlc_dialects.context import make_context
from mlc_dialects.parsing import parse_and_verify


def parse(text: str) -> ModuleOp:
    return parse_and_verify(make_context(), text, "test.mlir")


def tensor_text(spec: tuple) -> str:
    return str(tensor_type(spec))


def build_one(arg_types: Sequence[tuple], body: Callable[..., object]) -> ModuleOp:
    """`func.func @f(%a0, %a1, ...)` whose body is `body(b, *args)`, returning nothing."""
    b = GraphBuilder()
    names = [f"a{i}" for i in range(len(arg_types))]
    with b.function("f", arg_types, arg_names=names) as args:
        body(b, *args)
        b.ret()
    return b.module


def text_one(arg_types: Sequence[tuple], lines: str) -> str:
    params = ", ".join(f"%a{i}: {tensor_text(t)}" for i, t in enumerate(arg_types))
    return f"func.func @f({params}) {{\n{lines}\n  func.return\n}}\n"


F23 = ((2, 3), "f32")
F3 = ((3,), "f32")
F4 = ((4,), "f32")
NCHW = ((1, 3, 8, 8), "f32")
OIHW = ((4, 3, 3, 3), "f32")

def _unary(name: str) -> Callable[..., object]:
    return lambda b, x: getattr(b, name)(x)


# (id, argument types, builder body, equivalent text of the body)
CASES: list[tuple[str, list[tuple], Callable[..., object], str]] = [
    ("add", [F23, F3], lambda b, x, y: b.add(x, y),
     "%0 = graph.add %a0, %a1 : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>"),
    ("sub", [F23, F23], lambda b, x, y: b.sub(x, y), "%0 = graph.sub %a0, %a1 : tensor<2x3xf32>"),
    ("mul", [F23, ((), "f32")], lambda b, x, y: b.mul(x, y),
     "%0 = graph.mul %a0, %a1 : (tensor<2x3xf32>, tensor<f32>) -> tensor<2x3xf32>"),
    ("div", [((2, 1), "f64"), ((1, 3), "f64")], lambda b, x, y: b.div(x, y),
     "%0 = graph.div %a0, %a1 : (tensor<2x1xf64>, tensor<1x3xf64>) -> tensor<2x3xf64>"),
    ("max", [((3,), "i32")] * 2, lambda b, x, y: b.max(x, y),
     "%0 = graph.max %a0, %a1 : tensor<3xi32>"),
    ("min", [((3,), "i64")] * 2, lambda b, x, y: b.min(x, y),
     "%0 = graph.min %a0, %a1 : tensor<3xi64>"),
    ("pow", [F4, F4], lambda b, x, y: b.pow(x, y), "%0 = graph.pow %a0, %a1 : tensor<4xf32>"),
    *[
        (name, [F4], _unary(name), f"%0 = graph.{name} %a0 : tensor<4xf32>")
        for name in ("neg", "abs", "exp", "log", "sqrt", "rsqrt", "tanh", "sigmoid", "relu",
                     "erf", "gelu")
    ],
    ("clip", [F4], lambda b, x: b.clip(x, 0.0, 6.0),
     "%0 = graph.clip %a0 {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>"),
    ("clip_max_only", [F4], lambda b, x: b.clip(x, max=1.0),
     "%0 = graph.clip %a0 {max = 1.0 : f32} : tensor<4xf32>"),
    ("cast", [F4], lambda b, x: b.cast(x, "i32"),
     "%0 = graph.cast %a0 : (tensor<4xf32>) -> tensor<4xi32>"),
    ("cast_numpy_dtype", [F4], lambda b, x: b.cast(x, np.float16),
     "%0 = graph.cast %a0 : (tensor<4xf32>) -> tensor<4xf16>"),
    ("where", [((4,), "i1"), F4, ((), "f32")], lambda b, c, x, y: b.where(c, x, y),
     ("%0 = graph.where %a0, %a1, %a2 : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) "
      "-> tensor<4xf32>")),
    ("matmul", [((5, 1, 2, 8), "f32"), ((3, 8, 4), "f32")], lambda b, x, y: b.matmul(x, y),
     ("%0 = graph.matmul %a0, %a1 : (tensor<5x1x2x8xf32>, tensor<3x8x4xf32>) "
      "-> tensor<5x3x2x4xf32>")),
    ("einsum", [F23, ((3, 4), "f32")], lambda b, x, y: b.einsum("ij,jk->ik", x, y),
     ('%0 = graph.einsum %a0, %a1 {equation = "ij,jk->ik"} : (tensor<2x3xf32>, tensor<3x4xf32>) '
      "-> tensor<2x4xf32>")),
    ("conv2d", [NCHW, OIHW, F4],
     lambda b, x, w, bias: b.conv2d(x, w, bias, strides=(2, 2), padding=(1, 1, 1, 1)),
     ("%0 = graph.conv2d %a0, %a1, %a2 {strides = array<i64: 2, 2>, "
      "padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, groups = 1 : i64} "
      ": (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>, tensor<4xf32>) -> tensor<1x4x4x4xf32>")),
    ("conv2d_grouped", [NCHW, ((3, 1, 3, 3), "f32")], lambda b, x, w: b.conv2d(x, w, groups=3),
     ("%0 = graph.conv2d %a0, %a1 {strides = array<i64: 1, 1>, padding = array<i64: 0, 0, 0, 0>, "
      "dilations = array<i64: 1, 1>, groups = 3 : i64} "
      ": (tensor<1x3x8x8xf32>, tensor<3x1x3x3xf32>) -> tensor<1x3x6x6xf32>")),
    ("max_pool2d", [NCHW], lambda b, x: b.max_pool2d(x, (3, 3), (2, 2), ceil_mode=True),
     ("%0 = graph.max_pool2d %a0 {kernel = array<i64: 3, 3>, strides = array<i64: 2, 2>, "
      "padding = array<i64: 0, 0, 0, 0>, ceil_mode = 1 : i64} "
      ": (tensor<1x3x8x8xf32>) -> tensor<1x3x4x4xf32>")),
    ("avg_pool2d", [NCHW],
     lambda b, x: b.avg_pool2d(x, (2, 2), (2, 2), (1, 1, 1, 1), dilations=(1, 1),
                               count_include_pad=True),
     ("%0 = graph.avg_pool2d %a0 {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>, "
      "padding = array<i64: 1, 1, 1, 1>, dilations = array<i64: 1, 1>, "
      "count_include_pad = 1 : i64} : (tensor<1x3x8x8xf32>) -> tensor<1x3x5x5xf32>")),
    ("lrn", [NCHW], lambda b, x: b.lrn(x, 3),
     ("%0 = graph.lrn %a0 {size = 3 : i64, alpha = 1.0e-04 : f32, beta = 0.75 : f32, "
      "bias = 1.0 : f32} : tensor<1x3x8x8xf32>")),
    ("softmax", [F23], lambda b, x: b.softmax(x, axis=0),
     "%0 = graph.softmax %a0 {axis = 0 : i64} : tensor<2x3xf32>"),
    ("log_softmax", [F23], lambda b, x: b.log_softmax(x),
     "%0 = graph.log_softmax %a0 {axis = -1 : i64} : tensor<2x3xf32>"),
    ("layer_norm", [F23, F3, F3], lambda b, x, g, be: b.layer_norm(x, g, be),
     ("%0 = graph.layer_norm %a0, %a1, %a2 {axis = -1 : i64, epsilon = 1.0e-05 : f32} "
      ": (tensor<2x3xf32>, tensor<3xf32>, tensor<3xf32>) -> tensor<2x3xf32>")),
    ("batch_norm", [NCHW, F3, F3, F3, F3],
     lambda b, x, s, bi, m, v: b.batch_norm(x, s, bi, m, v, epsilon=1e-3),
     ("%0 = graph.batch_norm %a0, %a1, %a2, %a3, %a4 {epsilon = 1.0e-03 : f32} "
      ": (tensor<1x3x8x8xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>, tensor<3xf32>) "
      "-> tensor<1x3x8x8xf32>")),
    ("reduce_sum", [F23], lambda b, x: b.reduce_sum(x, [1]),
     ("%0 = graph.reduce_sum %a0 {axes = array<i64: 1>, keepdims = 0 : i64} "
      ": (tensor<2x3xf32>) -> tensor<2xf32>")),
    ("reduce_mean", [F23], lambda b, x: b.reduce_mean(x, [-1], keepdims=True),
     ("%0 = graph.reduce_mean %a0 {axes = array<i64: -1>, keepdims = 1 : i64} "
      ": (tensor<2x3xf32>) -> tensor<2x1xf32>")),
    ("reduce_max", [F23], lambda b, x: b.reduce_max(x, [0, 1]),
     ("%0 = graph.reduce_max %a0 {axes = array<i64: 0, 1>, keepdims = 0 : i64} "
      ": (tensor<2x3xf32>) -> tensor<f32>")),
    ("reduce_min", [((2, 3), "i32")], lambda b, x: b.reduce_min(x, [0]),
     ("%0 = graph.reduce_min %a0 {axes = array<i64: 0>, keepdims = 0 : i64} "
      ": (tensor<2x3xi32>) -> tensor<3xi32>")),
    ("reshape", [F23], lambda b, x: b.reshape(x, (3, 2)),
     "%0 = graph.reshape %a0 : (tensor<2x3xf32>) -> tensor<3x2xf32>"),
    ("reshape_infer", [F23], lambda b, x: b.reshape(x, (-1,)),
     "%0 = graph.reshape %a0 : (tensor<2x3xf32>) -> tensor<6xf32>"),
    ("reshape_scalar", [((), "f32")], lambda b, x: b.reshape(x, (1, 1)),
     "%0 = graph.reshape %a0 : (tensor<f32>) -> tensor<1x1xf32>"),
    ("transpose", [((2, 3, 4), "f32")], lambda b, x: b.transpose(x),
     ("%0 = graph.transpose %a0 {perm = array<i64: 2, 1, 0>} "
      ": (tensor<2x3x4xf32>) -> tensor<4x3x2xf32>")),
    ("broadcast_to", [F3], lambda b, x: b.broadcast_to(x, (2, 3)),
     "%0 = graph.broadcast_to %a0 : (tensor<3xf32>) -> tensor<2x3xf32>"),
    ("concat", [F23, ((2, 1), "f32")], lambda b, x, y: b.concat([x, y], axis=1),
     ("%0 = graph.concat %a0, %a1 {axis = 1 : i64} "
      ": (tensor<2x3xf32>, tensor<2x1xf32>) -> tensor<2x4xf32>")),
    ("slice", [F23], lambda b, x: b.slice(x, [0, -1], [2, -4], [2, -1]),
     ("%0 = graph.slice %a0 {starts = array<i64: 0, -1>, ends = array<i64: 2, -4>, "
      "steps = array<i64: 2, -1>} : (tensor<2x3xf32>) -> tensor<1x3xf32>")),
    ("rearrange", [((2, 3, 4, 5), "f32")], lambda b, x: b.rearrange(x, "b c h w -> b (c h w)"),
     ('%0 = graph.rearrange %a0 {pattern = "b c h w -> b (c h w)"} '
      ": (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>")),
    ("dynamic", [((None, 3), "f32"), (("?", 3), "f32")],
     lambda b, x, y: b.matmul(x, b.transpose(y)),
     ("%0 = graph.transpose %a1 {perm = array<i64: 1, 0>} : (tensor<?x3xf32>) -> tensor<3x?xf32>\n"
      "%1 = graph.matmul %a0, %0 : (tensor<?x3xf32>, tensor<3x?xf32>) -> tensor<?x?xf32>")),
    ("reshape_dynamic", [((None, 3), "f32")], lambda b, x: b.reshape(x, (-1,)),
     "%0 = graph.reshape %a0 : (tensor<?x3xf32>) -> tensor<?xf32>"),
]


@pytest.mark.parametrize("arg_types, body, text", [c[1:] for c in CASES],
                         ids=[c[0] for c in CASES])
def test_builder_matches_text(arg_types: list[tuple], body: Callable[..., object],
                              text: str) -> None:
    built = build_one(arg_types, body)
    built.verify()
    assert str(built) == str(parse(text_one(arg_types, text)))


def test_every_op_has_a_builder_method_and_is_tested() -> None:
    modules = [build_one(c[1], c[2]) for c in CASES]
    modules += [_build_dataflow(), _build_constants(), _build_calls()]
    built = {op.name for m in modules for op in m.walk()}
    for op in GRAPH_OPS:
        assert op.name in built, f"no builder test builds {op.name}"
        if op.name != "graph.output":  # made by Dataflow.output
            assert callable(getattr(GraphBuilder, op.name.removeprefix("graph."), None))


def _build_dataflow() -> ModuleOp:
    b = GraphBuilder()
    with b.function("main", [((1, 8), "f32"), ((8, 4), "f32")], arg_names=["x", "w"]) as (x, w):
        with b.dataflow() as df:
            h = b.matmul(x, w)
            df.output(b.relu(h), h)
        b.ret(*df.results)
    return b.module


def test_function_dataflow_and_results() -> None:
    b = _build_dataflow()
    text = """
    func.func @main(%x: tensor<1x8xf32>, %w: tensor<8x4xf32>) -> (tensor<1x4xf32>, tensor<1x4xf32>) {
      %0:2 = graph.dataflow -> (tensor<1x4xf32>, tensor<1x4xf32>) {
        %1 = graph.matmul %x, %w : (tensor<1x8xf32>, tensor<8x4xf32>) -> tensor<1x4xf32>
        %2 = graph.relu %1 : tensor<1x4xf32>
        graph.output %2, %1 : tensor<1x4xf32>, tensor<1x4xf32>
      }
      func.return %0#0, %0#1 : tensor<1x4xf32>, tensor<1x4xf32>
    }
    """
    b.verify()
    assert str(b) == str(parse(text))
    fn = b.body.block.first_op
    assert isinstance(fn, func.FuncOp)
    assert [str(t) for t in fn.function_type.outputs.data] == ["tensor<1x4xf32>"] * 2


def test_two_functions_in_one_module() -> None:
    b = GraphBuilder()
    for name in ("f", "g"):
        with b.function(name, [F4]) as (x,):
            b.ret(b.neg(x))
    assert [op.sym_name.data for op in b.module.body.block.ops] == ["f", "g"]


def _build_constants() -> ModuleOp:
    b = GraphBuilder()
    with b.function("consts", []):
        f = b.constant(np.array([[1.0, 2.0]], dtype=np.float32))
        i = b.constant(np.array([1, -2, 3], dtype=np.int64))
        c = b.constant(np.array([True, False]))
        s = b.constant(np.float64(0.5))
        h = b.constant([[1.0, 1.0]], dtype="bf16")
        b.ret(f, i, c, s, h)
    return b.module


def test_constant() -> None:
    text = """
    func.func @consts() -> (tensor<1x2xf32>, tensor<3xi64>, tensor<2xi1>, tensor<f64>, tensor<1x2xbf16>) {
      %0 = graph.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
      %1 = graph.constant dense<[1, -2, 3]> : tensor<3xi64>
      %2 = graph.constant dense<[true, false]> : tensor<2xi1>
      %3 = graph.constant dense<0.5> : tensor<f64>
      %4 = graph.constant dense<1.0> : tensor<1x2xbf16>
      func.return %0, %1, %2, %3, %4 : tensor<1x2xf32>, tensor<3xi64>, tensor<2xi1>, tensor<f64>, tensor<1x2xbf16>
    }
    """
    assert str(_build_constants()) == str(parse(text))


def _memref_kernel(name: str, params: list[MemRefType]) -> func.FuncOp:
    return func.FuncOp(name, (params, []), Region(Block([func.ReturnOp()], arg_types=params)))


def _build_calls() -> ModuleOp:
    b = GraphBuilder()
    b.module.body.block.add_op(_memref_kernel("kernel", [MemRefType(Float32Type(), [4])] * 2))
    with b.function("main", [F4]) as (x,):
        y = b.call_tir("kernel", [x], [F4])
        with b.dataflow() as df:
            df.output(b.call_lib("env.linear", [y], [((8,), "f32")], pure=True))
        lo, hi = b.call_lib("env.split", [x], [((2,), "f32"), ((2,), "f32")])
        b.ret(df.result, lo, hi)
    return b.module


def test_calls() -> None:
    built = _build_calls()
    text = """
    func.func @kernel(%0: memref<4xf32>, %1: memref<4xf32>) {
      func.return
    }
    func.func @main(%x: tensor<4xf32>) -> (tensor<8xf32>, tensor<2xf32>, tensor<2xf32>) {
      %0 = graph.call_tir @kernel(%x) : (tensor<4xf32>) -> tensor<4xf32>
      %1 = graph.dataflow -> tensor<8xf32> {
        %2 = graph.call_lib "env.linear"(%0) {pure} : (tensor<4xf32>) -> tensor<8xf32>
        graph.output %2 : tensor<8xf32>
      }
      %3:2 = graph.call_lib "env.split"(%x) : (tensor<4xf32>) -> (tensor<2xf32>, tensor<2xf32>)
      func.return %1, %3#0, %3#1 : tensor<8xf32>, tensor<2xf32>, tensor<2xf32>
    }
    """
    built.verify()  # the call_tir signature matches the kernel's buffers
    expected = parse(text)
    # The text names main's argument %x, the builder does not: drop the name before comparing.
    main = list(expected.body.block.ops)[1]
    assert isinstance(main, func.FuncOp)
    main.body.block.args[0].name_hint = None
    assert str(built) == str(expected)


# --- types ------------------------------------------------------------------------------------


def test_type_specs() -> None:
    assert tensor_type(((2, None, "?"), "f32")) == TensorType(Float32Type(), [2, DYN, DYN])
    assert tensor_type(((), np.int32)) == TensorType(IntegerType(32), [])
    assert tensor_type((5, "bf16")) == TensorType(BFloat16Type(), [5])
    assert element_type(np.dtype("bool")) == IntegerType(1)
    assert str(tensor_type(((None, 3), "f32"))) == "tensor<?x3xf32>"


@pytest.mark.parametrize("spec, message", [
    (((2, 3), "f128"), "unsupported element type 'f128'"),
    (((2, 3), np.complex64), "unsupported element type"),
    (((2, -1), "f32"), "bad dimension -1"),
    ("tensor<2xf32>", "expected a TensorType or (shape, dtype)"),
])
def test_bad_type_specs(spec: object, message: str) -> None:
    with pytest.raises(GraphBuildError, match=message.replace("(", r"\(").replace(")", r"\)")):
        tensor_type(spec)  # type: ignore[arg-type]


# --- errors -----------------------------------------------------------------------------------


def _in_function(arg_types: list[tuple], body: Callable[..., object]) -> None:
    b = GraphBuilder()
    with b.function("f", arg_types) as args:
        body(b, *args)
        b.ret()


@pytest.mark.parametrize("arg_types, body, message", [
    ([((2, 8), "f32"), ((9, 4), "f32")], lambda b, x, y: b.matmul(x, y),
     "'graph.matmul' op contracting dimensions differ: lhs has 8, rhs has 9"),
    ([F23, F4], lambda b, x, y: b.add(x, y),
     ("'graph.add' op operand shapes 2x3, 4 are not broadcastable (dimension 1 of the result: "
      "3 vs 4)")),
    ([F23, ((2, 3), "i32")], lambda b, x, y: b.add(x, y),
     "'graph.add' op operands have different element types: #0 is f32, #1 is i32"),
    ([((4,), "i32")], lambda b, x: b.exp(x),
     "'graph.exp' op operand must have a floating-point element type, got tensor<4xi32>"),
    ([NCHW, ((4, 2, 3, 3), "f32")], lambda b, x, w: b.conv2d(x, w),
     "'graph.conv2d' op input channels differ: input has 3, weight expects 2 x 1 groups"),
    ([NCHW], lambda b, x: b.max_pool2d(x, (9, 9)),
     "'graph.max_pool2d' op window of effective size 9 does not fit input size 8"),
    ([F23], lambda b, x: b.reshape(x, (4,)),
     "'graph.reshape' op element counts differ: operand 2x3 has 6, result 4 has 4"),
    ([F23], lambda b, x: b.reshape(x, (4, -1)),
     "'graph.reshape' op cannot infer -1: 6 elements do not divide into blocks of 4"),
    ([F23], lambda b, x: b.reshape(x, (-1, -1)), "'graph.reshape' op at most one -1"),
    ([F23], lambda b, x: b.transpose(x, [0, 0]),
     "'graph.transpose' op perm [0, 0] is not a permutation of the 2 axes"),
    ([F23], lambda b, x: b.reduce_sum(x, [2]),
     "'graph.reduce_sum' op axis 2 is out of range for rank 2 (expected -2 <= axis < 2)"),
    ([F23], lambda b, x: b.broadcast_to(x, (3,)),
     "'graph.broadcast_to' op operand shape 2x3 cannot be broadcast to 3"),
    ([F23], lambda b, x: b.cast(x, "u8"), "unsupported element type 'u8'"),
    ([F23], lambda b, x: b.slice(x, [0], [1]),
     "'graph.slice' op starts, ends and steps need one entry per axis (2), got 1, 1 and 1"),
    ([F23], lambda b, x: b.rearrange(x, "a b -> a"),
     "'graph.rearrange' op rearrange pattern 'a b -> a': axes ['b'] appear on one side only"),
    ([F23], lambda b, x: b.einsum("ij->k", x),
     "'graph.einsum' op einsum output index 'k' does not appear in any input"),
    ([F23], lambda b, x: b.concat([x, b.transpose(x)], axis=0),
     "'graph.concat' op operand 1 has shape 3x2, which differs from operand 0 (2x3)"),
    ([F23], lambda b, x: b.add(x, np.ones((2, 3))),
     "'graph.add' op operand #1 must be a value built by this builder"),
])
def test_build_errors(arg_types: list[tuple], body: Callable[..., object], message: str) -> None:
    with pytest.raises(GraphBuildError) as info:
        _in_function(arg_types, body)
    assert message in str(info.value)


def test_error_leaves_no_half_built_function() -> None:
    b = GraphBuilder()
    with pytest.raises(GraphBuildError), b.function("f", [F23]) as (x,):
        b.matmul(x, x)
    assert list(b.module.body.block.ops) == []
    with b.function("g", [F23]) as (x,):  # the builder is still usable
        b.ret(x)
    assert [op.sym_name.data for op in b.module.body.block.ops] == ["g"]


def test_missing_ret() -> None:
    b = GraphBuilder()
    with (
        pytest.raises(GraphBuildError, match=r"function 'f' ends without b.ret\(...\)"),
        b.function("f", [F4]) as (x,),
    ):
        b.relu(x)


def test_op_outside_function() -> None:
    b = GraphBuilder()
    with pytest.raises(GraphBuildError, match="must be created inside `with b.function"):
        b.constant(np.zeros(3, np.float32))


def test_nested_functions() -> None:
    b = GraphBuilder()
    with (
        pytest.raises(GraphBuildError, match="functions cannot be nested"),
        b.function("f", []),
        b.function("g", []),
    ):
        pass


def test_dataflow_value_does_not_escape() -> None:
    b = GraphBuilder()
    with (
        pytest.raises(GraphBuildError, match="operand #0 is not visible here"),
        b.function("f", [F4]) as (x,),
    ):
        with b.dataflow() as df:
            inner = b.relu(x)
            df.output(inner)
        b.neg(inner)  # an inner value used after the region ended


def test_value_of_another_function() -> None:
    b = GraphBuilder()
    with b.function("f", [F4]) as (x,):
        b.ret(x)
    with (
        pytest.raises(GraphBuildError, match="operand #0 is not visible here"),
        b.function("g", [F4]),
    ):
        b.relu(x)


def test_dataflow_rejects_impure_call() -> None:
    b = GraphBuilder()
    with (
        pytest.raises(GraphBuildError, match="'graph.call_lib' is not pure"),
        b.function("f", [F4]) as (x,),
        b.dataflow() as df,
    ):
        df.output(b.call_lib("env.print", [x], [F4]))


def test_dataflow_needs_output() -> None:
    b = GraphBuilder()
    with (
        pytest.raises(GraphBuildError, match=r"ends without df.output\(...\)"),
        b.function("f", [F4]) as (x,),
        b.dataflow(),
    ):
        b.relu(x)


def test_dataflow_results_only_after_block() -> None:
    b = GraphBuilder()
    with b.function("f", [F4]) as (x,):
        with b.dataflow() as df:
            df.output(b.relu(x))
            with pytest.raises(GraphBuildError, match="only after the `with` block"):
                df.results  # noqa: B018 - the property raises
        b.ret(df.result)


def test_ret_inside_dataflow() -> None:
    b = GraphBuilder()
    with (
        pytest.raises(GraphBuildError, match="outside dataflow"),
        b.function("f", [F4]) as (x,),
        b.dataflow(),
    ):
        b.ret(x)


def test_result_is_an_ssa_value() -> None:
    b = GraphBuilder()
    with b.function("f", [F4]) as (x,):
        y = b.relu(x)
        assert isinstance(y, SSAValue)
        assert y.type == TensorType(Float32Type(), [4])
        b.ret(y)
    fn = b.module.body.block.first_op
    assert isinstance(fn, func.FuncOp)
    assert fn.function_type == FunctionType.from_lists([y.type], [y.type])
