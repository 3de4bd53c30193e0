"""Shared behaviour of graph ops: the custom syntax, attribute access and result-type inference.

Every op with one result uses one custom syntax, MLIR's functional form with a short-hand:

    %y = graph.relu %x : tensor<2x3xf32>                       // every type is the same
    %y = graph.add %a, %b : (tensor<2x3xf32>, tensor<3xf32>) -> tensor<2x3xf32>
    %y = graph.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>

Parameters live in the attribute dictionary (inherent attributes), so the generic form is the
spec's: `"graph.transpose"(%x) {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>`.

An op class states its rule once, in `infer(operand_types, attributes)`; the verifier compares
the result type with it and the builder uses it to create result types.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    BFloat16Type,
    DenseArrayBase,
    Float16Type,
    Float32Type,
    Float64Type,
    FloatAttr,
    IntegerAttr,
    IntegerType,
    Signedness,
    StringAttr,
    TensorType,
)
from xdsl.ir import Attribute, SSAValue
from xdsl.irdl import IRDLOperation
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.utils.exceptions import VerifyException

from dialects.graph import shapes
from dialects.graph.shapes import fmt

FLOAT_TYPES = (Float16Type, BFloat16Type, Float32Type, Float64Type)
"""Element types of floating-point ops."""


def is_float(t: Attribute) -> bool:
    return isinstance(t, FLOAT_TYPES)


def is_int(t: Attribute) -> bool:
    """A signless integer of a width numpy has (the graph level has no `ui32`/`si32`)."""
    return (isinstance(t, IntegerType) and t.width.data in (8, 16, 32, 64)
            and t.signedness.data == Signedness.SIGNLESS)


def is_bool(t: Attribute) -> bool:
    return (isinstance(t, IntegerType) and t.width.data == 1
            and t.signedness.data == Signedness.SIGNLESS)


ELEMENT_TYPES = "f16, bf16, f32, f64, i1, i8, i16, i32, i64"
"""The element types graph tensors may have (those numpy can hold), as users write them."""


def check_element_type(t: TensorType, what: str) -> None:
    elem = t.element_type
    if not (is_float(elem) or is_int(elem) or is_bool(elem)):
        raise VerifyException(
            f"{what} has element type {elem}, which the graph dialect does not support "
            f"(expected one of {ELEMENT_TYPES})"
        )


def type_str(t: Attribute) -> str:
    return str(t)


def tensor(shape: Sequence[int], element_type: Attribute) -> TensorType:
    return TensorType(element_type, list(shape))


def expect_tensor(t: Attribute, what: str) -> TensorType:
    if not isinstance(t, TensorType):
        raise VerifyException(f"{what} must be a ranked tensor, got {t}")
    return t


# --- attribute readers: each names the attribute and what was expected -------------------------


def int_list(attrs: Mapping[str, Attribute], name: str, default: Sequence[int] | None = None
             ) -> list[int]:
    attr = attrs.get(name)
    if attr is None:
        if default is None:
            raise VerifyException(f"requires attribute '{name}' (array<i64: ...>)")
        return list(default)
    if not isinstance(attr, DenseArrayBase) or not isinstance(attr.elt_type, IntegerType):
        raise VerifyException(f"attribute '{name}' must be an integer array (array<i64: ...>), "
                              f"got {attr}")
    return list(attr.get_values())


def int_scalar(attrs: Mapping[str, Attribute], name: str, default: int | None = None) -> int:
    attr = attrs.get(name)
    if attr is None:
        if default is None:
            raise VerifyException(f"requires attribute '{name}' (an integer such as `1 : i64`)")
        return default
    if not isinstance(attr, IntegerAttr) or not is_int(attr.type):
        raise VerifyException(f"attribute '{name}' must be an integer (`N : i64`), got {attr}")
    return attr.value.data


def float_scalar(attrs: Mapping[str, Attribute], name: str, default: float | None = None
                 ) -> float | None:
    attr = attrs.get(name)
    if attr is None:
        return default
    if isinstance(attr, FloatAttr):
        return attr.value.data
    raise VerifyException(
        f"attribute '{name}' must be a float (`F : f32` or `F : f64`), got {attr}"
    )


def string(attrs: Mapping[str, Attribute], name: str) -> str:
    attr = attrs.get(name)
    if attr is None:
        raise VerifyException(f"requires attribute '{name}' (a string)")
    if not isinstance(attr, StringAttr):
        raise VerifyException(f"attribute '{name}' must be a string, got {attr}")
    return attr.data


def i64_array(values: Sequence[int]) -> DenseArrayBase:
    return DenseArrayBase.from_list(IntegerType(64), list(values))


def i64(value: int) -> IntegerAttr:
    return IntegerAttr(value, IntegerType(64))


def f32(value: float) -> FloatAttr:
    return FloatAttr(value, Float32Type())


# --- the op base class ---------------------------------------------------------------------------


class GraphOp(IRDLOperation):
    """A graph op with one tensor result, the shared custom syntax and a type-inference rule.

    Subclasses define `infer(operand_types, attributes) -> TensorType`; ops whose result type
    is given by the user (reshape, broadcast_to, cast) set `RESULT_GIVEN = True` and define
    `check(operand_types, result_type, attributes)` instead.
    """

    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ()
    """Attribute names the op understands; others are an error (catches misspelled names)."""

    RESULT_GIVEN: ClassVar[bool] = False

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        raise NotImplementedError

    @classmethod
    def check(cls, operand_types: Sequence[TensorType], result_type: TensorType,
              attributes: Mapping[str, Attribute]) -> None:
        inferred = cls.infer(operand_types, attributes)
        # MLIR's rule for inferred types: the stated type may be less static (`?` where the
        # rule knows the size) or more static (a size where the rule only knows `?`).
        if inferred.element_type != result_type.element_type or not shapes.compatible(
            shape_of(inferred), shape_of(result_type)
        ):
            raise VerifyException(
                f"result type {result_type} does not match the inferred type {inferred}"
            )

    def verify_(self) -> None:
        reject_unknown_attributes(self, self.KNOWN_ATTRS)
        types = [expect_tensor(o.type, f"operand #{i}") for i, o in enumerate(self.operands)]
        result = expect_tensor(self.results[0].type, "result")
        for i, t in enumerate(types):
            check_element_type(t, f"operand #{i}")
        check_element_type(result, "result")
        self.check(types, result, self.attributes)

    # --- syntax ---

    @classmethod
    def parse(cls, parser: Parser) -> GraphOp:
        operands = _parse_operand_uses(parser)
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        operand_types, result_type = _parse_signature(parser, len(operands))
        values = parser.resolve_operands(operands, operand_types, parser.pos)
        return cls.create(operands=values, result_types=[result_type], attributes=attrs)

    def print(self, printer: Printer) -> None:
        if self.operands:
            printer.print_string(" ")
            printer.print_list(self.operands, printer.print_operand)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        _print_signature(printer, [o.type for o in self.operands], self.results[0].type)


def reject_unknown_attributes(op: IRDLOperation, known: Sequence[str]) -> None:
    """Catch misspelled parameters (`stride` for `strides`) instead of silently ignoring them.

    Dialect-prefixed names (`foo.bar`) are discardable attributes, allowed on any op.
    """
    unknown = sorted(a for a in op.attributes if a not in known and "." not in a)
    if unknown:
        expected = ", ".join(f"'{a}'" for a in known) or "none"
        raise VerifyException(f"unknown attribute '{unknown[0]}' (expected: {expected})")


def _parse_operand_uses(parser: Parser):
    first = parser.parse_optional_unresolved_operand()
    if first is None:
        return []
    uses = [first]
    while parser.parse_optional_punctuation(",") is not None:
        uses.append(parser.parse_unresolved_operand())
    return uses


def _parse_signature(parser: Parser, n_operands: int) -> tuple[list[Attribute], Attribute]:
    """`T` (all the same) or `(T1, T2) -> R`."""
    if parser.parse_optional_punctuation("(") is not None:
        types: list[Attribute] = []
        if parser.parse_optional_punctuation(")") is None:
            types.append(parser.parse_type())
            while parser.parse_optional_punctuation(",") is not None:
                types.append(parser.parse_type())
            parser.parse_punctuation(")")
        parser.parse_punctuation("->")
        result = parser.parse_type()
        if len(types) != n_operands:
            parser.raise_error(f"expected {n_operands} operand types, got {len(types)}")
        return types, result
    single = parser.parse_type()
    return [single] * n_operands, single


def _print_signature(printer: Printer, operand_types: Sequence[Attribute], result: Attribute
                     ) -> None:
    if operand_types and all(t == result for t in operand_types):
        printer.print_attribute(result)
        return
    printer.print_string("(")
    printer.print_list(operand_types, printer.print_attribute)
    printer.print_string(") -> ")
    printer.print_attribute(result)


def same_element_types(types: Sequence[TensorType], what: str = "operands") -> Attribute:
    first = types[0].element_type
    for i, t in enumerate(types[1:], start=1):
        if t.element_type != first:
            raise VerifyException(
                f"{what} have different element types: #0 is {first}, #{i} is {t.element_type}"
            )
    return first


def require_float(t: TensorType, what: str = "operand") -> None:
    if not is_float(t.element_type):
        raise VerifyException(f"{what} must have a floating-point element type, got {t}")


def require_numeric(t: TensorType, what: str = "operand") -> None:
    """Arithmetic is not defined on i1 (numpy rejects `-` and `abs` on bool, for instance)."""
    if is_bool(t.element_type):
        raise VerifyException(f"{what} must have a numeric element type (not i1), got {t}")


def shape_of(t: TensorType) -> tuple[int, ...]:
    return tuple(t.get_shape())


__all__ = ["GraphOp", "SSAValue", "fmt"]
