"""`default_schedule`: the rules applied to every block of every tensor function.

Order (TVM's PostOrderApply with the llvm rule list, without sampling):
1. AutoInline, repeated until nothing changes: spatial intermediates disappear into their
   consumers, so that later rules see the fused computation;
2. for each remaining block, in program order of the blocks present after step 1, the first
   rule that applies among: MultiLevelTiling (matmul/conv-like), AddRFactor (long contiguous
   reductions), the inner-spatial reduction order (ikj), ParallelizeVectorizeUnroll.
   When a rule is refused by a primitive, the next one is tried on the unchanged block.

The result is a `Schedule` whose trace replays the whole thing on the original module.
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp

from dialects.hw.attrs import TARGET_ATTR, TargetAttr
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule import Schedule, ScheduleError, analysis
from mlc_dialects.autoschedule.rules import (
    Rule,
    RuleContext,
    add_rfactor,
    auto_inline,
    multi_level_tiling,
    parallelize_vectorize_unroll,
    reduction_inner_spatial,
    try_rule,
)

BLOCK_RULES: list[tuple[str, Rule]] = [
    ("multi_level_tiling", multi_level_tiling),
    ("add_rfactor", add_rfactor),
    ("reduction_inner_spatial", reduction_inner_spatial),
    ("parallelize_vectorize_unroll", parallelize_vectorize_unroll),
]
"""The per-block rules, in the order they are tried; the first that applies wins."""


@dataclass(frozen=True)
class Decision:
    """One rule applied to one block (`default_schedule(..., log=[])` collects them)."""

    func_name: str
    block: str
    rule: str


def is_tensor_function(function: func.FuncOp) -> bool:
    """A function holding `tensor.block`s (graph-level functions are left alone)."""
    return any(isinstance(op, BlockOp) for op in function.walk())


def _target(module: ModuleOp, target: TargetAttr | None) -> TargetAttr | None:
    if target is not None:
        return target
    attr = module.attributes.get(TARGET_ATTR)
    return attr if isinstance(attr, TargetAttr) else None


def default_schedule(module: ModuleOp | Schedule, target: TargetAttr | None = None,
                     log: list[Decision] | None = None) -> Schedule:
    """Schedule every tensor function of `module` with the default rules.

    Parameters:
        module: the module (not modified; the schedule works on a copy), or a Schedule to
            continue (its blocks already scheduled by hand are left alone by the tiling rules).
        target: the target whose vector width and core count the rules use; default the
            module's `hw.target`, else the host.
        log: when given, receives a `Decision` per rule applied.
    Returns: the schedule; `sch.mod` is the scheduled module, `sch.trace` replays it.
    """
    if isinstance(module, Schedule):  # continue a schedule in place (every primitive
        sch = module                     # clones its whole module: slower for big modules)
        ctx = RuleContext.for_target(_target(sch.mod, target))
        for name in _tensor_function_names(sch.mod):
            sch = _schedule_function(sch, name, ctx, log)
        return sch
    ctx = RuleContext.for_target(_target(module, target))
    # Functions are independent: each is scheduled in a module of its own (a primitive costs
    # a clone of its module), then the scheduled functions and traces are merged.
    parts = []
    for name in _tensor_function_names(module):
        function = analysis.find_function(module, name)
        assert function is not None
        part = Schedule(ModuleOp([function.clone()]), seed=0)
        parts.append(_schedule_function(part, name, ctx, log))
    return _merge(module, parts)


def _tensor_function_names(module: ModuleOp) -> list[str]:
    return [f.sym_name.data for f in analysis.tensor_functions(module) if is_tensor_function(f)]


def _merge(module: ModuleOp, parts: list[Schedule]) -> Schedule:
    """One schedule of `module` from schedules of its functions, each over a module holding
    that function alone: the scheduled functions replace the originals in a copy of `module`,
    the traces are concatenated (each instruction names its function, so the trace replays on
    `module`), and the handles stay valid because the function ops are moved, not cloned.

    This reaches into `Schedule`'s state (`_state`, `_insts`); it belongs in `Schedule` as a
    public `merge` when the schedule package grows one.
    """
    from dialects.tensor.schedule.state import ScheduleState

    merged = module.clone()
    state = ScheduleState(merged)
    instructions = []
    for part in parts:
        (function,) = analysis.tensor_functions(part.mod)
        old = analysis.find_function(merged, function.sym_name.data)
        assert old is not None
        function.detach()
        merged.body.block.insert_op_before(function, old)
        old.detach()
        old.erase()
        state.table.update(part._state.table)
        instructions.extend(part._insts)
    result = Schedule(ModuleOp([]), seed=0)
    result._state = state
    result._insts = instructions
    return result


def _labels(sch: Schedule, func_name: str) -> list[str]:
    function = analysis.find_function(sch.mod, func_name)
    assert function is not None
    return [b.label for b in analysis.get_child_blocks(function)]


def _unique(sch: Schedule, func_name: str, label: str) -> bool:
    function = analysis.find_function(sch.mod, func_name)
    return function is not None and len(analysis.find_blocks(function, label)) == 1


def _schedule_function(sch: Schedule, func_name: str, ctx: RuleContext,
                       log: list[Decision] | None) -> Schedule:
    # 1. AutoInline until a fixed point (each success removes a block, so this ends).
    changed = True
    while changed:
        changed = False
        for label in _labels(sch, func_name):
            if not _unique(sch, func_name, label):
                continue
            trial = sch.copy()
            try:
                block = trial.get_block(label, func_name)
                if not auto_inline(trial, block, ctx):
                    continue
            except ScheduleError:
                continue
            sch, changed = trial, True
            _note(log, func_name, label, "auto_inline")
            break
    # 2. One block rule per remaining block.
    for label in _labels(sch, func_name):
        if not _unique(sch, func_name, label):
            continue
        for rule_name, rule in BLOCK_RULES:
            trial = sch.copy()
            try:
                block = trial.get_block(label, func_name)
            except ScheduleError:
                break
            result = try_rule(trial, rule, block, ctx)
            if result is not None:
                sch = result
                _note(log, func_name, label, rule_name)
                break
    return sch


def _note(log: list[Decision] | None, func_name: str, label: str, rule: str) -> None:
    if log is not None:
        log.append(Decision(func_name, label, rule))
