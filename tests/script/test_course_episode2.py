"""MLC course, episode 2: the mm_relu transformations, run on the TVMScript-parsed MyModule.

The schedule code is the course's, with `tvm.tir.Schedule` spelled `Schedule`
(`mlc.Schedule` once the package exports it). Skipped while the primitives are missing.
"""

from __future__ import annotations

import numpy as np
import pytest

import mlc_dialects as mlc
from dialects.loops.ops import ForOp
from dialects.tensor import BlockOp
from mlc_dialects.script import ir as I
from mlc_dialects.script import tir as T
from tests.script.course_code import MyModule
from tests.script.helpers import anonymous_text, sequential_matmul

_PRIMITIVES = (
    "get_block",
    "get_loops",
    "split",
    "reorder",
    "reverse_compute_at",
    "decompose_reduction",
)


def _schedule_class() -> type:
    cls = getattr(mlc, "Schedule", None)
    if cls is None:
        cls = getattr(pytest.importorskip("dialects.tensor.schedule"), "Schedule", None)
    missing = [p for p in _PRIMITIVES if not hasattr(cls, p)] if cls else list(_PRIMITIVES)
    if missing:
        pytest.skip(
            f"schedule primitives not available yet: {', '.join(missing)}", allow_module_level=True
        )
    return cls


Schedule = _schedule_class()


def course_sequence(mod):
    """The course's cell-by-cell transformation of mm_relu."""
    sch = Schedule(mod)
    block_Y = sch.get_block("Y", func_name="mm_relu")
    i, j, k = sch.get_loops(block_Y)  # noqa: RUF059 (the course unpacks all three)
    j0, j1 = sch.split(j, factors=[None, 4])
    sch.reorder(j0, k, j1)
    block_C = sch.get_block("C", "mm_relu")
    sch.reverse_compute_at(block_C, j0)
    sch.decompose_reduction(block_Y, k)
    return sch


def transform(mod, jfactor):
    """The course's exercise: the same transformation with a parameter."""
    sch = Schedule(mod)
    block_Y = sch.get_block("Y", func_name="mm_relu")
    i, j, k = sch.get_loops(block_Y)  # noqa: RUF059 (the course unpacks all three)
    j0, j1 = sch.split(j, factors=[None, jfactor])
    sch.reorder(j0, k, j1)
    block_C = sch.get_block("C", "mm_relu")
    sch.reverse_compute_at(block_C, j0)
    return sch.mod


def run(mod, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    c = np.empty((128, 128), np.float32)
    mlc.interpret(mod, "mm_relu", a, b, c)
    return c


def loop_nest(mod) -> list[tuple[str | None, int]]:
    return [(op.iv.name_hint, op.extent) for op in mod.walk() if isinstance(op, ForOp)]


def test_course_transformation_sequence(rng: np.random.Generator) -> None:
    sch = course_sequence(MyModule)
    labels = [op.label for op in sch.mod.walk() if isinstance(op, BlockOp)]
    assert labels == ["Y_init", "Y_update", "C"]
    extents = [extent for _, extent in loop_nest(sch.mod)]
    assert extents == [128, 32, 4, 128, 4, 4]  # i, j0, {j1_init}, {k, j1}, {ax0}
    a = rng.standard_normal((128, 128), dtype=np.float32)
    b = rng.standard_normal((128, 128), dtype=np.float32)
    c = run(sch.mod, a, b)
    np.testing.assert_array_equal(c, run(MyModule, a, b))  # same order of summation
    np.testing.assert_array_equal(c, np.maximum(sequential_matmul(a, b), 0))
    np.testing.assert_allclose(c, np.maximum(a @ b, 0), rtol=1e-4, atol=1e-4)


def test_course_transformation_leaves_the_parsed_module_alone() -> None:
    before = str(MyModule)
    course_sequence(MyModule)
    assert str(MyModule) == before


def test_course_transform_with_jfactor(rng: np.random.Generator) -> None:
    mod_transformed = transform(MyModule, jfactor=8)
    assert [extent for _, extent in loop_nest(mod_transformed)][:2] == [128, 16]
    a = rng.standard_normal((128, 128), dtype=np.float32)
    b = rng.standard_normal((128, 128), dtype=np.float32)
    np.testing.assert_array_equal(run(mod_transformed, a, b), run(MyModule, a, b))


def test_course_trace_replays_on_the_parsed_module() -> None:
    sch = course_sequence(MyModule)
    replay = Schedule(MyModule)
    sch.trace.apply_to_schedule(replay, remove_postproc=False)
    assert str(replay.mod) == str(sch.mod)


@I.ir_module
class TransformedByTVM:
    """What TVM prints for the course's result (`sch.mod.script()`), parsed back."""

    @T.prim_func
    def mm_relu(
        A: T.Buffer((128, 128), "float32"),
        B: T.Buffer((128, 128), "float32"),
        C: T.Buffer((128, 128), "float32"),
    ):
        T.func_attr({"global_symbol": "mm_relu", "tir.noalias": True})
        # with T.block("root"):
        Y = T.alloc_buffer((128, 128))
        for i, j_0 in T.grid(128, 32):
            for j_1_init in range(4):
                with T.block("Y_init"):
                    vi = T.axis.spatial(128, i)
                    vj = T.axis.spatial(128, j_0 * 4 + j_1_init)
                    T.reads()
                    T.writes(Y[vi, vj])
                    Y[vi, vj] = T.float32(0)
            for k, j_1 in T.grid(128, 4):
                with T.block("Y_update"):
                    vi = T.axis.spatial(128, i)
                    vj = T.axis.spatial(128, j_0 * 4 + j_1)
                    vk = T.axis.reduce(128, k)
                    T.reads(Y[vi, vj], A[vi, vk], B[vk, vj])
                    T.writes(Y[vi, vj])
                    Y[vi, vj] = Y[vi, vj] + A[vi, vk] * B[vk, vj]
            for ax0 in range(4):
                with T.block("C"):
                    vi = T.axis.spatial(128, i)
                    vj = T.axis.spatial(128, j_0 * 4 + ax0)
                    T.reads(Y[vi, vj])
                    T.writes(C[vi, vj])
                    C[vi, vj] = T.max(Y[vi, vj], T.float32(0))


def test_schedule_result_equals_tvms_printed_result() -> None:
    """The schedule on the parsed module gives the program TVM prints for the course."""
    sch = course_sequence(MyModule)
    assert anonymous_text(sch.mod) == anonymous_text(TransformedByTVM)


def test_course_display_calls_work() -> None:
    """The course prints modules with `.show()` and `.script()`; both exist (IRModule)."""
    from tests.script.course_code import MyModule

    import mlc_dialects as mlc

    assert "tensor.block" in MyModule.script()
    sch = mlc.Schedule(MyModule)
    sch.split(sch.get_loops(sch.get_block("Y", func_name="mm_relu"))[1], factors=[None, 4])
    assert "loops.for" in sch.mod.script()
    sch.mod.show()
