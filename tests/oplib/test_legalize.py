"""The dispatcher and the pass: coverage of the spec, kernel sharing and names, empty tensors,
errors."""

from __future__ import annotations

import numpy as np
import pytest
from oplib_support import build_module, check, legalized
from xdsl.context import Context
from xdsl.dialects import func

from dialects.graph import ops
from dialects.graph.interp import interpret
from mlc_dialects.context import make_context
from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.oplib import LEGALIZERS, legalize
from mlc_dialects.parsing import parse_and_verify
from passes.convert_graph_to_tensor import ConvertGraphToTensorPass

STRUCTURAL = {ops.ConstantOp, ops.DataflowOp, ops.OutputOp, ops.CallTIROp, ops.CallLibOp}


def _kernels(module) -> list[str]:
    return [op.sym_name.data for op in module.ops
            if isinstance(op, func.FuncOp) and op.sym_name.data != "main"]


def test_every_compute_op_of_the_spec_has_a_tensor_program() -> None:
    missing = [cls.name for cls in ops.GRAPH_OPS if cls not in STRUCTURAL and cls not in LEGALIZERS]
    assert not missing
    assert not STRUCTURAL & set(LEGALIZERS)


def test_identical_ops_share_one_kernel() -> None:
    def build(g, x, y):
        a = g.add(x, y)
        b = g.add(a, y)                       # same types: shared
        c = g.add(g.reshape(b, (8,)), g.reshape(y, (8,)))  # other types: a second add
        d = g.softmax(b, axis=0)
        e = g.softmax(b, axis=1)              # other attribute: a second kernel
        return c, d, e

    x = np.ones((2, 4), np.float32)
    lowered = check(build, [x, x])
    assert _kernels(lowered) == ["add_0", "reshape_0", "add_1", "softmax_0", "softmax_1"]


def test_kernel_names_avoid_existing_symbols() -> None:
    text = """
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = graph.neg %x : tensor<4xf32>
      func.return %y : tensor<4xf32>
    }
    func.func @neg_0(%a: tensor<4xf32>) -> tensor<4xf32> {
      func.return %a : tensor<4xf32>
    }
    """
    module = parse_and_verify(make_context(), text, "names.mlir")
    ConvertGraphToTensorPass().apply(Context(), module)
    module.verify()
    assert "neg_1" in _kernels(module)


def test_structural_ops_are_left_alone() -> None:
    text = """
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %c = graph.constant dense<[1.0, 2.0]> : tensor<2xf32>
      %y = graph.dataflow -> tensor<2xf32> {
        %s = graph.add %x, %c : tensor<2xf32>
        %t = graph.call_lib "env.unknown"(%s) {pure} : (tensor<2xf32>) -> tensor<2xf32>
        graph.output %t : tensor<2xf32>
      }
      func.return %y : tensor<2xf32>
    }
    """
    module = parse_and_verify(make_context(), text, "structure.mlir")
    ConvertGraphToTensorPass().apply(Context(), module)
    module.verify()
    names = [op.name for op in module.body.block.first_op.walk()]
    assert names.count("graph.constant") == 1 and names.count("graph.call_lib") == 1
    assert "graph.dataflow" in names and "graph.call_tir" in names and "graph.add" not in names


def test_legalize_api_names_arguments_after_the_operands() -> None:
    module = build_module(lambda g, x, w, b: g.conv2d(x, w, b),
                          [((1, 2, 4, 4), "f32"), ((3, 2, 3, 3), "f32"), ((3,), "f32")])
    conv = next(op for op in module.walk() if isinstance(op, ops.Conv2dOp))
    fn = legalize(conv)
    assert fn.sym_name.data == "conv2d"
    assert [a.name_hint for a in fn.body.block.args] == ["x", "weight", "bias", "conv2d"]
    assert fn.attributes["tensor.num_inputs"].value.data == 3


def test_empty_results_get_an_empty_kernel() -> None:
    x = np.zeros((0, 3), np.float32)
    lowered = check(lambda g, v: g.exp(v), [x], exact=True)
    kernel = lowered.body.block.last_op
    assert isinstance(kernel, func.FuncOp)
    assert [op.name for op in kernel.body.block.ops] == ["func.return"]


def test_zero_size_operand_with_an_empty_result_is_an_empty_kernel() -> None:
    module = build_module(lambda g, x: g.avg_pool2d(x, (1, 1)), [((1, 0, 2, 2), "f32")])
    lowered = legalized(module)
    x = np.zeros((1, 0, 2, 2), np.float32)
    assert interpret(lowered, "main", x).shape == (1, 0, 2, 2)


def test_zero_size_operands_read_by_a_nonempty_result_are_rejected() -> None:
    module = build_module(lambda g, x, w: g.conv2d(x, w, padding=(1, 0, 1, 0)),
                          [((1, 1, 0, 2), "f32"), ((1, 1, 1, 1), "f32")])
    with pytest.raises(DiagnosticError, match="operand without elements is not supported"):
        ConvertGraphToTensorPass().apply(Context(), module)


@pytest.mark.parametrize(("text", "message"), [
    ("""func.func @main(%x: tensor<4xbf16>) -> tensor<4xbf16> {
          %y = graph.relu %x : tensor<4xbf16>
          func.return %y : tensor<4xbf16>
        }""", "element type bf16 has no tensor-program equivalent"),
    ("""func.func @main(%x: tensor<?x4xf32>) -> tensor<?x4xf32> {
          %y = graph.relu %x : tensor<?x4xf32>
          func.return %y : tensor<?x4xf32>
        }""", "dynamic shapes are not supported yet"),
])
def test_unsupported_inputs_fail_naming_the_pass_and_the_op(text: str, message: str) -> None:
    module = parse_and_verify(make_context(), text, "unsupported.mlir")
    with pytest.raises(DiagnosticError) as info:
        ConvertGraphToTensorPass().apply(Context(), module)
    text = str(info.value)
    assert "convert-graph-to-tensor: 'graph.relu' op cannot be converted" in text
    assert message in text
    assert "unsupported.mlir:2:" in text


def test_graph_interpreter_runs_kernels_with_scalar_tensors() -> None:
    x = np.array(2.0, np.float32)
    module = build_module(lambda g, v: g.exp(v), [((), "f32")])
    lowered = legalized(module)
    np.testing.assert_allclose(interpret(lowered, "main", x), np.exp(x))
