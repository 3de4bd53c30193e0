"""Static memory planning of graph functions: exact peak bytes and sharing decisions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

import mlc_dialects as mlc
from mlc_dialects.api import find_function
from mlc_dialects.context import make_context
from mlc_dialects.diagnostics import DiagnosticError
from mlc_dialects.graph_executable import compile_graph
from passes.convert_graph_to_tensor import ConvertGraphToTensorPass
from passes.graph_plan_memory import ALIGNMENT, GraphPlanMemoryPass, linear_ops, plan_memory

ROOT = Path(__file__).resolve().parents[2]


def legalized(text_or_module):
    module = mlc.parse(text_or_module) if isinstance(text_or_module, str) else text_or_module
    module = module.clone()
    ConvertGraphToTensorPass().apply(make_context(), module)
    return module


def named_results(func) -> dict[str, object]:
    return {r.name_hint: r for op in linear_ops(func) for r in op.results if r.name_hint}


def test_mlp_peak_bytes_and_sharing() -> None:
    """examples/mlp.mlir at batch 4: 4x128 f32 = 2048 B, 4x10 f32 = 160 -> 192 B."""
    module = legalized(mlc.parse_file(ROOT / "examples" / "mlp.mlir"))
    func = find_function(module, "main")
    plan = plan_memory(func)
    v = named_results(func)
    # h0 [0,1] at 0; h1 [1,2] overlaps h0 -> 2048; h2 [2,3] reuses h0's storage (best fit);
    # h3 [3,4] above h2 -> 2048; h4 [4,5] fits in the gap at 0; p is the result.
    assert {name: plan.offset_of(v[name]) for name in ("h0", "h1", "h2", "h3", "h4")} == {
        "h0": 0, "h1": 2048, "h2": 0, "h3": 2048, "h4": 0}
    assert plan.output_of(v["p"]) == 0 and plan.offset_of(v["p"]) is None
    assert plan.peak_bytes == 4096
    assert plan.naive_bytes == 3 * 2048 + 2 * 192
    shared = {(a.name_hint, b.name_hint) for a, b in plan.shared()}
    assert shared == {("h0", "h2"), ("h0", "h4"), ("h2", "h4"), ("h1", "h3")}


def test_pass_writes_the_plan_into_the_ir() -> None:
    module = legalized(mlc.parse_file(ROOT / "examples" / "mlp.mlir"))
    GraphPlanMemoryPass().apply(make_context(), module)
    func = find_function(module, "main")
    assert func.attributes["graph.peak_bytes"].value.data == 4096
    offsets = [list(op.attributes["graph.offsets"].get_values()) for op in linear_ops(func)
               if op.results]
    assert offsets == [[0], [2048], [0], [2048], [0], [-1]]


def test_values_alive_together_never_overlap() -> None:
    """A diamond with a long-lived value: overlapping lifetimes get disjoint storage."""
    text = """
    func.func @main(%x: tensor<64xf32>) -> tensor<64xf32> {
      %a = graph.exp %x : tensor<64xf32>
      %b = graph.relu %a : tensor<64xf32>
      %c = graph.neg %b : tensor<64xf32>
      %d = graph.abs %c : tensor<64xf32>
      %e = graph.add %a, %d : tensor<64xf32>
      %big = graph.broadcast_to %e : (tensor<64xf32>) -> tensor<4x64xf32>
      %s = graph.reduce_sum %big {axes = array<i64: 0>, keepdims = 0 : i64} : (tensor<4x64xf32>) -> tensor<64xf32>
      func.return %s : tensor<64xf32>
    }"""
    func = find_function(legalized(text), "main")
    plan = plan_memory(func)
    v = named_results(func)
    arena = [b for b in plan.buffers if b.offset is not None]
    for i, p in enumerate(arena):
        assert p.offset % ALIGNMENT == 0 and p.size % ALIGNMENT == 0
        for q in arena[i + 1:]:
            lifetimes_overlap = p.start <= q.end and q.start <= p.end
            storage_overlaps = p.offset < q.offset + q.size and q.offset < p.offset + p.size
            assert not (lifetimes_overlap and storage_overlaps)
    # %big (1024 B, alive at ops 5-6) is placed first, at 0. %a lives until %e (ops 0-4), so
    # %b, %c, %d stack above it (256, 512) and %d takes %b's freed slot (best fit: 256);
    # %e overlaps %big and goes on top of it: 1024 + 256.
    assert {n: plan.offset_of(v[n]) for n in ("big", "a", "b", "c", "d", "e")} == {
        "big": 0, "a": 0, "b": 256, "c": 512, "d": 256, "e": 1024}
    assert plan.peak_bytes == 1280
    assert plan.offset_of(v["a"]) not in {plan.offset_of(v[n]) for n in "bcd"}
    x = np.random.default_rng(0).standard_normal(64).astype(np.float32)
    np.testing.assert_allclose(compile_graph(text, fuse=False)["main"](x),
                               mlc.interpret(text, "main", x), rtol=1e-5)


def test_results_and_arguments_take_no_arena() -> None:
    text = """
    func.func @main(%x: tensor<16xf32>) -> (tensor<16xf32>, tensor<16xf32>) {
      %a = graph.relu %x : tensor<16xf32>
      %b = graph.exp %a : tensor<16xf32>
      func.return %a, %b : tensor<16xf32>, tensor<16xf32>
    }"""
    plan = plan_memory(find_function(legalized(text), "main"))
    assert plan.peak_bytes == 0 and plan.naive_bytes == 0
    assert [b.output for b in plan.buffers] == [0, 1]


def test_dynamic_shapes_are_refused() -> None:
    text = """
    func.func @main(%x: tensor<?xf32>) -> tensor<?xf32> {
      %a = graph.call_tir @k(%x) : (tensor<?xf32>) -> tensor<?xf32>
      %b = graph.call_tir @k(%a) : (tensor<?xf32>) -> tensor<?xf32>
      func.return %b : tensor<?xf32>
    }
    func.func @k(%x: memref<?xf32>, %y: memref<?xf32>) {
      func.return
    }"""
    with pytest.raises(DiagnosticError, match="dynamic shape"):
        plan_memory(find_function(mlc.parse(text), "main"))


def test_compiled_executable_reports_the_peak() -> None:
    exe = compile_graph(mlc.parse_file(ROOT / "examples" / "mlp.mlir"), fuse=False)
    assert exe.peak_bytes("main") == 4096
