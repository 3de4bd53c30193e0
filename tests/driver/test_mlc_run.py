"""mlc-run: inputs in argument order, outputs reported and saved, bad inputs rejected."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"

TWO_OUT = """func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> (tensor<2x3xf32>, tensor<3x2xf32>) {
  %s = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  %t = graph.transpose %s {perm = array<i64: 1, 0>} : (tensor<2x3xf32>) -> tensor<3x2xf32>
  func.return %s, %t : tensor<2x3xf32>, tensor<3x2xf32>
}
"""


def _run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlc_dialects.tools.run", *args],
                          capture_output=True, text=True, timeout=120)


def test_inputs_outputs_and_npz(tmp_path: Path) -> None:
    src = tmp_path / "two.mlir"
    src.write_text(TWO_OUT)
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.array([10, 20, 30], dtype=np.float32)
    np.save(tmp_path / "a.npy", a)
    np.save(tmp_path / "b.npy", b)
    out = tmp_path / "out.npz"
    proc = _run(str(src), "-e", "main", "--interpret", "--input", str(tmp_path / "a.npy"),
                "--input", str(tmp_path / "b.npy"), "-o", str(out))
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.strip().splitlines()
    assert lines[0].startswith("output #0: shape (2, 3) dtype float32 sum 1.350000e+02")
    assert lines[1].startswith("output #1: shape (3, 2) dtype float32 sum 1.350000e+02")
    saved = np.load(out)
    np.testing.assert_array_equal(saved["out0"], a + b)
    np.testing.assert_array_equal(saved["out1"], (a + b).T)


def test_wrong_input_shape_is_an_error(tmp_path: Path) -> None:
    src = tmp_path / "two.mlir"
    src.write_text(TWO_OUT)
    np.save(tmp_path / "a.npy", np.zeros((3, 2), np.float32))
    np.save(tmp_path / "b.npy", np.zeros(3, np.float32))
    proc = _run(str(src), "--interpret", "--input", str(tmp_path / "a.npy"),
                "--input", str(tmp_path / "b.npy"))
    assert proc.returncode == 1
    assert "argument #0" in proc.stderr and "Traceback" not in proc.stderr


def test_missing_entry_is_an_error(tmp_path: Path) -> None:
    src = tmp_path / "two.mlir"
    src.write_text(TWO_OUT)
    proc = _run(str(src), "-e", "nope", "--interpret", "--random-inputs")
    assert proc.returncode == 1
    assert "no function @nope" in proc.stderr and "@main" in proc.stderr


def test_example_mlp_runs_on_random_inputs() -> None:
    proc = _run(str(EXAMPLES / "mlp.mlir"), "-e", "main", "--interpret", "--random-inputs")
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("output #0: shape (4, 10) dtype float32 sum 4.000000e+00")


def test_main_job_matches_numpy() -> None:
    proc = subprocess.run([sys.executable, str(EXAMPLES / "run_mlp.py")], capture_output=True,
                          text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "MATCH" in proc.stdout


def test_tensor_program_compiled_equals_interpreted(tmp_path: Path) -> None:
    src = Path(__file__).resolve().parents[1] / "tensor" / "inputs" / "mm_relu_scheduled.mlir"
    rng = np.random.default_rng(3)
    paths = []
    for name in ("A", "B", "C"):
        np.save(tmp_path / f"{name}.npy", rng.standard_normal((128, 128)).astype(np.float32))
        paths += ["--input", str(tmp_path / f"{name}.npy")]
    compiled = _run(str(src), "-e", "main", *paths, "-o", str(tmp_path / "c.npz"))
    interpreted = _run(str(src), "-e", "main", "--interpret", *paths, "-o", str(tmp_path / "i.npz"))
    assert compiled.returncode == 0, compiled.stderr
    assert interpreted.returncode == 0, interpreted.stderr
    out_c, out_i = np.load(tmp_path / "c.npz"), np.load(tmp_path / "i.npz")
    np.testing.assert_array_equal(out_c["out0"], out_i["out0"])  # inputs untouched
    np.testing.assert_allclose(out_c["out2"], out_i["out2"], rtol=1e-5, atol=1e-4)
    a = np.load(tmp_path / "A.npy")
    b = np.load(tmp_path / "B.npy")
    np.testing.assert_allclose(out_c["out2"], np.maximum(a @ b, 0), rtol=1e-4, atol=1e-3)
