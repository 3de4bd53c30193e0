"""Mistakes in a TVMScript function are ScriptErrors located at the Python construct."""

from __future__ import annotations

import textwrap
import types
from pathlib import Path

import pytest

from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.script import ScriptError, parse_source
from mlc_dialects.script import ir as I
from mlc_dialects.script import tir as T


def error_at(
    body: str, header: str = "A: T.Buffer((8, 8), 'float32'), B: T.Buffer((8, 8), 'float32')"
) -> tuple[int, int, str]:
    """Parse `def f(header): body` from a string; (line, col, message) of the error."""
    text = f"@T.prim_func\ndef f({header}):\n" + textwrap.indent(textwrap.dedent(body), "    ")
    with pytest.raises(ScriptError) as info:
        parse_source(text, "script.py")
    diag = info.value.diagnostics[0]
    assert diag.filename == "script.py"
    formatted = str(info.value)
    assert formatted.startswith(f"script.py:{diag.line}:{diag.col}: error: ")
    assert "^" in formatted  # the source line and a caret follow
    return diag.line, diag.col, diag.message


COPY = """\
for i, j in T.grid(8, 8):
    with T.block("B"):
        vi, vj = T.axis.remap("SS", [i, j])
        B[vi, vj] = {value}
"""


def test_script_error_is_a_diagnostic_error() -> None:
    assert issubclass(ScriptError, DiagnosticError)


def test_unknown_t_name_suggests_a_close_one() -> None:
    line, col, message = error_at("for i in T.gridd(8):\n    pass\n")
    assert (line, col) == (3, 14)
    assert message == "T.gridd is not part of the supported TVMScript subset; did you mean T.grid?"


def test_wrong_buffer_rank() -> None:
    line, col, message = error_at(COPY.format(value="A[vi, vj, 0]"))
    assert (line, col) == (6, 25)
    assert message == "buffer 'A' has rank 2 (shape (8, 8)) but is indexed with 3 indices"


def test_undefined_variable() -> None:
    line, col, message = error_at(COPY.format(value="A[vi, vj] * scale"))
    assert (line, col) == (6, 37)
    assert message == "undefined variable 'scale'"


def test_loop_variable_in_a_block_body() -> None:
    _, _, message = error_at(COPY.format(value="A[i, vj]"))
    assert message.startswith(
        "loop variable 'i' is used inside block \"B\"; bind it to a block iterator"
    )


def test_if_statement_in_a_block_is_unsupported() -> None:
    line, col, message = error_at("""\
        for i in range(8):
            with T.block("B"):
                vi = T.axis.spatial(8, i)
                if vi < 4:
                    B[vi, 0] = A[vi, 0]
        """)
    assert (line, col) == (6, 13)
    assert message.startswith("`if` statements are not supported in a block; use T.where")


def test_while_at_function_level_is_unsupported() -> None:
    line, col, message = error_at("while True:\n    pass\n")
    assert (line, col) == (3, 5)
    assert message.startswith("unsupported statement `while` at function level; expected loops")


def test_store_outside_a_block() -> None:
    _, _, message = error_at("for i in range(8):\n    B[i, 0] = A[i, 0]\n")
    assert message == "a buffer store must be inside a `with T.block(...)`"


def test_non_affine_binding() -> None:
    line, col, message = error_at("""\
        for i, j in T.grid(8, 8):
            with T.block("B"):
                vi = T.axis.spatial(64, i * j)
                B[0, 0] = A[0, 0]
        """)
    assert (line, col) == (5, 37)
    assert "a product of two variables is not affine" in message


def test_binding_outside_the_domain_is_a_located_verifier_error() -> None:
    line, col, message = error_at("""\
        for i in range(16):
            with T.block("B"):
                vi = T.axis.spatial(8, i)
                B[vi, 0] = A[vi, 0]
        """)
    assert (line, col) == (4, 9)  # the `with T.block` line
    assert "binding of iterator %vi ranges over [0, 16) but its domain is [0, 8)" in message


def test_output_before_input() -> None:
    line, col, message = error_at(
        COPY.format(value="T.float32(1)"),
        header="B: T.Buffer((8, 8), 'float32'), A: T.Buffer((8,), 'float32')",
    )
    assert (line, col) == (2, 39)
    assert message.startswith("parameter 'A' is never written (an input) but comes after 'B'")


def test_store_dtype_mismatch() -> None:
    _, _, message = error_at(COPY.format(value="T.float64(1) + T.Cast('float64', A[vi, vj])"))
    assert message.startswith(
        "cannot store a value of dtype float64 into float32 buffer 'B'; convert"
    )


def test_unsupported_dtype() -> None:
    line, col, message = error_at("pass\n", header="A: T.Buffer((8,), 'float8')")
    assert (line, col) == (2, 25)
    assert message.startswith("unsupported dtype 'float8' (supported: float16, float32")


def test_missing_annotation() -> None:
    _, _, message = error_at("pass\n", header="A")
    assert message.startswith("parameter 'A' needs a buffer annotation")


def test_declared_reads_must_cover_the_accesses() -> None:
    line, col, message = error_at("""\
        for i, j in T.grid(8, 8):
            with T.block("B"):
                vi, vj = T.axis.remap("SS", [i, j])
                T.reads(A[vi, 0:4])
                T.writes(B[vi, vj])
                B[vi, vj] = A[vi, vj]
        """)
    assert (line, col) == (8, 25)
    assert message == "this access to 'A' is outside the region its T.reads (or T.writes) declares"


def test_declared_writes_must_list_the_buffer() -> None:
    _, _, message = error_at("""\
        for i, j in T.grid(8, 8):
            with T.block("B"):
                vi, vj = T.axis.remap("SS", [i, j])
                T.writes(A[vi, vj])
                B[vi, vj] = A[vi, vj]
        """)
    assert message == "block \"B\" writes buffer 'B', which its T.writes does not list"


def test_duplicate_block_names() -> None:
    copy = COPY.format(value="A[vi, vj]")
    line, col, message = error_at(copy + copy, "A: T.Buffer((8, 8)), B: T.Buffer((8, 8))")
    assert (line, col) == (8, 22)
    assert message.startswith('a block named "B" already exists in this function')


def test_remap_of_something_that_is_not_a_loop_variable() -> None:
    _, _, message = error_at("""\
        for i in range(8):
            with T.block("B"):
                vi, vj = T.axis.remap("SS", [i, 3])
                B[vi, vj] = A[vi, vj]
        """)
    assert message.startswith("T.axis.remap binds loop variables")


def test_gpu_thread_binding_is_rejected() -> None:
    _, _, message = error_at("for i in T.thread_binding(8, thread='threadIdx.x'):\n    pass\n")
    assert message.startswith("T.thread_binding (GPU threads) is not supported")


def test_a_t_that_is_not_ours() -> None:
    fake_tvm = types.ModuleType("tvm.script.tir")
    with pytest.raises(
        ScriptError,
        match="not mlc_dialects' TVMScript namespace; import it "
        "with `from mlc_dialects.script import tir as T`",
    ):
        parse_source("def f(A: T.Buffer((4,))):\n    pass\n", "s.py", env={"T": fake_tvm})


def test_error_in_a_decorated_function_points_into_this_file() -> None:
    with pytest.raises(ScriptError) as info:

        @T.prim_func
        def f(A: T.Buffer((4,), "float32")):
            for i in range(4):
                with T.block("A"):
                    vi = T.axis.spatial(4, i)
                    A[vi] = A[vi] * undefined_scale  # noqa: F821

    source = Path(__file__).read_text().split("\n")
    line = next(n for n, text in enumerate(source, 1) if "* undefined_scale" in text)
    col = source[line - 1].index("undefined_scale") + 1
    diag = info.value.diagnostics[0]
    assert (diag.filename, diag.line, diag.col) == (__file__, line, col)
    assert str(info.value).split("\n")[1] == source[line - 1]
    assert str(info.value).split("\n")[2] == " " * (col - 1) + "^" * len("undefined_scale")


def test_ir_module_rejects_methods_that_are_not_prim_funcs() -> None:
    with pytest.raises(
        ScriptError, match="method 'helper' of @I.ir_module class 'Mod' is not a @T.prim_func"
    ) as info:

        @I.ir_module
        class Mod:
            def helper(self):
                pass

    assert info.value.diagnostics[0].filename == __file__


def test_calling_script_names_outside_a_prim_func() -> None:
    with pytest.raises(RuntimeError, match="T.grid only has a meaning inside a @T.prim_func"):
        T.grid(4, 4)
