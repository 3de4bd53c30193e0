"""The `hw` dialect: hardware primitives of the target CPU (not CIRCT's `hw`).

Scope: what the loops level cannot say and the backend needs to know, below `loops` and above
`llvm` (DESIGN.md):
- `#hw.target`: the machine (LLVM triple, CPU name, features, vector width, thread count),
  the host unless a module's `hw.target` attribute says otherwise;
- `hw.parallel_launch`: a region run by N threads of the thread runtime (libgomp), each with its
  thread id and its static chunk of an iteration range; isolated from above, its captures
  explicit, so that outlining it into a thread function is a move;
- `hw.prefetch`: a cache prefetch hint (`llvm.prefetch`);
- `hw.microkernel`: a call of a registered micro-kernel (`dialects.hw.microkernels`) on tiles of
  buffers: what a tensorized block maps to;
- `hw.vcmpf`, `hw.vcmpi`, `hw.vselect`, `hw.vcast` (`vector_ops.py`): lane-wise compares,
  selects and integer casts on vectors, which MLIR's `arith` has and xDSL 0.74's rejects.

Vector operations reuse upstream `vector`: `vector.load/store` (contiguous, on memrefs),
`vector.broadcast`, `vector.fma`, `vector.reduction`, with `arith`/`math` on vector types. They
say exactly what this level needs and the backend (`convert-vector-to-llvm`) lowers them with
the alignment fix, so duplicating them as `hw.vector_*` would only add a conversion. What
upstream lacks (a thread launch, prefetch in xDSL 0.74, micro-kernels, the target, vector
compares/selects/integer casts in xDSL 0.74) is here.

Invariants:
- every `hw` op is inside a `func.func`; `hw.parallel_launch` bodies use only their arguments
  and values defined inside (checked: IsolatedFromAbove);
- the launch's step is positive, its body's first four arguments are `index` (thread id,
  thread count, chunk start, chunk end), then one argument per capture, of the capture's type;
- `hw.prefetch` and `hw.microkernel` take one index per buffer dimension.

Produced by `convert-loops-to-hw`; lowered by `convert-hw-to-llvm`.

Example:
```mlir
func.func @scale(%A: memref<1000xf32>, %B: memref<1000xf32>) {
  hw.parallel_launch (%tid, %nthreads) range(%lo, %hi) = 0 to 1000 step 1
      captures(%a = %A : memref<1000xf32>, %b = %B : memref<1000xf32>) {
    %c1 = arith.constant 1 : index
    scf.for %i = %lo to %hi step %c1 {
      %x = memref.load %a[%i] : memref<1000xf32>
      %y = arith.addf %x, %x : f32
      memref.store %y, %b[%i] : memref<1000xf32>
    }
  }
  func.return
}
```
"""

from xdsl.ir import Dialect

from dialects.hw.attrs import TARGET_ATTR, TargetAttr
from dialects.hw.ops import NUM_LAUNCH_ARGS, MicrokernelOp, ParallelLaunchOp, PrefetchOp
from dialects.hw.vector_ops import VCastOp, VCmpfOp, VCmpiOp, VSelectOp

Hw = Dialect("hw", [ParallelLaunchOp, PrefetchOp, MicrokernelOp, VCmpfOp, VCmpiOp, VSelectOp,
                    VCastOp], [TargetAttr])

__all__ = [
    "NUM_LAUNCH_ARGS",
    "TARGET_ATTR",
    "Hw",
    "MicrokernelOp",
    "ParallelLaunchOp",
    "PrefetchOp",
    "TargetAttr",
    "VCastOp",
    "VCmpfOp",
    "VCmpiOp",
    "VSelectOp",
]
