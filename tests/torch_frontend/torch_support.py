"""Helpers of the PyTorch frontend tests: wrap a function as a module, import it, run it with
the reference interpreter (and compiled, once graph modules compile) and compare with torch."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pytest
import torch

import mlc_dialects as mlc
from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.frontend.torch import from_torch, torch_params


class Fn(torch.nn.Module):
    """A module whose forward is `fn` (per-op tests)."""

    def __init__(self, fn: Callable[..., Any]) -> None:
        super().__init__()
        self.fn = fn

    def forward(self, *args: Any) -> Any:
        return self.fn(*args)


def rand(*shape: int, dtype: torch.dtype = torch.float32, seed: int = 0) -> torch.Tensor:
    g = torch.Generator().manual_seed(seed + sum(shape))
    return torch.randn(*shape, generator=g).to(dtype)


def to_numpy(t: torch.Tensor) -> np.ndarray:
    """bf16 as float32 (the interpreter's convention: bf16 values held in float32 arrays)."""
    t = t.detach()
    return (t.float() if t.dtype == torch.bfloat16 else t).numpy()


def numpy_args(args: Sequence[torch.Tensor]) -> list[np.ndarray]:
    return [to_numpy(a) for a in args if isinstance(a, torch.Tensor)]


def torch_outputs(module: torch.nn.Module, args: Sequence[Any]) -> list[np.ndarray]:
    with torch.no_grad():
        out = module(*args)
    return [to_numpy(t) for t in torch.utils._pytree.tree_leaves(out)]


def as_list(result: Any) -> list[np.ndarray]:
    return list(result) if isinstance(result, tuple) else [result]


def assert_close(got: Sequence[np.ndarray], want: Sequence[np.ndarray], rtol: float,
                 atol: float) -> None:
    assert len(got) == len(want)
    for g, w in zip(got, want, strict=True):
        assert g.shape == w.shape, (g.shape, w.shape)
        assert g.dtype == w.dtype, (g.dtype, w.dtype)
        if w.dtype == np.bool_ or np.issubdtype(w.dtype, np.integer):
            np.testing.assert_array_equal(g, w)
        else:
            np.testing.assert_allclose(g, w, rtol=rtol, atol=atol)


def check(module: torch.nn.Module, *args: Any, rtol: float = 1e-5, atol: float = 1e-5,
          params_as_args: bool = False) -> Any:
    """Import `module`, interpret `@main` on `args` and compare with torch; returns the
    imported module."""
    module.eval()
    imported = from_torch(module, tuple(args), params_as_args=params_as_args)
    inputs = numpy_args(args)
    if params_as_args:
        inputs += torch_params(module)
    got = as_list(mlc.interpret(imported, "main", *inputs))
    assert_close(got, torch_outputs(module, args), rtol, atol)
    return imported


def compile_or_skip(imported: Any) -> Any:
    """`mlc.compile` of a graph module, or a skip while graph compilation is not available."""
    try:
        return mlc.compile(imported)
    except DiagnosticError as err:
        if "not available yet" in str(err):
            pytest.skip("compiling graph modules is not available yet")
        raise


def check_compiled(module: torch.nn.Module, *args: Any, rtol: float = 1e-4,
                   atol: float = 1e-5) -> None:
    module.eval()
    imported = from_torch(module, tuple(args))
    exe = compile_or_skip(imported)
    got = as_list(exe["main"](*numpy_args(args)))
    assert_close(got, torch_outputs(module, args), rtol, atol)
