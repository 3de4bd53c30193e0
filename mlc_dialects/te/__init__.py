"""Tensor expressions with TVM's `te` names: course code ports by changing the import.

    from mlc_dialects import te          # was: from tvm import te
    A = te.placeholder((128, 128), "float32", name="A")
    B = te.placeholder((128, 128), "float32", name="B")
    k = te.reduce_axis((0, 128), name="k")
    Y = te.compute((128, 128), lambda i, j: te.sum(A[i, k] * B[k, j], axis=k), name="Y")
    C = te.compute((128, 128), lambda i, j: te.max(Y[i, j], 0), name="C")
    module = te.create_prim_func([A, B, C])      # one tensor function @main; Y is intermediate

`create_prim_func` returns a `builtin.module` holding one `func.func` (named "main" unless
`name=` says otherwise) in the `tensor` dialect: one loop nest and one `tensor.block` per
compute, inputs first then outputs (`tensor.num_inputs`). Differences from TVM: shapes are
static integers; `==` on expressions is identity (use `te.equal`); `create_prim_func` takes the
function name as `name=` instead of `.with_attr("global_symbol", ...)`.
"""

from mlc_dialects.te.expr import Expr, IterVar, const
from mlc_dialects.te.lower import build_function, create_prim_func
from mlc_dialects.te.tensor import (
    ComputeOp,
    PlaceholderOp,
    Tensor,
    abs,
    all,
    any,
    ceil,
    compute,
    equal,
    erf,
    exp,
    floor,
    if_then_else,
    log,
    max,
    min,
    not_equal,
    placeholder,
    power,
    reduce_axis,
    rsqrt,
    sigmoid,
    sqrt,
    sum,
    tanh,
)

__all__ = [
    "ComputeOp",
    "Expr",
    "IterVar",
    "PlaceholderOp",
    "Tensor",
    "abs",
    "all",
    "any",
    "build_function",
    "ceil",
    "compute",
    "const",
    "create_prim_func",
    "equal",
    "erf",
    "exp",
    "floor",
    "if_then_else",
    "log",
    "max",
    "min",
    "not_equal",
    "placeholder",
    "power",
    "reduce_axis",
    "rsqrt",
    "sigmoid",
    "sqrt",
    "sum",
    "tanh",
]
