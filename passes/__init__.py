"""The registry of passes: an alphabetical dict of pass name -> lazy getter of its class.

Our passes live one per file in this package (`graph-fuse` in `passes/graph_fuse.py` as
`GraphFusePass`). Upstream xDSL passes that are useful at every level are exposed too.
"""

from collections.abc import Callable

from xdsl.passes import ModulePass


def _lazy(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    def load() -> type[ModulePass]:
        return getattr(__import__(module, fromlist=[cls]), cls)

    return load


def _upstream(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    return _lazy(f"xdsl.transforms.{module}", cls)


def _ours(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    return _lazy(f"passes.{module}", cls)


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "canonicalize": _upstream("canonicalize", "CanonicalizePass"),
    "convert-arith-to-llvm": _ours("convert_arith_to_llvm", "ConvertArithToLLVMPass"),
    "convert-cf-to-llvm": _ours("convert_cf_to_llvm", "ConvertCfToLLVMPass"),
    "convert-func-to-llvm": _ours("convert_func_to_llvm", "ConvertFuncToLLVMPass"),
    "convert-graph-to-driver": _ours("convert_graph_to_driver", "ConvertGraphToDriverPass"),
    "convert-graph-to-tensor": _ours("convert_graph_to_tensor", "ConvertGraphToTensorPass"),
    "convert-hw-to-llvm": _ours("convert_hw_to_llvm", "ConvertHwToLLVMPass"),
    "convert-loops-to-hw": _ours("convert_loops_to_hw", "ConvertLoopsToHwPass"),
    "convert-math-to-llvm": _ours("convert_math_to_llvm", "ConvertMathToLLVMPass"),
    "convert-memref-to-llvm": _ours("convert_memref_to_llvm", "ConvertMemRefToLLVMPass"),
    "convert-scf-to-cf": _upstream("convert_scf_to_cf", "ConvertScfToCf"),
    "convert-tensor-to-loops": _ours("convert_tensor_to_loops", "ConvertTensorToLoopsPass"),
    "convert-vector-to-llvm": _ours("convert_vector_to_llvm", "ConvertVectorToLLVMPass"),
    "cse": _upstream("common_subexpression_elimination", "CommonSubexpressionElimination"),
    "dce": _upstream("dead_code_elimination", "DeadCodeElimination"),
    "graph-dispatch-library": _ours("graph_dispatch_library", "GraphDispatchLibraryPass"),
    "graph-fuse": _ours("graph_fuse", "GraphFusePass"),
    "graph-plan-memory": _ours("graph_plan_memory", "GraphPlanMemoryPass"),
    "lower-math-to-polynomials": _ours("lower_math_to_polynomials", "LowerMathToPolynomialsPass"),
    "lower-memref-views": _ours("lower_memref_views", "LowerMemrefViewsPass"),
    "lower-to-llvm": _ours("lower_to_llvm", "LowerToLLVMPass"),
    "lower-upstream-to-llvm": _lazy("mlc_dialects.codegen.pipeline", "LowerUpstreamToLLVMPass"),
    "reconcile-unrealized-casts": _upstream(
        "reconcile_unrealized_casts", "ReconcileUnrealizedCastsPass"
    ),
    "tensor-apply-schedule": _ours("tensor_apply_schedule", "TensorApplySchedulePass"),
    "tensor-compact-buffers": _ours("tensor_compact_buffers", "TensorCompactBuffersPass"),
    "tensor-default-schedule": _ours("tensor_default_schedule", "TensorDefaultSchedulePass"),
}
