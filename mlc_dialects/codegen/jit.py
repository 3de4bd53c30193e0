"""LLVM IR text -> optimized machine code in this process, with llvmlite's MCJIT.

    engine = JITEngine(ir_text, Target.host())
    address = engine.address("matmul")         # call it through ctypes

Each engine parses and verifies the module, runs LLVM's O3 pipeline for the target CPU (new
pass manager, loop and SLP vectorization on), and compiles it with its own TargetMachine.
External symbols resolve against the process: libm (`expf`, `erff`, ...) and libc
(`aligned_alloc`, `free`) are there already; libgomp is loaded once so that parallel code can
call `GOMP_parallel`.
"""

from __future__ import annotations

import ctypes.util
import functools

import llvmlite.binding as llvm

from mlc_dialects.codegen.target import Target, initialize_llvm


@functools.cache
def load_runtime_libraries() -> tuple[str, ...]:
    """Make libm and (when installed) libgomp symbols visible to JIT-compiled code."""
    loaded = []
    for name in ("m", "gomp"):
        path = ctypes.util.find_library(name)
        if path is None:
            continue
        try:
            llvm.load_library_permanently(path)
        except RuntimeError:
            continue
        loaded.append(path)
    return tuple(loaded)


def parse_and_verify(ir_text: str) -> llvm.ModuleRef:
    initialize_llvm()
    module = llvm.parse_assembly(ir_text)
    module.verify()
    return module


def optimize(module: llvm.ModuleRef, tm: llvm.TargetMachine, speed_level: int = 3) -> None:
    """Run LLVM's default O`speed_level` module pipeline, vectorizers on, in place."""
    pto = llvm.PipelineTuningOptions(speed_level=speed_level)
    pto.loop_vectorization = True
    pto.slp_vectorization = True
    pb = llvm.create_pass_builder(tm, pto)
    pb.getModulePassManager().run(module, pb)


def optimized_ir(ir_text: str, target: Target, speed_level: int = 3) -> llvm.ModuleRef:
    """Parse, verify and optimize; for printing (`-t llvm` after O3) and for `assembly`."""
    module = parse_and_verify(ir_text)
    optimize(module, target.create_target_machine(opt=speed_level, jit=False), speed_level)
    return module


def assembly(ir_text: str, target: Target, speed_level: int = 3) -> str:
    """Optimized native assembly of `ir_text` for `target`."""
    tm = target.create_target_machine(opt=speed_level, jit=False)
    module = parse_and_verify(ir_text)
    optimize(module, tm, speed_level)
    return tm.emit_assembly(module)


class JITEngine:
    """One optimized, compiled module; it lives as long as this object."""

    def __init__(self, ir_text: str, target: Target, speed_level: int = 3) -> None:
        load_runtime_libraries()
        self.target = target
        self.module = parse_and_verify(ir_text)
        tm = target.create_target_machine(opt=speed_level, jit=True)
        optimize(self.module, tm, speed_level)
        # The engine owns `tm` and the module from here on; keep no other reference to tm.
        self.engine = llvm.create_mcjit_compiler(self.module, tm)
        self.engine.finalize_object()
        self.engine.run_static_constructors()

    def address(self, name: str) -> int:
        """Address of function `name`; KeyError when the module does not define it."""
        address = self.engine.get_function_address(name)
        if not address:
            raise KeyError(f"no compiled function @{name}")
        return address
