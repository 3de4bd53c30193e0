"""mlc-dialects: a machine-learning compiler built the MLIR way on xDSL.

    import mlc_dialects as mlc
    module = mlc.parse(text)
    y = mlc.interpret(module, "main", x, w)
"""
