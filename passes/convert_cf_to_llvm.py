"""convert-cf-to-llvm: `cf.br` / `cf.cond_br` -> `llvm.br` / `llvm.cond_br`.

Input: functions whose bodies are CFGs (after `convert-scf-to-cf`). The arguments of every
non-entry block get their llvm types (an `index` loop variable becomes `i64`; a cast back at
the top of the block serves the users not converted yet), and branch operands are cast to
match. Entry-block arguments belong to the function signature: `convert-func-to-llvm`
converts them.

Before:
    cf.br ^bb1(%c0 : index)
  ^bb1(%i: index):
After:
    %c0i = builtin.unrealized_conversion_cast %c0 : index to i64
    llvm.br ^bb1(%c0i : i64)
  ^bb1(%i0: i64):
    %i = builtin.unrealized_conversion_cast %i0 : i64 to index
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import cf, llvm
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from mlc_dialects.codegen.conversion import Lowering, convert_block_arguments, run_conversion


class BranchLowering(RewritePattern):
    """cf.br / cf.cond_br -> llvm.br / llvm.cond_br with operands cast to llvm types."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if isinstance(op, cf.BranchOp):
            b.add(llvm.BrOp(op.successor, *b.values(op.arguments)))
            b.replace(rewriter, op, [])
        elif isinstance(op, cf.ConditionalBranchOp):
            cond = b.value(op.cond)
            then_args = b.values(op.then_arguments)
            else_args = b.values(op.else_arguments)
            b.add(llvm.CondBrOp(cond, op.then_block, then_args, op.else_block, else_args))
            b.replace(rewriter, op, [])


def convert_successor_blocks(module: ModuleOp) -> None:
    """Give the non-entry blocks of every region their llvm argument types."""
    for op in module.walk():
        for region in op.regions:
            for block in list(region.blocks)[1:]:
                convert_block_arguments(block)


@dataclass(frozen=True)
class ConvertCfToLLVMPass(ModulePass):
    """Lower `cf` branches to `llvm` branches (see the module docstring)."""

    name = "convert-cf-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        convert_successor_blocks(op)
        run_conversion(self.name, [BranchLowering()], op)
