"""mlc-dialects: a machine-learning compiler built the MLIR way on xDSL.

    import mlc_dialects as mlc
    module = mlc.parse(text)
    y = mlc.interpret(module, "main", x, w)

    @mlc.register_func("env.linear")
    def linear(x, w, b, out): ...
"""

from mlc_dialects.api import DiagnosticError, compile, find_function, interpret, parse, parse_file
from mlc_dialects.runtime.registry import get_func, list_funcs, register_func, register_native
from dialects.graph.builder import GraphBuildError, GraphBuilder  # noqa: E402 (after core)
from dialects.tensor.schedule import BlockRV, ExprRV, LoopRV, Schedule, ScheduleError, Trace
from mlc_dialects import frontend, te

__all__ = [
    "BlockRV", "DiagnosticError", "ExprRV", "GraphBuildError", "GraphBuilder", "LoopRV",
    "Schedule", "ScheduleError", "Trace", "compile", "find_function", "frontend", "te", "get_func", "interpret", "list_funcs", "parse",
    "parse_file", "register_func", "register_native",
]
