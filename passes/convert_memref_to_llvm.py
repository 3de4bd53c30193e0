"""convert-memref-to-llvm: memrefs with static shapes -> bare `!llvm.ptr`s (see the memref ABI).

Input: `memref.load/store/alloc/alloca/dealloc/copy` on memrefs with static shapes and
identity or static strided layouts. Addresses are `getelementptr inbounds` of the element type
over the linearized index `offset + sum(i_k * stride_k)` (nsw: an in-bounds index of a static
shape cannot overflow i64); loads and stores carry the element's alignment. `alloc` calls
`aligned_alloc` (64-byte aligned unless the op asks for more), `dealloc` calls `free`, `alloca`
becomes an `llvm.alloca` hoisted to the function's entry block (so a loop cannot grow the
stack), `copy` is `llvm.memcpy`, `dim` of a static size is a constant.

Before:
    %x = memref.load %A[%i, %j] : memref<4x8xf32>
After:
    %p = builtin.unrealized_conversion_cast %A : memref<4x8xf32> to !llvm.ptr
    %i0 = builtin.unrealized_conversion_cast %i : index to i64
    %j0 = builtin.unrealized_conversion_cast %j : index to i64
    %c8 = llvm.mlir.constant(8 : i64) : i64
    %r = llvm.mul %i0, %c8 overflow<nsw> : i64
    %l = llvm.add %r, %j0 overflow<nsw> : i64
    %a = llvm.getelementptr inbounds %p[%l] : (!llvm.ptr, i64) -> !llvm.ptr, f32
    %x = llvm.load %a {alignment = 4 : i64} : !llvm.ptr -> f32
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, llvm, memref
from xdsl.dialects.builtin import (
    IntegerAttr,
    MemRefType,
    ModuleOp,
    UnrealizedConversionCastOp,
    i1,
    i64,
)
from xdsl.ir import Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from mlc_dialects.codegen.conversion import (
    PTR,
    ConversionError,
    Lowering,
    byte_size,
    declare_function,
    insert_in_entry_block,
    llvm_type,
    memref_element_pointer,
    memref_layout,
    module_of,
    run_conversion,
)

DEFAULT_ALLOC_ALIGNMENT = 64
"""Bytes; a cache line, and the width of an AVX-512 register."""


def _num_bytes(t: MemRefType) -> int:
    count = 1
    for d in t.get_shape():
        count *= d
    return count * byte_size(t.element_type)


class LoadStoreLowering(RewritePattern):
    """memref.load/store -> getelementptr + llvm.load/store."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if isinstance(op, memref.LoadOp):
            ptr = memref_element_pointer(b, op.memref, op.indices)
            t = llvm_type(op.res.type)
            b.replace(rewriter, op, [b.add(llvm.LoadOp(ptr, t, alignment=byte_size(t)))])
        elif isinstance(op, memref.StoreOp):
            ptr = memref_element_pointer(b, op.memref, op.indices)
            value = b.value(op.value)
            b.add(llvm.StoreOp(value, ptr, alignment=byte_size(value.type)))
            b.replace(rewriter, op, [])


class AllocLowering(RewritePattern):
    """memref.alloc/dealloc -> aligned_alloc/free; memref.alloca -> entry-block llvm.alloca."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if isinstance(op, (memref.AllocOp, memref.AllocaOp)):
            t = op.memref.type
            if op.dynamic_sizes or any(d < 0 for d in t.get_shape()):
                raise ConversionError(
                    f"convert-memref-to-llvm: '{op.name}' of {t} has dynamic sizes; only "
                    "static shapes lower (bare-pointer ABI)")
            memref_layout(t)
            align = op.alignment.value.data if op.alignment is not None else 0
            align = max(align, DEFAULT_ALLOC_ALIGNMENT)
            if isinstance(op, memref.AllocaOp):
                self._alloca(op, t, align, rewriter)
            else:
                self._alloc(op, t, align, rewriter)
        elif isinstance(op, memref.DeallocOp):
            declare_function(module_of(op), "free", [PTR], None)
            b = Lowering()
            b.add(llvm.CallOp("free", b.value(op.memref)))
            b.replace(rewriter, op, [])

    @staticmethod
    def _alloc(op: memref.AllocOp, t: MemRefType, align: int,
               rewriter: PatternRewriter) -> None:
        declare_function(module_of(op), "aligned_alloc", [i64, i64], PTR)
        size = -(-_num_bytes(t) // align) * align  # aligned_alloc wants a multiple of align
        b = Lowering()
        ptr = b.add(llvm.CallOp("aligned_alloc", b.constant(align, i64), b.constant(size, i64),
                                return_type=PTR))
        b.replace(rewriter, op, [ptr])

    @staticmethod
    def _alloca(op: memref.AllocaOp, t: MemRefType, align: int,
                rewriter: PatternRewriter) -> None:
        count = 1
        for d in t.get_shape():
            count *= d
        entry = Lowering()
        size = entry.constant(count, i64)
        ptr = entry.add(llvm.AllocaOp(size, llvm_type(t.element_type), alignment=align))
        insert_in_entry_block(rewriter, op, entry.ops)
        rewriter.replace(op, UnrealizedConversionCastOp.get([ptr], [t]))


class CopyLowering(RewritePattern):
    """memref.copy of identity-layout memrefs -> llvm.memcpy."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, memref.CopyOp):
            return
        t = op.source.type
        assert isinstance(t, MemRefType)
        for m in (op.source.type, op.destination.type):
            assert isinstance(m, MemRefType)
            if memref_layout(m) != memref_layout(MemRefType(m.element_type, m.get_shape())):
                raise ConversionError(
                    f"convert-memref-to-llvm: memref.copy of {m} needs an identity layout")
        b = Lowering()
        src, dst = b.value(op.source), b.value(op.destination)
        size = b.constant(_num_bytes(t), i64)
        b.intrinsic("llvm.memcpy.p0.p0.i64", [dst, src, size, b.constant(0, i1)], None)
        b.replace(rewriter, op, [])


def _constant_index(value: SSAValue) -> int | None:
    """The value of an index constant (arith or llvm, possibly behind a cast), else None."""
    owner = value.owner
    if isinstance(owner, UnrealizedConversionCastOp):
        owner = owner.inputs[0].owner
    if isinstance(owner, (arith.ConstantOp, llvm.ConstantOp)) and isinstance(
            owner.value, IntegerAttr):
        return owner.value.value.data
    return None


class DimLowering(RewritePattern):
    """memref.dim of a static dimension -> its size as a constant."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, memref.DimOp):
            return
        t = op.source.type
        index = _constant_index(op.index)
        if not isinstance(t, MemRefType) or index is None or t.get_shape()[index] < 0:
            raise ConversionError(
                "convert-memref-to-llvm: memref.dim needs a constant index and a static size")
        b = Lowering()
        b.replace(rewriter, op, [b.constant(t.get_shape()[index], i64)])


def memref_to_llvm_patterns() -> list[RewritePattern]:
    return [LoadStoreLowering(), AllocLowering(), CopyLowering(), DimLowering()]


@dataclass(frozen=True)
class ConvertMemRefToLLVMPass(ModulePass):
    """Lower static-shape `memref` ops to bare pointers (see the module docstring)."""

    name = "convert-memref-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run_conversion(self.name, memref_to_llvm_patterns(), op)
