"""The `loops` dialect: loop nests over buffers.

Scope: the counted loop `loops.for` with a kind (serial, parallel, vectorized, unrolled) and
annotations. Loads, stores and scalar computation reuse upstream `memref`, `arith` and `math`.
The same `loops.for` is used inside `tensor` functions (around `tensor.block`s) and after
`tensor-lower-blocks` (around plain loads and stores), so lowering blocks only removes blocks.

Invariants:
- bounds and step are static integers (properties), the step is positive;
- the body is one block whose only argument is the `index` induction variable; no terminator,
  no loop-carried values (loops communicate through buffers);
- every kind means the same as `serial`: a kind is a permission that schedule primitives check.

Example:
```mlir
func.func @add(%A: memref<128xf32>, %B: memref<128xf32>, %C: memref<128xf32>) {
  loops.for %i = 0 to 128 vectorized {
    %a = memref.load %A[%i] : memref<128xf32>
    %b = memref.load %B[%i] : memref<128xf32>
    %c = arith.addf %a, %b : f32
    memref.store %c, %C[%i] : memref<128xf32>
  }
  func.return
}
```
"""

from xdsl.ir import Dialect

from dialects.loops.ops import LOOP_KINDS, ForOp, for_nest

Loops = Dialect("loops", [ForOp], [])

__all__ = ["LOOP_KINDS", "ForOp", "Loops", "for_nest"]
