"""The four ops of MLIR's `llvm` dialect that xDSL 0.74 lacks and our lowering needs.

`llvm.fptosi`, `llvm.fptoui`, `llvm.uitofp` (casts) and `llvm.extractelement`, with MLIR's
syntax, so that `mlir-translate --mlir-to-llvmir` accepts our output unchanged:

    %i = llvm.fptosi %x : f32 to i32
    %f = llvm.uitofp %n : i64 to f64
    %e = llvm.extractelement %v[%c3 : i64] : vector<16xf32>

`LLVM` below is xDSL's llvm dialect plus these ops; register it under the name `llvm` to parse
llvm-dialect text that uses them. `mlc_dialects.codegen.llvm_ir` translates them.
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects import llvm as xllvm
from xdsl.dialects.builtin import ArrayAttr, IntAttr, SignlessIntegerConstraint, VectorType
from xdsl.ir import Dialect, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    RangeOf,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    result_def,
    traits_def,
)
from xdsl.traits import NoMemoryEffect


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


EXTRA_OPS: list[type[Operation]] = [FPToSIOp, FPToUIOp, UIToFPOp, ExtractElementOp]

LLVM = Dialect(
    "llvm",
    [*xllvm.LLVM.operations, *EXTRA_OPS],
    list(xllvm.LLVM.attributes),
)
"""xDSL's llvm dialect plus EXTRA_OPS: what `mlc_dialects.context` should load as `llvm`."""
