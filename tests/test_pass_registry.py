"""Every pass of ours follows the naming scheme, documents itself and has a lit test."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from passes import PASSES

ROOT = Path(__file__).resolve().parents[1]
LIT_PASSES = ROOT / "tests" / "lit" / "passes"
DIALECTS = ("graph", "tensor", "loops", "hw")
# MLIR's three families: convert-<a>-to-<b>, lower-<x> / lift-<a>-to-<b>, <dialect>-<verb>.
NAME = re.compile(
    r"^(convert-[a-z]+-to-[a-z]+|lower-[a-z-]+|lift-[a-z]+-to-[a-z]+|(%s)-[a-z-]+)$"
    % "|".join(DIALECTS)
)
OURS = {name: get for name, get in PASSES.items() if not get().__module__.startswith("xdsl.")}


def test_registry_is_alphabetical() -> None:
    assert list(PASSES) == sorted(PASSES)


@pytest.mark.parametrize("name", sorted(OURS))
def test_pass_is_named_documented_and_tested(name: str) -> None:
    cls = OURS[name]()
    assert cls.name == name
    assert NAME.match(name), f"{name} does not follow the pass naming scheme"
    doc = (cls.__doc__ or "").strip()
    assert doc, f"{cls.__name__} has no docstring"
    assert (LIT_PASSES / f"{name}.mlir").is_file(), f"no lit test tests/lit/passes/{name}.mlir"
