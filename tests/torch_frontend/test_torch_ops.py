"""Per-op imports: each ATen op family through torch.export, compared with torch on the
reference interpreter."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch import nn
from torch.nn import functional as F
from torch_support import Fn, check, check_compiled, rand

from mlc_dialects.frontend.torch import supported_ops

pytestmark = pytest.mark.filterwarnings("ignore:Using padding=.same.:UserWarning")

x34 = rand(3, 4)
x234 = rand(2, 3, 4)
img = rand(2, 3, 9, 9)
pos = rand(3, 4).abs() + 0.1

CASES = {
    # activations and unary math
    "relu": (torch.relu, (x34,)),
    "gelu": (F.gelu, (x34,)),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"), (x34,)),
    "silu": (F.silu, (x34,)),
    "sigmoid": (torch.sigmoid, (x34,)),
    "tanh": (torch.tanh, (x34,)),
    "exp": (torch.exp, (x34,)),
    "log": (torch.log, (pos,)),
    "sqrt": (torch.sqrt, (pos,)),
    "rsqrt": (torch.rsqrt, (pos,)),
    "neg_abs": (lambda x: -x.abs(), (x34,)),
    "erf": (torch.erf, (x34,)),
    "hardswish_hardsigmoid": (lambda x: F.hardswish(x) + F.hardsigmoid(x), (x34 * 4,)),
    "relu6_hardtanh": (lambda x: F.relu6(x * 5) + F.hardtanh(x), (x34,)),
    "leaky_relu_elu": (lambda x: F.leaky_relu(x, 0.2) + F.elu(x), (x34,)),
    "reciprocal": (torch.reciprocal, (pos,)),
    "softplus_mish": (lambda x: F.softplus(x) + F.softplus(x * 30, beta=2) + F.mish(x), (x34,)),
    "exp_of_int": (lambda i: torch.exp(i), (torch.arange(6).reshape(2, 3),)),
    # binary, scalars, alpha, promotion
    "add_sub_mul_div": (lambda a, b: (a + b) * (a - b) / (b.abs() + 1), (x34, rand(4))),
    "scalars": (lambda a: 2.5 - a * 3 + a / 4 - 1, (x34,)),
    "alpha": (lambda a, b: torch.add(a, b, alpha=2) + torch.sub(a, b, alpha=0.5), (x34, x34)),
    "int_plus_float": (lambda i, a: i + a, (torch.arange(4), x34)),
    "int_arith": (lambda i: i * 3 + 1 - i, (torch.arange(6, dtype=torch.int32),)),
    "pow": (lambda a, b: a.pow(2) + a.abs().pow(0.5) + b.pow(b) + torch.pow(2.0, a),
            (x34, pos)),
    "maximum_minimum": (lambda a, b: torch.maximum(a, b) - torch.minimum(a, b), (x34, rand(4))),
    "clamp": (lambda a: a.clamp(-0.5, 0.5) + a.clamp(min=0) + a.clamp(max=0.1), (x34,)),
    "clamp_tensor": (lambda a, lo: torch.clamp(a, min=lo), (x34, rand(4))),
    "where_bool_input": (lambda c, a, b: torch.where(c, a, b),
                         (x34 > 0, x34, rand(3, 4, seed=3))),
    "where_scalar": (lambda c, a: torch.where(c, a, 0.0), (x34 > 0, x34)),
    "to_dtype": (lambda a: (a * 10).to(torch.int32).to(torch.float64) + a.double(), (x34,)),
    "bool_to_float": (lambda c: c.float() * 2, (x34 > 0,)),
    # linear algebra
    "linear": (nn.Linear(4, 5), (x234,)),
    "linear_no_bias_1d": (nn.Linear(4, 5, bias=False), (rand(4),)),
    "mm_bmm": (lambda a, b, c, d: torch.mm(a, b).sum() + torch.bmm(c, d),
               (x34, rand(4, 2), rand(2, 3, 4), rand(2, 4, 5))),
    "matmul_broadcast": (lambda a, b: a @ b, (rand(2, 1, 3, 4), rand(5, 4, 2))),
    "matmul_vector": (lambda a, v: a @ v, (x34, rand(4))),
    "addmm_beta_alpha": (lambda c, a, b: torch.addmm(c, a, b, beta=0.5, alpha=2),
                         (rand(3, 2), x34, rand(4, 2))),
    "einsum": (lambda a, b: torch.einsum("bij,bjk->bik", a, b) + torch.einsum("bij,bjk", a, b),
               (x234, rand(2, 4, 3))),
    # convolution and pooling
    "conv2d": (nn.Conv2d(3, 4, 3, stride=2, padding=1, dilation=1), (img,)),
    "conv2d_groups_dilation": (nn.Conv2d(3, 6, 3, padding=2, dilation=2, groups=3), (img,)),
    "conv2d_same": (nn.Conv2d(3, 4, (3, 4), padding="same"), (img,)),
    "conv1d": (nn.Conv1d(3, 4, 3, padding=1), (rand(2, 3, 10),)),
    "max_pool2d": (lambda x: F.max_pool2d(x, 3, 2, 1), (img,)),
    "max_pool2d_ceil": (lambda x: F.max_pool2d(x, 2, ceil_mode=True), (img,)),
    "avg_pool2d": (lambda x: F.avg_pool2d(x, 3, 2, 1), (img,)),
    "avg_pool2d_exclude_pad": (lambda x: F.avg_pool2d(x, 3, 2, 1, count_include_pad=False),
                               (img,)),
    "avg_pool2d_ceil": (lambda x: F.avg_pool2d(x, 2, ceil_mode=True), (img,)),
    "avg_pool2d_ceil_pad": (lambda x: F.avg_pool2d(x, 3, 2, 1, ceil_mode=True)
                            + F.avg_pool2d(x, 3, 2, 1, ceil_mode=True, count_include_pad=False)
                            + F.max_pool2d(x, 3, 2, 1, ceil_mode=True), (rand(1, 2, 10, 10),)),
    "adaptive_avg_pool2d": (lambda x: F.adaptive_avg_pool2d(x, (1, 1)), (img,)),
    "adaptive_avg_pool2d_divisor": (lambda x: F.adaptive_avg_pool2d(x, 3), (img,)),
    # normalization, softmax
    "softmax_log_softmax": (lambda x: F.softmax(x, 0) + F.log_softmax(x, -1), (x234,)),
    "layer_norm": (nn.LayerNorm([3, 4]), (x234,)),
    "layer_norm_no_affine": (lambda x: F.layer_norm(x, [4], eps=1e-3), (x234,)),
    "batch_norm": (nn.BatchNorm2d(3), (img,)),
    "batch_norm_1d": (nn.BatchNorm1d(4), (x34,)),
    # attention, embedding
    "sdpa": (lambda q, k, v: F.scaled_dot_product_attention(q, k, v),
             (rand(2, 2, 5, 8), rand(2, 2, 6, 8), rand(2, 2, 6, 8))),
    "sdpa_causal_scale": (lambda q: F.scaled_dot_product_attention(q, q, q, is_causal=True,
                                                                    scale=0.3),
                          (rand(2, 5, 8),)),
    "sdpa_masks": (lambda q, m, f: F.scaled_dot_product_attention(q, q, q, attn_mask=m)
                   + F.scaled_dot_product_attention(q, q, q, attn_mask=f),
                   (rand(1, 2, 4, 8), torch.rand(4, 4) > 0.3, rand(4, 4))),
    "sdpa_gqa": (lambda q, k: F.scaled_dot_product_attention(q, k, k, enable_gqa=True),
                 (rand(1, 4, 3, 8), rand(1, 2, 3, 8))),
    "embedding": (nn.Embedding(11, 3), (torch.tensor([[0, 10, 5], [5, 1, 2]]),)),
    # reductions
    "mean_sum": (lambda x: x.mean(dim=(0, 2), keepdim=True) + x.sum(-1, keepdim=True) + x.sum(),
                 (x234,)),
    "amax_amin": (lambda x: x.amax(1) - x.amin(dim=(0, 1)), (x234,)),
    "max_min": (lambda x: x.max(dim=1).values + x.min(dim=1, keepdim=True)[0].squeeze(1)
                + x.max(), (x234,)),
    "vector_norm": (lambda x: F.normalize(x, dim=-1) + torch.linalg.vector_norm(x, 1, dim=(0, 1))
                    + x.norm(p=float("inf")) + torch.linalg.vector_norm(x, 3, dim=1, keepdim=True),
                    (x234,)),
    "sum_int": (lambda i: i.sum(0), (torch.arange(6, dtype=torch.int32).reshape(2, 3),)),
    "var_std": (lambda x: x.var(-1) + x.std(dim=(0, 2), keepdim=True).sum() + x.var(
        -1, unbiased=False), (x234,)),
    # shapes
    "view_reshape_flatten": (lambda x: x.view(6, 4).reshape(-1, 2).flatten() + x.flatten(0, 1)
                             .reshape(24), (x234,)),
    "permute_transpose_t": (lambda x, m: x.permute(2, 0, 1).transpose(0, 2).sum(0) + m.t()
                            .sum(1), (x234, x34)),
    "unsqueeze_squeeze": (lambda x: x.unsqueeze(1).unsqueeze(-1).squeeze(-1).squeeze()
                          + x[None].squeeze(0), (x234,)),
    "expand": (lambda x: x.unsqueeze(0).expand(5, -1, -1, 4), (rand(2, 3, 1),)),
    "repeat": (lambda x: x.repeat(2, 1, 3), (x34,)),
    "cat": (lambda a, b: torch.cat([a, b, a], dim=-1), (x234, rand(2, 3, 2))),
    "slice_select": (lambda x: x[1:, ::2, -3:] + x[0, :, 1:].unsqueeze(0)[:, ::2], (x234,)),
    "split_chunk_unbind": (lambda x: (*x.split([1, 3], dim=-1), *x.chunk(2, 0), *x.unbind(1)),
                           (x234,)),
    "narrow": (lambda x: x.narrow(2, 1, 2), (x234,)),
    "pad": (lambda x: F.pad(x, (1, 2, 0, 1), value=0.5) + 0, (x34,)),
    "pad_negative": (lambda x: F.pad(x, (-1, 1)), (x34,)),
    "tril_triu": (lambda x: x.tril() + x.triu(1), (x34,)),
    "masked_fill": (lambda x, m: x.masked_fill(m, -1.0), (x34, x34 > 0.5)),
    "identities": (lambda x: F.dropout(x.clone().contiguous().detach(), 0.5, training=False),
                   (x34,)),
    "dropout_module_eval": (nn.Sequential(nn.Dropout(0.3), nn.ReLU()), (x34,)),
    "zeros_ones_full_like": (lambda x: x + torch.zeros_like(x) + torch.ones_like(x)
                             + torch.full_like(x, 3) + x.new_zeros(4), (x34,)),
    # folding at import time: masks and ranges built from constants
    "folded_mask": (lambda x: x.masked_fill(torch.ones(3, 4, dtype=torch.bool).tril() == 0,
                                            float("-inf")).softmax(-1), (x34,)),
    "folded_arange": (lambda x: x * torch.arange(4) + torch.linspace(0, 1, 4), (x34,)),
    "f64_and_f16": (lambda a, h: (a * 2).exp() + h.float().sum(), (x34.double(), x34.half())),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_op(name: str) -> None:
    fn, args = CASES[name]
    torch.manual_seed(0)
    module = fn if isinstance(fn, nn.Module) else Fn(fn)
    if isinstance(module, (nn.BatchNorm1d, nn.BatchNorm2d)):
        module.running_mean.uniform_(-0.2, 0.2)
        module.running_var.uniform_(0.5, 1.5)
    tol = 1e-3 if name == "f64_and_f16" else 1e-5
    check(module, *args, rtol=tol, atol=tol)


COMPILED = ["avg_pool2d_ceil_pad", "conv1d", "embedding", "gelu_tanh", "int_plus_float",
            "sdpa_masks", "split_chunk_unbind", "to_dtype", "where_bool_input"]
"""A sample compiled as well (every case compiles and matches; all of them take ~40 s)."""


@pytest.mark.parametrize("name", COMPILED)
def test_op_compiled(name: str) -> None:
    fn, args = CASES[name]
    torch.manual_seed(0)
    check_compiled(fn if isinstance(fn, nn.Module) else Fn(fn), *args, rtol=1e-4, atol=1e-5)


def test_bf16_parameters() -> None:
    torch.manual_seed(0)
    lin = nn.Linear(4, 3).to(torch.bfloat16)
    check(lin, x34.to(torch.bfloat16), rtol=2e-2, atol=2e-2)


def test_supported_ops_table() -> None:
    ops = supported_ops()
    for op in ["aten.linear.default", "aten.convolution.default", "aten.addmm.default",
               "aten.max_pool2d_with_indices.default", "aten._softmax.default",
               "aten.native_layer_norm.default",
               "aten._native_batch_norm_legit_no_training.default",
               "aten.scaled_dot_product_attention.default", "aten._to_copy.default",
               "aten.embedding.default", "aten.slice.Tensor", "aten.select.int"]:
        assert op in ops, op
    assert ops["aten.linear.default"] == "linalg"
