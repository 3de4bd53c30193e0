"""The PyTorch importer: `from_torch(module, example_args) -> ModuleOp` (needs `torch`).

    from mlc_dialects.frontend.torch import from_torch, torch_params, supported_ops
    module = from_torch(model.eval(), (x,))                       # @main(x) -> outputs
    module = from_torch(model.eval(), (x,), params_as_args=True)  # @main(x, *weights)
    weights = torch_params(model)               # the weights, in argument order

The pieces: `importer` (torch.export, decompositions, the function, folding of values known at
import time, checks against torch's own shapes and dtypes), `context` (what converters see),
`registry` (the table of converters by ATen op) and one module per op family: `elementwise`,
`linalg`, `nn`, `reduce`, `shape`.
"""

from mlc_dialects.frontend.torch.importer import from_torch, torch_params
from mlc_dialects.frontend.torch.registry import FAMILIES, supported_ops

__all__ = ["FAMILIES", "from_torch", "supported_ops", "torch_params"]
