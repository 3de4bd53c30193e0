"""Library functions called from graph IR: graph-dispatch-library, Python and native entries,
interpreted and compiled."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

import mlc_dialects as mlc
from dialects.graph.ops import CallLibOp, MatmulOp
from mlc_dialects.context import make_context
from mlc_dialects.graph_executable import LibraryCallError, compile_graph
from mlc_dialects.runtime.libs import ensure_builtin_libs, find_openblas
from mlc_dialects.runtime.registry import (
    I64,
    Ptr,
    get_func,
    list_funcs,
    register_func,
    register_native,
    remove_func,
)
from passes.graph_dispatch_library import GraphDispatchLibraryPass

ROOT = Path(__file__).resolve().parents[2]
RNG = np.random.default_rng(7)


@pytest.fixture(autouse=True)
def _restore_registry():
    before = set(list_funcs())
    yield
    for name in set(list_funcs()) - before:
        remove_func(name)


def mlp_args(batch: int = 4) -> list[np.ndarray]:
    return [RNG.standard_normal(s, dtype=np.float32) * 0.1 for s in
            [(batch, 784), (784, 128), (128,), (128, 10), (10,)]]


def numpy_mlp(x, w0, b0, w1, b1):
    h = np.maximum(x @ w0 + b0, 0)
    z = h @ w1 + b1
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def callees(module) -> list[str]:
    return [op.callee.data for op in module.walk() if isinstance(op, CallLibOp)]


def test_linear_pattern_on_the_mlp_interprets_and_compiles_equal() -> None:
    module = mlc.parse_file(ROOT / "examples" / "mlp.mlir")
    args = mlp_args()
    expected = numpy_mlp(*args)
    dispatched = module.clone()
    GraphDispatchLibraryPass(ops=("linear", "relu")).apply(make_context(), dispatched)
    dispatched.verify()
    assert callees(dispatched) == ["env.linear", "env.relu", "env.linear"]
    assert not any(isinstance(op, MatmulOp) for op in dispatched.walk())
    np.testing.assert_allclose(mlc.interpret(dispatched, "main", *args), expected, atol=1e-5)
    exe = compile_graph(module, library_ops=("linear", "relu"))
    np.testing.assert_allclose(exe["main"](*args), expected, atol=1e-5)


COURSE_MLP = """
func.func @main(%x: tensor<1x784xf32>, %w0: tensor<128x784xf32>, %b0: tensor<128xf32>,
                %w1: tensor<10x128xf32>, %b1: tensor<10xf32>) -> tensor<1x10xf32> {
  %out = graph.dataflow -> tensor<1x10xf32> {
    %lv0 = graph.call_lib "env.linear"(%x, %w0, %b0) {pure}
        : (tensor<1x784xf32>, tensor<128x784xf32>, tensor<128xf32>) -> tensor<1x128xf32>
    %lv1 = graph.call_lib "env.relu"(%lv0) {pure} : (tensor<1x128xf32>) -> tensor<1x128xf32>
    %lv2 = graph.call_lib "env.linear"(%lv1, %w1, %b1) {pure}
        : (tensor<1x128xf32>, tensor<10x128xf32>, tensor<10xf32>) -> tensor<1x10xf32>
    graph.output %lv2 : tensor<1x10xf32>
  }
  func.return %out : tensor<1x10xf32>
}
"""


def test_course_mlp_calls_a_user_registered_env_linear() -> None:
    """The MLC course's example: the user registers env.linear (torch layout, w is (out, in))."""
    calls = []

    @register_func("env.linear", override=True)
    def torch_linear(x, w, b, out):
        calls.append((x.shape, w.shape, x.flags.writeable, out.flags.writeable))
        np.matmul(x, w.T, out=out)
        np.add(out, b, out=out)

    x = RNG.standard_normal((1, 784), dtype=np.float32)
    w0 = RNG.standard_normal((128, 784), dtype=np.float32) * 0.05
    b0 = RNG.standard_normal(128, dtype=np.float32)
    w1 = RNG.standard_normal((10, 128), dtype=np.float32) * 0.1
    b1 = RNG.standard_normal(10, dtype=np.float32)
    expected = np.maximum(x @ w0.T + b0, 0) @ w1.T + b1
    exe = compile_graph(COURSE_MLP)
    got = exe["main"](x, w0, b0, w1, b1)
    np.testing.assert_allclose(got, expected, rtol=1e-5, atol=1e-5)
    # Inputs are read-only views, outputs writable; called once per layer.
    assert calls == [((1, 784), (128, 784), False, True), ((1, 128), (10, 128), False, True)]
    np.testing.assert_allclose(mlc.interpret(COURSE_MLP, "main", x, w0, b0, w1, b1), expected,
                               rtol=1e-5, atol=1e-5)


def test_reregistering_takes_effect_without_recompiling() -> None:
    ensure_builtin_libs()
    exe = compile_graph(COURSE_MLP)
    args = [np.ones(s, np.float32) for s in [(1, 784), (128, 784), (128,), (10, 128), (10,)]]
    before = exe["main"](*args)
    register_func("env.relu", lambda x, out: out.fill(0.0), override=True)
    after = exe["main"](*args)
    assert np.all(before > 0)
    np.testing.assert_array_equal(after, np.broadcast_to(args[4], (1, 10)))


def test_python_library_exception_is_raised_after_the_call() -> None:
    @register_func("test.fails")
    def fails(x, out):
        raise RuntimeError("boom")

    text = """
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = graph.call_lib "test.fails"(%x) : (tensor<4xf32>) -> tensor<4xf32>
      func.return %y : tensor<4xf32>
    }"""
    exe = compile_graph(text)
    with pytest.raises(LibraryCallError, match="'test.fails' .* RuntimeError: boom") as info:
        exe["main"](np.ones(4, np.float32))
    assert isinstance(info.value.__cause__, RuntimeError)
    # The next call is not affected by the recorded error.
    register_func("test.fails", lambda x, out: np.copyto(out, x), override=True)
    np.testing.assert_array_equal(exe["main"](np.arange(4, dtype=np.float32)), np.arange(4))


def test_unknown_library_function_fails_at_compile_time() -> None:
    text = """
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = graph.call_lib "test.nowhere"(%x) : (tensor<4xf32>) -> tensor<4xf32>
      func.return %y : tensor<4xf32>
    }"""
    with pytest.raises(KeyError, match="no library function named 'test.nowhere'"):
        compile_graph(text)


@pytest.fixture(scope="module")
def axpy_library(tmp_path_factory) -> Path:
    """A tiny C library compiled now: out = a * x + y over n floats."""
    if shutil.which("gcc") is None:
        pytest.skip("gcc is not installed: cannot build the test's native library")
    src = tmp_path_factory.mktemp("native") / "axpy.c"
    src.write_text(
        "void axpy(const float *x, const float *y, float *out, long n, long scale) {\n"
        "  for (long i = 0; i < n; ++i) out[i] = (float)scale * x[i] + y[i];\n"
        "}\n")
    lib = src.with_suffix(".so")
    subprocess.run(["gcc", "-O2", "-shared", "-fPIC", str(src), "-o", str(lib)], check=True)
    return lib


def test_native_function_compiled_and_interpreted(axpy_library: Path) -> None:
    def signature(ins, outs):
        n = int(np.prod(outs[0].shape))
        return [Ptr(0), Ptr(1), Ptr(2), I64(n), I64(3)]

    entry = register_native("test.axpy", "axpy", axpy_library, signature)
    assert entry.kind == "native" and get_func("test.axpy") is entry
    text = """
    func.func @main(%x: tensor<2x8xf32>, %y: tensor<2x8xf32>) -> tensor<2x8xf32> {
      %a = graph.call_lib "test.axpy"(%x, %y) {pure} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
      %b = graph.call_lib "test.axpy"(%a, %y) {pure} : (tensor<2x8xf32>, tensor<2x8xf32>) -> tensor<2x8xf32>
      func.return %b : tensor<2x8xf32>
    }"""
    x = RNG.standard_normal((2, 8), dtype=np.float32)
    y = RNG.standard_normal((2, 8), dtype=np.float32)
    expected = 3 * (3 * x + y) + y
    np.testing.assert_allclose(mlc.interpret(text, "main", x, y), expected, rtol=1e-6)
    exe = compile_graph(text)
    np.testing.assert_allclose(exe["main"](x, y), expected, rtol=1e-6)
    decls = [op for op in exe.module.ops
             if op.attributes.get("mlc.library_kind") is not None]
    assert [d.attributes["mlc.library_kind"].data for d in decls] == ["native"]


def test_register_native_errors(axpy_library: Path) -> None:
    with pytest.raises(AttributeError):
        register_native("test.missing", "no_such_symbol", axpy_library)
    with pytest.raises(OSError):
        register_native("test.missing", "axpy", "/nonexistent/libnothing.so")
    assert "test.missing" not in list_funcs()


@pytest.mark.skipif(find_openblas() is None, reason="numpy ships no OpenBLAS here")
def test_matmul_to_openblas_sgemm() -> None:
    ensure_builtin_libs()
    assert get_func("blas.sgemm").kind == "native"
    module = mlc.parse_file(ROOT / "examples" / "mlp.mlir")
    dispatched = module.clone()
    GraphDispatchLibraryPass(ops=("matmul",)).apply(make_context(), dispatched)
    assert callees(dispatched) == ["blas.sgemm", "blas.sgemm"]
    args = mlp_args()
    expected = numpy_mlp(*args)
    np.testing.assert_allclose(mlc.interpret(dispatched, "main", *args), expected, atol=1e-5)
    exe = compile_graph(module, library_ops=("matmul",))
    np.testing.assert_allclose(exe["main"](*args), expected, atol=1e-5)


def test_builtin_python_libs_match_numpy() -> None:
    ensure_builtin_libs()
    x = RNG.standard_normal((3, 5), dtype=np.float32)
    w = RNG.standard_normal((4, 5), dtype=np.float32)
    b = RNG.standard_normal(4, dtype=np.float32)
    out = np.empty((3, 4), np.float32)
    get_func("env.linear")(x, w, b, out)
    np.testing.assert_allclose(out, x @ w.T + b, rtol=1e-5)
    sm = np.empty_like(x)
    get_func("env.softmax")(x, sm)
    np.testing.assert_allclose(sm.sum(axis=-1), 1.0, rtol=1e-6)


def test_softmax_pattern_only_on_the_last_axis() -> None:
    text = """
    func.func @main(%x: tensor<3x4xf32>) -> (tensor<3x4xf32>, tensor<3x4xf32>) {
      %a = graph.softmax %x {axis = 1 : i64} : tensor<3x4xf32>
      %b = graph.softmax %x {axis = 0 : i64} : tensor<3x4xf32>
      func.return %a, %b : tensor<3x4xf32>, tensor<3x4xf32>
    }"""
    module = mlc.parse(text)
    GraphDispatchLibraryPass(ops=("softmax",)).apply(make_context(), module)
    assert callees(module) == ["env.softmax"]
    x = RNG.standard_normal((3, 4), dtype=np.float32)
    got = compile_graph(text, library_ops=("softmax",))["main"](x)
    for g, r in zip(got, mlc.interpret(text, "main", x), strict=True):
        np.testing.assert_allclose(g, r, rtol=1e-5)


def _one_matmul(m: int, k: int, n: int) -> str:
    a, b, c = f"tensor<{m}x{k}xf32>", f"tensor<{k}x{n}xf32>", f"tensor<{m}x{n}xf32>"
    return (f"func.func @main(%a: {a}, %b: {b}) -> {c} {{\n"
            f"  %c = graph.matmul %a, %b : ({a}, {b}) -> {c}\n  func.return %c : {c}\n}}\n")


def _driver_callees(module) -> list[str]:
    from passes.convert_graph_to_driver import LIBRARY_ATTR

    return [op.attributes[LIBRARY_ATTR].data for op in module.walk()
            if LIBRARY_ATTR in op.attributes]


@pytest.mark.skipif(find_openblas() is None, reason="numpy ships no OpenBLAS here")
def test_large_matmuls_go_to_openblas_by_default() -> None:
    """library_ops="auto": a matmul whose right operand no longer fits L2 (>= 1 MiB) with
    >= 64 rows calls blas.sgemm; the MLP's (784x128 weights) and small ones are compiled."""
    from mlc_dialects.graph_executable import graph_to_driver_module

    large = mlc.parse(_one_matmul(64, 512, 512))
    assert _driver_callees(graph_to_driver_module(large)) == ["blas.sgemm"]
    assert _driver_callees(graph_to_driver_module(large, library_ops=())) == []
    assert _driver_callees(graph_to_driver_module(mlc.parse(_one_matmul(8, 512, 512)))) == []
    mlp = mlc.parse_file(ROOT / "examples" / "mlp.mlir")
    assert _driver_callees(graph_to_driver_module(mlp)) == []
    a = RNG.standard_normal((64, 512), dtype=np.float32)
    b = RNG.standard_normal((512, 512), dtype=np.float32)
    np.testing.assert_allclose(compile_graph(large)["main"](a, b), a @ b, rtol=1e-4, atol=1e-3)


def test_large_matmuls_compile_without_openblas(monkeypatch: pytest.MonkeyPatch) -> None:
    """Without blas.sgemm in the registry the default dispatches nothing: all compiled."""
    from mlc_dialects.graph_executable import graph_to_driver_module
    from mlc_dialects.runtime import libs, registry

    monkeypatch.setattr(libs, "find_openblas", lambda: None)
    monkeypatch.setattr(registry, "list_funcs",
                        lambda real=registry.list_funcs: [n for n in real() if n != "blas.sgemm"])
    large = mlc.parse(_one_matmul(64, 512, 512))
    assert _driver_callees(graph_to_driver_module(large)) == []
