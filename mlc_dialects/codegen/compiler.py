"""Entry points of the backend: module -> LLVM IR text, assembly, or an `Executable`.

    exe = compile_module(module)        # cached within the process by structural hash
    text = llvm_ir(module)              # `mlc-opt -t llvm`
    asm = assembly(module)              # `mlc-opt -t asm`

The input is a module of upstream dialects (what `lower-upstream-to-llvm` accepts) or one
already in the llvm dialect. The module passed in is never modified: the lowering runs on a
clone.
"""

from __future__ import annotations

import hashlib
import os
import threading

from xdsl.dialects.builtin import ModuleOp

from mlc_dialects.codegen import jit
from mlc_dialects.codegen.executable import Executable, public_signatures
from mlc_dialects.codegen.llvm_ir import translate_module
from mlc_dialects.codegen.pipeline import lower_upstream_to_llvm
from mlc_dialects.codegen.target import Target

_CACHE: dict[str, Executable] = {}
_CACHE_LOCK = threading.Lock()


def structural_hash(module: ModuleOp, target: Target, speed_level: int) -> str:
    """Hash of the module's printed text (SSA names are canonical there), the target and
    the math lowering (`MLC_LIBM_MATH`, see `pipeline.upstream_to_llvm_passes`)."""
    libm = os.environ.get("MLC_LIBM_MATH", "0")
    key = f"{target}|O{speed_level}|libm={libm}|{module}"
    return hashlib.sha256(key.encode()).hexdigest()


def _is_lowered(module: ModuleOp) -> bool:
    return all(op.name.startswith("llvm.") for op in module.ops)


def unoptimized_llvm_ir(module: ModuleOp, target: Target | None = None) -> str:
    """LLVM IR of `module` straight out of translation, before LLVM's optimizer."""
    target = target or Target.host()
    lowered = module.clone()
    if not _is_lowered(lowered):
        lower_upstream_to_llvm(lowered)
    return str(translate_module(lowered, target.triple, target.data_layout))


def llvm_ir(module: ModuleOp, target: Target | None = None, speed_level: int = 0) -> str:
    """LLVM IR text of `module`; with speed_level > 0, after LLVM's O1-3 pipeline."""
    target = target or Target.host()
    text = unoptimized_llvm_ir(module, target)
    if speed_level == 0:
        return text
    return str(jit.optimized_ir(text, target, speed_level))


def assembly(module: ModuleOp, target: Target | None = None, speed_level: int = 3) -> str:
    """Native assembly of `module`, optimized at `speed_level`, for `target`."""
    target = target or Target.host()
    return jit.assembly(unoptimized_llvm_ir(module, target), target, speed_level)


def compile_module(module: ModuleOp, target: Target | None = None, speed_level: int = 3,
                   use_cache: bool = True) -> Executable:
    """JIT-compile `module`'s public functions; a module compiled before is not recompiled."""
    target = target or Target.host()
    key = structural_hash(module, target, speed_level)
    if use_cache:
        with _CACHE_LOCK:
            hit = _CACHE.get(key)
        if hit is not None:
            return hit
    ir_text = unoptimized_llvm_ir(module, target)  # lowering errors name their pass
    engine = jit.JITEngine(ir_text, target, speed_level)
    signatures = public_signatures(module)
    exe = Executable(engine, signatures)
    if use_cache:
        with _CACHE_LOCK:
            exe = _CACHE.setdefault(key, exe)
    return exe


def cache_size() -> int:
    return len(_CACHE)


def clear_cache() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()
