"""Frontends: import models from the frameworks they are developed in, as graph-level IR.

    import mlc_dialects as mlc
    module = mlc.frontend.from_onnx("model.onnx")          # needs the `onnx` extra
    module = mlc.frontend.from_torch(model.eval(), (x,))   # needs the `torch` extra
    y = mlc.interpret(module, "main", x)

Every importer returns a verified `ModuleOp` whose `@main` is a graph function. The framework
packages are optional dependencies: they are imported only when an importer is called, so
`import mlc_dialects.frontend` works without them (and says which extra to install if one is
missing).
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


def from_torch(module: Any, example_args: Sequence[Any], *, params_as_args: bool = False,
               dynamic_shapes: Any = None) -> ModuleOp:
    """Import a PyTorch `nn.Module` through `torch.export`, traced on `example_args`.

    See `mlc_dialects.frontend.torch.from_torch` for the contract.
    """
    try:
        import torch  # noqa: F401
    except ImportError:
        from mlc_dialects.diagnostics import Diagnostic, DiagnosticError

        raise DiagnosticError(Diagnostic(
            "error", "from_torch needs PyTorch: install the `torch` extra "
            "(pip install 'mlc-dialects[torch]')", "<torch>")) from None
    from mlc_dialects.frontend.torch import from_torch as _from_torch

    return _from_torch(module, example_args, params_as_args=params_as_args,
                       dynamic_shapes=dynamic_shapes)


__all__ = ["from_onnx", "from_torch"]
