"""Which `graph.call_tir`s of one block fuse together (TVM's FuseOps graph partitioner).

`partition(block, pattern_of, max_depth)` returns the groups of call_tirs to fuse. It works on
the dataflow graph of one block (a function body or a `graph.dataflow` region; groups never
cross a region boundary): one node per op, an edge from each op to the ops of the block that
use its results, and an edge to an *exit* node for each value used anywhere else (returned,
passed to `graph.output`, used in a nested region). Only call_tirs have patterns
(`patterns.analyze_kernel`); every other op (constants, call_lib, nested regions) is OPAQUE.

The post-dominator tree of that graph decides what may fuse: a node fuses with its immediate
post-dominator, the nearest node that every path from it passes through, together with every
node on those paths. So a value with several consumers fuses only when all of them end up in
the group, and a group has exactly one value leaving it (its last node's). A node whose value
leaves the block has no post-dominator and is the last node of its group.

The rules, in TVM's two phases over the nodes in program order (`pattern` of a node is its own
kernel's; the pattern of a group is the maximum over its nodes):

- phase 0, anchors: an OUT_EWISE_FUSABLE or REDUCTION node fuses with its post-dominator when
  every node on the paths (post-dominator included) is ELEMWISE and in a group of pattern at most
  BROADCAST: matmul + bias add + relu, conv2d + relu, softmax + scale. (TVM lets only
  OUT_EWISE_FUSABLE nodes take consumers; here plain reductions do too.)
- both phases, producers: an ELEMWISE or BROADCAST node fuses with its post-dominator when the
  nodes between them are at most INJECTIVE (in groups at most INJECTIVE) and the
  post-dominator is at most INJECTIVE, a REDUCTION, or an OUT_EWISE_FUSABLE kernel that is not a
  contraction (softmax, layer_norm, pooling: the producer is inlined into their reduction
  stages). TVM stops at the first two; it never lets producers into softmax.
- phase 1, injective: an INJECTIVE node fuses with its post-dominator when everything on the
  paths, post-dominator included, is at most INJECTIVE (transpose + reshape).

And always: a group holds at most one *anchor* (a REDUCTION or OUT_EWISE_FUSABLE node), so two
matmuls, or a matmul and a softmax, never fuse (TVM reaches the same through the rules above);
an elementwise producer never fuses into a contraction (it would be recomputed at every
reduction step); a group has at most `max_depth` nodes (TVM's max_fuse_depth).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from xdsl.ir import Block, Operation
from xdsl.traits import IsTerminator

from dialects.graph.ops import CallTIROp
from mlc_dialects.fusion.patterns import OPAQUE, KernelPattern, OpPattern

DEFAULT_MAX_DEPTH = 256
"""TVM's kMaxFusedOps. Groups are bounded by their single anchor in practice; the limit only
splits very long elementwise chains."""

ANCHORS = (OpPattern.REDUCTION, OpPattern.OUT_EWISE_FUSABLE)


@dataclass(eq=False)
class Node:
    """One op of the block in the dataflow graph."""

    op: Operation
    index: int
    pattern: KernelPattern
    consumers: list[Node] = field(default_factory=list)
    escapes: bool = False
    """A result is used outside the block's graph (returned, region output, nested region)."""
    post_dominator: Node | None = None
    depth: int = 0
    """Depth in the post-dominator tree; the exit is at 0."""

    @property
    def kind(self) -> OpPattern:
        return self.pattern.kind


@dataclass(eq=False)
class Group:
    """A union-find set of nodes; only the root's fields are meaningful."""

    parent: Group | None = None
    size: int = 1
    kind: OpPattern = OpPattern.ELEMWISE
    anchors: int = 0

    def root(self) -> Group:
        group = self
        while group.parent is not None:
            group = group.parent
        return group


def partition(
    block: Block,
    pattern_of: Callable[[CallTIROp], KernelPattern],
    max_depth: int = DEFAULT_MAX_DEPTH,
) -> list[list[CallTIROp]]:
    """The groups of two or more call_tirs of `block` to fuse, each in program order."""
    nodes = _build_graph(block, pattern_of)
    _post_dominators(nodes)
    groups = {
        node: Group(kind=node.kind, anchors=int(node.kind in ANCHORS)) for node in nodes
    }
    for phase in (0, 1):
        for node in nodes:
            _try_fuse(node, phase, groups, max_depth)
    members: dict[Group, list[CallTIROp]] = {}
    for node in nodes:
        if isinstance(node.op, CallTIROp):
            members.setdefault(groups[node].root(), []).append(node.op)
    return [ops for ops in members.values() if len(ops) > 1]


# --------------------------------------------------------------------------- the graph


def _build_graph(block: Block, pattern_of: Callable[[CallTIROp], KernelPattern]) -> list[Node]:
    nodes: list[Node] = []
    by_op: dict[Operation, Node] = {}
    for op in block.ops:
        if op.has_trait(IsTerminator):
            continue
        pattern = pattern_of(op) if _fusable_call(op) else OPAQUE
        node = Node(op, len(nodes), pattern)
        nodes.append(node)
        by_op[op] = node
    for node in nodes:
        for result in node.op.results:
            for use in result.uses:
                consumer = by_op.get(use.operation)
                if consumer is None:
                    node.escapes = True
                elif consumer not in node.consumers:
                    node.consumers.append(consumer)
            if not result.uses:
                node.escapes = True  # dead value: keep it as a group's last node
    return nodes


def _fusable_call(op: Operation) -> bool:
    return isinstance(op, CallTIROp) and len(op.results) == 1


def _post_dominators(nodes: list[Node]) -> None:
    """Immediate post-dominators, in reverse program order (a topological order of the DAG)."""
    for node in reversed(nodes):
        if node.escapes or not node.consumers:
            node.post_dominator, node.depth = None, 1
            continue
        common: Node | None = node.consumers[0]
        for other in node.consumers[1:]:
            common = _common_ancestor(common, other)
        node.post_dominator = common
        node.depth = 1 if common is None else common.depth + 1


def _common_ancestor(a: Node | None, b: Node | None) -> Node | None:
    while a is not None and b is not None and a is not b:
        if a.depth >= b.depth:
            a = a.post_dominator
        else:
            b = b.post_dominator
    return a if a is b else None


def _between(source: Node, sink: Node) -> list[Node]:
    """Every node on a path from `source` to its post-dominator `sink`, `sink` included."""
    seen: dict[Node, None] = {}
    stack = list(source.consumers)
    while stack:
        node = stack.pop()
        if node in seen:
            continue
        seen[node] = None
        if node is not sink:
            stack.extend(node.consumers)
    return list(seen)


# --------------------------------------------------------------------------- the rules


def _try_fuse(node: Node, phase: int, groups: dict[Node, Group], max_depth: int) -> None:
    sink = node.post_dominator
    if node.kind == OpPattern.OPAQUE or sink is None:
        return
    if groups[node].root() is groups[sink].root():
        return
    path = _between(node, sink)
    inner = [n for n in path if n is not sink]
    if node.kind in ANCHORS:
        allowed = phase == 0 and all(
            n.kind == OpPattern.ELEMWISE and groups[n].root().kind <= OpPattern.BROADCAST
            for n in path
        )
    elif node.kind <= OpPattern.BROADCAST:
        allowed = _takes_producers(sink.pattern) and all(
            n.kind <= OpPattern.INJECTIVE and groups[n].root().kind <= OpPattern.INJECTIVE
            for n in inner
        ) and groups[sink].root().kind != OpPattern.OPAQUE
    else:  # INJECTIVE
        allowed = phase == 1 and all(
            n.kind <= OpPattern.INJECTIVE and groups[n].root().kind <= OpPattern.INJECTIVE
            for n in path
        )
    if allowed:
        _commit(node, sink, path, groups, max_depth)


def _takes_producers(sink: KernelPattern) -> bool:
    """May an elementwise/broadcast producer be fused into (and inlined into) this kernel?"""
    if sink.kind <= OpPattern.REDUCTION:
        return True
    return sink.kind == OpPattern.OUT_EWISE_FUSABLE and not sink.contraction


def _commit(
    node: Node, sink: Node, path: list[Node], groups: dict[Node, Group], max_depth: int
) -> None:
    """Merge the groups of `node` and of every node on its paths into `sink`'s group."""
    roots = list(dict.fromkeys(groups[n].root() for n in [node, *path]))
    if sum(r.size for r in roots) > max_depth or sum(r.anchors for r in roots) > 1:
        return
    target = groups[sink].root()
    for root in roots:
        if root is target:
            continue
        root.parent = target
        target.size += root.size
        target.anchors += root.anchors
        target.kind = max(target.kind, root.kind)
