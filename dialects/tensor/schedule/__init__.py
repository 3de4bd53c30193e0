"""Schedule primitives for tensor programs (TensorIR's `tvm.tir.Schedule`, with its names).

- `schedule.py`: the `Schedule` class (queries, loops, loop kinds, compute location,
  reduction, caching, tensorization, sampling), recording every call in a trace;
- `rv.py`: the handles it returns (`BlockRV`, `LoopRV`, `ExprRV`);
- `state.py`: clone-apply-swap, so that a failing primitive leaves the schedule unchanged;
- `trace.py`: traces as replayable Python text and JSON;
- `errors.py`: one `ScheduleError` subclass per failure mode;
- `analysis.py`: shared queries (loops of a block, child blocks, producers, bindings);
- `loops.py`, `sampling.py`: the loop and sampling primitives; `compute_location.py`,
  `inline.py`, `reduction.py`, `cache.py`, `blockize.py`, `regions.py`: the block primitives.

Example (the MLC course's mm_relu, episode 2):
```python
sch = Schedule(mod)
block_Y = sch.get_block("Y", func_name="main")
i, j, k = sch.get_loops(block_Y)
j0, j1 = sch.split(j, factors=[None, 4])
sch.reorder(j0, k, j1)
```
"""

from dialects.tensor.schedule.errors import ScheduleError
from dialects.tensor.schedule.rv import BlockRV, ExprRV, LoopRV
from dialects.tensor.schedule.schedule import Schedule
from dialects.tensor.schedule.trace import Instruction, Trace

__all__ = ["BlockRV", "ExprRV", "Instruction", "LoopRV", "Schedule", "ScheduleError", "Trace"]
