"""Whole graph functions compiled natively (one driver per function) equal the interpreter and
numpy: an MLP, a small CNN and a transformer block; the call boundary's checks."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mlc_dialects as mlc
from dialects.graph.builder import GraphBuilder
from mlc_dialects.graph_executable import compile_graph

ROOT = Path(__file__).resolve().parents[2]


def rng() -> np.random.Generator:
    return np.random.default_rng(1234)


def numpy_softmax(z: np.ndarray) -> np.ndarray:
    e = np.exp(z - z.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True)


@pytest.mark.parametrize("fuse", [False, True], ids=["unfused", "fused"])
def test_mlp(fuse: bool) -> None:
    module = mlc.parse_file(ROOT / "examples" / "mlp.mlir")
    r = rng()
    x, w0, b0, w1, b1 = [r.standard_normal(s, dtype=np.float32) * 0.1 for s in
                         [(4, 784), (784, 128), (128,), (128, 10), (10,)]]
    expected = numpy_softmax(np.maximum(x @ w0 + b0, 0) @ w1 + b1)
    got = compile_graph(module, fuse=fuse)["main"](x, w0, b0, w1, b1)
    assert got.shape == (4, 10) and got.dtype == np.float32
    np.testing.assert_allclose(got, expected, rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got, mlc.interpret(module, "main", x, w0, b0, w1, b1),
                               rtol=1e-4, atol=1e-6)


def small_cnn():
    """conv2d(+bias) -> relu -> max_pool2d -> reshape -> matmul -> softmax, weights constant."""
    r = rng()
    w = (r.standard_normal((4, 3, 3, 3)) * 0.3).astype(np.float32)
    cb = r.standard_normal(4).astype(np.float32)
    fw = (r.standard_normal((64, 10)) * 0.1).astype(np.float32)
    b = GraphBuilder()
    with b.function("main", [((2, 3, 8, 8), "f32")]) as (x,):
        with b.dataflow() as df:
            h = b.relu(b.conv2d(x, b.constant(w), b.constant(cb), padding=(1, 1, 1, 1)))
            h = b.max_pool2d(h, (2, 2), strides=(2, 2))
            h = b.reshape(h, (2, 64))
            df.output(b.softmax(b.matmul(h, b.constant(fw)), axis=-1))
        b.ret(*df.results)

    def reference(xv: np.ndarray) -> np.ndarray:
        pad = np.pad(xv, ((0, 0), (0, 0), (1, 1), (1, 1)))
        win = np.lib.stride_tricks.sliding_window_view(pad, (3, 3), axis=(2, 3))
        conv = np.einsum("nchwij,ocij->nohw", win, w) + cb[None, :, None, None]
        h = np.maximum(conv, 0).reshape(2, 4, 4, 2, 4, 2).max(axis=(3, 5))
        return numpy_softmax(h.reshape(2, 64) @ fw)

    return b.module, reference


def test_small_cnn() -> None:
    module, reference = small_cnn()
    x = rng().standard_normal((2, 3, 8, 8)).astype(np.float32)
    exe = compile_graph(module)
    got = exe["main"](x)
    np.testing.assert_allclose(got, reference(x), rtol=1e-4, atol=1e-6)
    np.testing.assert_allclose(got, mlc.interpret(module, "main", x), rtol=1e-4, atol=1e-6)


def transformer_block(seq: int = 8, dim: int = 16):
    """Pre-norm attention (one head) and a GELU MLP, with residuals; weights constant."""
    r = rng()
    g = (1 + 0.1 * r.standard_normal(dim)).astype(np.float32)
    be = (0.1 * r.standard_normal(dim)).astype(np.float32)
    wq, wk, wv = [(r.standard_normal((dim, dim)) * 0.2).astype(np.float32) for _ in range(3)]
    w1 = (r.standard_normal((dim, 4 * dim)) * 0.2).astype(np.float32)
    w2 = (r.standard_normal((4 * dim, dim)) * 0.2).astype(np.float32)
    scale = np.float32(1 / np.sqrt(dim))
    b = GraphBuilder()
    with b.function("main", [((seq, dim), "f32")]) as (x,):
        with b.dataflow() as df:
            gc, bc = b.constant(g), b.constant(be)
            h = b.layer_norm(x, gc, bc)
            q, k, v = (b.matmul(h, b.constant(wt)) for wt in (wq, wk, wv))
            scores = b.mul(b.matmul(q, b.transpose(k, (1, 0))), b.constant(scale))
            h2 = b.add(x, b.matmul(b.softmax(scores, axis=-1), v))
            h3 = b.layer_norm(h2, gc, bc)
            df.output(b.add(h2, b.matmul(b.gelu(b.matmul(h3, b.constant(w1))), b.constant(w2))))
        b.ret(*df.results)

    def reference(xv: np.ndarray) -> np.ndarray:
        from math import erf

        def ln(t):
            mu = t.mean(-1, keepdims=True)
            return (t - mu) / np.sqrt(t.var(-1, keepdims=True) + 1e-5) * g + be

        h = ln(xv)
        att = numpy_softmax((h @ wq) @ (h @ wk).T * scale)
        h2 = xv + att @ (h @ wv)
        u = ln(h2) @ w1
        gelu = 0.5 * u * (1 + np.vectorize(erf)(u / np.sqrt(2)))
        return h2 + gelu @ w2

    return b.module, reference


def test_transformer_block() -> None:
    module, reference = transformer_block()
    x = rng().standard_normal((8, 16)).astype(np.float32)
    got = compile_graph(module)["main"](x)
    np.testing.assert_allclose(got, reference(x), rtol=1e-4, atol=1e-5)
    np.testing.assert_allclose(got, mlc.interpret(module, "main", x), rtol=1e-4, atol=1e-5)


MULTI = """
func.func @main(%x: tensor<2x3xf32>, %y: tensor<2x3xf32>)
    -> (tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>) {
  %c = graph.constant dense<[1.0, 2.0, 3.0]> : tensor<3xf32>
  %s = graph.add %x, %c : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %p = graph.mul %s, %y : tensor<2x3xf32>
  func.return %p, %s, %x, %c : tensor<2x3xf32>, tensor<2x3xf32>, tensor<2x3xf32>, tensor<3xf32>
}
func.func @twice(%x: tensor<4xi32>) -> (tensor<4xi32>, tensor<4xi32>) {
  %a = graph.abs %x : tensor<4xi32>
  func.return %a, %a : tensor<4xi32>, tensor<4xi32>
}
"""


def test_several_results_arguments_constants_and_integers() -> None:
    exe = compile_graph(MULTI)
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    y = np.full((2, 3), 2.0, np.float32)
    got = exe["main"](x, y)
    assert isinstance(got, tuple) and len(got) == 4
    for g, r in zip(got, mlc.interpret(MULTI, "main", x, y), strict=True):
        np.testing.assert_array_equal(g, r)
    assert got[2] is not x  # results never alias arguments
    a, b = exe["twice"](np.array([-1, 2, -3, 4], np.int32))
    np.testing.assert_array_equal(a, [1, 2, 3, 4])
    np.testing.assert_array_equal(b, [1, 2, 3, 4])
    assert a.ctypes.data != b.ctypes.data
    assert sorted(exe.function_names) == ["main", "twice"]


def test_out_parameter_reuses_arrays() -> None:
    exe = compile_graph(MULTI)
    x = np.ones((2, 3), np.float32)
    outs = (np.empty((2, 3), np.float32), np.empty((2, 3), np.float32),
            np.empty((2, 3), np.float32), np.empty(3, np.float32))
    got = exe["main"](x, x, out=outs)
    assert all(g is o for g, o in zip(got, outs, strict=True))
    np.testing.assert_array_equal(outs[0], (x + [1, 2, 3]) * x)
    with pytest.raises(ValueError, match="out= needs 4 arrays, got 1"):
        exe["main"](x, x, out=outs[0])
    with pytest.raises(ValueError, match="result 3: expected shape"):
        exe["main"](x, x, out=(*outs[:3], np.empty(4, np.float32)))


def test_inputs_are_checked_before_native_code_runs() -> None:
    exe = compile_graph(MULTI)
    f = exe["main"]
    x = np.ones((2, 3), np.float32)
    with pytest.raises(ValueError, match="takes 2 arguments, got 1"):
        f(x)
    with pytest.raises(ValueError, match=r"argument 1 \(%y\): expected dtype float32"):
        f(x, x.astype(np.float64))
    with pytest.raises(ValueError, match=r"argument 0 \(%x\): expected shape \(2, 3\)"):
        f(np.ones((3, 2), np.float32), x)
    with pytest.raises(ValueError, match="C-contiguous"):
        f(np.ones((3, 2), np.float32).T, x)
    with pytest.raises(ValueError, match="expected an array"):
        f([[1.0] * 3] * 2, x)
    with pytest.raises(KeyError, match="no compiled graph function @nope"):
        exe["nope"]


def test_dlpack_inputs_without_copies() -> None:
    torch = pytest.importorskip("torch")
    exe = compile_graph(MULTI)
    x = torch.ones((2, 3), dtype=torch.float32)
    got = exe["main"](x, x)
    np.testing.assert_array_equal(got[2], np.ones((2, 3), np.float32))


def test_per_call_overhead_is_microseconds() -> None:
    """A tiny graph: the time is the boundary (checks, np.empty, one ctypes call)."""
    import time

    exe = compile_graph("""
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = graph.relu %x : tensor<4xf32>
      func.return %y : tensor<4xf32>
    }""")
    f = exe["main"]
    x = np.ones(4, np.float32)
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        for _ in range(2000):
            f(x)
        best = min(best, (time.perf_counter() - start) / 2000)
    assert best < 50e-6  # generous: loaded CI machines; typically a few microseconds


def test_short_path_falls_back_for_unusual_arrays() -> None:
    """Non-contiguous, misaligned or read-only arrays take the general path: checked there."""
    exe = compile_graph(MULTI)
    f = exe["main"]
    x = np.ones((2, 3), np.float32)
    raw = np.zeros(6 * 4 + 1, np.uint8)
    misaligned = raw[1:].view(np.float32).reshape(2, 3)
    with pytest.raises(ValueError, match="aligned"):
        f(misaligned, x)
    outs = [np.empty((2, 3), np.float32) for _ in range(3)] + [np.empty(3, np.float32)]
    outs[1].flags.writeable = False
    with pytest.raises(ValueError, match="result 1: out= array is read-only"):
        f(x, x, out=outs)
    fortran = np.asfortranarray(np.arange(6, dtype=np.float32).reshape(2, 3))
    with pytest.raises(ValueError, match="C-contiguous"):
        f(fortran, x)


def test_short_path_checks_type_dtype_and_shape_natively() -> None:
    """The JIT entry checks what Python no longer does (exact ndarray type, dtype number and
    byte order, rank, shape): anything else takes the general path, which decides."""
    exe = compile_graph(MULTI)
    f = exe["main"]
    x = np.arange(6, dtype=np.float32).reshape(2, 3)
    with pytest.raises(ValueError, match=r"argument 0 \(%x\): expected dtype float32"):
        f(x.astype(">f4"), x)
    with pytest.raises(ValueError, match=r"expected shape \(2, 3\)"):
        f(x.reshape(6), x)
    with pytest.raises(ValueError, match=r"expected shape \(2, 3\)"):
        f(x.reshape(2, 3, 1), x)

    class Sub(np.ndarray):
        pass

    got = f(x.view(Sub), x)  # a subclass: general path, same result
    np.testing.assert_array_equal(got[0], (x + [1, 2, 3]) * x)
    # Same-size integers are accepted by the general path, as before the short path.
    a, _ = exe["twice"](np.array([1, 2, 3, 4], np.uint32))
    np.testing.assert_array_equal(a, [1, 2, 3, 4])
