"""The registry of passes: an alphabetical dict of pass name -> lazy getter of its class.

Our passes live one per file in this package (`graph-fuse` in `passes/graph_fuse.py` as
`GraphFusePass`). Upstream xDSL passes that are useful at every level are exposed too.
"""

from collections.abc import Callable

from xdsl.passes import ModulePass


def _upstream(module: str, cls: str) -> Callable[[], type[ModulePass]]:
    def load() -> type[ModulePass]:
        return getattr(__import__(f"xdsl.transforms.{module}", fromlist=[cls]), cls)

    return load


PASSES: dict[str, Callable[[], type[ModulePass]]] = {
    "canonicalize": _upstream("canonicalize", "CanonicalizePass"),
    "cse": _upstream("common_subexpression_elimination", "CommonSubexpressionElimination"),
    "dce": _upstream("dead_code_elimination", "DeadCodeElimination"),
}
