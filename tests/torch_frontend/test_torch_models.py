"""Small models defined in torch import and match torch's outputs: a CNN and transformer
blocks, through the reference interpreter and compiled (once graph modules compile)."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

import numpy as np
from torch import nn
from torch.nn import functional as F
from torch_support import check, check_compiled, rand

import mlc_dialects as mlc
from mlc_dialects.frontend.torch import from_torch, torch_params


class SmallCNN(nn.Module):
    """conv2d, batch norm, relu, max_pool2d, flatten, linear, softmax."""

    def __init__(self) -> None:
        super().__init__()
        self.conv1 = nn.Conv2d(3, 8, 3, padding=1)
        self.bn1 = nn.BatchNorm2d(8)
        self.conv2 = nn.Conv2d(8, 16, 3, stride=2, padding=1, bias=False)
        self.bn2 = nn.BatchNorm2d(16)
        self.fc1 = nn.Linear(16 * 4 * 4, 32)
        self.fc2 = nn.Linear(32, 10)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = F.max_pool2d(F.relu(self.bn1(self.conv1(x))), 2)
        x = F.relu(self.bn2(self.conv2(x)))
        x = torch.flatten(x, 1)
        return F.softmax(self.fc2(F.relu(self.fc1(x))), dim=-1)


def _randomize_bn(module: nn.Module) -> nn.Module:
    """Batch norm statistics that are not the identity (fresh modules have mean 0, var 1)."""
    g = torch.Generator().manual_seed(1)
    for m in module.modules():
        if isinstance(m, nn.BatchNorm2d):
            m.running_mean.copy_(torch.randn(m.num_features, generator=g) * 0.1)
            m.running_var.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.weight.data.copy_(torch.rand(m.num_features, generator=g) + 0.5)
            m.bias.data.copy_(torch.randn(m.num_features, generator=g) * 0.1)
    return module


class Block(nn.Module):
    """A pre-norm transformer block written out: layer_norm, linear, reshape/transpose,
    matmul, softmax, gelu, residual adds."""

    def __init__(self, d: int = 32, heads: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        b, t, d = x.shape
        h = self.heads
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q = q.reshape(b, t, h, d // h).transpose(1, 2)
        k = k.reshape(b, t, h, d // h).transpose(1, 2)
        v = v.reshape(b, t, h, d // h).transpose(1, 2)
        att = F.softmax(q @ k.transpose(-2, -1) / (d // h) ** 0.5, dim=-1)
        y = (att @ v).transpose(1, 2).reshape(b, t, d)
        x = x + self.proj(y)
        return x + self.fc2(F.gelu(self.fc1(self.ln2(x))))


class SdpaBlock(nn.Module):
    """The same with scaled_dot_product_attention (causal), tanh-gelu and an embedding."""

    def __init__(self, vocab: int = 50, d: int = 32, heads: int = 4) -> None:
        super().__init__()
        self.heads = heads
        self.emb = nn.Embedding(vocab, d)
        self.ln1 = nn.LayerNorm(d)
        self.qkv = nn.Linear(d, 3 * d)
        self.proj = nn.Linear(d, d)
        self.ln2 = nn.LayerNorm(d)
        self.fc1 = nn.Linear(d, 4 * d)
        self.fc2 = nn.Linear(4 * d, d)
        self.head = nn.Linear(d, vocab, bias=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        x = self.emb(ids)
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).view(b, t, 3, self.heads, d // self.heads).permute(
            2, 0, 3, 1, 4).unbind(0)
        y = F.scaled_dot_product_attention(q, k, v, is_causal=True)
        x = x + self.proj(y.transpose(1, 2).contiguous().view(b, t, d))
        x = x + self.fc2(F.gelu(self.fc1(self.ln2(x)), approximate="tanh"))
        return F.log_softmax(self.head(x), dim=-1)


def cnn() -> nn.Module:
    torch.manual_seed(0)
    return _randomize_bn(SmallCNN()).eval()


def test_cnn_matches_torch() -> None:
    imported = check(cnn(), rand(2, 3, 16, 16), rtol=1e-4, atol=1e-6)
    names = {op.name for op in imported.walk()}
    assert {"graph.conv2d", "graph.batch_norm", "graph.max_pool2d", "graph.matmul",
            "graph.softmax"} <= names


def test_cnn_params_as_args() -> None:
    model = cnn()
    imported = check(model, rand(2, 3, 16, 16), rtol=1e-4, atol=1e-6, params_as_args=True)
    main = next(iter(imported.body.block.ops))
    n_params = len(list(model.parameters())) + len(list(model.buffers()))
    assert len(main.args) == 1 + n_params
    assert [a.name_hint for a in main.args[:3]] == ["x", "p_conv1_weight", "p_conv1_bias"]
    assert len(torch_params(model)) == n_params
    assert not any(op.name == "graph.constant" and len(op.results[0].type.get_shape()) > 1
                   for op in imported.walk())


def test_transformer_block_matches_torch() -> None:
    torch.manual_seed(0)
    imported = check(Block(), rand(2, 7, 32), rtol=1e-4, atol=1e-5)
    names = {op.name for op in imported.walk()}
    assert {"graph.layer_norm", "graph.matmul", "graph.softmax", "graph.gelu",
            "graph.transpose", "graph.reshape"} <= names


def test_sdpa_block_with_embedding_matches_torch() -> None:
    torch.manual_seed(0)
    ids = torch.tensor([[1, 4, 9, 49, 0, 3], [7, 7, 2, 1, 30, 11]])
    check(SdpaBlock(), ids, rtol=1e-4, atol=1e-5)


def test_multihead_attention_module() -> None:
    torch.manual_seed(0)
    mha = nn.MultiheadAttention(16, 2, batch_first=True)

    class M(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.mha = mha

        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return self.mha(x, x, x, need_weights=False)[0]

    check(M(), rand(2, 5, 16), rtol=1e-4, atol=1e-5)


def test_tuple_outputs_are_flattened_in_order() -> None:
    class M(nn.Module):
        def forward(self, x: torch.Tensor, y: torch.Tensor) -> tuple:
            return (x + y, (x * y, [x - y]))

    imported = check(M(), rand(3, 4), rand(3, 4, seed=1))
    main = next(iter(imported.body.block.ops))
    assert len(main.function_type.outputs.data) == 3


def test_cnn_compiled() -> None:
    check_compiled(cnn(), rand(2, 3, 16, 16), atol=1e-5)


def test_transformer_block_compiled() -> None:
    torch.manual_seed(0)
    check_compiled(Block(), rand(2, 7, 32), atol=1e-4)


def test_sdpa_block_compiled() -> None:
    torch.manual_seed(0)
    check_compiled(SdpaBlock(), torch.tensor([[1, 4, 9, 49, 0, 3]]), atol=1e-4)


def test_from_torch_through_mlc_frontend() -> None:
    torch.manual_seed(0)
    model = nn.Sequential(nn.Linear(4, 3), nn.Tanh()).eval()
    x = rand(2, 4)
    y = mlc.interpret(mlc.frontend.from_torch(model, (x,)), "main", x.numpy())
    np.testing.assert_allclose(y, model(x).detach().numpy(), rtol=1e-5, atol=1e-6)


def test_models_legalize_to_tensor_programs() -> None:
    """The imported IR is what the lowering consumes: convert-graph-to-tensor turns every op
    into a tensor program, and the result still matches torch."""
    from mlc_dialects.context import make_context
    from passes.convert_graph_to_tensor import ConvertGraphToTensorPass

    torch.manual_seed(0)
    for model, x in [(cnn(), rand(2, 3, 16, 16)), (Block().eval(), rand(2, 7, 32))]:
        imported = from_torch(model, (x,))
        ConvertGraphToTensorPass().apply(make_context(), imported)
        assert any(op.name == "graph.call_tir" for op in imported.walk())
        y = mlc.interpret(imported, "main", x.numpy())
        np.testing.assert_allclose(y, model(x).detach().numpy(), rtol=1e-4, atol=1e-5)


# --- the signature of @main -----------------------------------------------------------------


class WithState(nn.Module):
    def __init__(self) -> None:
        super().__init__()
        self.w = nn.Parameter(torch.linspace(-1, 1, 3))
        self.register_buffer("scale", torch.tensor([2.0, 3.0, 4.0]))
        self.register_buffer("offset", torch.arange(3.0), persistent=False)

    def forward(self, x: torch.Tensor, n: int, extra: torch.Tensor | None) -> tuple:
        y = x * self.w * self.scale + self.offset * n
        return y, self.w


def test_parameters_buffers_and_non_tensor_inputs() -> None:
    from torch_support import numpy_args, torch_outputs

    model = WithState().eval()
    args = (rand(2, 3), 4, None)
    imported = check(model, *args)
    main = next(iter(imported.body.block.ops))
    assert len(main.args) == 1  # the int and the None are fixed by the example
    imported = from_torch(model, args, params_as_args=True)
    main = next(iter(imported.body.block.ops))
    assert [a.name_hint for a in main.args] == ["x", "p_w", "b_scale", "b_offset"]
    params = torch_params(model)
    assert [p.tolist() for p in params[1:]] == [[2.0, 3.0, 4.0], [0.0, 1.0, 2.0]]
    got = mlc.interpret(imported, "main", *numpy_args(args), *params)
    for g, w in zip(got, torch_outputs(model, args), strict=True):
        np.testing.assert_allclose(g, w, rtol=1e-6)


def test_outputs_that_are_inputs_or_repeated() -> None:
    class M(nn.Module):
        def forward(self, x: torch.Tensor) -> tuple:
            y = x * 2
            return x, y, y

    check(M(), rand(3))


def test_in_place_ops_on_intermediates() -> None:
    class M(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            y = x * 2
            y.add_(1)
            return F.relu(y, inplace=True)

    check(M(), rand(3, 4))
