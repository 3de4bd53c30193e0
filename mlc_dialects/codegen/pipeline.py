"""lower-upstream-to-llvm: the whole way from upstream dialects to the `llvm` dialect.

Input: `func.func`s over static-shape memrefs with bodies in scf, cf, arith, math, memref and
1-D vector ops. Output: only `llvm.func`s (no casts left). The stages, in order (each one's
reason is a comment in `upstream_to_llvm_passes`):

    lower-math-to-polynomials, convert-hw-to-llvm (its vector compares/selects/casts),
    convert-scf-to-cf (xDSL), convert-vector-to-llvm{reassociate-fp-reductions=true},
    convert-memref-to-llvm, convert-arith-to-llvm, convert-math-to-llvm, convert-cf-to-llvm,
    convert-func-to-llvm, reconcile-unrealized-casts (xDSL)

Then `check_fully_lowered` names any op that no stage lowered. `MLC_LIBM_MATH=1` in the
environment (or `polynomial_math=False`) leaves exp/log/tanh/erf to libm, for comparisons.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.transforms.convert_scf_to_cf import ConvertScfToCf
from xdsl.transforms.reconcile_unrealized_casts import ReconcileUnrealizedCastsPass

from mlc_dialects.codegen.conversion import ConversionError


def upstream_to_llvm_passes(polynomial_math: bool | None = None) -> list[ModulePass]:
    """The stages of `lower-upstream-to-llvm`, each with why it is there.

    `polynomial_math` (default: unless `MLC_LIBM_MATH=1`) expands f32 exp/log/tanh/erf inline.
    """
    # Imported here: the passes import mlc_dialects.codegen, which imports this module.
    from passes.convert_arith_to_llvm import ConvertArithToLLVMPass
    from passes.convert_cf_to_llvm import ConvertCfToLLVMPass
    from passes.convert_func_to_llvm import ConvertFuncToLLVMPass
    from passes.convert_hw_to_llvm import ConvertHwToLLVMPass
    from passes.convert_math_to_llvm import ConvertMathToLLVMPass
    from passes.convert_memref_to_llvm import ConvertMemRefToLLVMPass
    from passes.convert_vector_to_llvm import ConvertVectorToLLVMPass
    from passes.lower_math_to_polynomials import LowerMathToPolynomialsPass
    from passes.lower_memref_views import LowerMemrefViewsPass

    if polynomial_math is None:
        polynomial_math = os.environ.get("MLC_LIBM_MATH", "0") in ("", "0")
    math_stages: list[ModulePass] = [
        # f32 exp/log/tanh/erf as inline polynomials: LLVM would call libm once per lane.
        LowerMathToPolynomialsPass(),
        # Their vector compares and selects are hw ops (xDSL's arith has none on vectors).
        ConvertHwToLLVMPass(),
    ] if polynomial_math else []
    return [
        *math_stages,
        # Structured loops and ifs become blocks and branches (xDSL's pass; iter_args become
        # block arguments, i.e. phi nodes later).
        ConvertScfToCf(),
        # Memory first: vector.load/store and memref ops need the static memref types, which
        # the later signature conversion replaces by !llvm.ptr.
        ConvertVectorToLLVMPass(reassociate_fp_reductions=True),
        # memref.view (arena slices from graph memory planning) -> byte offsets.
        LowerMemrefViewsPass(),
        ConvertMemRefToLLVMPass(),
        # Scalar and vector computation.
        ConvertArithToLLVMPass(),
        ConvertMathToLLVMPass(),
        # Control flow and the function boundary last: they retype block arguments.
        ConvertCfToLLVMPass(),
        ConvertFuncToLLVMPass(),
        # Every op is in llvm now; the casts between old and new types cancel out in pairs.
        ReconcileUnrealizedCastsPass(),
    ]


def check_fully_lowered(module: ModuleOp) -> None:
    """ConversionError naming the ops that are still outside the llvm dialect."""
    left = sorted({op.name for op in module.walk()
                   if op is not module and not op.name.startswith("llvm.")})
    if left:
        raise ConversionError(
            "lower-upstream-to-llvm: these ops have no lowering to llvm: " + ", ".join(left))


def lower_upstream_to_llvm(module: ModuleOp, ctx: Context | None = None) -> None:
    """Run every stage on `module`, in place, and check that only llvm ops are left."""
    from mlc_dialects.context import make_context

    ctx = ctx if ctx is not None else make_context()
    for stage in upstream_to_llvm_passes():
        stage.apply(ctx, module)
    check_fully_lowered(module)


@dataclass(frozen=True)
class LowerUpstreamToLLVMPass(ModulePass):
    """Lower func/scf/cf/arith/math/memref/vector to the llvm dialect, casts reconciled.

    Before:
        func.func @inc(%A: memref<4xf32>, %i: index) {
          %x = memref.load %A[%i] : memref<4xf32>
          ...
    After:
        llvm.func @inc(%A: !llvm.ptr, %i: i64) {
          %p = llvm.getelementptr inbounds %A[%i] : (!llvm.ptr, i64) -> !llvm.ptr, f32
          %x = llvm.load %p {alignment = 4 : i64} : !llvm.ptr -> f32
          ...
    """

    name = "lower-upstream-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        lower_upstream_to_llvm(op, ctx)

