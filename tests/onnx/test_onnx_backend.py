"""onnx's backend test suite (`onnx.backend.test.BackendTest`) on the mlc backend.

Only the node tests listed in `expected_pass.txt` run (every other test of the suite is
skipped); each listed test must pass, so a regression fails CI. Regenerate the list, and see
pass/error/fail/skip per op family, with `python tests/onnx/summary.py [--write-expected]`.

This file runs in the mode MLC_ONNX_BACKEND_MODE names (the interpreter by default);
test_onnx_backend_compiled.py runs `expected_pass_compiled.txt` through the compiler.
"""

from __future__ import annotations

import re
import warnings
from pathlib import Path

import pytest

pytest.importorskip("onnx")

import onnx.backend.test

from mlc_dialects.frontend.onnx_backend import MlcBackend

EXPECTED = [n for n in Path(__file__).with_name("expected_pass.txt").read_text().split() if n]

with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # onnx's case generators warn about overflowing casts
    backend_test = onnx.backend.test.BackendTest(MlcBackend, __name__)
backend_test.include("^(" + "|".join(re.escape(n) for n in EXPECTED) + ")_cpu$")

globals().update(backend_test.test_cases)


def test_expected_list_names_node_tests() -> None:
    """A typo in expected_pass.txt would silently drop a test: every name must exist."""
    from onnx.backend.test.loader import load_model_tests

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        known = {t.name for t in load_model_tests(kind="node")}
    unknown = [n for n in EXPECTED if n not in known]
    assert not unknown, f"expected_pass.txt names unknown node tests: {unknown}"
    assert len(EXPECTED) == len(set(EXPECTED)), "expected_pass.txt repeats a test"
