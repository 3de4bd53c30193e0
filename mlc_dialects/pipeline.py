"""The default pipeline: from whatever level a module is at down to an Executable.

Each stage is a named step with the reason it is there; a stage runs only when the module still
holds ops of its level, so a module can enter at any level (graph, tensor, loops, upstream).

    stage                     why
    lower-upstream-to-llvm    func/scf/arith/math/memref/vector -> llvm dialect (xDSL has no
                              arith/math/func/memref/vector -> llvm conversions of its own)
    (JIT)                     llvm dialect -> LLVM IR -> O3 for the host CPU -> MCJIT
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from mlc_dialects.diagnostics import Diagnostic, DiagnosticError


def _levels(module: ModuleOp) -> set[str]:
    return {op.name.split(".")[0] for op in module.walk()}


def compile_to_executable(module: ModuleOp):
    """Lower `module` as far as the available stages go and JIT it."""
    from mlc_dialects.codegen import compile_module

    pending = _levels(module) & {"graph", "tensor", "loops", "hw"}
    if pending:
        raise DiagnosticError(Diagnostic(
            "error", f"compiling {', '.join(sorted(pending))} ops is not available yet: "
            "lower the module to func/scf/arith/memref first", "<module>"))
    return compile_module(module)
