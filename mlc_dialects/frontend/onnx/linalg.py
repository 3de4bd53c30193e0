"""Linear algebra ONNX ops: MatMul, Gemm, Einsum."""

from __future__ import annotations

from mlc_dialects.frontend.onnx.context import Context
from mlc_dialects.frontend.onnx.registry import Node, Results, converter


@converter("MatMul", since=1)
def matmul(cx: Context, node: Node) -> Results:
    """MatMul: `graph.matmul` (numpy.matmul semantics, as ONNX's)."""
    return [cx.build(node, cx.b.matmul, cx.value(node, 0), cx.value(node, 1))]


@converter("Gemm", since=7)
def gemm(cx: Context, node: Node) -> Results:
    """Gemm: `alpha * op(A) @ op(B) + beta * C`, op = transpose with transA/transB; C is
    optional (opset 11+) and broadcasts to (M, N). Factors of 1 emit no multiplication."""
    b = cx.b
    a, w = cx.value(node, 0), cx.value(node, 1)
    for i, v in enumerate((a, w)):
        if len(v.type.get_shape()) != 2:
            raise cx.unsupported(node, f"input #{i} must be a matrix, got {v.type}")
    if node.attr("transA", 0):
        a = b.transpose(a, [1, 0])
    if node.attr("transB", 0):
        w = b.transpose(w, [1, 0])
    y = cx.build(node, b.matmul, a, w)
    alpha = float(node.attr("alpha", 1.0))
    beta = float(node.attr("beta", 1.0))
    if alpha != 1.0:
        y = b.mul(y, cx.scalar(alpha, y))
    if node.has_input(2) and beta != 0.0:
        c = cx.value(node, 2)
        if beta != 1.0:
            c = b.mul(c, cx.scalar(beta, c))
        y = cx.build(node, b.add, y, c)
        if tuple(y.type.get_shape()) != tuple(a.type.get_shape()[:1] + w.type.get_shape()[1:]):
            raise cx.unsupported(node, f"C of type {c.type} does not broadcast to the (M, N) "
                                 "result")
    return [y]


def _explicit_equation(cx: Context, node: Node, equation: str, ranks: list[int]) -> str:
    """An einsum equation in the explicit, letters-only form `graph.einsum` takes: numpy's
    implicit output (the letters that occur once, sorted) and `...` spelled as letters."""
    eq = equation.replace(" ", "")
    lhs, arrow, rhs = eq.partition("->")
    terms = lhs.split(",")
    if len(terms) != len(ranks):
        raise cx.unsupported(node, f"equation '{equation}' has {len(terms)} inputs, the node has "
                             f"{len(ranks)}")
    used = set(eq) - set(",.->")
    spare = [c for c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ" if c not in used]
    ellipsis_rank = 0
    for term, rank in zip(terms, ranks, strict=True):
        if "..." in term:
            ellipsis_rank = max(ellipsis_rank, rank - len(term.replace("...", "")))
    if ellipsis_rank > len(spare):
        raise cx.unsupported(node, f"equation '{equation}' has too many broadcast dimensions")
    ell = "".join(spare[:ellipsis_rank])

    def expand(term: str, rank: int | None) -> str:
        if "..." not in term:
            return term
        n = ellipsis_rank if rank is None else rank - len(term.replace("...", ""))
        return term.replace("...", ell[ellipsis_rank - n:] if n else "")

    new_terms = [expand(t, r) for t, r in zip(terms, ranks, strict=True)]
    if arrow:
        out = expand(rhs, None)
    else:
        letters = "".join(new_terms)
        out = ell + "".join(sorted(c for c in set(letters) if letters.count(c) == 1
                                   and c not in ell))
    for t in [*new_terms, out]:
        if t and not t.isalpha():
            raise cx.unsupported(node, f"equation '{equation}' is not a valid einsum equation")
    return ",".join(new_terms) + "->" + out


@converter("Einsum", since=12)
def einsum(cx: Context, node: Node) -> Results:
    """Einsum: `graph.einsum` with the equation made explicit (see `_explicit_equation`)."""
    equation = node.attr("equation")
    if not equation:
        raise cx.unsupported(node, "attribute 'equation' is required")
    values = [cx.value(node, i) for i in range(len(node.inputs))]
    ranks = [len(v.type.get_shape()) for v in values]
    return [cx.build(node, cx.b.einsum, _explicit_equation(cx, node, equation, ranks), *values)]
