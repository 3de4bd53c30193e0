"""lower-memref-views: `memref.view` -> a byte offset from the source's bare pointer.

The driver of a graph function (`convert-graph-to-driver`) places its intermediates in one
byte arena and its constants in one byte buffer, and reaches each tensor through
`memref.view %bytes[%shift][] : memref<Nxi8> to memref<...>`. Under the bare-pointer memref
ABI (`mlc_dialects.codegen.conversion`) a view with an identity result layout is just the
source pointer advanced by `shift` bytes. `convert-memref-to-llvm` does not know views; this
pass runs before it (or anywhere in `lower-upstream-to-llvm`: it bridges types with
`builtin.unrealized_conversion_cast`, like the other conversions).

Before:
    %v = memref.view %arena[%c64][] : memref<256xi8> to memref<4x4xf32>
After:
    %p = builtin.unrealized_conversion_cast %arena : memref<256xi8> to !llvm.ptr
    %s = builtin.unrealized_conversion_cast %c64 : index to i64
    %q = llvm.getelementptr inbounds %p[%s] : (!llvm.ptr, i64) -> !llvm.ptr, i8
    %v = builtin.unrealized_conversion_cast %q : !llvm.ptr to memref<4x4xf32>
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import llvm, memref
from xdsl.dialects.builtin import MemRefType, ModuleOp, i8
from xdsl.ir import Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from mlc_dialects.codegen.conversion import ConversionError, Lowering, run_conversion

PASS_NAME = "lower-memref-views"


class ViewLowering(RewritePattern):
    """memref.view (static result shape) -> getelementptr i8 by the byte shift."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, memref.ViewOp):
            return
        t = op.result.type
        assert isinstance(t, MemRefType)
        if op.sizes or any(d < 0 for d in t.get_shape()):
            raise ConversionError(
                f"{PASS_NAME}: memref.view to {t} has dynamic sizes; only static shapes lower "
                "(bare-pointer ABI)")
        b = Lowering()
        base = b.value(op.source)
        shift = b.value(op.byte_shift)
        ptr = b.add(llvm.GEPOp.from_mixed_indices(base, [shift], i8, inbounds=True))
        b.replace(rewriter, op, [ptr])


@dataclass(frozen=True)
class LowerMemrefViewsPass(ModulePass):
    """Lower memref.view of a byte buffer to a pointer offset (bare-pointer memref ABI)."""

    name = PASS_NAME

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run_conversion(self.name, [ViewLowering()], op)
