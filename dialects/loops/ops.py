"""The `loops.for` operation: one counted loop, used at the tensor level and below.

The same op is used around `tensor.block`s and, after `tensor-lower-blocks`, around plain
loads and stores, so lowering blocks only removes blocks (DESIGN.md). Bounds and step are
static integers for now; they are properties rather than operands so that schedule primitives
(split, fuse, reorder, ...) can read and rewrite them without constant folding. Dynamic bounds
can be added later as optional operands next to the static properties, MLIR's
`affine.for`/`scf.forall` style.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    DictionaryAttr,
    IndexType,
    IntegerAttr,
    StringAttr,
)
from xdsl.ir import Attribute, Block, Region
from xdsl.irdl import (
    IRDLOperation,
    irdl_op_definition,
    opt_prop_def,
    prop_def,
    region_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import NoTerminator, RecursiveMemoryEffect
from xdsl.utils.exceptions import VerifyException

LOOP_KINDS: tuple[str, ...] = ("serial", "parallel", "vectorized", "unrolled")
"""Loop kinds, as TVM's ForKind: how the iterations may be executed. All are serial in meaning."""


def _index_attr(value: int | IntegerAttr) -> IntegerAttr:
    if isinstance(value, IntegerAttr):
        return value
    return IntegerAttr(value, IndexType())


class StaticRange:
    """Integer views of static `lower_bound`, `upper_bound` and `step` properties (index
    IntegerAttrs), shared by ops that iterate over a range (loops.for, hw.parallel_launch);
    schedule code should use these, not the attributes."""

    @property
    def lb(self) -> int:
        return self.lower_bound.value.data  # type: ignore[attr-defined]

    @property
    def ub(self) -> int:
        return self.upper_bound.value.data  # type: ignore[attr-defined]

    @property
    def step_value(self) -> int:
        return self.step.value.data  # type: ignore[attr-defined]

    @property
    def extent(self) -> int:
        """Number of iterations."""
        return max(0, -(-(self.ub - self.lb) // self.step_value))


@irdl_op_definition
class ForOp(StaticRange, IRDLOperation):
    """A counted loop over `[lower_bound, upper_bound)` with a step, a kind and annotations.

    The body is a single block whose only argument is the induction variable (`index`). There
    is no terminator and no loop-carried value: loops at this level communicate through
    buffers. The kind says how iterations may be executed (`serial`, `parallel` across
    threads, `vectorized` into SIMD lanes, `unrolled`); every kind has the meaning of the
    serial loop, and schedule primitives check that a kind is legal before setting it.
    `annotations` carries free-form hints (TVM's loop annotations, e.g.
    `pragma_auto_unroll_max_step`). In the custom syntax a step of 1, the `serial` kind and
    empty annotations are omitted.

    Example:
    ```mlir
    loops.for %i = 0 to 128 parallel {
      loops.for %j = 0 to 128 step 4 vectorized annotations {unroll_hint = 4 : i64} {
        ...
      }
    }
    // generic form
    "loops.for"() <{lower_bound = 0 : index, upper_bound = 128 : index, step = 1 : index,
                    kind = "serial"}> ({
    ^bb0(%i : index):
      ...
    }) : () -> ()
    ```
    """

    name = "loops.for"

    lower_bound = prop_def(IntegerAttr[IndexType])
    upper_bound = prop_def(IntegerAttr[IndexType])
    step = prop_def(IntegerAttr[IndexType])
    kind = prop_def(StringAttr)
    annotations = opt_prop_def(DictionaryAttr)

    body = region_def("single_block")

    traits = traits_def(NoTerminator(), RecursiveMemoryEffect())

    KINDS: ClassVar[tuple[str, ...]] = LOOP_KINDS

    def __init__(
        self,
        lower_bound: int | IntegerAttr,
        upper_bound: int | IntegerAttr,
        body: Region | Block | None = None,
        *,
        step: int | IntegerAttr = 1,
        kind: str = "serial",
        annotations: Mapping[str, Attribute] | DictionaryAttr | None = None,
        iv_name: str | None = None,
    ):
        if body is None:
            body = Block(arg_types=[IndexType()])
        if isinstance(body, Block):
            body = Region(body)
        if iv_name is not None and body.blocks and body.block.args:
            body.block.args[0].name_hint = iv_name
        props: dict[str, Attribute] = {
            "lower_bound": _index_attr(lower_bound),
            "upper_bound": _index_attr(upper_bound),
            "step": _index_attr(step),
            "kind": StringAttr(kind),
        }
        if annotations:
            props["annotations"] = (
                annotations
                if isinstance(annotations, DictionaryAttr)
                else DictionaryAttr(dict(annotations))
            )
        super().__init__(properties=props, regions=[body])


    @property
    def iv(self):
        """The induction variable (the body block's only argument)."""
        return self.body.block.args[0]

    @property
    def kind_name(self) -> str:
        return self.kind.data

    def annotation_dict(self) -> dict[str, Attribute]:
        return dict(self.annotations.data) if self.annotations is not None else {}

    def verify_(self) -> None:
        if self.kind.data not in LOOP_KINDS:
            raise VerifyException(
                f"kind must be one of {', '.join(LOOP_KINDS)}, got '{self.kind.data}'"
            )
        if self.step_value <= 0:
            raise VerifyException(f"step must be positive, got {self.step_value}")
        block = self.body.block
        if len(block.args) != 1 or not isinstance(block.args[0].type, IndexType):
            types = ", ".join(str(a.type) for a in block.args) or "none"
            raise VerifyException(
                f"body must have exactly one 'index' argument (the induction variable), "
                f"got ({types})"
            )

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_ssa_value(self.iv)
        printer.print_string(f" = {self.lb} to {self.ub}")
        if self.step_value != 1:
            printer.print_string(f" step {self.step_value}")
        if self.kind.data != "serial":
            printer.print_string(f" {self.kind.data}")
        if self.annotations is not None and self.annotations.data:
            printer.print_string(" annotations ")
            printer.print_attribute(self.annotations)
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False, print_empty_block=False)
        printer.print_op_attributes(self.attributes, print_keyword=True)

    @classmethod
    def parse(cls, parser: Parser) -> ForOp:
        iv = parser.parse_argument(expect_type=False).resolve(IndexType())
        parser.parse_punctuation("=")
        lb = parser.parse_integer(allow_boolean=False)
        parser.parse_keyword("to")
        ub = parser.parse_integer(allow_boolean=False)
        step = 1
        if parser.parse_optional_keyword("step") is not None:
            step = parser.parse_integer(allow_boolean=False, allow_negative=False)
        kind, annotations = "serial", None
        word_start = parser.pos
        word = parser.parse_optional_identifier()
        if word is not None and word != "annotations":
            if word not in LOOP_KINDS:
                parser.raise_error(
                    f"unknown loop kind '{word}' (expected {', '.join(LOOP_KINDS)})",
                    word_start,
                    parser.pos,
                )
            kind = word
            word = parser.parse_optional_identifier()
        if word is not None:
            if word != "annotations":
                parser.raise_error("expected 'annotations' or the loop body")
            annotations = parser.parse_optional_dictionary_attr_dict()
        body = parser.parse_region((iv,))
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(lb, ub, body, step=step, kind=kind, annotations=annotations)
        if attrs is not None:
            op.attributes |= attrs.data
        return op


def for_nest(extents: Sequence[int], names: Sequence[str] | None = None) -> list[ForOp]:
    """Perfectly nested serial loops `for i0 in range(e0): for i1 in range(e1): ...`.

    Returns the loops outermost first; the caller fills the innermost body.
    """
    loops: list[ForOp] = []
    for index, extent in enumerate(extents):
        loop = ForOp(0, extent, iv_name=names[index] if names else None)
        if loops:
            loops[-1].body.block.add_op(loop)
        loops.append(loop)
    return loops
