"""TVMScript (a subset) for mlc_dialects: course code runs after changing its imports only.

    from mlc_dialects.script import ir as I, tir as T   # was: from tvm.script import ir as I, tir as T

    @I.ir_module                # or mlc_dialects.script.ir_module (the course's tvm.script.ir_module)
    class MyModule:
        @T.prim_func
        def mm_relu(A: T.Buffer((128, 128), "float32"), B: T.Buffer((128, 128), "float32"),
                    C: T.Buffer((128, 128), "float32")):
            T.func_attr({"global_symbol": "mm_relu", "tir.noalias": True})
            Y = T.alloc_buffer((128, 128), dtype="float32")
            for i, j, k in T.grid(128, 128, 128):
                with T.block("Y"):
                    vi, vj, vk = T.axis.remap("SSR", [i, j, k])
                    with T.init():
                        Y[vi, vj] = T.float32(0)
                    Y[vi, vj] = Y[vi, vj] + A[vi, vk] * B[vk, vj]
            ...

`MyModule` is a plain xDSL `ModuleOp` of tensor-dialect functions (the same IR
`mlc_dialects.te` builds for the same computation), ready for `mlc.Schedule`,
`mlc.interpret(MyModule, "mm_relu", a, b, c)` and `print`. A standalone `@T.prim_func def f`
gives a module with one function `@f`. The function body is parsed from its source with
`ast` and never executed.

The subset:
- parameters `T.Buffer(shape, dtype)` / `T.Buffer[shape, dtype]`, or `T.handle` +
  `T.match_buffer`; dtypes float16/32/64, int8/16/32/64, bool; static shapes;
- `T.func_attr` (accepted; "global_symbol", "tir.noalias"/"tirx.noalias" have no effect here),
  `T.alloc_buffer` / `T.sblock_alloc_buffer` at function level, an optional root block;
- loops: `range(n)` / `range(a, b[, step])`, `T.serial`, `T.parallel`, `T.vectorized`,
  `T.unroll` (with `annotations={...}`), `T.grid(...)`;
- blocks: `T.block` / `T.sblock` (TVM 0.27), `T.axis.spatial/S/reduce/R(extent, affine binding)`,
  `T.axis.remap("SSR", [i, j, k])`, `T.where(affine conditions)`, `T.reads` / `T.writes`
  (used as declared, and every access is checked against them), `T.block_attr`,
  `with T.init():`, stores `B[...] = expr` / `B[...] += expr`, local names `x = expr`;
- expressions: + - * / // % **, comparisons, and/or/not, `a if c else b`, `T.if_then_else`,
  `T.Select`, `T.max/min/exp/log/sqrt/rsqrt/tanh/sigmoid/erf/floor/ceil/abs/pow`,
  `T.floordiv/floormod`, `T.float32(x)` and the other dtype names, `T.Cast(dtype, x)`,
  `T.min_value/max_value(dtype)`, `T.all/any/likely`, and Python number constants from the
  enclosing scope.

Arguments that no block writes are the inputs (`tensor.num_inputs`) and must come first.
Mistakes raise `ScriptError` (a `mlc_dialects.diagnostics.DiagnosticError`) located at the
Python source: `file.py:line:col: error: ...`, the line and a caret.
"""

from mlc_dialects.script import ir, tir
from mlc_dialects.script.ir import ir_module
from mlc_dialects.script.parser import ScriptError, parse_source

__all__ = ["ScriptError", "ir", "ir_module", "parse_source", "tir"]
