"""The table of ONNX op converters: one function per ONNX op type and opset range.

A converter turns one ONNX node into graph ops:

    @converter("Relu", since=6)
    def relu(cx: Context, node: Node) -> Results:
        return [cx.b.relu(cx.value(node, 0))]

It returns one entry per node output: an `SSAValue` (built with `cx.b`, a `GraphBuilder`), a
numpy array (a value known at import time, e.g. `Shape` of a static tensor; it becomes a
`graph.constant` only where a graph op needs it), or None for an optional output that no one
uses. A converter never guesses: an attribute, input or case it does not implement is
`cx.unsupported(node, "...")`, a `DiagnosticError` naming the node, its op type and what is
missing.

Opset ranges follow the ONNX operator changelog: a converter registered `since=13` handles
opsets 13 and newer (until a later registration of the same op takes over), and one for
`since=1, until=12` handles the older semantics (LogSoftmax's 2-D coercion, for instance).
Families (`elementwise`, `linalg`, `nn`, `reduce`, `shape`, `constant`) are the modules that
register converters; `FAMILIES` maps each op type to its family for reports.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import numpy as np
from onnx import NodeProto, helper
from xdsl.ir import SSAValue

if TYPE_CHECKING:
    from mlc_dialects.frontend.onnx.context import Context

Result = SSAValue | np.ndarray | None
"""One output of a node: a graph value, a value known at import time, or None (not given)."""
Results = Sequence[Result]

MIN_OPSET = 7
"""The oldest opset of the default domain we import (older ones use `broadcast` attributes
and `consumed_inputs`, which are not worth supporting)."""


@dataclass
class Node:
    """An ONNX node with its attributes decoded and a name for messages."""

    proto: NodeProto
    index: int
    opset: int
    attrs: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.attrs = {a.name: helper.get_attribute_value(a) for a in self.proto.attribute}

    @property
    def op_type(self) -> str:
        return self.proto.op_type

    @property
    def label(self) -> str:
        """`node 'conv1' (Conv, opset 11)` or, for an unnamed node, `node #3 (Conv, opset 11)`."""
        who = f"'{self.proto.name}'" if self.proto.name else f"#{self.index}"
        return f"node {who} ({self.op_type}, opset {self.opset})"

    @property
    def inputs(self) -> list[str]:
        return list(self.proto.input)

    @property
    def outputs(self) -> list[str]:
        return list(self.proto.output)

    def has_input(self, index: int) -> bool:
        """Whether optional input #index is given (ONNX writes a missing one as '')."""
        return index < len(self.proto.input) and self.proto.input[index] != ""

    def attr(self, name: str, default: Any = None) -> Any:
        value = self.attrs.get(name, default)
        if isinstance(value, bytes):
            return value.decode()
        return value

    def ints(self, name: str, default: Sequence[int] | None = None) -> list[int] | None:
        value = self.attrs.get(name)
        return list(default) if value is None and default is not None else (
            None if value is None else [int(v) for v in value])


Converter = Callable[["Context", Node], "Results"]


@dataclass(frozen=True)
class Registration:
    op_type: str
    since: int
    until: int | None
    family: str
    fn: Converter


CONVERTERS: dict[str, list[Registration]] = {}
"""op type -> its registrations, ordered by `since`."""

FAMILIES: dict[str, str] = {}
"""op type -> family (the module that converts it), for reports."""


def converter(*op_types: str, since: int = 1, until: int | None = None
              ) -> Callable[[Converter], Converter]:
    """Register the decorated function for `op_types`, opsets `since`..`until` (inclusive)."""

    def register(fn: Converter) -> Converter:
        family = fn.__module__.rsplit(".", 1)[-1]
        for op_type in op_types:
            regs = CONVERTERS.setdefault(op_type, [])
            regs.append(Registration(op_type, since, until, family, fn))
            regs.sort(key=lambda r: r.since)
            FAMILIES[op_type] = family
        return fn

    return register


def lookup(op_type: str, opset: int) -> Registration | None:
    """The converter of `op_type` for `opset`, or None."""
    for reg in reversed(CONVERTERS.get(op_type, [])):
        if reg.since <= opset and (reg.until is None or opset <= reg.until):
            return reg
    return None


def supported_ops() -> dict[str, list[tuple[int, int | None]]]:
    """op type -> the opset ranges it is imported for (for docs and `mlc-import --list-ops`)."""
    return {op: [(max(r.since, MIN_OPSET), r.until) for r in regs]
            for op, regs in sorted(CONVERTERS.items())}
