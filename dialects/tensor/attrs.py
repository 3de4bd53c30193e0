"""Attributes of the `tensor` dialect: the access region of a block on one buffer."""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects.builtin import AffineMapAttr, ArrayAttr, IntAttr
from xdsl.ir import ParametrizedAttribute
from xdsl.ir.affine import AffineExpr, AffineMap
from xdsl.irdl import irdl_attr_definition
from xdsl.parser import AttrParser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException


@irdl_attr_definition
class AccessRegionAttr(ParametrizedAttribute):
    """The part of a buffer a block reads or writes, over the block's iterators.

    `starts` maps the block iterators (its dimensions) to the first index accessed in each
    buffer dimension; `extents` gives the (constant) number of indices accessed from there.
    A point access `A[vi, vk]` has extents all 1; `A[vi, 0:128]` reads a whole row. In the
    custom syntax of `tensor.block` regions are written inline (`%A[%vi, 0:128]`); the
    generic form of the attribute is:

    Example:
    ```mlir
    #tensor.region<affine_map<(d0, d1, d2) -> (d0, d2)>>              // A[vi, vk]
    #tensor.region<affine_map<(d0) -> (d0, 0)>, [1, 128]>             // A[vi, 0:128]
    ```
    """

    name = "tensor.region"

    starts: AffineMapAttr
    extents: ArrayAttr[IntAttr]

    def __init__(self, starts: AffineMap | AffineMapAttr, extents: Sequence[int] | None = None):
        if isinstance(starts, AffineMap):
            starts = AffineMapAttr(starts)
        if extents is None:
            extents = [1] * len(starts.data.results)
        super().__init__(starts, ArrayAttr([IntAttr(e) for e in extents]))

    @staticmethod
    def point(num_iters: int, indices: Sequence[AffineExpr]) -> AccessRegionAttr:
        """The region of one element, `buffer[indices]`, over `num_iters` iterators."""
        return AccessRegionAttr(AffineMap(num_iters, 0, tuple(indices)))

    @property
    def map(self) -> AffineMap:
        return self.starts.data

    @property
    def extent_values(self) -> tuple[int, ...]:
        return tuple(e.data for e in self.extents.data)

    @property
    def is_point(self) -> bool:
        return all(e == 1 for e in self.extent_values)

    def verify(self) -> None:
        if len(self.extents.data) != len(self.map.results):
            raise VerifyException(
                f"tensor.region has {len(self.map.results)} start indices but "
                f"{len(self.extents.data)} extents"
            )
        if any(e <= 0 for e in self.extent_values):
            raise VerifyException(
                f"tensor.region extents must be positive, got {self.extent_values}"
            )

    def print_parameters(self, printer: Printer) -> None:
        with printer.in_angle_brackets():
            printer.print_attribute(self.starts)
            if not self.is_point:
                printer.print_string(", [")
                printer.print_string(", ".join(str(e) for e in self.extent_values))
                printer.print_string("]")

    @classmethod
    def parse_parameters(cls, parser: AttrParser) -> Sequence[object]:
        with parser.in_angle_brackets():
            starts = parser.parse_attribute()
            if not isinstance(starts, AffineMapAttr):
                parser.raise_error("expected an affine_map as the start of a tensor.region")
            extents = [1] * len(starts.data.results)
            if parser.parse_optional_punctuation(",") is not None:
                extents = parser.parse_comma_separated_list(
                    parser.Delimiter.SQUARE, parser.parse_integer
                )
        return (starts, ArrayAttr([IntAttr(e) for e in extents]))
