"""convert-vector-to-llvm: 1-D `vector` ops -> llvm vector instructions and intrinsics.

Input: `vector.load/store` on static-shape memrefs, `broadcast`, `fma`, `reduction`,
`extract`/`insert` (one position), `shuffle`, `bitcast`, all on 1-D vectors. Vector memory
accesses carry the alignment of one *element* (`{alignment = 4}` for f32): LLVM would
otherwise assume the vector's natural alignment (64 bytes for vector<16xf32>) and emit aligned
moves that fault on numpy's 16-byte-aligned buffers (the xDSL bug in notes section 4).
A broadcast is insertelement + a zero-mask shufflevector; a reduction is
`llvm.vector.reduce.*`, combined with the accumulator when there is one.

Option `reassociate-fp-reductions` (default false, like MLIR) lets LLVM reorder float add/mul
reductions (a tree instead of a sequential chain); the codegen pipeline turns it on.

Before:
    %v = vector.load %A[%i] : memref<64xf32>, vector<16xf32>
    %b = vector.broadcast %s : f32 to vector<16xf32>
After:
    %p = llvm.getelementptr inbounds %A0[%i0] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %v = llvm.load %p {alignment = 4 : i64} : !llvm.ptr -> vector<16xf32>
    %u = llvm.mlir.undef : vector<16xf32>
    %c0 = llvm.mlir.constant(0 : i64) : i64
    %e = llvm.insertelement %s, %u[%c0 : i64] : vector<16xf32>
    %b = llvm.shufflevector %e, %u [0, 0, ..., 0] : vector<16xf32>
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import llvm, vector
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseArrayBase,
    ModuleOp,
    VectorType,
    i32,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from mlc_dialects.codegen import llvm_ext
from mlc_dialects.codegen.conversion import (
    ConversionError,
    Lowering,
    byte_size,
    element_type,
    llvm_type,
    mangle,
    memref_element_pointer,
    run_conversion,
)


class LoadStoreLowering(RewritePattern):
    """vector.load/store -> getelementptr + llvm.load/store aligned to one element."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if isinstance(op, vector.LoadOp):
            ptr = memref_element_pointer(b, op.base, op.indices)
            t = llvm_type(op.result.type)
            align = byte_size(element_type(t))
            b.replace(rewriter, op, [b.add(llvm.LoadOp(ptr, t, alignment=align))])
        elif isinstance(op, vector.StoreOp):
            ptr = memref_element_pointer(b, op.base, op.indices)
            value = b.value(op.vector)
            b.add(llvm.StoreOp(value, ptr, alignment=byte_size(element_type(value.type))))
            b.replace(rewriter, op, [])


def splat(b: Lowering, scalar: SSAValue, t: VectorType) -> SSAValue:
    """insertelement into lane 0, then a shufflevector with an all-zero mask."""
    undef = b.add(llvm.UndefOp(t))
    first = b.add(llvm.InsertElementOp(undef, scalar, b.constant(0, i64)))
    mask = DenseArrayBase.from_list(i32, [0] * t.element_count())
    return b.add(llvm.ShuffleVectorOp(first, undef, mask, t))


class ElementLowering(RewritePattern):
    """broadcast, fma, extract, insert, shuffle, bitcast on 1-D vectors."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if isinstance(op, vector.BroadcastOp):
            src = b.value(op.source)
            t = llvm_type(op.vector.type)
            if src.type == t:
                b.replace(rewriter, op, [src])
            elif isinstance(src.type, VectorType):
                raise ConversionError(
                    f"convert-vector-to-llvm: broadcast of {op.source.type} to "
                    f"{op.vector.type} is not supported; broadcast a scalar")
            else:
                assert isinstance(t, VectorType)
                b.replace(rewriter, op, [splat(b, src, t)])
        elif isinstance(op, vector.FMAOp):
            lhs, rhs, acc = b.values(op.operands)
            b.replace(rewriter, op, [b.add(llvm.FMAOp(lhs, rhs, acc))])
        elif isinstance(op, vector.ExtractOp):
            vec = b.value(op.vector)
            pos = self._position(b, op)
            b.replace(rewriter, op, [b.add(llvm_ext.ExtractElementOp(vec, pos))])
        elif isinstance(op, vector.InsertOp):
            dest, src = b.value(op.dest), b.value(op.source)
            pos = self._position(b, op)
            b.replace(rewriter, op, [b.add(llvm.InsertElementOp(dest, src, pos))])
        elif isinstance(op, vector.ShuffleOp):
            v1, v2 = b.value(op.v1), b.value(op.v2)
            mask = DenseArrayBase.from_list(i32, list(op.mask.get_values()))
            t = llvm_type(op.result.type)
            b.replace(rewriter, op, [b.add(llvm.ShuffleVectorOp(v1, v2, mask, t))])
        elif isinstance(op, vector.BitcastOp):
            src = b.value(op.source)
            b.replace(rewriter, op, [b.add(llvm.BitcastOp(src, llvm_type(op.result.type)))])

    @staticmethod
    def _position(b: Lowering, op: vector.ExtractOp | vector.InsertOp) -> SSAValue:
        mixed = op.get_mixed_position()
        vec_type = op.vector.type if isinstance(op, vector.ExtractOp) else op.dest.type
        assert isinstance(vec_type, VectorType)
        if len(mixed) != 1 or len(vec_type.get_shape()) != 1:
            raise ConversionError(
                f"convert-vector-to-llvm: '{op.name}' needs a 1-D vector and one position")
        pos = mixed[0]
        return b.constant(pos, i64) if isinstance(pos, int) else b.value(pos)


_FLOAT_REDUCE = {"add": "fadd", "mul": "fmul", "maxnumf": "fmax", "minnumf": "fmin",
                 "maximumf": "fmaximum", "minimumf": "fminimum"}
_INT_REDUCE = {"add": "add", "mul": "mul", "and": "and", "or": "or", "xor": "xor",
               "maxsi": "smax", "minsi": "smin", "maxui": "umax", "minui": "umin"}
_INT_COMBINE: dict[str, type[Operation]] = {
    "add": llvm.AddOp, "mul": llvm.MulOp, "and": llvm.AndOp, "or": llvm.OrOp, "xor": llvm.XOrOp}
_MINMAX_COMBINE = {"maxnumf": "llvm.maxnum", "minnumf": "llvm.minnum",
                   "maximumf": "llvm.maximum", "minimumf": "llvm.minimum", "maxsi": "llvm.smax",
                   "minsi": "llvm.smin", "maxui": "llvm.umax", "minui": "llvm.umin"}


@dataclass
class ReductionLowering(RewritePattern):
    """vector.reduction -> llvm.vector.reduce.* (+ the accumulator)."""

    reassociate: bool = False

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, vector.ReductionOp):
            return
        b = Lowering()
        vec = b.value(op.vector)
        kind = op.kind.data.value
        elem = element_type(vec.type)
        flags = [llvm.FastMathFlag(f.value) for f in op.fastmath.data]
        if self.reassociate and llvm.FastMathFlag.REASSOC not in flags:
            flags.append(llvm.FastMathFlag.REASSOC)
        fm = llvm.FastMathAttr(flags)
        acc = b.value(op.acc) if op.acc is not None else None
        if isinstance(elem, AnyFloat) and kind in ("add", "mul"):
            start = acc if acc is not None else b.constant(-0.0 if kind == "add" else 1.0, elem)
            reduce_op = llvm.VectorReduceFAddOp if kind == "add" else llvm.VectorReduceFMulOp
            b.replace(rewriter, op, [b.add(reduce_op(start, vec, fm))])
            return
        table = _FLOAT_REDUCE if isinstance(elem, AnyFloat) else _INT_REDUCE
        if kind not in table:
            raise ConversionError(
                f"convert-vector-to-llvm: reduction <{kind}> is not defined on {elem}")
        result = b.intrinsic(f"llvm.vector.reduce.{table[kind]}.{mangle(vec.type)}", [vec],
                             elem, fm if isinstance(elem, AnyFloat) else None)
        if acc is not None:
            if kind in _INT_COMBINE:
                result = b.add(_INT_COMBINE[kind](result, acc))  # type: ignore[call-arg]
            else:
                result = b.intrinsic(f"{_MINMAX_COMBINE[kind]}.{mangle(elem)}", [result, acc],
                                     elem)
        b.replace(rewriter, op, [result])


def vector_to_llvm_patterns(reassociate_fp_reductions: bool = False) -> list[RewritePattern]:
    return [LoadStoreLowering(), ElementLowering(),
            ReductionLowering(reassociate_fp_reductions)]


@dataclass(frozen=True)
class ConvertVectorToLLVMPass(ModulePass):
    """Lower 1-D `vector` ops to the `llvm` dialect (see the module docstring)."""

    name = "convert-vector-to-llvm"

    reassociate_fp_reductions: bool = False

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        patterns = vector_to_llvm_patterns(self.reassociate_fp_reductions)
        run_conversion(self.name, patterns, op)
