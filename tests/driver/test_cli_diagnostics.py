"""mlc-opt and mlc-run turn every user mistake into a located message and exit status 1."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

GOOD = """func.func @main(%a: tensor<2x3xf32>, %b: tensor<3xf32>) -> tensor<2x3xf32> {
  %c = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
  func.return %c : tensor<2x3xf32>
}
"""

# (case name, source, (line, col) of the error, a fragment of the message)
BAD_INPUTS = [
    ("syntax", "func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {\n"
     "  %c = graph.relu %a tensor<2xf32>\n  func.return %c : tensor<2xf32>\n}\n",
     (2, 22), "':'"),
    ("unknown_op", "func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {\n"
     "  %c = graph.frob %a : tensor<2xf32>\n  func.return %c : tensor<2xf32>\n}\n",
     (2, 19), "graph.frob is not registered"),
    ("type_mismatch", "func.func @main(%a: tensor<2x8xf32>, %b: tensor<9x4xf32>) -> tensor<2x4xf32> {\n"
     "  %c = graph.matmul %a, %b : (tensor<2x8xf32>, tensor<9x4xf32>) -> tensor<2x4xf32>\n"
     "  func.return %c : tensor<2x4xf32>\n}\n",
     (2, 3), "contracting dimensions differ: lhs has 8, rhs has 9"),
    ("missing_attribute", "func.func @main(%a: tensor<2x3xf32>) -> tensor<3x2xf32> {\n"
     "  %c = graph.transpose %a : (tensor<2x3xf32>) -> tensor<3x2xf32>\n"
     "  func.return %c : tensor<3x2xf32>\n}\n",
     (2, 3), "'perm'"),
    ("bad_attribute", "func.func @main(%a: tensor<2x3xf32>) -> tensor<2x3xf32> {\n"
     "  %c = graph.softmax %a {axis = \"one\"} : tensor<2x3xf32>\n"
     "  func.return %c : tensor<2x3xf32>\n}\n",
     (2, 3), "'axis'"),
    ("undefined_value", "func.func @main(%a: tensor<2xf32>) -> tensor<2xf32> {\n"
     "  %c = graph.relu %zz : tensor<2xf32>\n  func.return %c : tensor<2xf32>\n}\n",
     (2, 19), "use of undefined value '%zz'"),
]


def _run(tool: str, *args: str, stdin: bytes | None = None) -> subprocess.CompletedProcess:
    env = dict(os.environ, PYTHONHASHSEED="0")
    return subprocess.run([sys.executable, "-m", f"mlc_dialects.tools.{tool}", *args],
                          input=stdin, capture_output=True, env=env, timeout=120)


@pytest.mark.parametrize("case,source,where,fragment", BAD_INPUTS, ids=[c[0] for c in BAD_INPUTS])
@pytest.mark.parametrize("tool", ["opt", "run"])
def test_bad_input_is_located(tmp_path: Path, tool: str, case: str, source: str,
                              where: tuple[int, int], fragment: str) -> None:
    path = tmp_path / f"{case}.mlir"
    path.write_text(source)
    args = [str(path)] if tool == "opt" else [str(path), "-e", "main", "--interpret"]
    proc = _run(tool, *args)
    err = proc.stderr.decode()
    assert proc.returncode == 1, err
    assert "Traceback" not in err
    line, col = where
    assert f"{path}:{line}:{col}: error:" in err, err
    assert fragment in err
    # The source line and a caret under the column follow the message.
    lines = err.splitlines()
    src = source.splitlines()[line - 1]
    i = lines.index(src)
    assert re.fullmatch(r" {%d}\^+" % (col - 1), lines[i + 1]), lines[i + 1]


@pytest.mark.parametrize("tool", ["opt", "run"])
def test_random_bytes_are_a_clean_error(tmp_path: Path, tool: str) -> None:
    rng = __import__("random").Random(1234)
    for n in range(5):
        path = tmp_path / f"noise{n}.mlir"
        path.write_bytes(bytes(rng.randrange(256) for _ in range(400)))
        args = [str(path)] if tool == "opt" else [str(path), "--interpret"]
        proc = _run(tool, *args)
        assert proc.returncode == 1
        assert "Traceback" not in proc.stderr.decode()
        assert f"{path}:" in proc.stderr.decode()


def test_printable_garbage_is_a_clean_error() -> None:
    for text in ["}}}", "%x = ", "func.func @f(", "\"graph.add\"(", "builtin.module { graph.output"]:
        proc = _run("opt", stdin=text.encode())
        assert proc.returncode == 1, text
        assert "<stdin>:1:" in proc.stderr.decode()
        assert "Traceback" not in proc.stderr.decode()


def test_missing_file(tmp_path: Path) -> None:
    proc = _run("opt", str(tmp_path / "nope.mlir"))
    assert proc.returncode == 1
    assert "cannot read" in proc.stderr.decode()
    assert "Traceback" not in proc.stderr.decode()


def test_good_input_round_trips(tmp_path: Path) -> None:
    path = tmp_path / "good.mlir"
    path.write_text(GOOD)
    first = _run("opt", str(path))
    assert first.returncode == 0, first.stderr.decode()
    second = _run("opt", stdin=first.stdout)
    assert second.returncode == 0
    assert second.stdout == first.stdout
