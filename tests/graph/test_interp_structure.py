"""Constants, dataflow regions, calls and the argument checks of the reference interpreter."""

from __future__ import annotations

import sys

import numpy as np
import pytest
from graph_interp_support import run_op, run_text

from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.runtime import register_func, remove_func

# --- constants ----------------------------------------------------------------------------------


@pytest.mark.parametrize("dense,elem,want", [
    ("[[1.5, -2.0], [0.25, 3.0]]", "f32", np.array([[1.5, -2.0], [0.25, 3.0]], np.float32)),
    ("[[1.5, -2.0], [0.25, 3.0]]", "f64", np.array([[1.5, -2.0], [0.25, 3.0]])),
    ("[[1.5, -2.0], [0.25, 3.0]]", "f16", np.array([[1.5, -2.0], [0.25, 3.0]], np.float16)),
    ("[[1.5, -2.0], [0.25, 3.0]]", "bf16", np.array([[1.5, -2.0], [0.25, 3.0]], np.float32)),
    ("[[1, -2], [3, 4]]", "i32", np.array([[1, -2], [3, 4]], np.int32)),
    ("[[1, -2], [3, 4]]", "i64", np.array([[1, -2], [3, 4]], np.int64)),
    ("[[1, -2], [3, 4]]", "i8", np.array([[1, -2], [3, 4]], np.int8)),
    ("[[true, false], [false, true]]", "i1", np.array([[1, 0], [0, 1]], bool)),
    ("7.0", "f32", np.full((2, 2), 7.0, np.float32)),  # splat
])
def test_constant(dense: str, elem: str, want: np.ndarray) -> None:
    text = f"""
    func.func @main() -> tensor<2x2x{elem}> {{
      %c = graph.constant dense<{dense}> : tensor<2x2x{elem}>
      func.return %c : tensor<2x2x{elem}>
    }}"""
    got = run_text(text)
    assert got.dtype == want.dtype
    np.testing.assert_array_equal(got, want)
    got[0, 0] = 0  # a fresh array, not the (read-only) constant
    np.testing.assert_array_equal(run_text(text), want)


def test_scalar_constant_and_generic_form() -> None:
    text = """
    "func.func"() <{sym_name = "main", function_type = (tensor<3xf32>) -> tensor<3xf32>}> ({
    ^bb0(%x: tensor<3xf32>):
      %c = "graph.constant"() {value = dense<2.0> : tensor<f32>} : () -> tensor<f32>
      %y = "graph.mul"(%x, %c) : (tensor<3xf32>, tensor<f32>) -> tensor<3xf32>
      "func.return"(%y) : (tensor<3xf32>) -> ()
    }) : () -> ()"""
    np.testing.assert_array_equal(run_text(text, np.arange(3, dtype=np.float32)), [0, 2, 4])


# --- dataflow, func.call, several results --------------------------------------------------------

MLP = """
func.func @layer(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %y = graph.dataflow -> tensor<2x3xf32> {
    %h = graph.matmul %x, %w : (tensor<2x4xf32>, tensor<4x3xf32>) -> tensor<2x3xf32>
    %a = graph.add %h, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %r = graph.relu %a : tensor<2x3xf32>
    graph.output %r : tensor<2x3xf32>
  }
  func.return %y : tensor<2x3xf32>
}

func.func @main(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>)
    -> (tensor<2x3xf32>, tensor<2xf32>) {
  %y = func.call @layer(%x, %w, %b)
         : (tensor<2x4xf32>, tensor<4x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %s, %m = graph.dataflow -> (tensor<2x3xf32>, tensor<2xf32>) {
    %p = graph.softmax %y {axis = 1 : i64} : tensor<2x3xf32>
    %q = graph.reduce_max %y {axes = array<i64: 1>} : (tensor<2x3xf32>) -> tensor<2xf32>
    graph.output %p, %q : tensor<2x3xf32>, tensor<2xf32>
  }
  func.return %s, %m : tensor<2x3xf32>, tensor<2xf32>
}
"""


def test_dataflow_call_and_several_results() -> None:
    rng = np.random.default_rng(0)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    w = rng.standard_normal((4, 3)).astype(np.float32)
    b = rng.standard_normal(3).astype(np.float32)
    s, m = run_text(MLP, x, w, b)
    y = np.maximum(x @ w + b, 0)
    e = np.exp(y - y.max(axis=1, keepdims=True))
    np.testing.assert_allclose(s, e / e.sum(axis=1, keepdims=True), rtol=1e-6)
    np.testing.assert_allclose(m, y.max(axis=1), rtol=1e-6)
    np.testing.assert_allclose(run_text(MLP, x, w, b, name="layer"), y, rtol=1e-6)


def test_same_value_returned_twice_gives_two_arrays() -> None:
    text = """
    func.func @main(%x: tensor<2xf32>) -> (tensor<2xf32>, tensor<2xf32>, tensor<2xf32>) {
      %y = graph.neg %x : tensor<2xf32>
      func.return %y, %y, %x : tensor<2xf32>, tensor<2xf32>, tensor<2xf32>
    }"""
    x = np.array([1, 2], np.float32)
    a, b, c = run_text(text, x)
    a[0] = 5
    c[0] = 5
    np.testing.assert_array_equal(b, [-1, -2])
    np.testing.assert_array_equal(x, [1, 2])


# --- graph.call_lib --------------------------------------------------------------------------------

CALL_LIB = """
func.func @main(%x: tensor<2x4xf32>, %w: tensor<3x4xf32>) -> tensor<2x3xf32> {
  %y = graph.dataflow -> tensor<2x3xf32> {
    %l = graph.call_lib "NAME"(%x, %w) {pure} : (tensor<2x4xf32>, tensor<3x4xf32>)
           -> tensor<2x3xf32>
    %r = graph.relu %l : tensor<2x3xf32>
    graph.output %r : tensor<2x3xf32>
  }
  func.return %y : tensor<2x3xf32>
}
"""


@pytest.fixture
def linear():
    seen = []

    def fn(x: np.ndarray, w: np.ndarray, out: np.ndarray) -> None:
        seen.append((x.flags.writeable, w.flags.writeable, out.flags.writeable, out.dtype))
        np.matmul(x, w.T, out=out)

    register_func("test_interp.linear", fn)
    yield seen
    remove_func("test_interp.linear")


def test_call_lib_destination_passing(linear: list) -> None:
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4)).astype(np.float32)
    w = rng.standard_normal((3, 4)).astype(np.float32)
    got = run_text(CALL_LIB.replace("NAME", "test_interp.linear"), x, w)
    np.testing.assert_allclose(got, np.maximum(x @ w.T, 0), rtol=1e-6)
    assert linear == [(False, False, True, np.float32)]  # inputs read-only, outputs writable


def test_call_lib_unknown_name_is_located(linear: list) -> None:
    x, w = np.zeros((2, 4), np.float32), np.zeros((3, 4), np.float32)
    with pytest.raises(DiagnosticError, match=r"interp\d+.mlir:4:5: error: 'graph.call_lib' op "
                       r"no library function named 'test_interp.lineer' is registered; did you "
                       r"mean 'test_interp.linear'\?"):
        run_text(CALL_LIB.replace("NAME", "test_interp.lineer"), x, w)


def test_call_lib_failures_are_located() -> None:
    x, w = np.zeros((2, 4), np.float32), np.zeros((3, 4), np.float32)

    def returns(x: np.ndarray, w: np.ndarray, out: np.ndarray) -> np.ndarray:
        return x @ w.T

    def raises(x: np.ndarray, w: np.ndarray, out: np.ndarray) -> None:
        raise RuntimeError("out of cheese")

    register_func("test_interp.returns", returns)
    register_func("test_interp.raises", raises)
    try:
        with pytest.raises(DiagnosticError, match="'test_interp.returns' returned a value"):
            run_text(CALL_LIB.replace("NAME", "test_interp.returns"), x, w)
        with pytest.raises(DiagnosticError, match="'test_interp.raises' failed: RuntimeError: "
                           "out of cheese"):
            run_text(CALL_LIB.replace("NAME", "test_interp.raises"), x, w)
    finally:
        remove_func("test_interp.returns")
        remove_func("test_interp.raises")


# --- graph.call_tir ------------------------------------------------------------------------------

CALL_TIR = """
func.func @relu(%A: memref<4xf32>, %B: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
  loops.for %i = 0 to 4 {
    tensor.block "B"(%v = spatial(4, %i)) reads(%A[%v]) writes(%B[%v]) {
      %0 = memref.load %A[%v] : memref<4xf32>
      %1 = arith.constant 0.000000e+00 : f32
      %2 = arith.maximumf %0, %1 : f32
      memref.store %2, %B[%v] : memref<4xf32>
    }
  }
  func.return
}

func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
  %y = graph.call_tir @relu(%x) : (tensor<4xf32>) -> tensor<4xf32>
  func.return %y : tensor<4xf32>
}
"""


def test_call_tir_runs_the_tensor_program() -> None:
    pytest.importorskip("dialects.tensor.interp")
    x = np.array([-1, 2, -3, 4], np.float32)
    np.testing.assert_array_equal(run_text(CALL_TIR, x), [0, 2, 0, 4])


def test_call_tir_without_tensor_interpreter(monkeypatch: pytest.MonkeyPatch) -> None:
    tensor = pytest.importorskip("dialects.tensor")
    monkeypatch.setitem(sys.modules, "dialects.tensor.interp", None)  # importing it fails
    monkeypatch.delattr(tensor, "interp", raising=False)
    with pytest.raises(DiagnosticError, match="'graph.call_tir' op needs the tensor dialect's "
                       "interpreter"):
        run_text(CALL_TIR, np.zeros(4, np.float32))


# --- argument checks -----------------------------------------------------------------------------


def test_argument_dtype_mismatch() -> None:
    with pytest.raises(ValueError, match=r"^argument #1 of @main: expected tensor<3xf32> "
                       r"\(float32, shape \(3,\)\), got float64 array of shape \(3,\)$"):
        run_op("add", [np.zeros(3, np.float32), np.zeros(3)], "tensor<3xf32>",
               elems=["f32", "f32"])


def test_argument_shape_mismatch() -> None:
    text = """
    func.func @main(%x: tensor<2x3xi32>) -> tensor<2x3xi32> {
      %y = graph.abs %x : tensor<2x3xi32>
      func.return %y : tensor<2x3xi32>
    }"""
    with pytest.raises(ValueError, match=r"argument #0 of @main: expected tensor<2x3xi32> "
                       r"\(int32, shape \(2, 3\)\), got int32 array of shape \(3, 2\)"):
        run_text(text, np.zeros((3, 2), np.int32))
    with pytest.raises(TypeError, match=r"argument #0 of @main: expected .*, got list"):
        run_text(text, [[1, 2, 3], [4, 5, 6]])


def test_argument_count_mismatch_and_unknown_function() -> None:
    with pytest.raises(ValueError, match=r"@main takes 3 arguments \(tensor<2x4xf32>, "
                       r"tensor<4x3xf32>, tensor<3xf32>\), got 1"):
        run_text(MLP, np.zeros((2, 4), np.float32))
    with pytest.raises(ValueError, match=r"cannot interpret @mian: it does not exist in the "
                       r"module \(functions: @layer, @main\)"):
        run_text(MLP, name="mian")


def test_numpy_scalar_is_a_0d_argument_and_arguments_are_not_written() -> None:
    text = """
    func.func @main(%x: tensor<f64>, %y: tensor<3xf64>) -> tensor<3xf64> {
      %z = graph.reshape %y : (tensor<3xf64>) -> tensor<3xf64>
      %s = graph.add %z, %x : (tensor<3xf64>, tensor<f64>) -> tensor<3xf64>
      func.return %z : tensor<3xf64>
    }"""
    y = np.array([1.0, 2.0, 3.0])
    got = run_text(text, np.float64(2.0), y)
    got[0] = 100  # the result does not alias the argument
    np.testing.assert_array_equal(y, [1.0, 2.0, 3.0])


def test_bf16_arguments_are_rounded() -> None:
    text = """
    func.func @main(%x: tensor<2xbf16>) -> tensor<2xbf16> {
      %y = graph.neg %x : tensor<2xbf16>
      func.return %y : tensor<2xbf16>
    }"""
    x = np.array([1.0 + 2.0 ** -10, 2.0], np.float32)
    np.testing.assert_array_equal(run_text(text, x), [-1.0, -2.0])
    with pytest.raises(ValueError, match=r"expected tensor<2xbf16> \(float32 holding bf16"):
        run_text(text, x.astype(np.float16))


def test_call_of_a_declaration_is_located() -> None:
    text = """
    func.func private @external(tensor<2xf32>) -> tensor<2xf32>
    func.func @main(%x: tensor<2xf32>) -> tensor<2xf32> {
      %y = func.call @external(%x) : (tensor<2xf32>) -> tensor<2xf32>
      func.return %y : tensor<2xf32>
    }"""
    with pytest.raises(DiagnosticError, match=r"interp\d+.mlir:4:7: error: 'func.call' op calls "
                       "@external, which is only declared"):
        run_text(text, np.zeros(2, np.float32))
    with pytest.raises(ValueError, match="cannot interpret @external: it is only declared"):
        run_text(text, np.zeros(2, np.float32), name="external")


def test_every_graph_op_has_an_implementation() -> None:
    from dialects.graph.interp import GRAPH_FUNCTIONS
    from dialects.graph.ops import GRAPH_OPS

    implemented = {op for functions in GRAPH_FUNCTIONS for op, _ in functions._impls()}
    assert [op.name for op in GRAPH_OPS if op not in implemented] == []


def test_op_without_semantics_is_located() -> None:
    text = """
    func.func @main() -> i32 {
      %c = arith.constant 1 : i32
      func.return %c : i32
    }"""
    with pytest.raises(DiagnosticError, match=r"interp\d+.mlir:3:7: error: 'arith.constant' op "
                       "has no reference semantics in the graph interpreter"):
        run_text(text)
