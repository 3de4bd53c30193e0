"""Build the tensor kernel of a fused group of call_tirs (TVM's FuseTIR), then inline it.

`fused_kernel(calls, lookup, name)` combines the kernels called by `calls` (a group from
`grouping.partition`, in program order) with `dialects.tensor.combine.fuse_functions`: the
group's external operands become the fused kernel's inputs, the values used outside the group
its outputs, and every value passed between members a `tensor.alloc_buffer`. Buffers are named
after the graph value (`%x`) where it has a name, else after the kernel parameter that
produces or first reads it (`%matmul`, `%lhs`), so the fused kernel reads like its parts.

`inline_intermediates(kernel, names)` then removes those buffers where the schedule
primitives allow it, each with the public `Schedule` API (TVM's AutoInline rule order):
`compute_inline` of the block writing it (elementwise, broadcast and injective producers:
into an epilogue, into softmax's max/exp stages, into a reshape), else `reverse_compute_inline`
of its only reader. A reduction's output stays: a matmul or conv writes its accumulator
buffer and one epilogue block (bias, relu, ... inlined together) reads it, the structure TVM
keeps after FuseTIR; a later schedule moves the epilogue under the reduction's loops.
Inlining copies a producer once per load, so each block body is then CSE'd (xDSL's `cse`:
equal loads with no store between them, equal arithmetic) to compute every stage once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.dialects import func
from xdsl.dialects.builtin import IntegerAttr, i64
from xdsl.ir import Operation, SSAValue
from xdsl.transforms.common_subexpression_elimination import cse

from dialects.graph.ops import CallTIROp
from dialects.tensor.combine import fuse_functions
from dialects.tensor.ops import NUM_INPUTS_ATTR, AllocBufferOp, BlockOp
from dialects.tensor.schedule.errors import ScheduleError
from dialects.tensor.schedule.schedule import Schedule


@dataclass
class FusedKernel:
    """A fused kernel and how the group's call maps onto it."""

    function: func.FuncOp
    inputs: list[SSAValue]
    """Graph values passed as the kernel's inputs, in order."""
    outputs: list[SSAValue]
    """Results of group members used outside the group: the fused call's results."""
    intermediates: list[str]
    """Names of the buffers between members (alloc'd in `function` before inlining)."""
    signature: tuple[object, ...]
    """Callees and wiring: two groups with equal signatures can share one kernel."""


def fused_kernel(
    calls: Sequence[CallTIROp], lookup: Callable[[CallTIROp], func.FuncOp], name: str
) -> FusedKernel:
    """The fused kernel of `calls`; see the module docstring."""
    members: set[Operation] = set(calls)
    kernels = [lookup(call) for call in calls]
    names = _BufferNames(kernels)
    inputs: list[SSAValue] = []
    outputs: list[SSAValue] = []
    intermediates: list[str] = []
    stages: list[tuple[func.FuncOp, list[str]]] = []
    wiring: list[tuple[object, ...]] = []
    for call, kernel in zip(calls, kernels, strict=True):
        params = list(kernel.body.block.args)
        n = _num_inputs(kernel)
        buffer_names: list[str] = []
        wires: list[object] = [kernel.sym_name.data]
        for value, param in zip(call.args, params[:n], strict=True):
            if value.owner not in members and value not in inputs:
                inputs.append(value)
            buffer_names.append(names.of(value, param.name_hint or "arg"))
            wires.append(_wire(value, calls, inputs))
        for value, param in zip(call.res, params[n:], strict=True):
            buffer_name = names.of(value, param.name_hint or "out")
            buffer_names.append(buffer_name)
            used_outside = [use for use in value.uses if use.operation not in members]
            if used_outside or not value.uses:
                outputs.append(value)
            else:
                intermediates.append(buffer_name)
        stages.append((kernel, buffer_names))
        wiring.append(tuple(wires))
    function = fuse_functions(
        stages,
        inputs=[names.of(v, "arg") for v in inputs],
        outputs=[names.of(v, "out") for v in outputs],
        name=name,
    )
    signature = (tuple(wiring), tuple(_wire(v, calls, inputs) for v in outputs))
    return FusedKernel(function, inputs, outputs, intermediates, signature)


def inline_intermediates(function: func.FuncOp, intermediates: Sequence[str]) -> func.FuncOp:
    """`function` with as many of the named buffers inlined away as the primitives allow.

    `function` comes from `fused_kernel`: `fuse_functions` allocates the buffers between
    stages first, in the order their names first appear, which is `intermediates`' order.
    """
    allocs = [op for op in function.body.block.ops if isinstance(op, AllocBufferOp)]
    for index, alloc in enumerate(allocs[: len(intermediates)]):
        # Name hints lose `_<n>` suffixes, so a marker says which buffer is which.
        alloc.attributes[_MARKER] = IntegerAttr(index, i64)
    sch = Schedule(function)
    for index in range(len(intermediates)):
        _inline_buffer(sch, index)
    result = sch.mod.body.block.first_op
    assert isinstance(result, func.FuncOp)
    for op in result.walk():
        if isinstance(op, AllocBufferOp):
            op.attributes.pop(_MARKER, None)
        if isinstance(op, BlockOp):
            # A stage read twice (`t * t`) is inlined twice: share the copies again.
            cse(op.body)
    result.detach()
    return result


_MARKER = "graph_fuse.intermediate"


def _inline_buffer(sch: Schedule, index: int) -> None:
    function = sch.mod.body.block.first_op
    assert isinstance(function, func.FuncOp)
    buffer = next(
        (op.buffer for op in function.walk()
         if isinstance(op, AllocBufferOp) and op.attributes.get(_MARKER) == IntegerAttr(index, i64)),
        None,
    )
    if buffer is None:
        return
    blocks = [op for op in function.walk() if isinstance(op, BlockOp)]
    writers = [b.label for b in blocks if buffer in b.writes]
    readers = [b.label for b in blocks if buffer in b.reads]
    if len(writers) == 1:
        try:
            sch.compute_inline(sch.get_block(writers[0]))
            return
        except ScheduleError:
            pass  # e.g. a reduction: try to pull its consumer in instead
    if len(readers) == 1:
        try:
            sch.reverse_compute_inline(sch.get_block(readers[0]))
        except ScheduleError:
            pass  # the buffer stays: a matmul's accumulator read by its epilogue


# --------------------------------------------------------------------------- helpers


class _BufferNames:
    """Distinct, readable names for the buffers of a fused kernel."""

    def __init__(self, kernels: Sequence[func.FuncOp]):
        self.names: dict[SSAValue, str] = {}
        # Buffers the member kernels allocate themselves keep their names: avoid them.
        self.taken = {
            op.buffer.name_hint
            for kernel in kernels
            for op in kernel.walk()
            if isinstance(op, AllocBufferOp) and op.buffer.name_hint
        }

    def of(self, value: SSAValue, fallback: str) -> str:
        known = self.names.get(value)
        if known is not None:
            return known
        base = value.name_hint if value.name_hint and not value.name_hint.isdigit() else fallback
        name, n = base, 0
        while name in self.taken:
            n += 1
            name = f"{base}_{n}"
        self.taken.add(name)
        self.names[value] = name
        return name


def _wire(value: SSAValue, calls: Sequence[CallTIROp], inputs: list[SSAValue]) -> object:
    for index, call in enumerate(calls):
        if value.owner is call:
            return ("member", index, list(call.res).index(value))
    return ("input", inputs.index(value))


def _num_inputs(kernel: func.FuncOp) -> int:
    attr = kernel.attributes.get(NUM_INPUTS_ATTR)
    if isinstance(attr, IntegerAttr):
        return attr.value.data
    return len(kernel.body.block.args) - 1

