"""The default pipeline: from whatever level a module is at down to an Executable.

A module with graph functions goes through `mlc_dialects.graph_executable.compile_graph`
(convert-graph-to-tensor, graph-fuse, graph-plan-memory, convert-graph-to-driver, then the
stages below); a module of tensor programs starts at convert-tensor-to-loops.

Each stage is a named step with the reason it is there; a stage runs only when the module still
holds ops of its level, so a module can enter at any level (graph, tensor, loops, upstream).

    stage                     why
    convert-tensor-to-loops   blocks, bindings, predicates and init parts -> plain loop nests
    convert-loops-to-hw       loop kinds -> vectors of the target width, threads, unrolling
    convert-hw-to-llvm        parallel launches -> outlined functions + GOMP_parallel
    lower-upstream-to-llvm    func/scf/arith/math/memref/vector -> llvm dialect (xDSL has no
                              arith/math/func/memref/vector -> llvm conversions of its own)
    (JIT)                     llvm dialect -> LLVM IR -> O3 for the host CPU -> MCJIT
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp



def _levels(module: ModuleOp) -> set[str]:
    return {op.name.split(".")[0] for op in module.walk()}


def compile_to_executable(module: ModuleOp):
    """Lower `module` as far as the available stages go and JIT it."""
    from mlc_dialects.codegen import compile_module
    from mlc_dialects.lowering import compile_tensor_module

    levels = _levels(module)
    if "graph" in levels:
        from mlc_dialects.graph_executable import compile_graph

        return compile_graph(module)
    if levels & {"tensor", "loops", "hw"}:
        return compile_tensor_module(module)
    return compile_module(module)
