"""convert-math-to-llvm: `math` ops -> llvm intrinsics, or libm calls where LLVM has none.

Input: `math` ops on scalars or 1-D vectors of f32/f64 (integer ops on iN). Three routes:
- llvm-dialect intrinsic ops where xDSL has them (`llvm.intr.exp`, `sqrt`, `fma`, `pow`, ...);
- `llvm.call_intrinsic` with a type-mangled name for the other LLVM intrinsics (`tanh`, `tan`,
  `atan2`, `trunc`, `round`, `abs`, `ctlz`, ...), which LLVM's backend turns into libm calls
  or instructions;
- a call of the libm function (`erff`, `expm1`, `log1p`, `cbrt`, ...) for the rest, unrolled
  element by element on vectors, with the `llvm.func` declaration added to the module.
`math.rsqrt` becomes `1 / sqrt(x)`. Fastmath flags are kept.

Before:
    %y = math.tanh %x : vector<16xf32>
    %e = math.erf %s : f32
After:
    %y = llvm.call_intrinsic "llvm.tanh.v16f32"(%x) : (vector<16xf32>) -> vector<16xf32>
    %e = llvm.call @erff(%s) : (f32) -> f32
    llvm.func @erff(f32) -> f32
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import llvm, math
from xdsl.dialects.builtin import IntegerType, ModuleOp, VectorType, i1, i64
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from mlc_dialects.codegen import llvm_ext
from mlc_dialects.codegen.conversion import (
    ConversionError,
    Lowering,
    bit_width,
    declare_function,
    element_type,
    fastmath_of,
    mangle,
    module_of,
    run_conversion,
)

_UNARY_OPS: dict[type[Operation], type[Operation]] = {
    math.CeilOp: llvm.FCeilOp, math.FloorOp: llvm.FFloorOp, math.SqrtOp: llvm.FSqrtOp,
    math.ExpOp: llvm.FExpOp, math.Exp2Op: llvm.FExp2Op, math.LogOp: llvm.FLogOp,
    math.Log2Op: llvm.FLog2Op, math.SinOp: llvm.FSinOp, math.CosOp: llvm.FCosOp,
}
_BINARY_OPS: dict[type[Operation], type[Operation]] = {
    math.PowFOp: llvm.FPowOp, math.CopySignOp: llvm.FCopySignOp,
}
_INTRINSICS: dict[type[Operation], str] = {
    math.TanhOp: "llvm.tanh", math.TanOp: "llvm.tan", math.SinhOp: "llvm.sinh",
    math.CoshOp: "llvm.cosh", math.AsinOp: "llvm.asin", math.AcosOp: "llvm.acos",
    math.AtanOp: "llvm.atan", math.Atan2Op: "llvm.atan2", math.Log10Op: "llvm.log10",
    math.TruncOp: "llvm.trunc", math.RoundOp: "llvm.round", math.RoundEvenOp: "llvm.roundeven",
    math.CtPopOp: "llvm.ctpop",
}
_INT_INTRINSICS_WITH_FLAG: dict[type[Operation], str] = {
    # The i1 operand says whether a zero (or INT_MIN for abs) input is poison: it is not.
    math.AbsIOp: "llvm.abs", math.CountLeadingZerosOp: "llvm.ctlz",
    math.CountTrailingZerosOp: "llvm.cttz",
}
_LIBM: dict[type[Operation], str] = {
    math.ErfOp: "erf", math.ExpM1Op: "expm1", math.Log1pOp: "log1p", math.CbrtOp: "cbrt",
    math.AcoshOp: "acosh", math.AsinhOp: "asinh", math.AtanhOp: "atanh",
}


_HANDLED = {*_UNARY_OPS, *_BINARY_OPS, *_INTRINSICS, *_INT_INTRINSICS_WITH_FLAG, math.AbsFOp,
            math.FmaOp, math.RsqrtOp, math.FPowIOp}


class IntrinsicLowering(RewritePattern):
    """math ops with an LLVM intrinsic -> the llvm op or a mangled `llvm.call_intrinsic`."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if type(op) not in _HANDLED:
            return  # before any cast is built: an unused cast would still hold a use
        b = Lowering()
        args = b.values(op.operands)
        if type(op) in _UNARY_OPS:
            new = b.add(_UNARY_OPS[type(op)](args[0], fastmath_of(op)))  # type: ignore[call-arg]
        elif type(op) in _BINARY_OPS:
            new = b.add(_BINARY_OPS[type(op)](*args, fastmath_of(op)))  # type: ignore[call-arg]
        elif isinstance(op, math.AbsFOp):
            new = b.add(llvm.FAbsOp(args[0], args[0].type, fastmath_of(op)))
        elif isinstance(op, math.FmaOp):
            new = b.add(llvm.FMAOp(*args, fastmath_of(op)))
        elif isinstance(op, math.RsqrtOp):
            root = b.add(llvm.FSqrtOp(args[0], fastmath_of(op)))
            new = b.add(llvm.FDivOp(b.constant(1.0, root.type), root, fastmath_of(op)))
        elif type(op) in _INTRINSICS:
            name = f"{_INTRINSICS[type(op)]}.{mangle(args[0].type)}"
            fm = fastmath_of(op) if "fastmath" in op.properties else None
            new = b.intrinsic(name, args, args[0].type, fm)
        elif type(op) in _INT_INTRINSICS_WITH_FLAG:
            name = f"{_INT_INTRINSICS_WITH_FLAG[type(op)]}.{mangle(args[0].type)}"
            new = b.intrinsic(name, [*args, b.constant(0, i1)], args[0].type)
        elif isinstance(op, math.FPowIOp):
            name = f"llvm.powi.{mangle(args[0].type)}.{mangle(element_type(args[1].type))}"
            new = b.intrinsic(name, args, args[0].type, fastmath_of(op))
        else:
            raise AssertionError(f"unhandled {op.name}")
        b.replace(rewriter, op, [new])


class LibmLowering(RewritePattern):
    """math ops without an LLVM intrinsic -> calls of libm (`erff`, `erf`), per element."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if type(op) not in _LIBM:
            return
        b = Lowering()
        (x,) = b.values(op.operands)
        scalar = element_type(x.type)
        width = bit_width(scalar)
        if width not in (32, 64) or isinstance(scalar, IntegerType):
            raise ConversionError(
                f"convert-math-to-llvm: '{op.name}' on {x.type} has no libm function; "
                "only f32 and f64 are supported")
        name = _LIBM[type(op)] + ("f" if width == 32 else "")
        declare_function(module_of(op), name, [scalar], scalar)
        fm = fastmath_of(op)

        def call(v: SSAValue) -> SSAValue:
            return b.add(llvm.CallOp(name, v, return_type=scalar, fastmath=fm))

        if not isinstance(x.type, VectorType):
            b.replace(rewriter, op, [call(x)])
            return
        result = b.add(llvm.UndefOp(x.type))
        for lane in range(x.type.element_count()):
            pos = b.constant(lane, i64)
            elem = call(b.add(llvm_ext.ExtractElementOp(x, pos)))
            result = b.add(llvm.InsertElementOp(result, elem, pos))
        b.replace(rewriter, op, [result])


def math_to_llvm_patterns() -> list[RewritePattern]:
    return [IntrinsicLowering(), LibmLowering()]


@dataclass(frozen=True)
class ConvertMathToLLVMPass(ModulePass):
    """Lower `math` to llvm intrinsics and libm calls (see the module docstring)."""

    name = "convert-math-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run_conversion(self.name, math_to_llvm_patterns(), op)
