"""The ONNX importer: `from_onnx(model_or_path) -> ModuleOp` (needs the `onnx` package).

    from mlc_dialects.frontend.onnx import from_onnx, onnx_params, supported_ops
    module = from_onnx("resnet50.onnx")                 # @main(x) -> (probabilities)
    module = from_onnx(model, params_as_args=True)      # @main(x, *weights)
    weights = onnx_params(model)                        # the weights, in argument order

The pieces: `importer` (loading, shape inference, folding of values known at import time, the
function), `context` (what converters see), `registry` (the table of converters by op type
and opset) and one module per op family: `elementwise`, `linalg`, `nn`, `reduce`, `shape`,
`constant`.
"""

from mlc_dialects.frontend.onnx.importer import from_onnx, onnx_params
from mlc_dialects.frontend.onnx.registry import FAMILIES, supported_ops

__all__ = ["FAMILIES", "from_onnx", "onnx_params", "supported_ops"]
