"""mlc-dialects: a machine-learning compiler built the MLIR way on xDSL.

    import mlc_dialects as mlc
    module = mlc.parse(text)
    y = mlc.interpret(module, "main", x, w)
"""

from mlc_dialects.api import DiagnosticError, find_function, interpret, parse, parse_file

__all__ = ["DiagnosticError", "find_function", "interpret", "parse", "parse_file"]
