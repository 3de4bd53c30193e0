"""The backend: upstream dialects -> llvm dialect -> LLVM IR -> machine code, in-process.

    from mlc_dialects.codegen import compile_module
    exe = compile_module(module)          # module: func/scf/arith/math/memref/vector IR
    exe["matmul"](A, B, C)                # numpy or DLPack arrays, checked before the call

Modules: `conversion` (types, casts, the bare-pointer memref ABI), `llvm_ext` (llvm ops xDSL
lacks), `pipeline` (lower-upstream-to-llvm), `llvm_ir` (llvm dialect -> LLVM IR), `target`,
`jit` (O3 + MCJIT), `executable` (the checked call boundary), `compiler` (entry points, cache).
The conversion passes themselves live in `passes/convert_*_to_llvm.py`.
"""

from mlc_dialects.codegen.compiler import assembly, clear_cache, compile_module, llvm_ir
from mlc_dialects.codegen.executable import Executable
from mlc_dialects.codegen.target import Target

__all__ = ["Executable", "Target", "assembly", "clear_cache", "compile_module", "llvm_ir"]
