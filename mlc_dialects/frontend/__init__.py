"""Frontends: import models from the frameworks they are developed in, as graph-level IR.

    import mlc_dialects as mlc
    module = mlc.frontend.from_onnx("model.onnx")          # needs the `onnx` extra
    y = mlc.interpret(module, "main", x)

Every importer returns a verified `ModuleOp` whose `@main` is a graph function. The framework
packages are optional dependencies: they are imported only when an importer is called, so
`import mlc_dialects.frontend` works without them (and says which extra to install if one is
missing). PyTorch (`from_torch`) is built separately and will sit next to `from_onnx` here.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Mapping, Sequence

    from xdsl.dialects.builtin import ModuleOp


def from_onnx(model_or_path: Any | str | Path, *, params_as_args: bool = False,
              input_shapes: Mapping[str, Sequence[int]] | None = None,
              bind_inputs: Mapping[str, Any] | None = None) -> ModuleOp:
    """Import an ONNX model (a `ModelProto` or the path of an `.onnx` file).

    See `mlc_dialects.frontend.onnx.from_onnx` for the contract.
    """
    from mlc_dialects.frontend.onnx import from_onnx as _from_onnx

    return _from_onnx(model_or_path, params_as_args=params_as_args, input_shapes=input_shapes,
                      bind_inputs=bind_inputs)


__all__ = ["from_onnx"]
