"""The graph dialect's operations: the contract of ../shared/spec/graph-ops.md.

Each class states its operands, the attributes it understands and its type rule. Semantics are
numpy's unless the docstring says otherwise; where ONNX has the same operator, its semantics
apply. The reference semantics live in `dialects.graph.interp`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import ClassVar

from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FunctionType,
    MemRefType,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute, Block, Region, SSAValue
from xdsl.irdl import (
    IRDLOperation,
    attr_def,
    irdl_op_definition,
    lazy_traits_def,
    operand_def,
    opt_attr_def,
    opt_operand_def,
    region_def,
    result_def,
    traits_def,
    var_operand_def,
    var_result_def,
)
from xdsl.parser import Parser
from xdsl.printer import Printer
from xdsl.traits import HasParent, IsTerminator, Pure, SymbolTable
from xdsl.utils.exceptions import VerifyException

from dialects.graph import einops, shapes
from dialects.graph.base import (
    GraphOp,
    check_element_type,
    expect_tensor,
    float_scalar,
    int_list,
    int_scalar,
    is_bool,
    reject_unknown_attributes,
    require_float,
    require_numeric,
    same_element_types,
    shape_of,
    string,
    tensor,
)
from dialects.graph.shapes import fmt

AnyTensor = TensorType

# ================================================================================================
# Structure
# ================================================================================================


@irdl_op_definition
class ConstantOp(IRDLOperation):
    """A constant tensor (weights).

    The `value` attribute is a dense elements attribute whose type is the result type.

    Example:
        %w = graph.constant dense<[[1.0, 2.0]]> : tensor<1x2xf32>
    """

    name = "graph.constant"
    value = attr_def(DenseIntOrFPElementsAttr)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    def __init__(self, value: DenseIntOrFPElementsAttr):
        super().__init__(attributes={"value": value}, result_types=[value.type])

    def verify_(self) -> None:
        reject_unknown_attributes(self, ("value",))
        if self.value.type != self.result.type:
            raise VerifyException(
                f"value type {self.value.type} does not match the result type {self.result.type}"
            )
        check_element_type(expect_tensor(self.result.type, "result"), "result")

    @classmethod
    def parse(cls, parser: Parser) -> ConstantOp:
        value = parser.parse_attribute()
        if not isinstance(value, DenseIntOrFPElementsAttr):
            parser.raise_error(f"expected dense elements (dense<...> : tensor<...>), got {value}")
        extra = parser.parse_optional_attr_dict()
        op = cls(value)
        op.attributes.update(extra)
        return op

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.value)
        printer.print_op_attributes(self.attributes, reserved_attr_names=("value",))


@irdl_op_definition
class OutputOp(IRDLOperation):
    """Terminator of `graph.dataflow`: the values that leave the region.

    Example:
        graph.output %y, %z : tensor<4xf32>, tensor<2xf32>
    """

    name = "graph.output"
    values = var_operand_def()
    traits = lazy_traits_def(lambda: (IsTerminator(), HasParent(DataflowOp), Pure()))

    assembly_format = "($values^ `:` type($values))? attr-dict"


@irdl_op_definition
class DataflowOp(IRDLOperation):
    """A region of pure graph ops; its results are the values passed to `graph.output`.

    Only pure operations (no side effects, e.g. `graph.call_lib` without `pure`) may appear
    inside. Values defined inside are invisible outside except through `graph.output`.

    Example:
        %y = graph.dataflow -> tensor<4xf32> {
          %t = graph.relu %x : tensor<4xf32>
          graph.output %t : tensor<4xf32>
        }
    """

    name = "graph.dataflow"
    res = var_result_def()
    body = region_def("single_block")
    traits = traits_def(Pure())

    def __init__(self, result_types: Sequence[Attribute], body: Region):
        super().__init__(result_types=[list(result_types)], regions=[body])

    def verify_(self) -> None:
        reject_unknown_attributes(self, ())
        block = self.body.block
        term = block.last_op
        if not isinstance(term, OutputOp):
            found = f"'{term.name}'" if term is not None else "an empty block"
            raise VerifyException(f"region must end with 'graph.output', found {found}")
        got = [v.type for v in term.values]
        want = [r.type for r in self.res]
        if got != want:
            raise VerifyException(
                f"'graph.output' yields ({', '.join(map(str, got))}) but the op returns "
                f"({', '.join(map(str, want))})"
            )
        for op in block.ops:
            if isinstance(op, OutputOp):
                continue
            if not op.has_trait(Pure) and not (isinstance(op, CallLibOp) and op.pure):
                raise VerifyException(
                    f"may only contain pure operations, but '{op.name}' is not pure"
                )

    @classmethod
    def parse(cls, parser: Parser) -> DataflowOp:
        types: list[Attribute] = []
        if parser.parse_optional_punctuation("->") is not None:
            if parser.parse_optional_punctuation("(") is not None:
                if parser.parse_optional_punctuation(")") is None:
                    types = parser.parse_comma_separated_list(
                        parser.Delimiter.NONE, parser.parse_type
                    )
                    parser.parse_punctuation(")")
            else:
                types = [parser.parse_type()]
        body = parser.parse_region()
        attrs = parser.parse_optional_attr_dict_with_keyword()
        op = cls(types, body)
        if attrs is not None:
            op.attributes.update(attrs.data)
        return op

    def print(self, printer: Printer) -> None:
        types = [r.type for r in self.res]
        if len(types) == 1:
            printer.print_string(" -> ")
            printer.print_attribute(types[0])
        elif types:
            printer.print_string(" -> (")
            printer.print_list(types, printer.print_attribute)
            printer.print_string(")")
        printer.print_string(" ")
        printer.print_region(self.body, print_entry_block_args=False)
        if self.attributes:
            printer.print_op_attributes(self.attributes, print_keyword=True)


class _CallBase(IRDLOperation):
    """Shared syntax of call_tir and call_lib: `callee(%args) : (T...) -> R` or `-> (R1, R2)`."""

    args = var_operand_def(AnyTensor)
    res = var_result_def(AnyTensor)
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("callee",)

    def verify_(self) -> None:
        reject_unknown_attributes(self, self.KNOWN_ATTRS)
        for i, a in enumerate(self.args):
            check_element_type(expect_tensor(a.type, f"argument #{i}"), f"argument #{i}")
        for i, r in enumerate(self.res):
            check_element_type(expect_tensor(r.type, f"result #{i}"), f"result #{i}")
        if not self.res:
            raise VerifyException("must return at least one tensor (its destination)")

    @classmethod
    def _parse_call(cls, parser: Parser, callee: Attribute) -> IRDLOperation:
        uses = parser.parse_comma_separated_list(
            parser.Delimiter.PAREN, parser.parse_unresolved_operand
        )
        attrs = parser.parse_optional_attr_dict()
        parser.parse_punctuation(":")
        ftype = parser.parse_function_type()
        values = parser.resolve_operands(uses, ftype.inputs.data, parser.pos)
        return cls.create(operands=values, result_types=list(ftype.outputs.data),
                          attributes={"callee": callee, **attrs})

    def _print_call(self, printer: Printer) -> None:
        printer.print_string("(")
        printer.print_list(self.args, printer.print_operand)
        printer.print_string(")")
        printer.print_op_attributes(self.attributes, reserved_attr_names=("callee",))
        printer.print_string(" : ")
        printer.print_function_type([a.type for a in self.args], [r.type for r in self.res])


@irdl_op_definition
class CallTIROp(_CallBase):
    """Pure call of a destination-passing tensor program.

    The callee is a function over buffers whose parameters are the inputs followed by one
    output buffer per result. The caller allocates the outputs; from the graph's point of view
    the call is pure and returns them.

    Example:
        %y = graph.call_tir @relu(%x) : (tensor<4xf32>) -> tensor<4xf32>
    """

    name = "graph.call_tir"
    callee = attr_def(SymbolRefAttr)
    traits = traits_def(Pure())

    def verify_(self) -> None:
        super().verify_()
        module = self.parent_op()
        while module is not None and not module.has_trait(SymbolTable):
            module = module.parent_op()
        if module is None:
            return  # a detached op (being built): the callee is checked once it is placed
        target = SymbolTable.lookup_symbol(module, self.callee)
        if target is None:
            raise VerifyException(f"callee {self.callee} is not defined in this module")
        ftype = getattr(target, "function_type", None)
        if not isinstance(ftype, FunctionType):
            return
        params = list(ftype.inputs.data)
        # Only a function over buffers has the destination-passing signature we can check;
        # other callees (e.g. tensor programs with their own function op) check themselves.
        if not params or not all(isinstance(p, MemRefType) for p in params):
            return
        if ftype.outputs.data:
            raise VerifyException(
                f"callee {self.callee} returns ({', '.join(map(str, ftype.outputs.data))}), "
                "but a destination-passing callee returns nothing: it writes its outputs into "
                "the buffers after its inputs"
            )
        passed = [*self.args, *self.res]
        if len(params) != len(passed):
            raise VerifyException(
                f"callee {self.callee} takes {len(params)} buffers, but the call passes "
                f"{len(self.args)} inputs and {len(self.res)} outputs ({len(passed)} buffers)"
            )
        for i, (p, v) in enumerate(zip(params, passed, strict=True)):
            what = f"input #{i}" if i < len(self.args) else f"output #{i - len(self.args)}"
            if p.element_type != v.type.element_type or not shapes.compatible(
                tuple(p.get_shape()), shape_of(v.type)
            ):
                raise VerifyException(
                    f"callee parameter #{i} has type {p}, which does not match {what} of "
                    f"type {v.type}"
                )

    @classmethod
    def parse(cls, parser: Parser) -> CallTIROp:
        callee = parser.parse_attribute()
        if not isinstance(callee, SymbolRefAttr):
            parser.raise_error("expected a callee symbol such as @my_kernel")
        return cls._parse_call(parser, callee)  # type: ignore[return-value]

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_attribute(self.callee)
        self._print_call(printer)


@irdl_op_definition
class CallLibOp(_CallBase):
    """Call of a registered library function, destination-passing.

    `callee` names a function in the library registry (`mlc.register_func`). The caller
    allocates one output per result. With the `pure` unit attribute the call may appear in a
    `graph.dataflow` region.

    Example:
        %y = graph.call_lib "env.linear"(%x, %w) {pure} : (tensor<1x4xf32>, tensor<8x4xf32>)
               -> tensor<1x8xf32>
    """

    name = "graph.call_lib"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("callee", "pure")
    callee = attr_def(StringAttr)
    pure = opt_attr_def(UnitAttr)

    @classmethod
    def parse(cls, parser: Parser) -> CallLibOp:
        callee = StringAttr(parser.parse_str_literal("library function name"))
        return cls._parse_call(parser, callee)  # type: ignore[return-value]

    def print(self, printer: Printer) -> None:
        printer.print_string(" ")
        printer.print_string_literal(self.callee.data)
        self._print_call(printer)


# ================================================================================================
# Elementwise
# ================================================================================================


class BinaryOp(GraphOp):
    """Binary elementwise op with numpy broadcasting; operands share one element type."""

    lhs = operand_def(AnyTensor)
    rhs = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        elem = same_element_types(operand_types)
        require_numeric(operand_types[0], "lhs")
        return tensor(shapes.broadcast(*(shape_of(t) for t in operand_types)), elem)


@irdl_op_definition
class AddOp(BinaryOp):
    """Elementwise sum, broadcasting. Example: `%c = graph.add %a, %b : tensor<4xf32>`"""

    name = "graph.add"


@irdl_op_definition
class SubOp(BinaryOp):
    """Elementwise difference, broadcasting. Example: `%c = graph.sub %a, %b : tensor<4xf32>`"""

    name = "graph.sub"


@irdl_op_definition
class MulOp(BinaryOp):
    """Elementwise product, broadcasting. Example: `%c = graph.mul %a, %b : tensor<4xf32>`"""

    name = "graph.mul"


@irdl_op_definition
class DivOp(BinaryOp):
    """Elementwise quotient, broadcasting; integer division truncates toward zero (ONNX Div).

    Example: `%c = graph.div %a, %b : tensor<4xf32>`
    """

    name = "graph.div"


@irdl_op_definition
class MaxOp(BinaryOp):
    """Elementwise maximum, broadcasting. Example: `%c = graph.max %a, %b : tensor<4xf32>`"""

    name = "graph.max"


@irdl_op_definition
class MinOp(BinaryOp):
    """Elementwise minimum, broadcasting. Example: `%c = graph.min %a, %b : tensor<4xf32>`"""

    name = "graph.min"


@irdl_op_definition
class PowOp(BinaryOp):
    """Elementwise power, broadcasting. Example: `%c = graph.pow %a, %b : tensor<4xf32>`"""

    name = "graph.pow"


class UnaryOp(GraphOp):
    """Unary elementwise op: the result type is the operand type."""

    FLOAT_ONLY: ClassVar[bool] = False
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (t,) = operand_types
        if cls.FLOAT_ONLY:
            require_float(t)
        require_numeric(t)
        return t


class FloatUnaryOp(UnaryOp):
    FLOAT_ONLY: ClassVar[bool] = True


@irdl_op_definition
class NegOp(UnaryOp):
    """Elementwise negation. Example: `%y = graph.neg %x : tensor<4xf32>`"""

    name = "graph.neg"


@irdl_op_definition
class AbsOp(UnaryOp):
    """Elementwise absolute value. Example: `%y = graph.abs %x : tensor<4xf32>`"""

    name = "graph.abs"


@irdl_op_definition
class ReluOp(UnaryOp):
    """`max(x, 0)` elementwise. Example: `%y = graph.relu %x : tensor<4xf32>`"""

    name = "graph.relu"


@irdl_op_definition
class ExpOp(FloatUnaryOp):
    """Elementwise `e**x`. Example: `%y = graph.exp %x : tensor<4xf32>`"""

    name = "graph.exp"


@irdl_op_definition
class LogOp(FloatUnaryOp):
    """Elementwise natural logarithm. Example: `%y = graph.log %x : tensor<4xf32>`"""

    name = "graph.log"


@irdl_op_definition
class SqrtOp(FloatUnaryOp):
    """Elementwise square root. Example: `%y = graph.sqrt %x : tensor<4xf32>`"""

    name = "graph.sqrt"


@irdl_op_definition
class RsqrtOp(FloatUnaryOp):
    """Elementwise `1 / sqrt(x)`. Example: `%y = graph.rsqrt %x : tensor<4xf32>`"""

    name = "graph.rsqrt"


@irdl_op_definition
class TanhOp(FloatUnaryOp):
    """Elementwise hyperbolic tangent. Example: `%y = graph.tanh %x : tensor<4xf32>`"""

    name = "graph.tanh"


@irdl_op_definition
class SigmoidOp(FloatUnaryOp):
    """Elementwise `1 / (1 + exp(-x))`. Example: `%y = graph.sigmoid %x : tensor<4xf32>`"""

    name = "graph.sigmoid"


@irdl_op_definition
class ErfOp(FloatUnaryOp):
    """Elementwise error function. Example: `%y = graph.erf %x : tensor<4xf32>`"""

    name = "graph.erf"


@irdl_op_definition
class GeluOp(FloatUnaryOp):
    """`x * 0.5 * (1 + erf(x / sqrt(2)))` elementwise.

    Example: `%y = graph.gelu %x : tensor<4xf32>`
    """

    name = "graph.gelu"


@irdl_op_definition
class ClipOp(UnaryOp):
    """Clamp to [`min`, `max`]; either bound may be absent (unbounded), as in ONNX Clip.

    Example:
        %y = graph.clip %x {min = 0.0 : f32, max = 6.0 : f32} : tensor<4xf32>
    """

    name = "graph.clip"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("min", "max")

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        lo = float_scalar(attributes, "min")
        hi = float_scalar(attributes, "max")
        if lo is not None and hi is not None and lo > hi:
            raise VerifyException(f"min {lo} is greater than max {hi}")
        return super().infer(operand_types, attributes)


@irdl_op_definition
class CastOp(GraphOp):
    """Convert each element to the result's element type (numpy `astype`; float to int
    truncates toward zero; to i1 is `x != 0`). Shapes are equal.

    Example:
        %y = graph.cast %x : (tensor<4xf32>) -> tensor<4xi32>
    """

    name = "graph.cast"
    RESULT_GIVEN: ClassVar[bool] = True
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def check(cls, operand_types: Sequence[TensorType], result_type: TensorType,
              attributes: Mapping[str, Attribute]) -> None:
        (t,) = operand_types
        if not shapes.compatible(shape_of(t), shape_of(result_type)):
            raise VerifyException(
                f"result shape {fmt(shape_of(result_type))} differs from operand shape "
                f"{fmt(shape_of(t))}"
            )


@irdl_op_definition
class WhereOp(GraphOp):
    """`cond ? a : b` elementwise with numpy broadcasting of all three; cond is i1.

    Example:
        %y = graph.where %c, %a, %b : (tensor<4xi1>, tensor<4xf32>, tensor<f32>) -> tensor<4xf32>
    """

    name = "graph.where"
    cond = operand_def(AnyTensor)
    lhs = operand_def(AnyTensor)
    rhs = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        c, a, b = operand_types
        if not is_bool(c.element_type):
            raise VerifyException(f"condition must be a tensor of i1, got {c}")
        elem = same_element_types([a, b], "value operands")
        return tensor(shapes.broadcast(shape_of(c), shape_of(a), shape_of(b)), elem)


# ================================================================================================
# Linear algebra and neural-network ops
# ================================================================================================


@irdl_op_definition
class MatmulOp(GraphOp):
    """`numpy.matmul`: 1-D operands are promoted, batch dimensions broadcast.

    Example:
        %c = graph.matmul %a, %b : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
    """

    name = "graph.matmul"
    lhs = operand_def(AnyTensor)
    rhs = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        a, b = operand_types
        elem = same_element_types(operand_types)
        require_numeric(a, "lhs")
        return tensor(shapes.matmul(shape_of(a), shape_of(b)), elem)


@irdl_op_definition
class EinsumOp(GraphOp):
    """`numpy.einsum` with an explicit `->` equation.

    Example:
        %c = graph.einsum %a, %b {equation = "ik,kj->ij"}
               : (tensor<2x8xf32>, tensor<8x4xf32>) -> tensor<2x4xf32>
    """

    name = "graph.einsum"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("equation",)
    inputs = var_operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        if not operand_types:
            raise VerifyException("needs at least one operand")
        elem = same_element_types(operand_types)
        eq = string(attributes, "equation")
        return tensor(shapes.einsum(eq, [shape_of(t) for t in operand_types]), elem)


def _pads(attrs: Mapping[str, Attribute]) -> list[int]:
    pads = int_list(attrs, "padding", [0, 0, 0, 0])
    if len(pads) != 4:
        raise VerifyException(f"padding must have 4 entries (top, left, bottom, right), got {pads}")
    if min(pads) < 0:
        raise VerifyException(f"padding must be non-negative, got {pads}")
    return pads


def _pair(attrs: Mapping[str, Attribute], name: str, default: Sequence[int] | None) -> list[int]:
    values = int_list(attrs, name, default)
    if len(values) != 2:
        raise VerifyException(f"'{name}' must have 2 entries (height, width), got {values}")
    if min(values) < 1:
        raise VerifyException(f"'{name}' must be positive, got {values}")
    return values


@irdl_op_definition
class Conv2dOp(GraphOp):
    """2-D convolution, ONNX Conv: x is NCHW, w is OIHW (I = C / groups), optional bias (O).

    Attributes (defaults in brackets): `strides` [1, 1], `padding` (top, left, bottom, right)
    [0, 0, 0, 0], `dilations` [1, 1], `groups` [1].

    Example:
        %y = graph.conv2d %x, %w {strides = array<i64: 1, 1>, padding = array<i64: 1, 1, 1, 1>,
               dilations = array<i64: 1, 1>, groups = 1 : i64}
               : (tensor<1x3x8x8xf32>, tensor<4x3x3x3xf32>) -> tensor<1x4x8x8xf32>
    """

    name = "graph.conv2d"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("strides", "padding", "dilations", "groups")
    input = operand_def(AnyTensor)
    weight = operand_def(AnyTensor)
    bias = opt_operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        if len(operand_types) not in (2, 3):
            raise VerifyException(f"expects 2 or 3 operands, got {len(operand_types)}")
        x, w = operand_types[:2]
        elem = same_element_types(operand_types)
        require_float(x, "input")
        out = shapes.conv2d(
            shape_of(x), shape_of(w), _pair(attributes, "strides", [1, 1]), _pads(attributes),
            _pair(attributes, "dilations", [1, 1]), int_scalar(attributes, "groups", 1),
        )
        if len(operand_types) == 3:
            b = shape_of(operand_types[2])
            if not shapes.compatible(b, (out[1],)):
                raise VerifyException(
                    f"bias must have shape {out[1]} (one per output channel), got {fmt(b)}"
                )
        return tensor(out, elem)


class _Pool2dOp(GraphOp):
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (x,) = operand_types
        require_float(x, "input")
        kernel = _pair(attributes, "kernel", None)
        ceil_mode = int_scalar(attributes, "ceil_mode", 0)
        if ceil_mode not in (0, 1):
            raise VerifyException(f"'ceil_mode' must be 0 or 1, got {ceil_mode}")
        count_include_pad = int_scalar(attributes, "count_include_pad", 0)
        if count_include_pad not in (0, 1):
            raise VerifyException(f"'count_include_pad' must be 0 or 1, got {count_include_pad}")
        pads = _pads(attributes)
        if pads[0] >= kernel[0] or pads[2] >= kernel[0] or pads[1] >= kernel[1] \
                or pads[3] >= kernel[1]:
            raise VerifyException(f"padding {pads} must be smaller than the kernel {kernel}")
        out = shapes.pool2d(
            shape_of(x), kernel, _pair(attributes, "strides", [1, 1]), pads,
            _pair(attributes, "dilations", [1, 1]), bool(ceil_mode),
        )
        return tensor(out, x.element_type)


@irdl_op_definition
class MaxPool2dOp(_Pool2dOp):
    """2-D max pooling, ONNX MaxPool on NCHW. Padding never wins the max.

    Attributes: `kernel` (required), `strides` [1, 1], `padding` [0, 0, 0, 0],
    `dilations` [1, 1], `ceil_mode` [0].

    Example:
        %y = graph.max_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
               padding = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
    """

    name = "graph.max_pool2d"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = (
        "kernel", "strides", "padding", "dilations", "ceil_mode"
    )


@irdl_op_definition
class AvgPool2dOp(_Pool2dOp):
    """2-D average pooling, ONNX AveragePool on NCHW.

    Attributes as max_pool2d, plus `count_include_pad` [0]: whether padded positions count in
    the divisor.

    Example:
        %y = graph.avg_pool2d %x {kernel = array<i64: 2, 2>, strides = array<i64: 2, 2>,
               padding = array<i64: 0, 0, 0, 0>} : (tensor<1x4x8x8xf32>) -> tensor<1x4x4x4xf32>
    """

    name = "graph.avg_pool2d"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = (
        "kernel", "strides", "padding", "dilations", "ceil_mode", "count_include_pad"
    )


@irdl_op_definition
class LrnOp(GraphOp):
    """Local response normalization across channels (ONNX LRN) on NCHW:
    `y = x / (bias + alpha / size * sum_{window of size channels} x^2) ** beta`.

    Attributes: `size` (required), `alpha` [1e-4], `beta` [0.75], `bias` [1.0].

    Example:
        %y = graph.lrn %x {size = 3 : i64, alpha = 1.0e-04 : f32, beta = 0.75 : f32,
               bias = 1.0 : f32} : tensor<1x4x8x8xf32>
    """

    name = "graph.lrn"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("size", "alpha", "beta", "bias")
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (x,) = operand_types
        require_float(x, "input")
        if len(shape_of(x)) != 4:
            raise VerifyException(f"input must be a rank-4 NCHW tensor, got {x}")
        size = int_scalar(attributes, "size")
        if size < 1:
            raise VerifyException(f"'size' must be positive, got {size}")
        for name in ("alpha", "beta", "bias"):
            float_scalar(attributes, name)
        return x


class _AxisOp(GraphOp):
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("axis",)

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (x,) = operand_types
        require_float(x, "input")
        shapes.normalize_axis(int_scalar(attributes, "axis", -1), len(shape_of(x)))
        return x


@irdl_op_definition
class SoftmaxOp(_AxisOp):
    """Softmax along `axis` [-1]: `exp(x - max) / sum(exp(x - max))`.

    Example: `%y = graph.softmax %x {axis = 1 : i64} : tensor<2x10xf32>`
    """

    name = "graph.softmax"


@irdl_op_definition
class LogSoftmaxOp(_AxisOp):
    """Log of softmax along `axis` [-1], computed stably.

    Example: `%y = graph.log_softmax %x {axis = 1 : i64} : tensor<2x10xf32>`
    """

    name = "graph.log_softmax"


@irdl_op_definition
class LayerNormOp(GraphOp):
    """ONNX LayerNormalization: normalize over axes `axis`..rank-1 [axis -1], then scale by
    gamma and add beta (both broadcast against the normalized shape). `epsilon` [1e-5].

    Example:
        %y = graph.layer_norm %x, %g, %b {axis = -1 : i64, epsilon = 1.0e-05 : f32}
               : (tensor<2x8xf32>, tensor<8xf32>, tensor<8xf32>) -> tensor<2x8xf32>
    """

    name = "graph.layer_norm"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("axis", "epsilon")
    input = operand_def(AnyTensor)
    gamma = operand_def(AnyTensor)
    beta = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        x, g, b = operand_types
        same_element_types(operand_types)
        require_float(x, "input")
        rank = len(shape_of(x))
        axis = shapes.normalize_axis(int_scalar(attributes, "axis", -1), rank)
        normalized = shape_of(x)[axis:]
        float_scalar(attributes, "epsilon")
        for what, t in (("gamma", g), ("beta", b)):
            if not shapes.broadcasts_to(shape_of(t), normalized):
                raise VerifyException(
                    f"{what} of shape {fmt(shape_of(t))} does not broadcast to the normalized "
                    f"shape {fmt(normalized)}"
                )
        return x


@irdl_op_definition
class BatchNormOp(GraphOp):
    """Inference batch normalization (ONNX BatchNormalization): with C = dim 1 of x,
    `y = (x - mean) / sqrt(var + epsilon) * scale + bias`, each parameter of shape (C).

    Example:
        %y = graph.batch_norm %x, %s, %b, %m, %v {epsilon = 1.0e-05 : f32}
               : (tensor<1x4x8x8xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>, tensor<4xf32>)
               -> tensor<1x4x8x8xf32>
    """

    name = "graph.batch_norm"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("epsilon",)
    input = operand_def(AnyTensor)
    scale = operand_def(AnyTensor)
    bias = operand_def(AnyTensor)
    mean = operand_def(AnyTensor)
    var = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        x = operand_types[0]
        same_element_types(operand_types)
        require_float(x, "input")
        xs = shape_of(x)
        if len(xs) < 2:
            raise VerifyException(f"input must have rank >= 2 (N, C, ...), got {x}")
        float_scalar(attributes, "epsilon")
        names = ("scale", "bias", "mean", "var")
        for what, t in zip(names, operand_types[1:], strict=True):
            if not shapes.compatible(shape_of(t), (xs[1],)):
                raise VerifyException(
                    f"{what} must have shape {xs[1]} (one per channel), got {fmt(shape_of(t))}"
                )
        return x


# ================================================================================================
# Reductions
# ================================================================================================


class ReduceOp(GraphOp):
    """Reduction over `axes` (required); `keepdims` (0 or 1) [0] keeps reduced axes as size 1."""

    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("axes", "keepdims")
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (x,) = operand_types
        require_numeric(x)
        keepdims = int_scalar(attributes, "keepdims", 0)
        if keepdims not in (0, 1):
            raise VerifyException(f"'keepdims' must be 0 or 1, got {keepdims}")
        axes = int_list(attributes, "axes")
        return tensor(shapes.reduce(shape_of(x), axes, bool(keepdims)), x.element_type)


@irdl_op_definition
class ReduceSumOp(ReduceOp):
    """Sum over `axes`.

    Example:
        %y = graph.reduce_sum %x {axes = array<i64: 1>, keepdims = 0 : i64}
               : (tensor<2x3xf32>) -> tensor<2xf32>
    """

    name = "graph.reduce_sum"


@irdl_op_definition
class ReduceMeanOp(ReduceOp):
    """Arithmetic mean over `axes`.

    Example:
        %y = graph.reduce_mean %x {axes = array<i64: 1>, keepdims = 1 : i64}
               : (tensor<2x3xf32>) -> tensor<2x1xf32>
    """

    name = "graph.reduce_mean"


@irdl_op_definition
class ReduceMaxOp(ReduceOp):
    """Maximum over `axes`.

    Example:
        %y = graph.reduce_max %x {axes = array<i64: 0>, keepdims = 0 : i64}
               : (tensor<2x3xf32>) -> tensor<3xf32>
    """

    name = "graph.reduce_max"


@irdl_op_definition
class ReduceMinOp(ReduceOp):
    """Minimum over `axes`.

    Example:
        %y = graph.reduce_min %x {axes = array<i64: 0>, keepdims = 0 : i64}
               : (tensor<2x3xf32>) -> tensor<3xf32>
    """

    name = "graph.reduce_min"


# ================================================================================================
# Shape ops
# ================================================================================================


@irdl_op_definition
class ReshapeOp(GraphOp):
    """Row-major reshape to the result type's shape (same element count and element type).

    Example:
        %y = graph.reshape %x : (tensor<2x3xf32>) -> tensor<6xf32>
    """

    name = "graph.reshape"
    RESULT_GIVEN: ClassVar[bool] = True
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def check(cls, operand_types: Sequence[TensorType], result_type: TensorType,
              attributes: Mapping[str, Attribute]) -> None:
        (x,) = operand_types
        same_element_types([x, result_type], "operand and result")
        n_in = shapes.num_elements(shape_of(x))
        n_out = shapes.num_elements(shape_of(result_type))
        if n_in is not None and n_out is not None and n_in != n_out:
            raise VerifyException(
                f"element counts differ: operand {fmt(shape_of(x))} has {n_in}, result "
                f"{fmt(shape_of(result_type))} has {n_out}"
            )


@irdl_op_definition
class TransposeOp(GraphOp):
    """`numpy.transpose(x, perm)`.

    Example:
        %y = graph.transpose %x {perm = array<i64: 1, 0>} : (tensor<4x8xf32>) -> tensor<8x4xf32>
    """

    name = "graph.transpose"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("perm",)
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (x,) = operand_types
        perm = int_list(attributes, "perm")
        return tensor(shapes.transpose(shape_of(x), perm), x.element_type)


@irdl_op_definition
class BroadcastToOp(GraphOp):
    """`numpy.broadcast_to` to the result type's shape.

    Example:
        %y = graph.broadcast_to %x : (tensor<3xf32>) -> tensor<2x3xf32>
    """

    name = "graph.broadcast_to"
    RESULT_GIVEN: ClassVar[bool] = True
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def check(cls, operand_types: Sequence[TensorType], result_type: TensorType,
              attributes: Mapping[str, Attribute]) -> None:
        (x,) = operand_types
        same_element_types([x, result_type], "operand and result")
        target = shape_of(result_type)
        if not shapes.broadcasts_to(shape_of(x), target):
            raise VerifyException(
                f"operand shape {fmt(shape_of(x))} cannot be broadcast to {fmt(target)}"
            )


@irdl_op_definition
class ConcatOp(GraphOp):
    """`numpy.concatenate(inputs, axis)`.

    Example:
        %y = graph.concat %a, %b {axis = 0 : i64}
               : (tensor<2x3xf32>, tensor<4x3xf32>) -> tensor<6x3xf32>
    """

    name = "graph.concat"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("axis",)
    inputs = var_operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        if not operand_types:
            raise VerifyException("needs at least one operand")
        elem = same_element_types(operand_types)
        axis = int_scalar(attributes, "axis")
        return tensor(shapes.concat([shape_of(t) for t in operand_types], axis), elem)


@irdl_op_definition
class SliceOp(GraphOp):
    """Basic slicing `x[starts[0]:ends[0]:steps[0], ...]` with one entry per axis; negative
    indices count from the end and out-of-range bounds are clamped, as in numpy. `steps`
    defaults to all ones.

    Example:
        %y = graph.slice %x {starts = array<i64: 0, 1>, ends = array<i64: 2, 3>,
               steps = array<i64: 1, 1>} : (tensor<4x4xf32>) -> tensor<2x2xf32>
    """

    name = "graph.slice"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("starts", "ends", "steps")
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (x,) = operand_types
        rank = len(shape_of(x))
        starts = int_list(attributes, "starts")
        ends = int_list(attributes, "ends")
        steps = int_list(attributes, "steps", [1] * rank)
        return tensor(shapes.slice_shape(shape_of(x), starts, ends, steps), x.element_type)


@irdl_op_definition
class RearrangeOp(GraphOp):
    """einops `rearrange` with a `pattern` such as `"b c h w -> b (c h w)"`.

    Example:
        %y = graph.rearrange %x {pattern = "b c h w -> b (c h w)"}
               : (tensor<2x3x4x5xf32>) -> tensor<2x60xf32>
    """

    name = "graph.rearrange"
    KNOWN_ATTRS: ClassVar[tuple[str, ...]] = ("pattern",)
    input = operand_def(AnyTensor)
    result = result_def(AnyTensor)
    traits = traits_def(Pure())

    @classmethod
    def infer(cls, operand_types: Sequence[TensorType], attributes: Mapping[str, Attribute]
              ) -> TensorType:
        (x,) = operand_types
        out = einops.output_shape(string(attributes, "pattern"), shape_of(x))
        return tensor(out, x.element_type)


GRAPH_OPS: list[type[IRDLOperation]] = [
    ConstantOp, DataflowOp, OutputOp, CallTIROp, CallLibOp,
    AddOp, SubOp, MulOp, DivOp, MaxOp, MinOp, PowOp,
    NegOp, AbsOp, ExpOp, LogOp, SqrtOp, RsqrtOp, TanhOp, SigmoidOp, ReluOp, ErfOp, GeluOp,
    ClipOp, CastOp, WhereOp,
    MatmulOp, EinsumOp, Conv2dOp, MaxPool2dOp, AvgPool2dOp, LrnOp, SoftmaxOp, LogSoftmaxOp,
    LayerNormOp, BatchNormOp,
    ReduceSumOp, ReduceMeanOp, ReduceMaxOp, ReduceMinOp,
    ReshapeOp, TransposeOp, BroadcastToOp, ConcatOp, SliceOp, RearrangeOp,
]
"""Every op of the graph dialect, in the spec's order."""

__all__ = [c.__name__ for c in GRAPH_OPS] + ["GRAPH_OPS", "GraphOp", "Block", "SSAValue"]
