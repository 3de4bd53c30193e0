"""Whole graphs legalized and interpreted (call_tir through the tensor interpreter) equal the
unlegalized graph: the course's MLP, a small CNN and a transformer block."""

from __future__ import annotations

import numpy as np
from oplib_support import compare, legalized

from dialects.graph.builder import GraphBuilder
from dialects.graph.interp import interpret
from dialects.graph.ops import CallTIROp, GraphOp

RNG = np.random.default_rng(5)


def _weights(*shape: int) -> np.ndarray:
    return (RNG.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)


def _check_model(b: GraphBuilder, *inputs: np.ndarray) -> None:
    module = b.module
    module.verify()
    want = interpret(module, "main", *inputs)
    lowered = legalized(module)
    main = lowered.body.block.first_op
    left = [op.name for op in main.walk() if isinstance(op, GraphOp)]
    assert not left, f"ops left after legalization: {left}"
    assert any(isinstance(op, CallTIROp) for op in main.walk())
    got = interpret(lowered, "main", *inputs)
    compare(got, want, exact=False, what="model output")


def test_mlp() -> None:
    """The course's two-layer MLP (784-128-10, shrunk): x @ w0.T + b0, relu, @ w1.T + b1."""
    b = GraphBuilder()
    with b.function("main", [((2, 32), "f32")]) as (x,):
        with b.dataflow() as df:
            w0, b0 = b.constant(_weights(16, 32)), b.constant(_weights(16))
            w1, b1 = b.constant(_weights(4, 16)), b.constant(_weights(4))
            h = b.relu(b.add(b.matmul(x, b.transpose(w0, [1, 0])), b0))
            df.output(b.add(b.matmul(h, b.transpose(w1, [1, 0])), b1))
        b.ret(df.result)
    _check_model(b, RNG.standard_normal((2, 32)).astype(np.float32))


def test_small_cnn() -> None:
    """conv2d + relu + max_pool2d + reshape + matmul + softmax."""
    b = GraphBuilder()
    with b.function("main", [((2, 1, 8, 8), "f32")]) as (x,):
        with b.dataflow() as df:
            w, bias = b.constant(_weights(4, 1, 3, 3)), b.constant(_weights(4))
            y = b.relu(b.conv2d(x, w, bias, padding=(1, 1, 1, 1)))
            y = b.max_pool2d(y, (2, 2), (2, 2))
            y = b.reshape(y, (2, 64))
            logits = b.add(b.matmul(y, b.constant(_weights(64, 10))), b.constant(_weights(10)))
            df.output(b.softmax(logits))
        b.ret(df.result)
    _check_model(b, RNG.standard_normal((2, 1, 8, 8)).astype(np.float32))


def test_transformer_block() -> None:
    """Pre-norm attention + MLP: layer_norm, matmul, reshape/transpose heads, softmax, gelu."""
    seq, dim, heads = 4, 8, 2
    hd = dim // heads
    b = GraphBuilder()
    with b.function("main", [((seq, dim), "f32")]) as (x,):
        with b.dataflow() as df:
            def ln(v):
                return b.layer_norm(v, b.constant(1 + _weights(dim)), b.constant(_weights(dim)))

            def split_heads(v):  # (seq, dim) -> (heads, seq, hd)
                return b.transpose(b.reshape(v, (seq, heads, hd)), [1, 0, 2])

            h = ln(x)
            q, k, v = (split_heads(b.matmul(h, b.constant(_weights(dim, dim))))
                       for _ in range(3))
            scores = b.matmul(q, b.transpose(k, [0, 2, 1]))
            scores = b.mul(scores, b.constant(np.full((1,), hd ** -0.5, np.float32)))
            ctx = b.matmul(b.softmax(scores, axis=-1), v)             # (heads, seq, hd)
            ctx = b.reshape(b.transpose(ctx, [1, 0, 2]), (seq, dim))
            x1 = b.add(x, b.matmul(ctx, b.constant(_weights(dim, dim))))
            hidden = b.gelu(b.add(b.matmul(ln(x1), b.constant(_weights(dim, 4 * dim))),
                                  b.constant(_weights(4 * dim))))
            out = b.add(x1, b.matmul(hidden, b.constant(_weights(4 * dim, dim))))
            df.output(out)
        b.ret(df.result)
    _check_model(b, RNG.standard_normal((seq, dim)).astype(np.float32))
