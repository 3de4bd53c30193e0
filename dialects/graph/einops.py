"""einops `rearrange` patterns, parsed with lark: `"b c h w -> b (c h w)"`.

A pattern names the input's axes on the left and the output's on the right. Parentheses group
axes into one dimension; on the left a group is split, and each group may have at most one axis
whose size is not a literal number (it is inferred from the input dimension). `1` stands for a
unit axis. Every named axis appears exactly once on each side.

`plan(pattern, shape)` returns the three steps that implement it: reshape the input into its
elementary axes, transpose them into output order, reshape into the output groups. The verifier
uses the final shape; the interpreter and later lowering use the whole plan.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from lark import Lark, LarkError, Transformer

from dialects.graph.shapes import DYN, Shape, ShapeError, fmt

_GRAMMAR = r"""
    pattern: side "->" side
    side: item*
    ?item: group | axis
    group: "(" axis* ")"
    axis: NAME -> name
        | INT  -> number
    NAME: /[A-Za-z_][A-Za-z0-9_]*/
    %import common.INT
    %import common.WS
    %ignore WS
"""


@dataclass(frozen=True)
class Axis:
    name: str | None  # None for a literal size
    size: int | None  # the literal size, or None for a named axis


Group = tuple[Axis, ...]


class _ToGroups(Transformer[object, object]):
    def name(self, items: list[object]) -> Axis:
        return Axis(str(items[0]), None)

    def number(self, items: list[object]) -> Axis:
        return Axis(None, int(str(items[0])))

    def group(self, items: list[Axis]) -> Group:
        return tuple(items)

    def side(self, items: list[Axis | Group]) -> list[Group]:
        return [(i,) if isinstance(i, Axis) else i for i in items]

    def pattern(self, items: list[list[Group]]) -> tuple[list[Group], list[Group]]:
        return items[0], items[1]


_PARSER = Lark(_GRAMMAR, start="pattern", parser="lalr")


@dataclass(frozen=True)
class RearrangePlan:
    """reshape(input, split_shape) -> transpose(perm) -> reshape(output_shape)."""

    split_shape: Shape
    perm: tuple[int, ...]
    output_shape: Shape


@cache
def parse(pattern: str) -> tuple[tuple[Group, ...], tuple[Group, ...]]:
    try:
        lhs, rhs = _ToGroups().transform(_PARSER.parse(pattern))  # type: ignore[misc]
    except LarkError as err:
        first = str(err).strip().split("\n")[0]
        raise ShapeError(f"cannot parse rearrange pattern '{pattern}': {first}") from None
    return tuple(lhs), tuple(rhs)


def _names(side: Sequence[Group]) -> list[str]:
    return [a.name for g in side for a in g if a.name is not None]


def plan(pattern: str, shape: Sequence[int]) -> RearrangePlan:
    lhs, rhs = parse(pattern)
    left, right = _names(lhs), _names(rhs)
    for side, names in (("left", left), ("right", right)):
        dup = {n for n in names if names.count(n) > 1}
        if dup:
            raise ShapeError(f"rearrange pattern '{pattern}' repeats {sorted(dup)} on the {side}")
    if set(left) != set(right):
        raise ShapeError(
            f"rearrange pattern '{pattern}': axes {sorted(set(left) ^ set(right))} "
            "appear on one side only"
        )
    if len(lhs) != len(shape):
        raise ShapeError(
            f"rearrange pattern '{pattern}' describes {len(lhs)} input dimensions, "
            f"input has shape {fmt(shape)}"
        )
    sizes: dict[str, int] = {}
    elementary: list[tuple[str | None, int]] = []
    for group, dim in zip(lhs, shape, strict=True):
        unknown = [a for a in group if a.size is None]
        for a in group:
            if a.size not in (None, 1):
                raise ShapeError(
                    f"rearrange pattern '{pattern}': only 1 may appear as a literal, "
                    f"got {a.size}"
                )
        known = 1
        for a in group:
            known *= a.size or 1
        if len(unknown) > 1 and len(group) > 1:
            raise ShapeError(
                f"rearrange pattern '{pattern}': group {_group_text(group)} has more than one "
                "axis of unknown size"
            )
        if unknown:
            if dim == DYN:
                size = DYN
            elif dim % known:
                raise ShapeError(
                    f"rearrange pattern '{pattern}': dimension {dim} is not divisible by {known}"
                )
            else:
                size = dim // known
            sizes[unknown[0].name or ""] = size
        elif dim not in (known, DYN):
            raise ShapeError(
                f"rearrange pattern '{pattern}': group {_group_text(group)} has size {known}, "
                f"input dimension is {dim}"
            )
        for a in group:
            elementary.append((a.name, sizes[a.name] if a.name is not None else a.size or 1))
    named_pos = {n: i for i, (n, _) in enumerate(elementary) if n is not None}
    perm = tuple(named_pos[n] for n in right)
    # Literal axes on the left (e.g. `1`) are dropped; literal 1s on the right are inserted.
    split_shape = tuple(s for _, s in elementary)
    out: list[int] = []
    for group in rhs:
        size = 1
        for a in group:
            if a.name is None:
                if a.size != 1:
                    raise ShapeError(
                        f"rearrange pattern '{pattern}': only 1 may appear as a literal, "
                        f"got {a.size}"
                    )
                continue
            s = sizes[a.name]
            size = DYN if DYN in (size, s) else size * s
        out.append(size)
    perm_full = perm
    if len(perm_full) != len(split_shape):
        # Dropped literal axes have size 1 (checked above): keep them first in the transpose.
        literal = [i for i, (n, _) in enumerate(elementary) if n is None]
        perm_full = (*literal, *perm)
    return RearrangePlan(split_shape, perm_full, tuple(out))


def _group_text(group: Group) -> str:
    return "(" + " ".join(a.name or str(a.size) for a in group) + ")"


def output_shape(pattern: str, shape: Sequence[int]) -> Shape:
    return plan(pattern, shape).output_shape
