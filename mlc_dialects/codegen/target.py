"""The machine we generate code for: triple, CPU, features, vector width. The host by default.

A `Target` is plain data; `create_target_machine()` makes a fresh llvmlite TargetMachine each
time it is called, because an MCJIT engine takes ownership of the TargetMachine it is given
and frees it with itself: sharing one between engines corrupts the heap (notes section 4).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

import llvmlite.binding as llvm


@functools.cache
def initialize_llvm() -> None:
    """Register the native target, its assembly printer and parser (once per process)."""
    llvm.initialize_native_target()
    llvm.initialize_native_asmprinter()
    llvm.initialize_native_asmparser()


@dataclass(frozen=True)
class Target:
    """What code is generated for. `vector_bits` is the widest SIMD register the code uses."""

    triple: str
    cpu: str
    features: str
    vector_bits: int

    @staticmethod
    @functools.cache
    def host() -> Target:
        """The CPU this process runs on, with every feature it has."""
        initialize_llvm()
        features = llvm.get_host_cpu_features()
        flat = features.flatten()
        if features.get("avx512f"):
            bits = 512
            # The CPU's tuning prefers 256-bit vectors and would split our explicit
            # vector<16xf32> in two; we choose the width in our own IR instead.
            flat += ",-prefer-256-bit"
        elif features.get("avx"):
            bits = 256
        else:
            bits = 128
        return Target(llvm.get_process_triple(), llvm.get_host_cpu_name(), flat, bits)

    def lanes(self, element_bytes: int = 4) -> int:
        """How many elements of `element_bytes` fill one vector register (16 f32 on AVX-512)."""
        return self.vector_bits // (8 * element_bytes)

    def create_target_machine(self, opt: int = 3, jit: bool = True) -> llvm.TargetMachine:
        """A new TargetMachine; give each JIT engine its own (see the module docstring)."""
        initialize_llvm()
        return llvm.Target.from_triple(self.triple).create_target_machine(
            cpu=self.cpu, features=self.features, opt=opt, jit=jit, codemodel="jitdefault")

    @functools.cached_property
    def data_layout(self) -> str:
        return str(self.create_target_machine().target_data)
