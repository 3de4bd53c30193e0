"""graph-fuse: which calls end up together, and fused modules compute what unfused ones do.

Each model is built with the graph builder, legalized (`convert-graph-to-tensor`), fused, and
interpreted both ways (the graph interpreter runs call_tir through the tensor interpreter).
The grouping is asserted as the list of fused callees left in @main.
"""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from dialects.graph.builder import GraphBuilder
from dialects.graph.interp import interpret
from dialects.graph.ops import CallTIROp
from dialects.tensor.ops import AllocBufferOp, BlockOp
from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.fusion.patterns import OpPattern, analyze_kernel
from passes.convert_graph_to_tensor import ConvertGraphToTensorPass
from passes.graph_fuse import GraphFusePass

RNG = np.random.default_rng(11)


def _weights(*shape: int) -> np.ndarray:
    return (RNG.standard_normal(shape) / np.sqrt(shape[-1])).astype(np.float32)


def _legalize(module: ModuleOp) -> ModuleOp:
    copy = module.clone()
    ConvertGraphToTensorPass().apply(Context(), copy)
    copy.verify()
    return copy


def _fuse(module: ModuleOp, **options: int) -> ModuleOp:
    copy = module.clone()
    GraphFusePass(**options).apply(Context(), copy)
    copy.verify()
    return copy


def _callees(module: ModuleOp, name: str = "main") -> list[str]:
    main = _function(module, name)
    return [op.callee.string_value() for op in main.walk() if isinstance(op, CallTIROp)]


def _function(module: ModuleOp, name: str) -> func.FuncOp:
    for op in module.body.block.ops:
        if isinstance(op, func.FuncOp) and op.sym_name.data == name:
            return op
    raise AssertionError(f"no @{name}")


def _kernels(module: ModuleOp) -> set[str]:
    return {op.sym_name.data for op in module.body.block.ops
            if isinstance(op, func.FuncOp) and "tensor.num_inputs" in op.attributes}


def _check(b: GraphBuilder, *inputs: np.ndarray) -> ModuleOp:
    """Fused == unfused == graph interpreter on `inputs`; returns the fused module."""
    module = b.module
    module.verify()
    want = interpret(module, "main", *inputs)
    legal = _legalize(module)
    fused = _fuse(legal)
    unfused_out = interpret(legal, "main", *inputs)
    fused_out = interpret(fused, "main", *inputs)
    np.testing.assert_allclose(unfused_out, want, rtol=2e-5, atol=2e-5)
    np.testing.assert_allclose(fused_out, unfused_out, rtol=2e-5, atol=2e-5)
    # Exactly the called kernels remain; every fused kernel is called.
    assert _kernels(fused) == set(_callees(fused))
    return fused


# --------------------------------------------------------------------------- models


def test_mlp() -> None:
    """The course's MLP: each linear layer's matmul takes its bias add (and relu)."""
    b = GraphBuilder()
    with b.function("main", [((2, 32), "f32")]) as (x,):
        with b.dataflow() as df:
            w0, b0 = b.constant(_weights(32, 16)), b.constant(_weights(16))
            w1, b1 = b.constant(_weights(16, 4)), b.constant(_weights(4))
            h = b.relu(b.add(b.matmul(x, w0), b0))
            df.output(b.add(b.matmul(h, w1), b1))
        b.ret(df.result)
    fused = _check(b, RNG.standard_normal((2, 32)).astype(np.float32))
    assert _callees(fused) == ["fused_matmul_add_relu", "fused_matmul_add"]
    kernel = _function(fused, "fused_matmul_add_relu")
    blocks = [op.label for op in kernel.walk() if isinstance(op, BlockOp)]
    allocs = [op.buffer.name_hint for op in kernel.walk() if isinstance(op, AllocBufferOp)]
    assert blocks == ["matmul", "relu"]  # the bias add is inlined into the relu epilogue
    assert allocs == ["matmul"]  # only the accumulator is a buffer


def test_small_cnn() -> None:
    """conv2d + relu fuse; pooling, reshape and softmax stand alone; matmul takes its bias."""
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
    fused = _check(b, RNG.standard_normal((2, 1, 8, 8)).astype(np.float32))
    assert _callees(fused) == [
        "fused_conv2d_relu", "max_pool2d_0", "reshape_0", "fused_matmul_add", "softmax_0",
    ]


def _transformer() -> GraphBuilder:
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
            ctx = b.matmul(b.softmax(scores, axis=-1), v)
            ctx = b.reshape(b.transpose(ctx, [1, 0, 2]), (seq, dim))
            x1 = b.add(x, b.matmul(ctx, b.constant(_weights(dim, dim))))
            hidden = b.gelu(b.add(b.matmul(ln(x1), b.constant(_weights(dim, 4 * dim))),
                                  b.constant(_weights(4 * dim))))
            df.output(b.add(x1, b.matmul(hidden, b.constant(_weights(4 * dim, dim)))))
        b.ret(df.result)
    return b


def test_transformer_block() -> None:
    """Attention + MLP: matmul epilogues, reshape+transpose chains, softmax alone."""
    fused = _check(_transformer(), RNG.standard_normal((4, 8)).astype(np.float32))
    assert _callees(fused) == [
        "layer_norm_0",
        "matmul_0", "fused_reshape_transpose",      # q = split_heads(h @ wq)
        "matmul_0",                                 # k = h @ wk
        "matmul_0", "fused_reshape_transpose",      # v: shares q's fused kernel
        "fused_reshape_transpose_transpose",        # k's heads and k^T: an injective chain,
                                                    # placed where its last member was
        "fused_matmul_mul",                         # scores * scale
        "softmax_0",                                # its producer is in the matmul's group
        "matmul_1",                                 # probs @ v
        "fused_transpose_reshape",                  # merge heads
        "fused_matmul_add",                         # x + ctx @ wo
        "layer_norm_0",
        "fused_matmul_add_gelu",                    # gelu(h @ w1 + b1)
        "fused_matmul_add_1",                       # x1 + hidden @ w2
    ]


def test_elementwise_chain() -> None:
    """The benchmark's five-op elementwise chain becomes one kernel with one block."""
    b = GraphBuilder()
    with b.function("main", [((64,), "f32"), ((64,), "f32")]) as (x, y):
        t = b.mul(x, y)
        t = b.add(t, x)
        t = b.relu(t)
        t = b.mul(t, t)
        b.ret(b.sub(t, y))
    fused = _check(b, *(RNG.standard_normal((64,)).astype(np.float32) for _ in range(2)))
    assert _callees(fused) == ["fused_mul_add_relu_mul_sub"]
    kernel = _function(fused, "fused_mul_add_relu_mul_sub")
    assert [op.label for op in kernel.walk() if isinstance(op, BlockOp)] == ["sub"]
    assert not [op for op in kernel.walk() if isinstance(op, AllocBufferOp)]


# --------------------------------------------------------------------------- grouping rules


def _diamond(escape: bool) -> GraphBuilder:
    b = GraphBuilder()
    with b.function("main", [((3, 4), "f32")]) as (x,):
        e = b.exp(x)
        total = b.add(b.relu(e), b.neg(e))
        if escape:
            b.ret(total, e)
        else:
            b.ret(total)
    return b


def test_two_consumers_fuse_together() -> None:
    """A value with two consumers fuses with both once they meet again (post-dominator)."""
    fused = _check(_diamond(escape=False), RNG.standard_normal((3, 4)).astype(np.float32))
    assert _callees(fused) == ["fused_exp_relu_neg_add"]


def test_escaping_value_is_not_fused() -> None:
    """A value also returned stays the output of its own call; its consumers still fuse."""
    b = _diamond(escape=True)
    x = RNG.standard_normal((3, 4)).astype(np.float32)
    module = b.module
    want = interpret(module, "main", x)
    fused = _fuse(_legalize(module))
    assert _callees(fused) == ["exp_0", "fused_relu_neg_add"]
    for got, expected in zip(interpret(fused, "main", x), want, strict=True):
        np.testing.assert_allclose(got, expected, rtol=2e-5, atol=2e-5)


def test_softmax_takes_elementwise_neighbours() -> None:
    """The scale before softmax and the op after it join its reduction stages."""
    b = GraphBuilder()
    with b.function("main", [((3, 5), "f32"), ((3, 5), "f32")]) as (x, m):
        y = b.softmax(b.mul(x, b.constant(np.full((1,), 0.5, np.float32))), axis=-1)
        b.ret(b.add(y, m))
    fused = _check(b, *(RNG.standard_normal((3, 5)).astype(np.float32) for _ in range(2)))
    assert _callees(fused) == ["fused_mul_softmax_add"]
    kernel = _function(fused, "fused_mul_softmax_add")
    assert [op.label for op in kernel.walk() if isinstance(op, BlockOp)] == [
        "max", "exp", "sum", "add"
    ]


def test_two_contractions_never_fuse() -> None:
    """matmul -> relu -> matmul: the relu joins the first matmul, not the second."""
    b = GraphBuilder()
    with b.function("main", [((2, 3), "f32")]) as (x,):
        h = b.relu(b.matmul(x, b.constant(_weights(3, 3))))
        b.ret(b.matmul(h, b.constant(_weights(3, 2))))
    fused = _check(b, RNG.standard_normal((2, 3)).astype(np.float32))
    assert _callees(fused) == ["fused_matmul_relu", "matmul_1"]


def test_dataflow_regions_are_boundaries() -> None:
    """Calls in a dataflow region never fuse with calls outside it."""
    b = GraphBuilder()
    with b.function("main", [((4,), "f32")]) as (x,):
        with b.dataflow() as df:
            df.output(b.relu(b.exp(x)))
        b.ret(b.neg(b.tanh(df.result)))
    fused = _check(b, RNG.standard_normal((4,)).astype(np.float32))
    assert _callees(fused) == ["fused_exp_relu", "fused_tanh_neg"]


def test_max_depth_limits_groups() -> None:
    b = GraphBuilder()
    with b.function("main", [((4,), "f32")]) as (x,):
        t = x
        for _ in range(5):
            t = b.neg(t)
        b.ret(t)
    legal = _legalize(b.module)
    assert _callees(_fuse(legal, max_depth=1)) == ["neg_0"] * 5
    assert _callees(_fuse(legal, max_depth=2)) == ["fused_neg_neg", "fused_neg_neg", "neg_0"]
    assert _callees(_fuse(legal)) == ["fused_neg_neg_neg_neg_neg"]
    x = RNG.standard_normal((4,)).astype(np.float32)
    np.testing.assert_array_equal(interpret(_fuse(legal, max_depth=2), "main", x), x * -1)


def test_max_depth_must_be_positive() -> None:
    with pytest.raises(DiagnosticError, match="max-depth must be at least 1"):
        GraphFusePass(max_depth=0).apply(Context(), ModuleOp([]))


# --------------------------------------------------------------------------- patterns


@pytest.mark.parametrize(("build", "kind", "contraction"), [
    (lambda b, x: b.relu(x), OpPattern.ELEMWISE, False),
    (lambda b, x: b.add(x, b.constant(_weights(6))), OpPattern.ELEMWISE, False),
    (lambda b, x: b.broadcast_to(b.constant(_weights(6)), (4, 6)), OpPattern.BROADCAST, False),
    (lambda b, x: b.transpose(x, [1, 0]), OpPattern.INJECTIVE, False),
    (lambda b, x: b.reshape(x, (6, 4)), OpPattern.INJECTIVE, False),
    (lambda b, x: b.reduce_sum(x, [1]), OpPattern.REDUCTION, False),
    (lambda b, x: b.softmax(x), OpPattern.OUT_EWISE_FUSABLE, False),
    (lambda b, x: b.layer_norm(x, b.constant(_weights(6)), b.constant(_weights(6))),
     OpPattern.OUT_EWISE_FUSABLE, False),
    (lambda b, x: b.matmul(x, b.constant(_weights(6, 2))), OpPattern.OUT_EWISE_FUSABLE, True),
])
def test_kernel_patterns(build, kind: OpPattern, contraction: bool) -> None:
    """The pattern analysis of a few kernels (TVM's AnnotateTIROpPattern values)."""
    b = GraphBuilder()
    with b.function("main", [((4, 6), "f32")]) as (x,):
        b.ret(build(b, x))
    legal = _legalize(b.module)
    (name,) = _callees(legal)
    pattern = analyze_kernel(_function(legal, name))
    assert (pattern.kind, pattern.contraction) == (kind, contraction)
