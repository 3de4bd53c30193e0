"""An example pass plugin: `mlc-opt --load-pass-plugin examples/plugin_fold_neg.py -p fold-double-neg`.

It shows the whole Python pass authoring API: a rewrite pattern on a graph op, a pass that
runs it, and registration by name.

Before:
    %a = graph.neg %x : tensor<4xf32>
    %b = graph.neg %a : tensor<4xf32>
    func.return %b : tensor<4xf32>
After:
    func.return %x : tensor<4xf32>
"""

from dataclasses import dataclass

from dialects.graph.ops import NegOp
from mlc_dialects.pass_api import (
    PatternPass,
    PatternRewriter,
    RewritePattern,
    op_type_rewrite_pattern,
    register_pass,
)


class FoldDoubleNeg(RewritePattern):
    """neg(neg(x)) -> x"""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: NegOp, rewriter: PatternRewriter) -> None:
        inner = op.input.owner
        if isinstance(inner, NegOp):
            rewriter.replace_op(op, [], [inner.input])


@register_pass
@dataclass(frozen=True)
class FoldDoubleNegPass(PatternPass):
    """Fold double negations: neg(neg(x)) -> x (an example plugin)."""

    name = "fold-double-neg"

    def patterns(self):
        return [FoldDoubleNeg()]
