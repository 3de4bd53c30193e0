"""A small index-notation language for tensor programs, parsed with lark.

    module = from_index_notation(
        "Y[i, j] += A[i, k] * B[k, j]\\nC[i, j] = max(Y[i, j], 0)",
        shapes={"A": (128, 128), "B": (128, 128)}, outputs=["C"])

Each statement defines one tensor. `T[i, j] = expr` is elementwise; `T[i, j] += expr` sums
`expr` over the indices that appear only on the right (einsum semantics: the sum starts from
0, it does not add to an existing T); `max=` / `min=` reduce with max / min. Index extents are
read from the shapes of the tensors they subscript directly (`A[i, k]` with A of shape (m, n)
gives i: m, k: n) or from `extents=`. Tensors read but never defined are inputs (their shapes
are required); by default the outputs are the defined tensors no later statement reads.
Available functions: exp, log, sqrt, rsqrt, tanh, sigmoid, abs, erf, max(a, b), min(a, b),
relu(x) = max(x, 0).

The program is built through `mlc_dialects.te`, so `C[i, j] += A[i, k] * B[k, j]` produces the
same IR as `te.compute((m, n), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="C")`.
"""

from mlc_dialects.index_notation.translate import (
    IndexNotationError,
    from_index_notation,
    to_te,
)

__all__ = ["IndexNotationError", "from_index_notation", "to_te"]
