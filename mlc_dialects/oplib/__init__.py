"""The op library: every graph op as a tensor program built with te, reusable by users.

Each family module has one function per op, taking te tensors (placeholders or earlier
computes) and the op's parameters and returning the te tensor of the result:

    from mlc_dialects import te
    from mlc_dialects.oplib import nn, linalg
    x = te.placeholder((1, 3, 8, 8), "float32", name="x")
    w = te.placeholder((4, 3, 3, 3), "float32", name="w")
    y = nn.conv2d(x, w, padding=(1, 1, 1, 1))           # pad, conv2d stages
    module = te.create_prim_func([x, w, y])

| module | ops |
|---|---|
| `elementwise` | add sub mul div max min pow, neg abs exp log sqrt rsqrt tanh sigmoid relu erf gelu, clip cast where |
| `linalg` | matmul (batch broadcasting, 1-D promotion), einsum |
| `nn` | conv2d (+ pad2d), max_pool2d, avg_pool2d, lrn, softmax, log_softmax, layer_norm, batch_norm |
| `reduce` | reduce_sum reduce_mean reduce_max reduce_min |
| `shape` | reshape transpose broadcast_to concat slice rearrange |

`legalize(op)` is the dispatcher used by the `convert-graph-to-tensor` pass: a graph op ->
its tensor function (`func.func` over memrefs, inputs then the output, `tensor.num_inputs`).

Semantics are exactly the graph interpreter's (dialects/graph/interp), with these rules shared
by all families (details in each module's docstring):
- float16 is computed in float32 and rounded once per op; other dtypes compute in themselves;
  integers wrap; reductions accumulate in the order of their loops;
- numpy broadcasting wherever the graph op broadcasts;
- te's `if_then_else` evaluates both sides, so guarded loads use clamped indices;
- what the interpreter reports as a run-time error (integer division by zero, `0 ** -1`)
  gives an unspecified value instead of trapping;
- tensors with no elements: te has no empty tensors, so `legalize` emits an empty function
  for an empty result; the family functions themselves need non-empty results.
"""

from mlc_dialects.oplib import elementwise, linalg, nn, reduce, shape
from mlc_dialects.oplib.common import LegalizeError
from mlc_dialects.oplib.legalize import LEGALIZERS, legalize

__all__ = [
    "LEGALIZERS",
    "LegalizeError",
    "elementwise",
    "legalize",
    "linalg",
    "nn",
    "reduce",
    "shape",
]
