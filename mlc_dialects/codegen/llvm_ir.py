"""Translate a module in the `llvm` dialect to LLVM IR text (an llvmlite `ir.Module`).

xDSL's `xdsl.backend.llvm.convert_module` covers most of the dialect, and we delegate every op
it handles well to its `convert_op`. We translate ourselves what it gets wrong or lacks
(notes/xdsl-0.74.md section 4):
- intrinsics are declared with type-mangled names (`llvm.exp.v16f32`, not `llvm.exp`), so one
  module may use an intrinsic at several types;
- fastmath flags on intrinsic calls and vector reductions are kept, not dropped or refused;
- `llvm.call_intrinsic` accepts fastmath flags;
- the ops of `llvm_ext` (`fptosi`, `fptoui`, `uitofp`, `extractelement`) exist, and
  `llvm.fcmp` / `llvm.select` also work lane by lane on vectors;
- function arguments keep `noalias`, `nonnull`, `noundef`, `align`, `dereferenceable`.
Module-level ops other than `llvm.func` are rejected with the op's name.
"""

from __future__ import annotations

from collections.abc import Callable

from llvmlite import ir
from xdsl.backend.llvm.convert_op import convert_op
from xdsl.backend.llvm.convert_type import convert_type
from xdsl.dialects import llvm
from xdsl.dialects.builtin import IntegerAttr, ModuleOp
from xdsl.ir import Block, Operation, SSAValue

from mlc_dialects.codegen import llvm_ext
from mlc_dialects.codegen.conversion import ConversionError

_NAMED_INTRINSICS: dict[type[Operation], str] = {
    llvm.FAbsOp: "llvm.fabs", llvm.FCeilOp: "llvm.ceil", llvm.FFloorOp: "llvm.floor",
    llvm.FSqrtOp: "llvm.sqrt", llvm.FExpOp: "llvm.exp", llvm.FExp2Op: "llvm.exp2",
    llvm.FLogOp: "llvm.log", llvm.FLog2Op: "llvm.log2", llvm.FSinOp: "llvm.sin",
    llvm.FCosOp: "llvm.cos", llvm.FPowOp: "llvm.pow", llvm.VectorFMaxOp: "llvm.maxnum",
    llvm.VectorFMinOp: "llvm.minnum", llvm.FCopySignOp: "llvm.copysign", llvm.FMAOp: "llvm.fma",
}
_REDUCTIONS: dict[type[Operation], str] = {
    llvm.VectorReduceFAddOp: "llvm.vector.reduce.fadd",
    llvm.VectorReduceFMulOp: "llvm.vector.reduce.fmul",
}
_ARG_FLAGS = {"llvm.noalias": "noalias", "llvm.nonnull": "nonnull", "llvm.noundef": "noundef",
              "llvm.nocapture": "nocapture", "llvm.readonly": "readonly"}
_ARG_INTS = {"llvm.align": "align", "llvm.dereferenceable": "dereferenceable"}

ValueMap = dict[SSAValue, ir.Value]


def _suffix(t: ir.Type) -> str:
    if isinstance(t, ir.VectorType):
        return f"v{t.count}{_suffix(t.element)}"
    if isinstance(t, ir.IntType):
        return f"i{t.width}"
    if isinstance(t, ir.PointerType):
        return "p0"
    return {"half": "f16", "float": "f32", "double": "f64"}[str(t)]


def _is_float(t: ir.Type) -> bool:
    elem = t.element if isinstance(t, ir.VectorType) else t
    return isinstance(elem, (ir.HalfType, ir.FloatType, ir.DoubleType))


def _flags(op: Operation) -> list[str]:
    attr = op.properties.get("fastmathFlags")
    if attr is None:
        return []
    names = sorted(f.value for f in attr.data)  # type: ignore[attr-defined]
    return names


def _declare(module: ir.Module, name: str, ret: ir.Type, args: list[ir.Type]) -> ir.Function:
    if name in module.globals:
        return module.globals[name]  # type: ignore[return-value]
    return ir.Function(module, ir.FunctionType(ret, args), name=name)


def _call(builder: ir.IRBuilder, name: str, ret: ir.Type, args: list[ir.Value],
          flags: list[str]) -> ir.Value:
    fn = _declare(builder.module, name, ret, [a.type for a in args])
    return builder.call(fn, args, fastmath=flags if _is_float(ret) else ())


def _named_intrinsic(op: Operation, b: ir.IRBuilder, vals: ValueMap) -> None:
    args = [vals[o] for o in op.operands]
    ret = convert_type(op.results[0].type)
    name = f"{_NAMED_INTRINSICS[type(op)]}.{_suffix(ret)}"
    vals[op.results[0]] = _call(b, name, ret, args, _flags(op))


def _reduction(op: Operation, b: ir.IRBuilder, vals: ValueMap) -> None:
    start, vec = vals[op.operands[0]], vals[op.operands[1]]
    name = f"{_REDUCTIONS[type(op)]}.{_suffix(vec.type)}"
    vals[op.results[0]] = _call(b, name, start.type, [start, vec], _flags(op))


def _call_intrinsic(op: llvm.CallIntrinsicOp, b: ir.IRBuilder, vals: ValueMap) -> None:
    args = [vals[a] for a in op.args]
    ret = convert_type(op.ress.type) if op.ress is not None else ir.VoidType()
    result = _call(b, op.intrin.data, ret, args, _flags(op))
    if op.ress is not None:
        vals[op.ress] = result


_FCMP_SYMBOLS = {"eq": "==", "gt": ">", "ge": ">=", "lt": "<", "le": "<=", "ne": "!="}


def _fcmp(op: llvm_ext.FCmpOp, b: ir.IRBuilder, vals: ValueMap) -> ir.Value:
    """llvmlite spells `olt` as fcmp_ordered("<"); `ord`, `uno`, `true`, `false` by name."""
    flag = op.flag
    if flag in ("ord", "uno", "true", "false"):
        build = b.fcmp_ordered if flag == "ord" else b.fcmp_unordered
        return build(flag, vals[op.lhs], vals[op.rhs], flags=_flags(op))
    build = b.fcmp_ordered if flag[0] == "o" else b.fcmp_unordered
    return build(_FCMP_SYMBOLS[flag[1:]], vals[op.lhs], vals[op.rhs], flags=_flags(op))


_CASTS: dict[type[Operation], Callable[[ir.IRBuilder], Callable[..., ir.Value]]] = {
    llvm_ext.FPToSIOp: lambda b: b.fptosi,
    llvm_ext.FPToUIOp: lambda b: b.fptoui,
    llvm_ext.UIToFPOp: lambda b: b.uitofp,
}


def translate_op(op: Operation, b: ir.IRBuilder, vals: ValueMap,
                 blocks: dict[Block, ir.Block]) -> None:
    """Emit one llvm-dialect op at `b`; ours first, xDSL's translation for the rest."""
    if type(op) in _NAMED_INTRINSICS:
        _named_intrinsic(op, b, vals)
    elif type(op) in _REDUCTIONS:
        _reduction(op, b, vals)
    elif isinstance(op, llvm.CallIntrinsicOp):
        _call_intrinsic(op, b, vals)
    elif type(op) in _CASTS:
        to = convert_type(op.results[0].type)
        vals[op.results[0]] = _CASTS[type(op)](b)(vals[op.operands[0]], to)
    elif isinstance(op, llvm_ext.ExtractElementOp):
        vals[op.res] = b.extract_element(vals[op.vector], vals[op.position])
    elif isinstance(op, llvm_ext.FCmpOp):
        vals[op.res] = _fcmp(op, b, vals)
    elif isinstance(op, llvm_ext.SelectOp):
        vals[op.res] = b.select(vals[op.cond], vals[op.lhs], vals[op.rhs])
    else:
        try:
            convert_op(op, b, vals, blocks)
        except NotImplementedError as err:
            raise ConversionError(
                f"llvm-ir translation: '{op.name}' is not supported ({err}); was every "
                "dialect lowered to llvm?") from None


def _declare_function(op: llvm.FuncOp, module: ir.Module) -> ir.Function:
    fn_type = op.function_type
    ret = convert_type(fn_type.output)
    args = [convert_type(t) for t in fn_type.inputs.data]
    fn = ir.Function(module, ir.FunctionType(ret, args, var_arg=fn_type.is_variadic),
                     name=op.sym_name.data)
    if op.linkage.linkage.data == "internal":
        fn.linkage = "internal"
    if op.arg_attrs is None:
        return fn
    for arg, attrs in zip(fn.args, op.arg_attrs.data, strict=True):
        for key, value in attrs.data.items():
            if key in _ARG_FLAGS:
                arg.add_attribute(_ARG_FLAGS[key])
            elif key in _ARG_INTS and isinstance(value, IntegerAttr):
                setattr(arg.attributes, _ARG_INTS[key], value.value.data)
    return fn


def _define_function(op: llvm.FuncOp, fn: ir.Function) -> None:
    fn.attributes.add("nounwind")
    blocks: dict[Block, ir.Block] = {}
    vals: ValueMap = {}
    for i, block in enumerate(op.body.blocks):
        blocks[block] = fn.append_basic_block(name=f"bb{i}")
    entry = op.body.blocks.first
    assert entry is not None
    for arg, value in zip(entry.args, fn.args, strict=True):
        vals[arg] = value
    for block in list(op.body.blocks)[1:]:
        phi_builder = ir.IRBuilder(blocks[block])
        for arg in block.args:
            vals[arg] = phi_builder.phi(convert_type(arg.type))
    for block in op.body.blocks:
        builder = ir.IRBuilder(blocks[block])
        if blocks[block].instructions:
            builder.position_after(blocks[block].instructions[-1])
        for inner in block.ops:
            translate_op(inner, builder, vals, blocks)


def translate_module(module: ModuleOp, triple: str = "", data_layout: str = "") -> ir.Module:
    """The LLVM IR of an llvm-dialect module; ConversionError names an op left unlowered."""
    out = ir.Module(name="mlc")
    out.triple = triple
    out.data_layout = data_layout
    funcs: list[tuple[llvm.FuncOp, ir.Function]] = []
    for op in module.ops:
        if not isinstance(op, llvm.FuncOp):
            raise ConversionError(
                f"llvm-ir translation: top-level '{op.name}' is not an llvm.func; run the "
                "lowering pipeline (lower-upstream-to-llvm) first")
        funcs.append((op, _declare_function(op, out)))
    for op, fn in funcs:
        if op.body.blocks:
            _define_function(op, fn)
    return out
