"""graph-plan-memory: static memory planning of the intermediates of each graph function.

TVM Relax's StaticPlanBlockMemory, with an arena: after legalization every intermediate
tensor of a graph function is the result of a `graph.call_tir` or `graph.call_lib`, written by
the callee into a buffer the caller allocates. The planner gives each such value a byte
offset in one arena per function, so that values whose lifetimes do not overlap share
storage. The driver (`convert-graph-to-driver`) then allocates the arena once per call and
views it.

Lifetimes come from the op order (ops inside `graph.dataflow` regions in place, the region
being transparent): a value lives from the op that defines it to its last use, both
inclusive, so an op's outputs never share storage with its inputs (kernels are not in-place
safe in general). Values returned by the function are written straight into the caller's
result buffers and take no arena space; function arguments and constants take none either.

Placement is greedy by size with best fit (TFLite's GreedyBySize): buffers in decreasing size
order (ties: earlier definition first), each at the smallest gap between the already-placed
buffers whose lifetimes overlap its own that fits it, else on top of them. Offsets and sizes
are multiples of 64 bytes (`ALIGNMENT`: a cache line, and what vector code wants). The peak
is the arena size: max(offset + size).

Python API:
    plan = plan_memory(func)          # MemoryPlan for one graph function
    plan.peak_bytes, plan.naive_bytes, plan.offset_of(value), plan.output_of(value)
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    DenseArrayBase,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    TensorType,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass

from dialects.graph import ops
from mlc_dialects.codegen.conversion import byte_size
from mlc_dialects.diagnostics import DiagnosticError, at_op

PASS_NAME = "graph-plan-memory"
ALIGNMENT = 64
"""Bytes: every planned buffer starts at a multiple of this in the (64-byte aligned) arena."""

PEAK_ATTR = "graph.peak_bytes"
OFFSETS_ATTR = "graph.offsets"
RESULT_BUFFER = -1
"""In `graph.offsets`: the result is written straight into the function's result buffer."""


@dataclass
class Buffer:
    """One call result: its size, lifetime [start, end] in op order and where it lives."""

    value: SSAValue
    size: int
    start: int
    end: int
    offset: int | None = None  # byte offset in the arena; None for a result buffer
    output: int | None = None  # index of the function result it is written into


@dataclass
class MemoryPlan:
    """The storage of every call result of one graph function."""

    function: str
    buffers: list[Buffer] = field(default_factory=list)
    peak_bytes: int = 0

    @property
    def naive_bytes(self) -> int:
        """Arena bytes without sharing: every intermediate its own buffer."""
        return sum(b.size for b in self.buffers if b.output is None)

    def buffer_of(self, value: SSAValue) -> Buffer:
        for b in self.buffers:
            if b.value is value:
                return b
        raise KeyError(f"{value} is not a planned value")

    def offset_of(self, value: SSAValue) -> int | None:
        return self.buffer_of(value).offset

    def output_of(self, value: SSAValue) -> int | None:
        return self.buffer_of(value).output

    def shared(self) -> list[tuple[SSAValue, SSAValue]]:
        """Pairs of intermediates whose storage overlaps (they never live at the same time)."""
        arena = [b for b in self.buffers if b.offset is not None]
        pairs = []
        for i, a in enumerate(arena):
            for b in arena[i + 1:]:
                assert a.offset is not None and b.offset is not None
                if a.offset < b.offset + b.size and b.offset < a.offset + a.size:
                    pairs.append((a.value, b.value))
        return pairs


# --- the function body in op order -------------------------------------------------------------


def graph_functions(module: ModuleOp) -> list[func.FuncOp]:
    """The function definitions of `module` over value tensors (not kernels over buffers)."""
    out = []
    for op in module.ops:
        if not isinstance(op, func.FuncOp) or op.is_declaration:
            continue
        ftype = op.function_type
        types = [*ftype.inputs.data, *ftype.outputs.data]
        if types and all(isinstance(t, TensorType) for t in types):
            out.append(op)
    return out


def linear_ops(function: func.FuncOp) -> list[Operation]:
    """The ops of `function` in execution order, `graph.dataflow` regions flattened into it."""
    out: list[Operation] = []
    for op in function.body.block.ops:
        if isinstance(op, ops.DataflowOp):
            out.extend(o for o in op.body.block.ops if not isinstance(o, ops.OutputOp))
        else:
            out.append(op)
    return out


def resolve(value: SSAValue) -> SSAValue:
    """The value a `graph.dataflow` result stands for (the operand of its `graph.output`)."""
    while isinstance(value.owner, ops.DataflowOp):
        dataflow = value.owner
        term = dataflow.body.block.last_op
        assert isinstance(term, ops.OutputOp)
        value = term.values[dataflow.results.index(value)]
    return value


def tensor_bytes(t: TensorType, pass_name: str, op: Operation) -> int:
    shape = t.get_shape()
    if any(d < 0 for d in shape):
        raise DiagnosticError(at_op(
            op, f"{pass_name}: result type {t} has a dynamic shape; only static shapes are "
            "planned (dynamic shapes need run-time allocation, not supported yet)"))
    count = 1
    for d in shape:
        count *= d
    return count * byte_size(t.element_type)


def check_legalized(op: Operation, pass_name: str) -> None:
    """A DiagnosticError unless `op` is something a driver can run."""
    if isinstance(op, (ops.CallTIROp, ops.CallLibOp, ops.ConstantOp, func.ReturnOp)):
        return
    if op.name.startswith("graph."):
        raise DiagnosticError(at_op(
            op, f"{pass_name}: '{op.name}' is not legalized; run convert-graph-to-tensor (or "
            "graph-dispatch-library) first so that every compute op is a graph.call_tir or "
            "graph.call_lib"))
    raise DiagnosticError(at_op(
        op, f"{pass_name}: '{op.name}' cannot appear in a graph function to be lowered (only "
        "graph.call_tir, graph.call_lib, graph.constant and graph.dataflow are supported)"))


def _round_up(n: int) -> int:
    return -(-n // ALIGNMENT) * ALIGNMENT


# --- planning ----------------------------------------------------------------------------------


def plan_memory(function: func.FuncOp, pass_name: str = PASS_NAME) -> MemoryPlan:
    """Plan the storage of every call result of `function` (see the module docstring)."""
    body = linear_ops(function)
    plan = MemoryPlan(function.sym_name.data)
    by_value: dict[SSAValue, Buffer] = {}
    for index, op in enumerate(body):
        check_legalized(op, pass_name)
        for operand in op.operands:
            buffer = by_value.get(resolve(operand))
            if buffer is not None:
                buffer.end = max(buffer.end, index)
        if isinstance(op, (ops.CallTIROp, ops.CallLibOp)):
            for r in op.results:
                assert isinstance(r.type, TensorType)
                size = _round_up(max(1, tensor_bytes(r.type, pass_name, op)))
                buffer = Buffer(r, size, index, index)
                by_value[r] = buffer
                plan.buffers.append(buffer)
    term = function.body.block.last_op
    assert isinstance(term, func.ReturnOp)
    for k, value in enumerate(term.arguments):
        buffer = by_value.get(resolve(value))
        if buffer is not None and buffer.output is None:
            buffer.output = k  # a value returned twice is copied into the second result
    _place([b for b in plan.buffers if b.output is None])
    plan.peak_bytes = max((b.offset + b.size for b in plan.buffers if b.offset is not None),
                          default=0)
    return plan


def _place(buffers: list[Buffer]) -> None:
    """Greedy by size, best fit: set each buffer's offset (see the module docstring)."""
    placed: list[Buffer] = []
    for buffer in sorted(buffers, key=lambda b: (-b.size, b.start)):
        overlapping = sorted((p for p in placed
                              if p.start <= buffer.end and buffer.start <= p.end),
                             key=lambda p: p.offset or 0)
        best: int | None = None
        best_gap: int | None = None
        top = 0
        for p in overlapping:
            assert p.offset is not None
            gap = p.offset - top
            if gap >= buffer.size and (best_gap is None or gap < best_gap):
                best, best_gap = top, gap
            top = max(top, p.offset + p.size)
        buffer.offset = best if best is not None else top
        placed.append(buffer)


def annotate(function: func.FuncOp, plan: MemoryPlan) -> None:
    """Write the plan into the IR: `graph.peak_bytes` on the function, `graph.offsets` per call."""
    function.attributes[PEAK_ATTR] = IntegerAttr(plan.peak_bytes, i64)
    per_op: dict[Operation, list[int]] = {}
    for b in plan.buffers:
        op = b.value.owner
        assert isinstance(op, Operation)
        offsets = per_op.setdefault(op, [RESULT_BUFFER] * len(op.results))
        offsets[op.results.index(b.value)] = RESULT_BUFFER if b.offset is None else b.offset
    for op, offsets in per_op.items():
        op.attributes[OFFSETS_ATTR] = DenseArrayBase.from_list(IntegerType(64), offsets)


def plan_from_attributes(function: func.FuncOp) -> MemoryPlan | None:
    """The plan `graph-plan-memory` wrote into `function`, or None if it is not (all) there."""
    peak = function.attributes.get(PEAK_ATTR)
    if not isinstance(peak, IntegerAttr):
        return None
    fresh = plan_memory(function)  # lifetimes and result bindings; offsets come from the IR
    for b in fresh.buffers:
        offsets = b.value.owner.attributes.get(OFFSETS_ATTR)  # type: ignore[union-attr]
        if not isinstance(offsets, DenseArrayBase):
            return None
        index = b.value.owner.results.index(b.value)  # type: ignore[union-attr]
        value = offsets.get_values()[index]
        if b.output is None:
            if value == RESULT_BUFFER:
                return None
            b.offset = int(value)
    fresh.peak_bytes = peak.value.data
    return fresh


@dataclass(frozen=True)
class GraphPlanMemoryPass(ModulePass):
    """Plan static storage for graph-function intermediates; report the peak in graph.peak_bytes.

    Input: graph functions after legalization (every compute op a `graph.call_tir` or
    `graph.call_lib`; `graph.constant` and `graph.dataflow` allowed). Output: the same IR with
    `graph.peak_bytes` (arena bytes) on each graph function and `graph.offsets` on each call:
    the byte offset of each result in the arena, or -1 for a result written straight into the
    function's result buffer. Fails on dynamic shapes and on unlegalized graph ops.

    Before:
        func.func @f(%x: tensor<256xf32>) -> tensor<256xf32> {
          %a = graph.call_tir @relu_0(%x) : (tensor<256xf32>) -> tensor<256xf32>
          %b = graph.call_tir @relu_0(%a) : (tensor<256xf32>) -> tensor<256xf32>
          %c = graph.call_tir @relu_0(%b) : (tensor<256xf32>) -> tensor<256xf32>
          func.return %c : tensor<256xf32>
        }
    After:
        func.func @f(%x: tensor<256xf32>) -> tensor<256xf32> attributes {graph.peak_bytes = 2048 : i64} {
          %a = graph.call_tir @relu_0(%x) {graph.offsets = array<i64: 0>} ...
          %b = graph.call_tir @relu_0(%a) {graph.offsets = array<i64: 1024>} ...
          %c = graph.call_tir @relu_0(%b) {graph.offsets = array<i64: -1>} ...
    """

    name = PASS_NAME

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        for function in graph_functions(op):
            annotate(function, plan_memory(function))
