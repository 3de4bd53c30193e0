"""Default schedules: expert rules that schedule any tensor program well without tuning.

The expert-knowledge half of "random search guided by expert knowledge" (DESIGN.md): TVM
MetaSchedule's default llvm rules (AutoInline, AddRFactor, MultiLevelTiling,
ParallelizeVectorizeUnroll) with their decisions fixed instead of sampled, written on top of
the `Schedule` primitives so that every step is legality-checked and the result is a
replayable trace.

    from mlc_dialects.autoschedule import default_schedule
    sch = default_schedule(module)            # every tensor function of the module
    exe = mlc.compile(sch.mod)
    print(sch.trace)                          # def apply_trace(sch): ...

- `classify.py`: what a block is (injective, reduction, matmul-like, conv-like) from its
  iterators and access regions;
- `rules.py`: the rules, each a function on one block of a schedule;
- `default.py`: `default_schedule`, which applies them to every block.

What each kernel class gets (f32 on AVX-512, 16 lanes):
- elementwise / broadcast / injective: producers inlined into consumers; outer loops fused
  and parallel (when there are at least 32K instances), innermost loop vectorized when every
  access is contiguous along it; a 1-D loop is split into parallel chunks of vectors;
- matmul / batch matmul / einsum contractions: 8 x 32 register tiles (row split unrolled, col
  split vectorized) accumulated in a "local" cache over the whole reduction, epilogue fused
  into the write-back, outer loops parallel;
- conv2d (NCHW): the same with rows = output channels and cols = output columns;
- reductions over the last axis (softmax, layer_norm, means): rows parallel, the reduction
  done in vector lanes (rfactor) when the row is long and contiguous; reductions over other
  axes: the contiguous output axis moved innermost and vectorized.
"""

from mlc_dialects.autoschedule.classify import BlockInfo, BlockKind, classify
from mlc_dialects.autoschedule.default import Decision, default_schedule, is_tensor_function
from mlc_dialects.autoschedule.rules import RuleContext

__all__ = [
    "BlockInfo",
    "BlockKind",
    "Decision",
    "RuleContext",
    "classify",
    "default_schedule",
    "is_tensor_function",
]
