"""Lane-wise compares, selects and casts on 1-D vectors: what xDSL 0.74's `arith` cannot type.

xDSL 0.74 gives `arith.cmpf`/`arith.cmpi` an `i1` result only, `arith.select` an `i1`
condition only, and its integer casts (`sitofp`, `fptosi`, `extsi`, ...) scalar operands only,
so their vector forms (which MLIR's `arith` has) do not verify. These four ops are those
vector forms, produced by the vectorizer (`convert-loops-to-hw`) and by the polynomial math
expansions (`lower-math-to-polynomials`), and lowered by `convert-hw-to-llvm` to the llvm ops
that LLVM already runs lane by lane (`fcmp`, `icmp`, `select`, the casts). On scalars, use
`arith`.

Example:
    %m = hw.vcmpf "olt", %a, %b : vector<16xf32> -> vector<16xi1>
    %s = hw.vselect %m, %a, %b : vector<16xi1>, vector<16xf32>
    %i = hw.vcast "fptosi" %s : vector<16xf32> to vector<16xi32>
"""

from __future__ import annotations

from typing import ClassVar

from xdsl.dialects.builtin import (
    I1,
    AnyFloat,
    IndexType,
    IntegerType,
    StringAttr,
    VectorType,
    i1,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.irdl import (
    AnyAttr,
    IRDLOperation,
    VarConstraint,
    irdl_op_definition,
    operand_def,
    prop_def,
    result_def,
    traits_def,
)
from xdsl.traits import Pure
from xdsl.utils.exceptions import VerifyException

FLOAT_PREDICATES = ("false", "oeq", "ogt", "oge", "olt", "ole", "one", "ord", "ueq", "ugt",
                    "uge", "ult", "ule", "une", "uno", "true")
"""`hw.vcmpf` predicates, in the order of `arith.cmpf`'s (and llvm's fcmp) numbering."""

INT_PREDICATES = ("eq", "ne", "slt", "sle", "sgt", "sge", "ult", "ule", "ugt", "uge")
"""`hw.vcmpi` predicates, in the order of `arith.cmpi`'s (and llvm's icmp) numbering."""

CAST_KINDS = ("sitofp", "uitofp", "fptosi", "fptoui", "extsi", "extui", "trunci")
"""`hw.vcast` kinds: the `arith` casts whose vector forms xDSL 0.74 rejects."""


def _lanes(t: Attribute) -> tuple[int, ...] | None:
    return t.get_shape() if isinstance(t, VectorType) else None


def _is_int(t: Attribute) -> bool:
    return isinstance(t, IntegerType | IndexType)


def _int_width(t: Attribute) -> int:
    return t.width.data if isinstance(t, IntegerType) else 64


def _check_vector(op: Operation, what: str, t: Attribute) -> VectorType:
    if not isinstance(t, VectorType) or len(t.get_shape()) != 1:
        raise VerifyException(f"'{op.name}' op {what} must be a 1-D vector, got {t}")
    return t


def _check_same_lanes(op: Operation, a_name: str, a: Attribute, b_name: str,
                      b: Attribute) -> None:
    if _lanes(a) != _lanes(b):
        raise VerifyException(
            f"'{op.name}' op {a_name} and {b_name} differ in lanes: {a_name} is {a}, "
            f"{b_name} is {b}")


class _VectorCompare(IRDLOperation):
    """Shared by `hw.vcmpf` and `hw.vcmpi`: two vectors of one type -> a vector of i1."""

    PREDICATES: ClassVar[tuple[str, ...]] = ()

    T: ClassVar = VarConstraint("T", AnyAttr())

    predicate = prop_def(StringAttr)
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(VectorType.constr(I1))

    traits = traits_def(Pure())

    assembly_format = ("$predicate `,` $lhs `,` $rhs attr-dict `:` type($lhs) `->` "
                       "type($result)")

    def __init__(self, predicate: str, lhs: SSAValue | Operation, rhs: SSAValue | Operation):
        t = SSAValue.get(lhs).type
        assert isinstance(t, VectorType)
        super().__init__(operands=[lhs, rhs], result_types=[VectorType(i1, t.get_shape())],
                         properties={"predicate": StringAttr(predicate)})

    @property
    def predicate_index(self) -> int:
        """The predicate's number in `arith`'s (and llvm's) numbering."""
        return self.PREDICATES.index(self.predicate.data)

    def check_element(self, element: Attribute) -> bool:
        raise NotImplementedError

    def verify_(self) -> None:
        t = _check_vector(self, "operand", self.lhs.type)
        if not self.check_element(t.element_type):
            raise VerifyException(f"'{self.name}' op cannot compare {t}")
        if self.predicate.data not in self.PREDICATES:
            raise VerifyException(
                f"'{self.name}' op unknown predicate \"{self.predicate.data}\"; expected one "
                f"of {', '.join(self.PREDICATES)}")
        _check_same_lanes(self, "operand", t, "result", self.result.type)


@irdl_op_definition
class VCmpfOp(_VectorCompare):
    """Compare two float vectors lane by lane, as `arith.cmpf` does scalars.

    Predicates as `arith.cmpf`'s: ordered (`o..`, false when a lane is NaN), unordered
    (`u..`, true when a lane is NaN), `ord`, `uno`, `true`, `false`.

    Example:
        %m = hw.vcmpf "olt", %a, %b : vector<16xf32> -> vector<16xi1>
    """

    name = "hw.vcmpf"

    PREDICATES: ClassVar[tuple[str, ...]] = FLOAT_PREDICATES

    def check_element(self, element: Attribute) -> bool:
        return isinstance(element, AnyFloat)


@irdl_op_definition
class VCmpiOp(_VectorCompare):
    """Compare two integer (or index) vectors lane by lane, as `arith.cmpi` does scalars.

    Example:
        %m = hw.vcmpi "slt", %a, %b : vector<16xi32> -> vector<16xi1>
    """

    name = "hw.vcmpi"

    PREDICATES: ClassVar[tuple[str, ...]] = INT_PREDICATES

    def check_element(self, element: Attribute) -> bool:
        return _is_int(element)


@irdl_op_definition
class VSelectOp(IRDLOperation):
    """Lane i of the result is `lhs[i]` where `cond[i]`, else `rhs[i]`.

    (`arith.select` with a scalar `i1` condition chooses whole vectors; use it for that.)

    Example:
        %s = hw.vselect %m, %a, %b : vector<16xi1>, vector<16xf32>
    """

    name = "hw.vselect"

    T: ClassVar = VarConstraint("T", AnyAttr())

    cond = operand_def(VectorType.constr(I1))
    lhs = operand_def(T)
    rhs = operand_def(T)
    result = result_def(T)

    traits = traits_def(Pure())

    assembly_format = "$cond `,` $lhs `,` $rhs attr-dict `:` type($cond) `,` type($result)"

    def __init__(self, cond: SSAValue | Operation, lhs: SSAValue | Operation,
                 rhs: SSAValue | Operation):
        super().__init__(operands=[cond, lhs, rhs], result_types=[SSAValue.get(lhs).type])

    def verify_(self) -> None:
        _check_vector(self, "value", self.result.type)
        _check_same_lanes(self, "condition", self.cond.type, "value", self.result.type)


@irdl_op_definition
class VCastOp(IRDLOperation):
    """Convert each lane, as the `arith` cast named by `kind` does a scalar.

    Kinds: `sitofp`/`uitofp` (integer to float, rounding to nearest), `fptosi`/`fptoui`
    (float to integer, toward zero; out of range is poison), `extsi`/`extui` (widen an
    integer), `trunci` (keep the low bits).

    Example:
        %f = hw.vcast "sitofp" %n : vector<16xi32> to vector<16xf32>
    """

    name = "hw.vcast"

    kind = prop_def(StringAttr)
    input = operand_def(VectorType)
    result = result_def(VectorType)

    traits = traits_def(Pure())

    assembly_format = "$kind $input attr-dict `:` type($input) `to` type($result)"

    def __init__(self, kind: str, value: SSAValue | Operation, result_type: Attribute):
        super().__init__(operands=[value], result_types=[result_type],
                         properties={"kind": StringAttr(kind)})

    def verify_(self) -> None:
        kind = self.kind.data
        source = _check_vector(self, "operand", self.input.type)
        target = _check_vector(self, "result", self.result.type)
        _check_same_lanes(self, "operand", source, "result", target)
        src, dst = source.element_type, target.element_type
        if kind not in CAST_KINDS:
            raise VerifyException(f"'{self.name}' op unknown kind \"{kind}\"; expected one "
                                  f"of {', '.join(CAST_KINDS)}")
        ok = {
            "sitofp": _is_int(src) and isinstance(dst, AnyFloat),
            "uitofp": _is_int(src) and isinstance(dst, AnyFloat),
            "fptosi": isinstance(src, AnyFloat) and _is_int(dst),
            "fptoui": isinstance(src, AnyFloat) and _is_int(dst),
            "extsi": _is_int(src) and _is_int(dst) and _int_width(src) < _int_width(dst),
            "extui": _is_int(src) and _is_int(dst) and _int_width(src) < _int_width(dst),
            "trunci": _is_int(src) and _is_int(dst) and _int_width(src) > _int_width(dst),
        }[kind]
        if not ok:
            raise VerifyException(
                f"'{self.name}' op \"{kind}\" cannot convert {source} to {target}")


VECTOR_OPS: list[type[Operation]] = [VCmpfOp, VCmpiOp, VSelectOp, VCastOp]
"""The ops of this file, for the `Hw` dialect's list."""

ARITH_CAST_KINDS = {
    "arith.sitofp": "sitofp", "arith.uitofp": "uitofp", "arith.fptosi": "fptosi",
    "arith.fptoui": "fptoui", "arith.extsi": "extsi", "arith.extui": "extui",
    "arith.trunci": "trunci",
}
"""The `hw.vcast` kind that does what each `arith` cast does on a scalar."""
