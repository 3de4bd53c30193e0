"""`lower-to-llvm`: the whole default pipeline, from the graph level to the llvm dialect.

It is the textual form of what `mlc.compile` runs, for mlc-opt users; each stage runs only on
what is still at its level, so a module may enter with graph functions, tensor programs or
upstream loops. The stages, and why each is there:

    convert-graph-to-tensor    each graph op -> graph.call_tir of a te-built kernel
    graph-fuse                 elementwise/injective chains join their producer (FuseOps+FuseTIR)
    tensor-default-schedule    kernels get parallel, vectorized, register-tiled loop nests
    graph-plan-memory          intermediates share one arena where lifetimes allow
    convert-graph-to-driver    graph functions -> destination-passing drivers calling kernels
    (tensor_to_upstream)       compact buffers, blocks -> loops -> vectors/threads -> scf
    (upstream_to_llvm)         func/scf/arith/math/memref/vector/cf -> llvm

Before (graph level):
    func.func @main(%x: tensor<4xf32>) -> tensor<4xf32> {
      %y = graph.relu %x : tensor<4xf32>
      func.return %y : tensor<4xf32>
    }
After (abridged):
    llvm.func @main(%x: !llvm.ptr, %y: !llvm.ptr) { ... llvm.call @relu_0(%x, %y) ... }
    llvm.func @relu_0(%x: !llvm.ptr, %relu: !llvm.ptr) { ... vector loads, llvm.intr.maxnum ... }
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass


@dataclass(frozen=True)
class LowerToLLVMPass(ModulePass):
    """Lower a module from any level (graph, tensor, loops, upstream) to the llvm dialect."""

    name = "lower-to-llvm"

    fuse: bool = True
    schedule: bool = True

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        from mlc_dialects.codegen.pipeline import upstream_to_llvm_passes
        from mlc_dialects.lowering import tensor_to_upstream_passes
        from passes.convert_graph_to_driver import ConvertGraphToDriverPass
        from passes.convert_graph_to_tensor import ConvertGraphToTensorPass
        from passes.graph_fuse import GraphFusePass
        from passes.graph_plan_memory import GraphPlanMemoryPass
        from passes.tensor_default_schedule import TensorDefaultSchedulePass

        stages: list[ModulePass] = [ConvertGraphToTensorPass()]
        if self.fuse:
            stages.append(GraphFusePass())
        if self.schedule:
            stages.append(TensorDefaultSchedulePass())
        stages += [GraphPlanMemoryPass(), ConvertGraphToDriverPass()]
        stages += tensor_to_upstream_passes()
        stages += upstream_to_llvm_passes()
        for stage in stages:
            stage.apply(ctx, op)
