"""`mlc-import FILE.onnx [-o OUT]`: prints IR that mlc-opt parses; user mistakes exit 1 with a
message and no traceback."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

onnx = pytest.importorskip("onnx")

from onnx_support import helper, model, rand

ROOT = Path(__file__).resolve().parents[2]
N = helper.make_node


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlc_dialects.tools.import_onnx", *args],
                          capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)


@pytest.fixture
def small_model(tmp_path: Path) -> Path:
    m = model([N("MatMul", ["x", "w"], ["h"]), N("Relu", ["h"], ["y"])], {"x": rand(2, 3)},
              ["y"], {"w": rand(3, 4)})
    path = tmp_path / "small.onnx"
    onnx.save(m, path)
    return path


def test_prints_module_that_mlc_opt_parses(small_model: Path, tmp_path: Path) -> None:
    proc = _run(str(small_model))
    assert proc.returncode == 0, proc.stderr
    assert "func.func @main(%x: tensor<2x3xf32>) -> tensor<2x4xf32>" in proc.stdout
    assert "graph.matmul" in proc.stdout and "graph.relu" in proc.stdout
    out = tmp_path / "small.mlir"
    assert _run(str(small_model), "-o", str(out)).returncode == 0
    opt = subprocess.run([sys.executable, "-m", "mlc_dialects.tools.opt", str(out)],
                         capture_output=True, text=True, timeout=120, cwd=ROOT, check=False)
    assert opt.returncode == 0, opt.stderr
    assert "graph.matmul" in opt.stdout


def test_params_as_args_and_input_shape(small_model: Path, tmp_path: Path) -> None:
    proc = _run(str(small_model), "--params-as-args")
    assert "func.func @main(%x: tensor<2x3xf32>, %w: tensor<3x4xf32>)" in proc.stdout
    x = helper.make_tensor_value_info("x", onnx.TensorProto.FLOAT, ["n", 3])
    graph = helper.make_graph([N("Relu", ["x"], ["y"])], "g", [x],
                              [helper.make_empty_tensor_value_info("y")])
    dyn = tmp_path / "dyn.onnx"
    onnx.save(helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)]), dyn)
    bad = _run(str(dyn))
    assert bad.returncode == 1 and "dynamic dimension 'n'" in bad.stderr
    assert "Traceback" not in bad.stderr
    good = _run(str(dyn), "--input-shape", "x=5,3")
    assert good.returncode == 0 and "tensor<5x3xf32>" in good.stdout


@pytest.mark.parametrize("args,fragment", [
    (["missing.onnx"], "missing.onnx: error: no such file"),
    (["--input-shape", "x", "missing.onnx"], "bad --input-shape 'x'"),
    ([], "no input file given"),
])
def test_user_mistakes_exit_1_without_traceback(args: list[str], fragment: str) -> None:
    proc = _run(*args)
    assert proc.returncode == 1
    assert fragment in proc.stderr
    assert "Traceback" not in proc.stderr


def test_unsupported_op_is_reported(tmp_path: Path) -> None:
    m = model([N("TopK", ["x", "k"], ["v", "i"], name="top")], {"x": rand(2, 3)}, ["v"],
              {"k": np.array([1], np.int64)}, opset=13)
    path = tmp_path / "topk.onnx"
    onnx.save(m, path)
    proc = _run(str(path))
    assert proc.returncode == 1
    assert "node 'top' (TopK, opset 13): op type 'TopK' is not supported" in proc.stderr


def test_list_ops() -> None:
    proc = _run("--list-ops")
    assert proc.returncode == 0
    assert any(line.startswith("Conv ") for line in proc.stdout.splitlines())
