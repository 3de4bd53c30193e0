"""graph-fuse: fuse chains of call_tirs into one kernel each (TVM Relax's FuseOps + FuseTIR).

This pass is also the showcase of the public pass API (`mlc_dialects.pass_api`): two rewrite
patterns and a `PatternPass` that lists them. The analysis and the kernel building live in
`mlc_dialects.fusion` so a user's own fusion pass can reuse them:

- `fusion.patterns.analyze_kernel(fn)`: the op pattern of a tensor kernel, read off its blocks
  (elementwise, broadcast, injective, reduction, out-elementwise-fusable, opaque);
- `fusion.grouping.partition(block, pattern_of, max_depth)`: which call_tirs of a block fuse,
  by TVM's post-dominator rules (see that module for the rules);
- `fusion.fuse_tir.fused_kernel(calls, lookup, name)` and `inline_intermediates(fn, names)`:
  one kernel for a group (`tensor.combine.fuse_functions`), then `compute_inline` /
  `reverse_compute_inline` of the stages between members.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp, SymbolRefAttr
from xdsl.ir import Block, Operation
from xdsl.rewriter import InsertPoint
from xdsl.traits import SymbolOpInterface, SymbolTable

from dialects.graph.ops import CallTIROp, DataflowOp
from dialects.tensor.ops import NUM_INPUTS_ATTR
from mlc_dialects.diagnostics import Diagnostic, DiagnosticError, op_location
from mlc_dialects.fusion.fuse_tir import fused_kernel, inline_intermediates
from mlc_dialects.fusion.grouping import DEFAULT_MAX_DEPTH, partition
from mlc_dialects.fusion.patterns import OPAQUE, KernelPattern, analyze_kernel
from mlc_dialects.pass_api import (
    PatternPass,
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
)

PASS_NAME = "graph-fuse"


@dataclass
class FusionState:
    """What the patterns of one run of the pass share."""

    max_depth: int
    patterns: dict[str, KernelPattern] = field(default_factory=dict)
    """Op pattern of each kernel, by name (kernels are shared by many calls)."""
    fused: dict[tuple[object, ...], str] = field(default_factory=dict)
    """Fused kernels by signature (callees and wiring): identical groups share one."""
    replaced: set[str] = field(default_factory=set)
    """Kernels that fused calls used to call; erased once nothing calls them."""
    done: set[Block] = field(default_factory=set)
    """Blocks already partitioned: a fused call is not fused again in the same run."""


class FuseCallTIRGroups(RewritePattern):
    """Replace each fusable group of call_tirs in a graph block by one call_tir of a new kernel."""

    def __init__(self, state: FusionState):
        self.state = state

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        block = _graph_block(op)
        if block is None or block in self.state.done:
            return
        self.state.done.add(block)
        for group in partition(block, self._pattern_of, self.state.max_depth):
            self._fuse(group, rewriter)

    def _pattern_of(self, call: CallTIROp) -> KernelPattern:
        name = call.callee.string_value()
        if name not in self.state.patterns:
            kernel = _lookup(call)
            self.state.patterns[name] = OPAQUE if kernel is None else analyze_kernel(kernel)
        return self.state.patterns[name]

    def _fuse(self, group: list[CallTIROp], rewriter: PatternRewriter) -> None:
        module = _module_of(group[0])
        first_kernel = _lookup(group[0])
        assert first_kernel is not None
        name = _fresh_name(module, _fused_name(group))
        try:
            fused = fused_kernel(group, _lookup_checked, name)
        except ValueError as err:  # fuse_functions rejected the group: a bug, reported
            file, line, col = op_location(group[0])
            raise DiagnosticError(Diagnostic(
                "error", f"{PASS_NAME}: cannot fuse the group starting here: {err}",
                file, line, col,
            )) from None
        callee = self.state.fused.get(fused.signature)
        if callee is None:
            kernel = inline_intermediates(fused.function, fused.intermediates)
            rewriter.insert(kernel, InsertPoint.before(first_kernel))
            self.state.fused[fused.signature] = callee = name
        call = CallTIROp.create(
            operands=fused.inputs,
            result_types=[v.type for v in fused.outputs],
            attributes={"callee": SymbolRefAttr(callee)},
        )
        rewriter.insert(call, InsertPoint.before(group[-1]))
        for old, new in zip(fused.outputs, call.results, strict=True):
            new.name_hint = old.name_hint
            rewriter.replace_all_uses_with(old, new)
        for member in reversed(group):
            self.state.replaced.add(member.callee.string_value())
            rewriter.erase(member)


class EraseUnusedKernels(RewritePattern):
    """Erase a kernel whose calls were all fused away (TVM's DeadCodeElimination after FuseTIR)."""

    def __init__(self, state: FusionState):
        self.state = state

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: func.FuncOp, rewriter: PatternRewriter) -> None:
        if op.sym_name.data not in self.state.replaced:
            return
        module = op.parent_op()
        if module is None or _is_referenced(module, op.sym_name.data):
            return
        rewriter.erase(op)


@dataclass(frozen=True)
class GraphFusePass(PatternPass):
    """Fuse elementwise/injective chains into their producer: one call_tir per fused group.

    Input: a module after `convert-graph-to-tensor`: graph functions whose compute ops are
    `graph.call_tir @kernel(...)` of tensor kernels (functions over memrefs with
    `tensor.num_inputs`). Other ops (constants, call_lib, remaining graph ops) are left alone
    and block fusion across them.

    Output: in every block of a graph function (the body and each `graph.dataflow` region,
    never across them) each group that `mlc_dialects.fusion.grouping` forms is one
    `graph.call_tir @fused_<kernels>` of a new kernel that runs the members' kernels in order;
    the buffers between them are inlined away where `compute_inline` or
    `reverse_compute_inline` allows (elementwise stages are; a reduction's accumulator stays,
    read by one fused epilogue block). Groups with the same kernels and wiring share one fused
    kernel. Kernels that are no longer called are erased. The rules in brief: matmul/conv2d
    take their elementwise consumers; elementwise and broadcast ops fuse into their consumer
    (injective ops, reductions, softmax-like kernels, an epilogue); injective ops fuse with
    injective consumers; a value with several consumers fuses only together with all of
    them; never two reductions in one group; at most `max-depth` calls per group.

    Before:
        func.func @mlp(%x: tensor<2x4xf32>, %w: tensor<4x3xf32>, %b: tensor<3xf32>)
            -> tensor<2x3xf32> {
          %0 = graph.call_tir @matmul_0(%x, %w) : (...) -> tensor<2x3xf32>
          %1 = graph.call_tir @add_0(%0, %b) : (...) -> tensor<2x3xf32>
          %2 = graph.call_tir @relu_0(%1) : (tensor<2x3xf32>) -> tensor<2x3xf32>
          func.return %2 : tensor<2x3xf32>
        }
        func.func @matmul_0(...)  func.func @add_0(...)  func.func @relu_0(...)
    After:
        func.func @mlp(...) -> tensor<2x3xf32> {
          %2 = graph.call_tir @fused_matmul_add_relu(%x, %w, %b) : (...) -> tensor<2x3xf32>
          func.return %2 : tensor<2x3xf32>
        }
        func.func @fused_matmul_add_relu(%x: memref<2x4xf32>, %w: memref<4x3xf32>,
            %b: memref<3xf32>, %relu: memref<2x3xf32>) attributes {tensor.num_inputs = 3 : i64} {
          %matmul = tensor.alloc_buffer : memref<2x3xf32>
          loops.for ... { tensor.block "matmul"(... reduce(4, %r)) ... writes(%matmul[...]) }
          loops.for ... {
            tensor.block "relu"(...) reads(%matmul[%i, %j], %b[%j]) writes(%relu[%i, %j]) {
              ... arith.addf ... arith.maximumf ...       // add and relu, one pass
            }
          }
          func.return
        }

    Option: `max-depth` (default 256, TVM's limit): the most calls one group may hold;
    `graph-fuse{max-depth=1}` fuses nothing.
    """

    name = PASS_NAME

    max_depth: int = DEFAULT_MAX_DEPTH

    def patterns(self) -> list[RewritePattern]:
        state = FusionState(self.max_depth)
        return [FuseCallTIRGroups(state), EraseUnusedKernels(state)]

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        if self.max_depth < 1:
            raise DiagnosticError(Diagnostic(
                "error", f"{PASS_NAME}: max-depth must be at least 1, got {self.max_depth}"
            ))
        super().apply(ctx, op)


# --------------------------------------------------------------------------- helpers


def _graph_block(op: Operation) -> Block | None:
    """The block of graph ops `op` holds: a dataflow region, or a graph function's body."""
    if isinstance(op, DataflowOp):
        return op.body.block
    if (
        isinstance(op, func.FuncOp)
        and NUM_INPUTS_ATTR not in op.attributes
        and op.body.blocks
        and any(isinstance(inner, CallTIROp) for inner in op.body.block.ops)
    ):
        return op.body.block
    return None


def _lookup(call: CallTIROp) -> func.FuncOp | None:
    kernel = SymbolTable.lookup_symbol(call, call.callee)
    if not isinstance(kernel, func.FuncOp) or not kernel.body.blocks:
        return None
    if NUM_INPUTS_ATTR not in kernel.attributes:
        return None  # not a tensor kernel we know the signature of: opaque
    return kernel


def _lookup_checked(call: CallTIROp) -> func.FuncOp:
    kernel = _lookup(call)
    assert kernel is not None, "grouping only fuses calls of tensor kernels"
    return kernel


def _module_of(op: Operation) -> Operation:
    module = op.parent_op()
    while module is not None and not module.has_trait(SymbolTable):
        module = module.parent_op()
    assert module is not None
    return module


def _fused_name(group: list[CallTIROp]) -> str:
    """`fused_matmul_add_relu` for calls of @matmul_0, @add_0, @relu_0."""
    parts = [re.sub(r"_\d+$", "", call.callee.string_value()) for call in group]
    return "fused_" + "_".join(parts)


def _fresh_name(module: Operation, base: str) -> str:
    taken = set()
    for op in module.regions[0].block.ops:
        symbol = op.get_trait(SymbolOpInterface)
        if symbol is not None:
            taken.add(symbol.get_sym_attr_name(op).data)
    name, n = base, 0
    while name in taken:
        n += 1
        name = f"{base}_{n}"
    return name


def _is_referenced(module: Operation, name: str) -> bool:
    for op in module.walk():
        for attr in op.attributes.values():
            if isinstance(attr, SymbolRefAttr) and attr.root_reference.data == name:
                return True
    return False
