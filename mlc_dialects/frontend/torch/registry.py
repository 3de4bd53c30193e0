"""The table of ATen op converters: one function per ATen overload.

A converter turns one call of an ATen op (an `fx.Node` of the exported program) into graph ops:

    @converter("relu.default")
    def relu(cx: Context, node: Node) -> Result:
        return cx.b.relu(cx.value(node, "self"))

Ops are named as in `torch.ops.aten`, without the namespace: `add.Tensor`, `conv2d.default`.
A converter reads the call's arguments by their schema names (`node.arg("dim")`, defaults
filled in) and returns the node's value: an `SSAValue` built with `cx.b`, a `torch.Tensor`
known at import time, or, for ops with several outputs, a tuple of those where `None` marks an
output that is not supported (using it through `getitem` is then an error naming it). A
converter never guesses: an argument value or case it does not implement is
`cx.unsupported(node, "...")`, a `DiagnosticError` naming the node, its ATen op and what is
missing.

Families (`elementwise`, `linalg`, `nn`, `reduce`, `shape`) are the modules that register
converters; `FAMILIES` maps each op to its family for reports. `PRESERVED` lists the
composite ops the importer keeps when it runs torch's core-ATen decompositions, because a
converter maps them more directly than their decomposition would (a `linear` is one matmul
and one add, not a view, a permute, an addmm and another view).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from mlc_dialects.frontend.torch.context import Context, Node

Converter = Callable[["Context", "Node"], Any]

CONVERTERS: dict[str, Converter] = {}
"""`add.Tensor` -> its converter."""

FAMILIES: dict[str, str] = {}
"""`add.Tensor` -> family (the module that converts it), for reports."""

PRESERVED: set[str] = set()
"""Ops kept out of torch's decomposition table (see the module docstring)."""


def converter(*ops: str, preserve: bool = False) -> Callable[[Converter], Converter]:
    """Register the decorated function for the ATen overloads `ops` (`"add.Tensor"`).

    `preserve=True` keeps the ops out of torch's core-ATen decompositions (so the converter
    sees them rather than what they decompose to)."""

    def register(fn: Converter) -> Converter:
        family = fn.__module__.rsplit(".", 1)[-1]
        for op in ops:
            if op in CONVERTERS:
                raise ValueError(f"two converters for aten.{op}")
            CONVERTERS[op] = fn
            FAMILIES[op] = family
            if preserve:
                PRESERVED.add(op)
        return fn

    return register


def lookup(op: str) -> Converter | None:
    return CONVERTERS.get(op)


def supported_ops() -> dict[str, str]:
    """`aten.<op>.<overload>` -> family, sorted (for docs and reports)."""
    return {f"aten.{op}": FAMILIES[op] for op in sorted(CONVERTERS)}
