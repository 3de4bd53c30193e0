"""The ops of MLIR's `llvm` dialect that xDSL 0.74 lacks or types too narrowly.

`llvm.fptosi`, `llvm.fptoui`, `llvm.uitofp` (casts) and `llvm.extractelement` are missing;
xDSL's `llvm.fcmp` and `llvm.select` accept only scalar `i1` results and conditions, where
MLIR (and LLVM) also compare and select lane by lane on vectors. We declare all six with
MLIR's syntax, so that `mlir-translate --mlir-to-llvmir` accepts our output unchanged:

    %i = llvm.fptosi %x : f32 to i32
    %f = llvm.uitofp %n : i64 to f64
    %e = llvm.extractelement %v[%c3 : i64] : vector<16xf32>
    %m = llvm.fcmp "olt" %a, %b : vector<16xf32>               // -> vector<16xi1>
    %s = llvm.select %m, %a, %b : vector<16xi1>, vector<16xf32>

`LLVM` below is xDSL's llvm dialect with these ops (the two widened ones replace xDSL's);
register it under the name `llvm` to parse llvm-dialect text that uses them.
`mlc_dialects.codegen.llvm_ir` translates them (the widened ones are subclasses of xDSL's, so
xDSL's translation, which llvmlite already does per lane on vectors, handles them).
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects import llvm as xllvm
from xdsl.dialects.builtin import (
    I1,
    AnyFloatConstr,
    ArrayAttr,
    IntAttr,
    IntegerAttr,
    IntegerType,
    SignlessIntegerConstraint,
    VectorType,
    i1,
    i64,
)
from xdsl.ir import Attribute, Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    ParsePropInAttrDict,
    RangeOf,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import NoMemoryEffect, Pure
from xdsl.utils.exceptions import VerifyException


@irdl_op_definition
class FPToSIOp(xllvm.GenericCastOp):
    """Float to signed integer, rounding toward zero; poison when out of range."""

    name = "llvm.fptosi"


@irdl_op_definition
class FPToUIOp(xllvm.GenericCastOp):
    """Float to unsigned integer, rounding toward zero; poison when out of range."""

    name = "llvm.fptoui"


@irdl_op_definition
class UIToFPOp(xllvm.GenericCastOp):
    """Unsigned integer to float, rounding to nearest."""

    name = "llvm.uitofp"


@irdl_op_definition
class ExtractElementOp(IRDLOperation):
    """Element `position` of a 1-D vector.

    Example:
        %e = llvm.extractelement %v[%i : i64] : vector<16xf32>
    """

    name = "llvm.extractelement"

    ELEMENT: ClassVar = VarConstraint("ELEMENT", AnyAttr())
    VECTOR: ClassVar = VarConstraint(
        "VECTOR_T",
        VectorType.constr(ELEMENT, shape=ArrayAttr.constr(RangeOf(IntAttr).of_length(1))),
    )

    vector = operand_def(VECTOR)
    position = operand_def(SignlessIntegerConstraint)
    res = result_def(ELEMENT)

    assembly_format = "$vector `[` $position `:` type($position) `]` attr-dict `:` type($vector)"

    traits = traits_def(NoMemoryEffect())

    def __init__(self, vector: SSAValue | Operation, position: SSAValue | Operation):
        vec_type = SSAValue.get(vector).type
        assert isinstance(vec_type, VectorType)
        super().__init__(operands=[vector, position], result_types=[vec_type.element_type])


def _mask_type(t: Attribute) -> Attribute:
    """`i1`, or `vector<N x i1>` for a vector type of N lanes."""
    return VectorType(i1, t.get_shape()) if isinstance(t, VectorType) else i1


def _check_lanes(op: Operation, mask: Attribute, value: Attribute) -> None:
    if isinstance(mask, VectorType) != isinstance(value, VectorType) or (
            isinstance(mask, VectorType) and isinstance(value, VectorType)
            and mask.get_shape() != value.get_shape()):
        raise VerifyException(
            f"'{op.name}' op mask and value differ in shape: mask is {mask}, value is {value}")


@irdl_op_definition
class FCmpOp(IRDLOperation):
    """Float comparison of scalars, or of vectors lane by lane (an `i1` per lane).

    The predicate is one of llvm's (`oeq`, `olt`, `uno`, ...), numbered as in
    `xdsl.dialects.llvm.FCmpPredicateFlag`.

    Example:
        %m = llvm.fcmp "uno" %x, %x : vector<16xf32>
    """

    name = "llvm.fcmp"

    T: ClassVar = VarConstraint("T", AnyFloatConstr | VectorType.constr(AnyFloatConstr))

    lhs = operand_def(T)
    rhs = operand_def(T)
    res = result_def(I1 | VectorType.constr(I1))
    predicate = prop_def(IntegerAttr[i64])
    fastmathFlags = prop_def(xllvm.FastMathAttr, default_value=xllvm.FastMathAttr(None))

    traits = traits_def(Pure())

    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, lhs: Operation | SSAValue, rhs: Operation | SSAValue,
                 predicate: str | IntegerAttr[IntegerType],
                 attributes: dict[str, Attribute] | None = None):
        if isinstance(predicate, str):
            predicate = IntegerAttr(xllvm.FCmpPredicateFlag(predicate).to_int(), i64)
        super().__init__(
            operands=[lhs, rhs], result_types=[_mask_type(SSAValue.get(lhs).type)],
            attributes=attributes or {}, properties={"predicate": predicate})

    @property
    def flag(self) -> str:
        """The predicate's name: `olt`, `uno`, ..."""
        return xllvm.FCmpPredicateFlag.from_int(self.predicate.value.data).value

    @classmethod
    def parse(cls, parser: Parser) -> FCmpOp:
        predicate = parser.parse_str_literal()
        lhs = parser.parse_unresolved_operand()
        parser.parse_characters(",")
        rhs = parser.parse_unresolved_operand()
        attributes = parser.parse_optional_attr_dict()
        parser.parse_characters(":")
        t = parser.parse_type()
        operands = parser.resolve_operands([lhs, rhs], [t, t], parser.pos)
        op = cls(operands[0], operands[1], predicate)
        if "fastmathFlags" in attributes:
            op.properties["fastmathFlags"] = attributes.pop("fastmathFlags")
        op.attributes |= attributes
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(f' "{self.flag}" ')
        printer.print_ssa_value(self.lhs)
        printer.print_string(", ")
        printer.print_ssa_value(self.rhs)
        printer.print_op_attributes(self.attributes)
        printer.print_string(" : ")
        printer.print_attribute(self.lhs.type)

    def verify_(self) -> None:
        _check_lanes(self, self.res.type, self.lhs.type)


@irdl_op_definition
class SelectOp(IRDLOperation):
    """`cond ? lhs : rhs`; with a `vector<N x i1>` condition, lane by lane.

    Example:
        %s = llvm.select %m, %a, %b : vector<16xi1>, vector<16xf32>
    """

    name = "llvm.select"

    T: ClassVar = VarConstraint("T", AnyAttr())

    cond = operand_def(I1 | VectorType.constr(I1))
    lhs = operand_def(T)
    rhs = operand_def(T)
    res = result_def(T)
    fastmathFlags = prop_def(xllvm.FastMathAttr, default_value=xllvm.FastMathAttr(None))

    traits = traits_def(Pure())

    assembly_format = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` type($res)"

    irdl_options = (ParsePropInAttrDict(),)

    def __init__(self, cond: Operation | SSAValue, lhs: Operation | SSAValue,
                 rhs: Operation | SSAValue):
        super().__init__(operands=[cond, lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        if isinstance(self.cond.type, VectorType):
            _check_lanes(self, self.cond.type, self.res.type)


EXTRA_OPS: list[type[Operation]] = [FPToSIOp, FPToUIOp, UIToFPOp, ExtractElementOp]
WIDENED_OPS: list[type[Operation]] = [FCmpOp, SelectOp]
"""Replace xDSL's ops of the same names: they also take vectors."""

LLVM = Dialect(
    "llvm",
    [*(op for op in xllvm.LLVM.operations if op not in (xllvm.FCmpOp, xllvm.SelectOp)),
     *EXTRA_OPS, *WIDENED_OPS],
    list(xllvm.LLVM.attributes),
)
"""xDSL's llvm dialect plus EXTRA_OPS and WIDENED_OPS: what `mlc_dialects.context` should load
as `llvm`."""
