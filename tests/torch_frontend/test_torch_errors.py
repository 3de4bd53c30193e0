"""Unsupported ops, outputs, dtypes, dynamic shapes and training-mode modules are
`DiagnosticError`s that name the node and its ATen op (never an AssertionError, see
apache/tvm#18339), and never a silent wrong import."""

from __future__ import annotations

import pytest

torch = pytest.importorskip("torch")

from torch import nn
from torch.nn import functional as F
from torch_support import Fn, rand

from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.frontend.torch import from_torch


def error_of(module: nn.Module, *args: object, **kwargs: object) -> str:
    with pytest.raises(DiagnosticError) as info:
        from_torch(module, args, **kwargs)
    return str(info.value)


class Sorting(nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return torch.sort(x).values + 1


def test_sort_names_node_op_and_model_line() -> None:
    msg = error_of(Sorting().eval(), rand(3, 4))
    assert "node 'sort' (aten.sort.default): op 'aten.sort.default' is not supported" in msg
    assert "on run-time values (here: x)" in msg
    # A note gives the line of the model that made the node.
    assert "note: the node comes from" in msg
    assert "test_torch_errors.py" in msg and "torch.sort(x).values + 1" in msg


def test_fft_names_the_op() -> None:
    msg = error_of(Fn(lambda x: torch.fft.fft(x).real).eval(), rand(8))
    assert "aten._fft_r2c.default" in msg
    assert "node '" in msg


def test_comparison_on_run_time_values() -> None:
    msg = error_of(Fn(lambda x: torch.where(x > 0, x, 0.0)).eval(), rand(3, 4))
    assert "(aten.gt.Scalar): op 'aten.gt.Scalar' is not supported on run-time values" in msg


def test_max_pool_indices_used() -> None:
    msg = error_of(Fn(lambda x: F.max_pool2d(x, 2, return_indices=True)[1].float()).eval(),
                   rand(1, 2, 4, 4))
    assert "(aten.max_pool2d_with_indices.default): output #1 is used" in msg
    assert "only output #0 is supported" in msg


def test_dynamic_shapes_are_refused() -> None:
    dim = torch.export.Dim("batch")
    msg = error_of(nn.Linear(4, 2).eval(), rand(3, 4), dynamic_shapes=({0: dim},))
    assert "dynamic shapes are not supported yet" in msg


def test_training_mode_batch_norm() -> None:
    msg = error_of(nn.Sequential(nn.Conv2d(2, 2, 1), nn.BatchNorm2d(2)).train(),
                   rand(1, 2, 3, 3))
    assert "module.eval()" in msg
    assert "running_mean" in msg


def test_training_mode_dropout() -> None:
    msg = error_of(nn.Sequential(nn.Linear(4, 4), nn.Dropout(0.5)).train(), rand(2, 4))
    assert "dropout" in msg and "module.eval()" in msg


def test_unsupported_input_dtype() -> None:
    msg = error_of(Fn(lambda x: x.float()).eval(), torch.zeros(3, dtype=torch.uint8))
    assert "input #0 'args_0' has dtype torch.uint8" in msg


def test_export_failure_is_a_diagnostic() -> None:
    class Branchy(nn.Module):
        def forward(self, x: torch.Tensor) -> torch.Tensor:
            return x + 1 if x.sum() > 0 else x - 1

    msg = error_of(Branchy().eval(), rand(3))
    assert "torch.export could not trace the module" in msg


def test_non_tensor_output() -> None:
    msg = error_of(Fn(lambda x: (x + 1, 3)).eval(), rand(3))
    assert "output #1 is a int" in msg


def test_transposed_convolution() -> None:
    msg = error_of(nn.ConvTranspose2d(2, 2, 3).eval(), rand(1, 2, 4, 4))
    assert "(aten.convolution.default): transposed convolution is not supported" in msg


def test_adaptive_pool_to_a_non_divisor() -> None:
    msg = error_of(Fn(lambda x: F.adaptive_avg_pool2d(x, 4)).eval(), rand(1, 2, 7, 7))
    assert "output size [4, 4] does not divide the input size [7, 7]" in msg


def test_not_a_module() -> None:
    msg = error_of(lambda x: x, rand(3))  # type: ignore[arg-type]
    assert "needs a torch.nn.Module" in msg
