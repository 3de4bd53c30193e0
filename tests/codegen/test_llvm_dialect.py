"""The llvm-dialect text our lowering prints parses again with `llvm_ext.LLVM` (xDSL's llvm
dialect plus fptosi/fptoui/uitofp/extractelement) and translates to the same LLVM IR."""

from __future__ import annotations

from codegen_kernels import unary_map
from xdsl.context import Context

from mlc_dialects.api import parse
from mlc_dialects.codegen import Target
from mlc_dialects.codegen.jit import load_runtime_libraries
from mlc_dialects.codegen.llvm_ext import LLVM
from mlc_dialects.codegen.llvm_ir import translate_module
from mlc_dialects.codegen.pipeline import lower_upstream_to_llvm
from mlc_dialects.context import UPSTREAM_DIALECTS
from mlc_dialects.parsing import parse_and_verify

TEXT = unary_map("math.erf", 20) + """
func.func @casts(%x: f32, %v: vector<16xf32>) -> f32 {
  %i = arith.fptosi %x : f32 to i32
  %u = arith.uitofp %i : i32 to f32
  %e = vector.extract %v[1] : f32 from vector<16xf32>
  %r = arith.addf %u, %e : f32
  func.return %r : f32
}
"""


def test_lowered_text_round_trips_with_the_extended_llvm_dialect() -> None:
    module = parse(TEXT)
    lower_upstream_to_llvm(module)
    ctx = Context()
    for name, factory in UPSTREAM_DIALECTS.items():
        if name != "llvm":
            ctx.register_dialect(name, factory)
    ctx.register_dialect("llvm", lambda: LLVM)  # what mlc_dialects.context should load
    reparsed = parse_and_verify(ctx, str(module), "lowered.mlir")
    assert str(reparsed) == str(module)
    target = Target.host()
    assert str(translate_module(reparsed, target.triple)) == str(
        translate_module(module, target.triple))


def test_libm_is_visible_to_jitted_code() -> None:
    loaded = load_runtime_libraries()
    assert any("libm" in path for path in loaded)
