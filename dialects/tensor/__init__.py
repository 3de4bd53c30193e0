"""The `tensor` dialect: tensor programs in the TensorIR sense (not MLIR's upstream `tensor`).

Scope: primitive tensor functions over buffers, in a form that schedule primitives can analyze
and rewrite. A tensor function is an upstream `func.func` whose arguments are memrefs in
destination-passing style: inputs first, then outputs, which the caller allocates (the graph
level calls it through `graph.call_tir` with inputs then outputs). Arguments never alias each
other. Inside: `tensor.alloc_buffer` for intermediate buffers, `loops.for` nests, and
`tensor.block`s holding the computation (scalar `arith`/`math` with `memref.load/store`).

Invariants (checked by the verifiers):
- `tensor.num_inputs = N` on the function marks its first N arguments as inputs; no block
  writes them (te, index notation and graph legalization always set it);
- a block's iterators are spatial or reduce with a domain `[0, extent)`, bound by an affine map
  to values from outside the block (loop variables); statically known bindings stay inside the
  domain unless the block has a predicate;
- a block declares the regions it reads and writes; its body only loads from declared buffers
  and stores to written ones; regions have the buffer's rank and stay inside it;
- reduce iterators never index written data; a block with reduce iterators has a
  `tensor.init` (first op of its body) or reads the buffer it writes (an update block).

Semantics: loops run in order (every loop kind means the same as serial); a block instance
runs its body where its predicate holds, with its `tensor.init` first when all reduce
iterators are 0. `dialects.tensor.interp.run` is the reference implementation.

Example (the MLC course's `mm_relu`):
```mlir
func.func @main(%A: memref<128x128xf32>, %B: memref<128x128xf32>, %C: memref<128x128xf32>)
    attributes {tensor.num_inputs = 2 : i64} {
  %Y = tensor.alloc_buffer : memref<128x128xf32>
  loops.for %i = 0 to 128 {
    loops.for %j = 0 to 128 {
      loops.for %k = 0 to 128 {
        tensor.block "Y"(%v_i = spatial(128, %i), %v_j = spatial(128, %j), %v_k = reduce(128, %k)) reads(%A[%v_i, %v_k], %B[%v_k, %v_j]) writes(%Y[%v_i, %v_j]) {
          tensor.init {
            %0 = arith.constant 0.000000e+00 : f32
            memref.store %0, %Y[%v_i, %v_j] : memref<128x128xf32>
          }
          %1 = memref.load %Y[%v_i, %v_j] : memref<128x128xf32>
          %2 = memref.load %A[%v_i, %v_k] : memref<128x128xf32>
          %3 = memref.load %B[%v_k, %v_j] : memref<128x128xf32>
          %4 = arith.mulf %2, %3 : f32
          %5 = arith.addf %1, %4 : f32
          memref.store %5, %Y[%v_i, %v_j] : memref<128x128xf32>
        }
      }
    }
  }
  loops.for %i_1 = 0 to 128 {
    loops.for %j_1 = 0 to 128 {
      tensor.block "C"(%v_i_1 = spatial(128, %i_1), %v_j_1 = spatial(128, %j_1)) reads(%Y[%v_i_1, %v_j_1]) writes(%C[%v_i_1, %v_j_1]) {
        %6 = memref.load %Y[%v_i_1, %v_j_1] : memref<128x128xf32>
        %7 = arith.constant 0.000000e+00 : f32
        %8 = arith.maximumf %6, %7 : f32
        memref.store %8, %C[%v_i_1, %v_j_1] : memref<128x128xf32>
      }
    }
  }
  func.return
}
```
"""

from xdsl.ir import Dialect

from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import (
    ITER_KINDS,
    NUM_INPUTS_ATTR,
    AllocBufferOp,
    BlockOp,
    InitOp,
)

Tensor = Dialect("tensor", [AllocBufferOp, BlockOp, InitOp], [AccessRegionAttr])

__all__ = [
    "ITER_KINDS",
    "NUM_INPUTS_ATTR",
    "AccessRegionAttr",
    "AllocBufferOp",
    "BlockOp",
    "InitOp",
    "Tensor",
]
