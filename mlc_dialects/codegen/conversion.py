"""Shared machinery of the `convert-*-to-llvm` passes: type conversion, casts, the memref ABI.

Each conversion pass rewrites the ops of one dialect into xDSL's `llvm` dialect and leaves the
rest of the module alone. Where a converted op meets an unconverted one the types disagree
(`index` vs `i64`, `memref<...>` vs `!llvm.ptr`); the passes bridge them with
`builtin.unrealized_conversion_cast`, exactly as MLIR's dialect conversion does, and
`reconcile-unrealized-casts` removes the casts once every dialect is converted. So each pass
can run alone (its lit test shows the casts) and the passes compose in any order.

Type conversion (`llvm_type`):
    index                     -> i64
    iN, f16, f32, f64         -> unchanged
    vector<NxT>               -> vector<Nxllvm_type(T)>   (1-D only)
    memref<d0 x .. x T>       -> !llvm.ptr                (static shapes: the bare-pointer ABI)

The memref ABI. A memref with a static shape and a static strided layout is passed and stored
as one bare pointer to its buffer (MLIR's aligned pointer, `use-bare-ptr-memref-call-conv`):
element (i0, .., ik) lives at `ptr + (offset + sum(i_j * stride_j)) * sizeof(T)`, with strides
and offset read from the type. It keeps calls cheap (one pointer per buffer, no descriptor) and
lets `noalias` sit directly on the pointer argument. Dynamic shapes need sizes and strides at
run time; they will get MLIR's strided descriptor (`!llvm.struct<(ptr, ptr, i64, array<k x
i64>, array<k x i64>)>`) behind the same `memref_element_pointer` entry point, which is the
only function that knows the layout.
"""

from __future__ import annotations

from collections.abc import Sequence

from xdsl.dialects import llvm
from xdsl.dialects.builtin import (
    AnyFloat,
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    NoneAttr,
    StridedLayoutAttr,
    UnrealizedConversionCastOp,
    VectorType,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, SSAValue
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import DiagnosticException

PTR = llvm.LLVMPointerType()


class ConversionError(DiagnosticException):
    """An input the llvm conversion cannot handle; the message names the pass and the fix."""


def run_conversion(pass_name: str, patterns: Sequence[RewritePattern], module: ModuleOp) -> None:
    """Apply `patterns` once to every op (no DCE: conversion keeps dead ops, like MLIR's);
    a ConversionError is re-raised with the pass name first."""
    walker = PatternRewriteWalker(GreedyRewritePatternApplier(list(patterns), dce_enabled=False),
                                  apply_recursively=False)
    try:
        walker.rewrite_module(module)
    except ConversionError as err:
        message = str(err)
        if not message.startswith(pass_name):
            message = f"{pass_name}: {message}"
        raise ConversionError(message) from None


# --- types --------------------------------------------------------------------------------


def llvm_type(t: Attribute) -> Attribute:
    """The llvm-dialect type that values of type `t` become (see the module docstring)."""
    if isinstance(t, IndexType):
        return i64
    if isinstance(t, MemRefType):
        return PTR
    if isinstance(t, VectorType):
        if len(t.get_shape()) != 1:
            raise ConversionError(f"only 1-D vectors lower to llvm, got {t}; unroll to 1-D first")
        elem = llvm_type(t.element_type)
        return t if elem == t.element_type else VectorType(elem, t.get_shape())
    return t


def element_type(t: Attribute) -> Attribute:
    return t.element_type if isinstance(t, VectorType) else t


def bit_width(t: Attribute) -> int:
    t = llvm_type(element_type(t))
    if isinstance(t, IntegerType):
        return t.width.data
    if isinstance(t, AnyFloat):
        return t.bitwidth
    raise ConversionError(f"no bit width for type {t}")


def byte_size(t: Attribute) -> int:
    """Size in bytes of one scalar or vector value of type `t` in memory."""
    if isinstance(t, VectorType):
        return byte_size(t.element_type) * t.element_count()
    return max(1, bit_width(t) // 8)


def mangle(t: Attribute) -> str:
    """LLVM's intrinsic name suffix for a type: f32, i64, v16f32."""
    t = llvm_type(t)
    if isinstance(t, VectorType):
        return f"v{t.element_count()}{mangle(t.element_type)}"
    if isinstance(t, IntegerType):
        return f"i{t.width.data}"
    if isinstance(t, AnyFloat):
        return f"f{t.bitwidth}"
    if isinstance(t, llvm.LLVMPointerType):
        return "p0"
    raise ConversionError(f"cannot mangle type {t} into an intrinsic name")


# --- building the replacement of one op ---------------------------------------------------


class Lowering:
    """Collects the llvm ops that replace one op, casting operands to llvm types on the way.

    Build one only once the op is known to match: a cast made and then dropped would still
    be registered as a use of its operand.
    """

    def __init__(self) -> None:
        self.ops: list[Operation] = []

    def add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def value(self, value: SSAValue) -> SSAValue:
        """`value` as its llvm type: itself, the source of a cast, or a new cast."""
        target = llvm_type(value.type)
        if value.type == target:
            return value
        owner = value.owner
        if (isinstance(owner, UnrealizedConversionCastOp) and len(owner.inputs) == 1
                and owner.inputs[0].type == target):
            return owner.inputs[0]
        return self.add(UnrealizedConversionCastOp.get([value], [target]))

    def values(self, values: Sequence[SSAValue]) -> list[SSAValue]:
        return [self.value(v) for v in values]

    def constant(self, value: float, t: Attribute) -> SSAValue:
        """An `llvm.mlir.constant` of scalar or splat-vector type `t` (already an llvm type)."""
        elem = element_type(t)
        if isinstance(t, VectorType):
            attr = DenseIntOrFPElementsAttr.from_list(t, [value] * t.element_count())
        elif isinstance(elem, IntegerType):
            attr = IntegerAttr(int(value), elem)
        else:
            attr = FloatAttr(float(value), elem)
        return self.add(llvm.ConstantOp(attr, t))

    def intrinsic(self, name: str, args: Sequence[SSAValue], result: Attribute | None,
                  fastmath: llvm.FastMathAttr | None = None) -> SSAValue:
        """`llvm.call_intrinsic "name"(args)`; `name` is already mangled (llvm.smax.v16i32)."""
        op = llvm.CallIntrinsicOp(name, list(args), [result] if result is not None else [])
        if fastmath is not None:
            op.properties["fastmathFlags"] = fastmath
        return self.add(op)

    def replace(self, rewriter: PatternRewriter, op: Operation,
                results: Sequence[SSAValue]) -> None:
        """Replace `op` by the collected ops; results of a changed type are cast back."""
        final: list[SSAValue] = []
        for old, new in zip(op.results, results, strict=True):
            if old.type != new.type:
                new = self.add(UnrealizedConversionCastOp.get([new], [old.type]))
            final.append(new)
        rewriter.replace(op, self.ops, final)


def fastmath_of(op: Operation) -> llvm.FastMathAttr:
    """The llvm fastmath flags matching an arith/math op's `fastmath` property."""
    flags = op.properties.get("fastmath")
    if flags is None or not hasattr(flags, "data"):
        return llvm.FastMathAttr(None)
    return llvm.FastMathAttr([llvm.FastMathFlag(f.value) for f in flags.data])


# --- block signatures ---------------------------------------------------------------------


def convert_block_arguments(block: Block) -> None:
    """Give every argument of `block` its llvm type; old users see a cast back."""
    anchor = block.first_op  # casts go before it, in argument order
    for index, arg in enumerate(list(block.args)):
        target = llvm_type(arg.type)
        if target == arg.type:
            continue
        new_arg = block.insert_arg(target, index)
        new_arg.name_hint = arg.name_hint
        cast = UnrealizedConversionCastOp.get([new_arg], [arg.type])
        if anchor is None:
            block.add_op(cast)
        else:
            block.insert_op_before(cast, anchor)
        arg.replace_all_uses_with(cast.results[0])
        block.erase_arg(arg)


# --- module-level declarations -------------------------------------------------------------


def declare_function(module: ModuleOp, name: str, inputs: Sequence[Attribute],
                     output: Attribute | None) -> None:
    """Add `llvm.func @name(inputs) -> output` (external) unless the module has `@name`."""
    for op in module.ops:
        sym = op.properties.get("sym_name")
        if sym is not None and getattr(sym, "data", None) == name:
            return
    ret = output if output is not None else llvm.LLVMVoidType()
    decl = llvm.FuncOp(name, llvm.LLVMFunctionType(list(inputs), ret),
                       linkage=llvm.LinkageAttr("external"))
    module.body.block.add_op(decl)


def module_of(op: Operation) -> ModuleOp:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, ModuleOp):
        parent = parent.parent_op()
    if parent is None:
        raise ConversionError(f"'{op.name}' is not inside a builtin.module")
    return parent


def insert_in_entry_block(rewriter: PatternRewriter, op: Operation, ops: Sequence[Operation]
                          ) -> None:
    """Insert `ops` at the start of the entry block of the function around `op`."""
    func = op.parent_op()
    while func is not None and func.parent_op() is not None and not isinstance(
            func.parent_op(), ModuleOp):
        func = func.parent_op()
    assert func is not None and func.regions, "op outside a function"
    entry = func.regions[0].blocks.first
    assert entry is not None
    rewriter.insert(list(ops), InsertPoint.at_start(entry))


# --- the memref ABI -----------------------------------------------------------------------


def memref_layout(t: MemRefType) -> tuple[list[int], int]:
    """Static strides (in elements) and offset of `t`, or ConversionError for dynamic ones."""
    shape = t.get_shape()
    if any(d < 0 for d in shape):
        raise ConversionError(
            f"{t} has a dynamic shape; the bare-pointer memref ABI needs static shapes "
            "(dynamic shapes will use strided descriptors)")
    layout = t.layout
    if isinstance(layout, NoneAttr) or not isinstance(layout, StridedLayoutAttr):
        if not isinstance(layout, NoneAttr):
            raise ConversionError(f"{t}: only identity and strided layouts lower to llvm")
        strides = [1] * len(shape)
        for i in range(len(shape) - 2, -1, -1):
            strides[i] = strides[i + 1] * shape[i + 1]
        return strides, 0
    strides = list(layout.get_strides())
    offset = layout.get_offset()
    if offset is None or any(s is None for s in strides):
        raise ConversionError(f"{t} has a dynamic stride or offset; only static ones lower")
    return strides, offset  # type: ignore[return-value]


def memref_element_pointer(b: Lowering, memref: SSAValue, indices: Sequence[SSAValue]
                           ) -> SSAValue:
    """`!llvm.ptr` to element `indices` of `memref` (bare pointer + linearized index)."""
    t = memref.type
    assert isinstance(t, MemRefType)
    strides, offset = memref_layout(t)
    base = b.value(memref)
    nsw = llvm.OverflowAttr([llvm.OverflowFlag.NO_SIGNED_WRAP])
    linear: SSAValue | None = None
    for index, stride in zip(b.values(indices), strides, strict=True):
        term = index
        if stride != 1:
            term = b.add(llvm.MulOp(index, b.constant(stride, i64), overflow=nsw))
        linear = term if linear is None else b.add(llvm.AddOp(linear, term, overflow=nsw))
    if offset:
        off = b.constant(offset, i64)
        linear = off if linear is None else b.add(llvm.AddOp(linear, off, overflow=nsw))
    if linear is None:
        return base
    elem = llvm_type(t.element_type)
    return b.add(llvm.GEPOp.from_mixed_indices(base, [linear], elem, inbounds=True))
