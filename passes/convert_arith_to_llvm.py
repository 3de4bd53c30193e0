"""convert-arith-to-llvm: `arith` ops on scalars and 1-D vectors -> the `llvm` dialect.

Input: any `arith` op except the extended-precision ones (`addui_extended`, `mul*_extended`).
`index` becomes `i64`; operands and results whose type changes are bridged with
`builtin.unrealized_conversion_cast` (see `mlc_dialects.codegen.conversion`). Fastmath flags
and integer overflow flags are kept. Integer min/max and IEEE `maximumf/minimumf` become
mangled intrinsic calls; `floordivsi`, `ceildivsi` and `ceildivui` are expanded.

Before:
    %s = arith.addf %a, %b fastmath<fast> : f32
    %i = arith.index_cast %n : i32 to index
    %c = arith.cmpi slt, %i, %j : index
After:
    %s = llvm.fadd %a, %b {fastmathFlags = #llvm.fastmath<fast>} : f32
    %i0 = llvm.sext %n : i32 to i64
    %i = builtin.unrealized_conversion_cast %i0 : i64 to index
    %j0 = builtin.unrealized_conversion_cast %j : index to i64
    %c = llvm.icmp "slt" %i0, %j0 : i64
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, llvm
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    IndexType,
    IntegerAttr,
    ModuleOp,
    VectorType,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from mlc_dialects.codegen import llvm_ext
from mlc_dialects.codegen.conversion import (
    Lowering,
    bit_width,
    fastmath_of,
    llvm_type,
    mangle,
    run_conversion,
)

_INT_BINARY: dict[type[Operation], type[Operation]] = {
    arith.AddiOp: llvm.AddOp, arith.SubiOp: llvm.SubOp, arith.MuliOp: llvm.MulOp,
    arith.DivUIOp: llvm.UDivOp, arith.DivSIOp: llvm.SDivOp, arith.RemUIOp: llvm.URemOp,
    arith.RemSIOp: llvm.SRemOp, arith.AndIOp: llvm.AndOp, arith.OrIOp: llvm.OrOp,
    arith.XOrIOp: llvm.XOrOp, arith.ShLIOp: llvm.ShlOp, arith.ShRUIOp: llvm.LShrOp,
    arith.ShRSIOp: llvm.AShrOp,
}
_WITH_OVERFLOW = (arith.AddiOp, arith.SubiOp, arith.MuliOp, arith.ShLIOp)

_FLOAT_BINARY: dict[type[Operation], type[Operation]] = {
    arith.AddfOp: llvm.FAddOp, arith.SubfOp: llvm.FSubOp, arith.MulfOp: llvm.FMulOp,
    arith.DivfOp: llvm.FDivOp,
}

_MINMAX_INTRINSIC: dict[type[Operation], str] = {
    arith.MaxSIOp: "llvm.smax", arith.MinSIOp: "llvm.smin", arith.MaxUIOp: "llvm.umax",
    arith.MinUIOp: "llvm.umin", arith.MaximumfOp: "llvm.maximum", arith.MinimumfOp: "llvm.minimum",
    arith.MaxnumfOp: "llvm.maxnum", arith.MinnumfOp: "llvm.minnum",
}

_CASTS: dict[type[Operation], type[Operation]] = {
    arith.ExtSIOp: llvm.SExtOp, arith.ExtUIOp: llvm.ZExtOp, arith.TruncIOp: llvm.TruncOp,
    arith.SIToFPOp: llvm.SIToFPOp, arith.UIToFPOp: llvm_ext.UIToFPOp,
    arith.FPToSIOp: llvm_ext.FPToSIOp, arith.FPToUIOp: llvm_ext.FPToUIOp,
    arith.ExtFOp: llvm.FPExtOp, arith.TruncFOp: llvm.FPTruncOp, arith.BitcastOp: llvm.BitcastOp,
}


class ConstantLowering(RewritePattern):
    """arith.constant -> llvm.mlir.constant (index values become i64)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, arith.ConstantOp):
            return
        t = llvm_type(op.result.type)
        value = op.value
        if isinstance(value, IntegerAttr) and isinstance(value.type, IndexType):
            value = IntegerAttr(value.value.data, t)
        elif isinstance(value, DenseIntOrFPElementsAttr) and value.get_type() != t:
            assert isinstance(t, VectorType)
            value = DenseIntOrFPElementsAttr.from_list(t, list(value.get_values()))
        b = Lowering()
        b.replace(rewriter, op, [b.add(llvm.ConstantOp(value, t))])


class BinaryLowering(RewritePattern):
    """Integer and float binary ops -> their llvm twins, keeping overflow and fastmath flags."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if type(op) in _INT_BINARY:
            lhs, rhs = b.values(op.operands)
            kind = _INT_BINARY[type(op)]
            if isinstance(op, _WITH_OVERFLOW):
                flags = op.properties.get("overflowFlags")
                names = [f.value for f in flags.data] if flags is not None else []
                overflow = llvm.OverflowAttr([llvm.OverflowFlag(n) for n in names])
                new = kind(lhs, rhs, overflow=overflow)  # type: ignore[call-arg]
            else:
                new = kind(lhs, rhs)  # type: ignore[call-arg]
            b.replace(rewriter, op, [b.add(new)])
        elif type(op) in _FLOAT_BINARY:
            lhs, rhs = b.values(op.operands)
            new = _FLOAT_BINARY[type(op)](lhs, rhs, fastmath_of(op))  # type: ignore[call-arg]
            b.replace(rewriter, op, [b.add(new)])
        elif isinstance(op, arith.NegfOp):
            (x,) = b.values(op.operands)
            b.replace(rewriter, op, [b.add(llvm.FNegOp(x, fastmath_of(op)))])
        elif type(op) in _MINMAX_INTRINSIC:
            lhs, rhs = b.values(op.operands)
            name = f"{_MINMAX_INTRINSIC[type(op)]}.{mangle(lhs.type)}"
            fm = fastmath_of(op) if "fastmath" in op.properties else None
            b.replace(rewriter, op, [b.intrinsic(name, [lhs, rhs], lhs.type, fm)])


class CompareSelectLowering(RewritePattern):
    """arith.cmpi/cmpf/select -> llvm.icmp/fcmp/select."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if isinstance(op, arith.CmpiOp):
            lhs, rhs = b.values(op.operands)
            pred = op.predicate.value.data  # arith and llvm number icmp predicates alike
            b.replace(rewriter, op, [b.add(llvm.ICmpOp(lhs, rhs, IntegerAttr(pred, 64)))])
        elif isinstance(op, arith.CmpfOp):
            lhs, rhs = b.values(op.operands)
            pred = op.predicate.value.data  # same order as llvm's fcmp predicates
            new = llvm.FCmpOp(lhs, rhs, IntegerAttr(pred, 64))
            new.properties["fastmathFlags"] = fastmath_of(op)
            b.replace(rewriter, op, [b.add(new)])
        elif isinstance(op, arith.SelectOp):
            cond, lhs, rhs = b.values(op.operands)
            b.replace(rewriter, op, [b.add(llvm.SelectOp(cond, lhs, rhs))])


class CastLowering(RewritePattern):
    """Casts, including index_cast (sext or trunc against i64, or nothing)."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if type(op) in _CASTS:
            (x,) = b.values(op.operands)
            to = llvm_type(op.results[0].type)
            new = _CASTS[type(op)](x, to)  # type: ignore[call-arg]
            b.replace(rewriter, op, [b.add(new)])
        elif isinstance(op, arith.IndexCastOp):
            (x,) = b.values(op.operands)
            to = llvm_type(op.results[0].type)
            src_bits, dst_bits = bit_width(x.type), bit_width(to)
            if src_bits == dst_bits:
                b.replace(rewriter, op, [x])
            elif src_bits > dst_bits:
                b.replace(rewriter, op, [b.add(llvm.TruncOp(x, to))])
            else:
                b.replace(rewriter, op, [b.add(llvm.SExtOp(x, to))])


def _icmp(b: Lowering, pred: str, lhs: SSAValue, rhs: SSAValue) -> SSAValue:
    return b.add(llvm.ICmpOp(lhs, rhs, IntegerAttr(
        list(llvm.ICmpPredicateFlag).index(llvm.ICmpPredicateFlag(pred)), 64)))


class DivisionExpansion(RewritePattern):
    """floordivsi, ceildivsi, ceildivui -> sdiv/udiv plus a correction of the quotient."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, (arith.FloorDivSIOp, arith.CeilDivSIOp, arith.CeilDivUIOp)):
            return
        b = Lowering()
        a, d = b.values(op.operands)
        t = a.type
        zero, one = b.constant(0, t), b.constant(1, t)
        if isinstance(op, arith.CeilDivUIOp):
            # a == 0 ? 0 : (a - 1) / d + 1
            q = b.add(llvm.AddOp(b.add(llvm.UDivOp(b.add(llvm.SubOp(a, one)), d)), one))
            b.replace(rewriter, op, [b.add(llvm.SelectOp(_icmp(b, "eq", a, zero), zero, q))])
            return
        q = b.add(llvm.SDivOp(a, d))
        r = b.add(llvm.SRemOp(a, d))
        inexact = _icmp(b, "ne", r, zero)
        signs_differ = _icmp(b, "slt", b.add(llvm.XOrOp(r, d)), zero)
        if isinstance(op, arith.FloorDivSIOp):
            fix = b.add(llvm.AndOp(inexact, signs_differ))
            result = b.add(llvm.SubOp(q, b.add(llvm.ZExtOp(fix, t))))
        else:
            same = b.add(llvm.XOrOp(signs_differ, b.constant(1, signs_differ.type)))
            fix = b.add(llvm.AndOp(inexact, same))
            result = b.add(llvm.AddOp(q, b.add(llvm.ZExtOp(fix, t))))
        b.replace(rewriter, op, [result])


def arith_to_llvm_patterns() -> list[RewritePattern]:
    return [ConstantLowering(), BinaryLowering(), CompareSelectLowering(), CastLowering(),
            DivisionExpansion()]


@dataclass(frozen=True)
class ConvertArithToLLVMPass(ModulePass):
    """Lower `arith` to the `llvm` dialect (see the module docstring for before/after)."""

    name = "convert-arith-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run_conversion(self.name, arith_to_llvm_patterns(), op)

