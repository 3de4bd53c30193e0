"""Which dialects exist: the one place that builds the xDSL `Context` our tools use.

The context loads our own dialects (graph, and later tensor, loops, hw) and the upstream xDSL
dialects we build on. It never loads xDSL's own `tensor` (MLIR's tensor dialect) or `hw`
(CIRCT's): those names belong to our dialects here. Dialects are registered lazily so that a
tool only pays for what its input uses.
"""

from __future__ import annotations

from collections.abc import Callable

from xdsl.context import Context
from xdsl.ir import Dialect


def _ours(package: str, attr: str) -> Callable[[], Dialect]:
    def load() -> Dialect:
        mod = __import__(package, fromlist=[attr])
        return getattr(mod, attr)

    return load


def _upstream(module: str, attr: str) -> Callable[[], Dialect]:
    return _ours(f"xdsl.dialects.{module}", attr)


UPSTREAM_DIALECTS: dict[str, Callable[[], Dialect]] = {
    "builtin": _upstream("builtin", "Builtin"),
    "func": _upstream("func", "Func"),
    "arith": _upstream("arith", "Arith"),
    "math": _upstream("math", "Math"),
    "memref": _upstream("memref", "MemRef"),
    "scf": _upstream("scf", "Scf"),
    "cf": _upstream("cf", "Cf"),
    "vector": _upstream("vector", "Vector"),
    # xDSL's llvm dialect plus the four ops it lacks (fptosi, fptoui, uitofp, extractelement).
    "llvm": _ours("mlc_dialects.codegen.llvm_ext", "LLVM"),
}
"""Upstream dialects we use, by namespace."""

OUR_DIALECTS: dict[str, Callable[[], Dialect]] = {
    "graph": _ours("dialects.graph", "Graph"),
    "tensor": _ours("dialects.tensor", "Tensor"),
    "loops": _ours("dialects.loops", "Loops"),
    "hw": _ours("dialects.hw", "Hw"),
}
"""Our dialects, by namespace. Later levels add themselves here."""


def all_dialects() -> dict[str, Callable[[], Dialect]]:
    return {**UPSTREAM_DIALECTS, **OUR_DIALECTS}


def make_context(allow_unregistered: bool = False) -> Context:
    """A fresh context with every dialect of mlc-dialects registered (lazily)."""
    ctx = Context(allow_unregistered=allow_unregistered)
    for name, factory in all_dialects().items():
        ctx.register_dialect(name, factory)
    return ctx
