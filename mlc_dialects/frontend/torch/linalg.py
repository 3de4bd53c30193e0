"""Linear algebra: linear, addmm, mm, bmm, matmul, baddbmm, einsum.

`linear` is kept whole (not decomposed into view/permute/addmm/view): `x @ W^T + b`. When the
weight is known at import time, it is transposed at import time, so the graph has one matmul
on a pre-transposed constant.
"""

from __future__ import annotations

from xdsl.ir import SSAValue

from mlc_dialects.frontend.torch.context import Context, Node
from mlc_dialects.frontend.torch.registry import converter


def _matmul(cx: Context, node: Node, a: SSAValue, b: SSAValue) -> SSAValue:
    return cx.build(node, cx.b.matmul, a, b)


def _scaled(cx: Context, v: SSAValue, factor: float) -> SSAValue:
    return v if factor == 1 else cx.b.mul(v, cx.scalar(factor, cx.elem(v)))


@converter("linear.default", preserve=True)
def linear(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    x = cx.cast(cx.value(node, "input"), elem)
    w_known = cx.known(node, "weight")
    if w_known is not None:
        wt = cx.const(w_known.t().contiguous() if w_known.dim() == 2 else w_known, node)
    else:
        w = cx.value(node, "weight")
        wt = cx.b.transpose(w) if len(cx.shape(w)) == 2 else w
    y = _matmul(cx, node, x, cx.cast(wt, elem))
    bias = cx.optional_value(node, "bias")
    return y if bias is None else cx.build(node, cx.b.add, y, cx.cast(bias, elem))


@converter("addmm.default")
def addmm(cx: Context, node: Node) -> SSAValue:
    """beta * self + alpha * (mat1 @ mat2)."""
    elem = cx.out_elem(node)
    y = _matmul(cx, node, cx.operand(node, "mat1", elem), cx.operand(node, "mat2", elem))
    y = _scaled(cx, y, node.arg("alpha"))
    beta = node.arg("beta")
    if beta == 0:
        return y
    return cx.build(node, cx.b.add, _scaled(cx, cx.operand(node, "self", elem), beta), y)


@converter("baddbmm.default")
def baddbmm(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    y = _matmul(cx, node, cx.operand(node, "batch1", elem), cx.operand(node, "batch2", elem))
    y = _scaled(cx, y, node.arg("alpha"))
    beta = node.arg("beta")
    if beta == 0:
        return y
    return cx.build(node, cx.b.add, _scaled(cx, cx.operand(node, "self", elem), beta), y)


@converter("mm.default", "bmm.default")
def mm(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    return _matmul(cx, node, cx.operand(node, "self", elem), cx.operand(node, "mat2", elem))


@converter("matmul.default", preserve=True)
def matmul(cx: Context, node: Node) -> SSAValue:
    """torch.matmul has numpy's semantics (1-D operands promoted, batch dims broadcast)."""
    elem = cx.out_elem(node)
    return _matmul(cx, node, cx.operand(node, "self", elem), cx.operand(node, "other", elem))


def _explicit_equation(cx: Context, node: Node, equation: str) -> str:
    eq = equation.replace(" ", "")
    if "->" in eq:
        return eq
    letters = [c for c in eq if c.isalpha()]
    once = sorted(c for c in set(letters) if letters.count(c) == 1)
    return f"{eq}->{'...' if '...' in eq else ''}{''.join(once)}"


@converter("einsum.default", preserve=True)
def einsum(cx: Context, node: Node) -> SSAValue:
    elem = cx.out_elem(node)
    operands = [cx.cast(v, elem) for v in cx.values_list(node, "tensors")]
    eq = _explicit_equation(cx, node, node.arg("equation"))
    return cx.build(node, cx.b.einsum, eq, *operands)


