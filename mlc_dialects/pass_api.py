"""The public Python API for writing passes, and the registry of passes by name.

A pass is an xDSL `ModulePass`: a frozen dataclass whose fields are its options
(`my-pass{factor=4 verbose=true}` on the command line). Most passes are a set of rewrite
patterns; `PatternPass` runs them to a fixpoint so a pass only lists its patterns:

    from dataclasses import dataclass
    from mlc_dialects.pass_api import (PatternPass, PatternRewriter, RewritePattern,
                                       op_type_rewrite_pattern, register_pass)
    from dialects.graph.ops import NegOp

    class FoldDoubleNeg(RewritePattern):
        "neg(neg(x)) -> x"
        @op_type_rewrite_pattern
        def match_and_rewrite(self, op: NegOp, rewriter: PatternRewriter) -> None:
            inner = op.input.owner
            if isinstance(inner, NegOp):
                rewriter.replace_op(op, [], [inner.input])

    @register_pass
    @dataclass(frozen=True)
    class GraphFoldNegPass(PatternPass):
        "Fold double negations."
        name = "graph-fold-neg"
        def patterns(self):
            return [FoldDoubleNeg()]

`mlc-opt --load-pass-plugin my_passes.py -p graph-fold-neg` runs passes from a user's own file:
the plugin registers them with `register_pass` when it is imported.
"""

from __future__ import annotations

import importlib.util
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TypeVar

from xdsl.context import Context
from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)

from mlc_dialects.diagnostics import Diagnostic, DiagnosticError

PassT = TypeVar("PassT", bound=type[ModulePass])

_USER_PASSES: dict[str, Callable[[], type[ModulePass]]] = {}


def register_pass(cls: PassT) -> PassT:
    """Class decorator: make a ModulePass available by its `name` to mlc-opt and pipelines."""
    name = getattr(cls, "name", None)
    if not isinstance(name, str) or not name:
        raise TypeError(f"pass class {cls.__name__} needs a class attribute `name`")
    _USER_PASSES[name] = lambda: cls
    return cls


def all_passes() -> dict[str, Callable[[], type[ModulePass]]]:
    """Every pass by name: ours (passes/), the upstream ones we expose, and user plugins."""
    from passes import PASSES

    return {**PASSES, **_USER_PASSES}


def pass_summary(cls: type[ModulePass]) -> str:
    """The first line of a pass's docstring."""
    doc = (cls.__doc__ or "").strip()
    return doc.split("\n")[0].strip() if doc else "(no description)"


def load_pass_plugin(path: str) -> None:
    """Import a user's Python file so that its `register_pass` calls take effect."""
    file = Path(path)
    if not file.is_file():
        raise DiagnosticError(Diagnostic("error", f"pass plugin '{path}' does not exist", path))
    module_name = f"mlc_plugin_{abs(hash(str(file.resolve())))}"
    spec = importlib.util.spec_from_file_location(module_name, file)
    if spec is None or spec.loader is None:
        raise DiagnosticError(Diagnostic("error", f"cannot load pass plugin '{path}'", path))
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module
    try:
        spec.loader.exec_module(module)
    except Exception as err:  # a user's file: report, do not crash
        raise DiagnosticError(
            Diagnostic("error", f"pass plugin '{path}' failed to load: "
                       f"{type(err).__name__}: {err}", path)
        ) from None


@dataclass(frozen=True)
class PatternPass(ModulePass):
    """Base class of passes that apply a list of rewrite patterns greedily to a fixpoint."""

    name = "pattern-pass"

    def patterns(self) -> Sequence[RewritePattern]:
        raise NotImplementedError

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(
            GreedyRewritePatternApplier(list(self.patterns())), apply_recursively=True
        ).rewrite_module(op)


__all__ = [
    "ModulePass",
    "PatternPass",
    "PatternRewriter",
    "RewritePattern",
    "all_passes",
    "load_pass_plugin",
    "op_type_rewrite_pattern",
    "register_pass",
]
