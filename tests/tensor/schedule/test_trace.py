"""Traces (text, JSON, replay, parse errors) and schedule state (copy, failures, handles)."""

from __future__ import annotations

import json
import re

import pytest

from dialects.tensor.schedule import BlockRV, LoopRV, Schedule, Trace
from dialects.tensor.schedule.errors import (
    BlockNotFoundError,
    ErasedRVError,
    ForeignRVError,
    FunctionNotFoundError,
    RVTypeError,
    SplitFactorProductError,
    TraceError,
)
from tests.tensor.schedule.common import mm_relu
from tests.tensor.schedule.replay import assert_fails_unchanged, assert_replays, matmul

EXPECTED_TEXT = """\
def apply_trace(sch):
  b0 = sch.get_block(name="C", func_name="main")
  l1, l2, l3 = sch.get_loops(block=b0)
  v4, v5 = sch.sample_perfect_tile(loop=l2, n=2, max_innermost_factor=16, decision=[4, 4])
  l6, l7 = sch.split(loop=l2, factors=[v4, v5], preserve_unit_iters=True)
  sch.reorder(l1, l6, l3, l7)
  l8 = sch.fuse(l1, l6, preserve_unit_iters=True)
  sch.parallel(loop=l8)
  sch.annotate(block_or_loop=b0, ann_key="note", ann_val="x")
"""


def scheduled() -> tuple[object, Schedule]:
    mod = matmul(16)
    sch = Schedule(mod, seed=0)
    block = sch.get_block("C", "main")
    i, j, k = sch.get_loops(block)
    j0, j1 = sch.split(j, sch.sample_perfect_tile(j, n=2, decision=[4, 4]))
    sch.reorder(i, j0, k, j1)
    sch.parallel(sch.fuse(i, j0))
    sch.annotate(block, "note", "x")
    return mod, sch


def test_trace_text_form() -> None:
    _, sch = scheduled()
    assert str(sch.trace) == EXPECTED_TEXT
    assert str(Trace.parse(EXPECTED_TEXT)) == EXPECTED_TEXT


def test_trace_json_form() -> None:
    mod, sch = scheduled()
    data = sch.trace.as_json()
    assert data["format"] == "mlc-schedule-trace" and data["version"] == 1
    assert data["instructions"][2] == {
        "kind": "sample_perfect_tile",
        "args": [],
        "kwargs": {"loop": {"rv": "l2"}, "n": 2, "max_innermost_factor": 16},
        "outputs": ["v4", "v5"],
        "decision": [4, 4],
    }
    assert data["instructions"][4]["args"] == [
        {"rv": "l1"},
        {"rv": "l6"},
        {"rv": "l3"},
        {"rv": "l7"},
    ]
    assert str(Trace.from_json(json.dumps(data))) == EXPECTED_TEXT
    assert_replays(mod, sch)


def test_trace_parse_accepts_tvm_style_and_positional_calls() -> None:
    text = '''\
# a comment
def apply_trace(sch: "tir.Schedule") -> None:
    """docstring"""
    b0 = sch.get_block("C", "main")
    (l1, l2, l3) = sch.get_loops(b0)
    l4, l5 = sch.split(l2, [None, -1 + 5])
'''
    with pytest.raises(TraceError):
        Trace.parse(text)  # `-1 + 5` is an expression, not a literal
    text = text.replace("-1 + 5", "4")
    sch = Schedule(matmul(16))
    Trace.parse(text).apply_to_schedule(sch)
    assert "loops.for %j1 = 0 to 4" in str(sch.mod)


@pytest.mark.parametrize(
    "body, message",
    [
        ("  import os", "only `sch.<primitive>(...)` calls"),
        ("  sch.exec_python('x')", "unknown schedule primitive 'exec_python'"),
        ("  l1 = sch.get_loops(block=b9)", "'b9' is not defined"),
        ("  os.system('true')", "expected a call `sch.<primitive>(...)`"),
        ("  b0 = sch.get_block(**{'name': 'C'})", "`**` arguments"),
        ("  b0 = sch.get_block(name=open('x'))", "arguments must be names"),
    ],
)
def test_trace_parse_rejects_anything_but_primitive_calls(body: str, message: str) -> None:
    with pytest.raises(TraceError, match=re.escape(message)):
        Trace.parse("def apply_trace(sch):\n" + body + "\n")


def test_trace_from_json_rejects_bad_data() -> None:
    with pytest.raises(TraceError, match="format"):
        Trace.from_json({"instructions": []})
    with pytest.raises(TraceError, match="unknown kind"):
        Trace.from_json(
            {"format": "mlc-schedule-trace", "version": 1, "instructions": [{"kind": "system"}]}
        )
    with pytest.raises(TraceError, match="not valid JSON"):
        Trace.from_json("{")


def test_replay_failure_names_the_instruction_and_changes_nothing_before_it() -> None:
    trace = Trace.parse(
        "def apply_trace(sch):\n"
        '  b0 = sch.get_block(name="C", func_name="main")\n'
        "  l1, l2, l3 = sch.get_loops(block=b0)\n"
        "  l4, l5 = sch.split(loop=l2, factors=[3, 4])\n"
    )
    sch = Schedule(matmul(16))
    with pytest.raises(SplitFactorProductError) as info:
        trace.apply_to_schedule(sch)
    assert "while replaying instruction 2: split" in info.value.__notes__


def test_enter_postproc_and_remove_postproc() -> None:
    mod = matmul(16)
    sch = Schedule(mod)
    i, _, _ = sch.get_loops(sch.get_block("C"))
    sch.enter_postproc()
    sch.parallel(i)
    assert "sch.enter_postproc()" in str(sch.trace)
    without = Schedule(mod)
    Trace.parse(str(sch.trace)).apply_to_schedule(without, remove_postproc=True)
    assert "parallel" not in str(without.mod)
    assert_replays(mod, sch)


def test_schedule_from_text_and_copy() -> None:
    mod = mm_relu(8)
    sch = Schedule(str(mod))
    block = sch.get_block("Y")
    i, j, _ = sch.get_loops(block)
    other = sch.copy()
    other.split(j, [2, 4])  # handles are shared with the copy
    assert "%j0" not in str(sch.mod) and "%j0" in str(other.mod)
    sch.parallel(i)
    assert "parallel" not in str(other.mod)
    assert len(other.trace.insts) == len(sch.trace.insts) == 3


def test_schedule_does_not_modify_its_input() -> None:
    mod = mm_relu(8)
    before = str(mod)
    sch = Schedule(mod)
    sch.split(sch.get_loops(sch.get_block("Y"))[0], [2, 4])
    assert str(mod) == before


def test_handles_survive_primitives_that_keep_ops() -> None:
    sch = Schedule(mm_relu(8))
    block = sch.get_block("Y")
    i, j, k = sch.get_loops(block)
    sch.reorder(k, i)
    sch.parallel(j)
    assert sch.get(block).label == "Y"
    assert [sch.get(x) for x in sch.get_loops(block)] == [sch.get(k), sch.get(j), sch.get(i)]


def test_queries() -> None:
    sch = Schedule(mm_relu(8))
    y, c = sch.get_block("Y"), sch.get_block("C")
    assert [sch.get(b).label for b in sch.get_producers(c)] == ["Y"]
    assert [sch.get(b).label for b in sch.get_consumers(y)] == ["C"]
    i, _, _ = sch.get_loops(y)
    assert [sch.get(b).label for b in sch.get_child_blocks(i)] == ["Y"]
    assert isinstance(y, BlockRV) and isinstance(i, LoopRV)
    assert_replays(mm_relu(8), sch)


def test_get_block_fail_unknown_names() -> None:
    sch = Schedule(mm_relu(8))
    assert_fails_unchanged(sch, BlockNotFoundError, lambda: sch.get_block("Z"), "blocks: C, Y")
    assert_fails_unchanged(sch, FunctionNotFoundError, lambda: sch.get_block("Y", "nope"))
    assert_fails_unchanged(sch, FunctionNotFoundError, lambda: sch.work_on("nope"))


def test_rv_fail_wrong_kind_erased_or_foreign() -> None:
    sch = Schedule(mm_relu(8))
    block = sch.get_block("Y")
    i, j, _ = sch.get_loops(block)
    assert_fails_unchanged(sch, RVTypeError, lambda: sch.parallel(block))
    assert_fails_unchanged(sch, RVTypeError, lambda: sch.get_loops(i))
    sch.remove_rv(i)
    assert_fails_unchanged(sch, ErasedRVError, lambda: sch.parallel(i))
    other = Schedule(mm_relu(8))
    assert_fails_unchanged(other, ForeignRVError, lambda: other.parallel(j))
