"""convert-func-to-llvm: `func.func/return/call` -> `llvm.func/return/call`.

Input: functions with at most one result. Argument and result types are converted
(`memref` -> `!llvm.ptr` under the bare-pointer ABI, `index` -> `i64`); the entry block's
arguments follow, with casts back for the users not converted yet. Public functions get
`external` linkage (the JIT looks them up by name), private definitions `internal`, and
bodiless declarations (`func.func private @expf(f32) -> f32`) become external `llvm.func`
declarations, which the JIT resolves against the process (libm, libc, libgomp). Argument
attributes of the `llvm.` namespace are kept, so `{llvm.noalias}` on a memref argument
reaches LLVM as a `noalias` pointer.

Before:
    func.func @scale(%A: memref<64xf32> {llvm.noalias}, %n: index) {
      func.return
    }
After:
    llvm.func @scale(%A0: !llvm.ptr {llvm.noalias}, %n0: i64) {
      %A = builtin.unrealized_conversion_cast %A0 : !llvm.ptr to memref<64xf32>
      %n = builtin.unrealized_conversion_cast %n0 : i64 to index
      llvm.return
    }
"""

from __future__ import annotations

from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import func, llvm
from xdsl.dialects.builtin import ArrayAttr, DictionaryAttr, ModuleOp
from xdsl.ir import Attribute, Operation
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import PatternRewriter, RewritePattern

from mlc_dialects.codegen.conversion import (
    ConversionError,
    Lowering,
    convert_block_arguments,
    llvm_type,
    run_conversion,
)


def _result_type(name: str, outputs: tuple[Attribute, ...] | list[Attribute]) -> Attribute:
    if len(outputs) > 1:
        raise ConversionError(
            f"convert-func-to-llvm: @{name} returns {len(outputs)} values; only zero or one "
            "lower (return through destination memrefs instead)")
    return llvm_type(outputs[0]) if outputs else llvm.LLVMVoidType()


def _llvm_arg_attrs(op: func.FuncOp) -> ArrayAttr[DictionaryAttr] | None:
    if op.arg_attrs is None:
        return None
    kept = [DictionaryAttr({k: v for k, v in d.data.items() if k.startswith("llvm.")})
            for d in op.arg_attrs.data]
    if not any(d.data for d in kept):
        return None
    return ArrayAttr(kept)


class FuncLowering(RewritePattern):
    """func.func -> llvm.func with converted signature and entry block."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        if not isinstance(op, func.FuncOp):
            return
        name = op.sym_name.data
        fn_type = op.function_type
        inputs = [llvm_type(t) for t in fn_type.inputs.data]
        output = _result_type(name, fn_type.outputs.data)
        private = op.sym_visibility is not None and op.sym_visibility.data == "private"
        linkage = "internal" if private and not op.is_declaration else "external"
        props: dict[str, Attribute | None] = {}
        arg_attrs = _llvm_arg_attrs(op)
        if arg_attrs is not None:
            props["arg_attrs"] = arg_attrs
        body = rewriter.move_region_contents_to_new_regions(op.body)
        if body.blocks:
            convert_block_arguments(body.blocks.first)  # type: ignore[arg-type]
        new = llvm.FuncOp(name, llvm.LLVMFunctionType(inputs, output),
                          linkage=llvm.LinkageAttr(linkage), body=body, other_props=props)
        rewriter.replace(op, new, [])


class ReturnCallLowering(RewritePattern):
    """func.return -> llvm.return; func.call -> llvm.call."""

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        b = Lowering()
        if isinstance(op, func.ReturnOp):
            args = b.values(op.arguments)
            if len(args) > 1:
                raise ConversionError("convert-func-to-llvm: func.return of several values")
            b.add(llvm.ReturnOp(args[0] if args else None))
            b.replace(rewriter, op, [])
        elif isinstance(op, func.CallOp):
            callee = op.callee.string_value()
            output = _result_type(callee, [r.type for r in op.res])
            ret = None if isinstance(output, llvm.LLVMVoidType) else output
            call = b.add(llvm.CallOp(callee, *b.values(op.arguments), return_type=ret))
            b.replace(rewriter, op, [call] if ret is not None else [])


@dataclass(frozen=True)
class ConvertFuncToLLVMPass(ModulePass):
    """Lower `func` to `llvm` functions under the bare-pointer memref ABI (see above)."""

    name = "convert-func-to-llvm"

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        run_conversion(self.name, [ReturnCallLowering(), FuncLowering()], op)
