"""onnx's backend test suite (`onnx.backend.test.BackendTest`) on the mlc backend in compile mode:
each node model goes through `mlc.compile` and runs natively.

Compiling one node test costs 0.3-1 s on 2 cores, so a default run takes a representative
subset, `expected_pass_compiled_subset.txt` (the fastest one or two passing tests of each op);
`MLC_SLOW=1` runs every test of `expected_pass_compiled.txt`. Every listed test must pass, so a
regression fails CI. Regenerate both lists, and see pass/error/fail/skip per op family in both
modes, with `python tests/onnx/summary.py --mode compile --write-expected`.
"""

from __future__ import annotations

import os
import re
import warnings
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("onnx")

import onnx.backend.test

from mlc_dialects.frontend.onnx_backend import MlcBackend, MlcBackendRep

HERE = Path(__file__).parent
EXPECTED = (HERE / "expected_pass_compiled.txt").read_text().split()
SUBSET = (HERE / "expected_pass_compiled_subset.txt").read_text().split()
SLOW = os.environ.get("MLC_SLOW") == "1"


class MlcCompiledBackend(MlcBackend):
    """The mlc backend, always in compile mode (whatever MLC_ONNX_BACKEND_MODE says)."""

    @classmethod
    def prepare(cls, model: Any, device: str = "CPU", **kwargs: Any) -> MlcBackendRep:
        return super().prepare(model, device, **{**kwargs, "mode": "compile"})


with warnings.catch_warnings():
    warnings.simplefilter("ignore")  # onnx's case generators warn about overflowing casts
    backend_test = onnx.backend.test.BackendTest(MlcCompiledBackend, __name__)
backend_test.include("^(" + "|".join(re.escape(n) for n in (EXPECTED if SLOW else SUBSET))
                     + ")_cpu$")

globals().update(backend_test.test_cases)


def test_compiled_lists_name_node_tests() -> None:
    """A typo would silently drop a test: every name must be a node test, the subset must be
    part of the full list, and both must pass through the interpreter too."""
    from onnx.backend.test.loader import load_model_tests

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        known = {t.name for t in load_model_tests(kind="node")}
    interpreted = set((HERE / "expected_pass.txt").read_text().split())
    assert not [n for n in EXPECTED if n not in known], "unknown node tests"
    assert len(EXPECTED) == len(set(EXPECTED)), "expected_pass_compiled.txt repeats a test"
    assert not sorted(set(SUBSET) - set(EXPECTED)), "subset names tests outside the full list"
    assert not sorted(set(EXPECTED) - interpreted), "compiled passes what interpreting does not"
    assert len(SUBSET) <= 150, "the default compiled subset must stay small (CI time)"
