"""From tensor programs to what the backend compiles: the tensor -> loops -> hw -> upstream stages.

    from mlc_dialects.lowering import lower_tensor_module, compile_tensor_module
    lowered = lower_tensor_module(module)        # func/scf/arith/math/memref/vector (+ a few llvm ops)
    exe = compile_tensor_module(module)          # JIT-compiled; exe["main"](*arrays)

`lower_tensor_module` runs, on a copy of the module (the argument is not modified):

    tensor-compact-buffers    shrink intermediate buffers to one loop iteration's tile (an n x n
                              cache_write "local" buffer -> an 8 x 32 alloca in registers)
    convert-tensor-to-loops   blocks, bindings, predicates, init parts, buffers -> loop nests
    convert-loops-to-hw       vectorized / unrolled / parallel loop kinds -> vector code, copies,
                              thread launches; every loops.for -> scf.for
    convert-hw-to-llvm        thread launches -> outlined functions + GOMP_parallel, prefetches,
                              micro-kernels -> upstream ops and llvm calls
    canonicalize, cse         fold the index constants and arithmetic the stages leave behind

Its output is the input of the backend's `lower-upstream-to-llvm`
(`mlc_dialects.codegen.compile_module`). A module already below the tensor level (loops or hw
ops) goes through the same stages: each one leaves what it does not know alone.
"""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass

from dialects.hw.attrs import TARGET_ATTR, TargetAttr


def tensor_to_upstream_passes(vector_bits: int = 0, num_threads: int = 0) -> list[ModulePass]:
    """The stages of `lower_tensor_module`, in order (see the module docstring)."""
    from xdsl.transforms.canonicalize import CanonicalizePass
    from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination

    from passes.convert_hw_to_llvm import ConvertHwToLLVMPass
    from passes.convert_loops_to_hw import ConvertLoopsToHwPass
    from passes.convert_tensor_to_loops import ConvertTensorToLoopsPass
    from passes.tensor_compact_buffers import TensorCompactBuffersPass

    return [
        TensorCompactBuffersPass(),  # before the blocks go: their regions drive the analysis
        ConvertTensorToLoopsPass(),
        ConvertLoopsToHwPass(vector_bits=vector_bits, num_threads=num_threads),
        ConvertHwToLLVMPass(),
        CanonicalizePass(),
        CommonSubexpressionElimination(),
    ]


def _context():
    from mlc_dialects.context import make_context

    ctx = make_context()
    if "hw" not in ctx.registered_dialect_names:
        from dialects.hw import Hw

        ctx.register_dialect("hw", lambda: Hw)
    return ctx


def lower_tensor_module(module: ModuleOp, target: TargetAttr | None = None,
                        vector_bits: int = 0, num_threads: int = 0) -> ModuleOp:
    """A copy of `module` lowered from the tensor level to upstream dialects.

    `target` (default: the module's `hw.target`, else the host) fixes the vector width;
    `vector_bits` / `num_threads` override it. `num_threads=0` reads MLC_NUM_THREADS at each
    parallel launch, at run time.
    """
    lowered = module.clone()
    if target is not None:
        lowered.attributes[TARGET_ATTR] = target
    ctx = _context()
    for stage in tensor_to_upstream_passes(vector_bits, num_threads):
        stage.apply(ctx, lowered)
    lowered.verify()
    return lowered


def compile_tensor_module(module: ModuleOp, target: TargetAttr | None = None,
                          vector_bits: int = 0, num_threads: int = 0):
    """JIT-compile a tensor-level module: `exe["main"](*arrays)` writes the outputs in place.

    Returns the backend's `Executable` (`mlc_dialects.codegen.compile_module`), whose calls
    check every array against the signature before native code runs.
    """
    from mlc_dialects.codegen import compile_module
    from mlc_dialects.codegen_threads import load_thread_runtime

    lowered = lower_tensor_module(module, target, vector_bits, num_threads)
    if any(op.name == "func.call" and op.callee.string_value() == "GOMP_parallel"  # type: ignore[attr-defined]
           for op in lowered.walk()):
        load_thread_runtime()
    return compile_module(lowered)


__all__ = ["compile_tensor_module", "lower_tensor_module", "tensor_to_upstream_passes"]
