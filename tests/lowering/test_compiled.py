"""Tensor programs lowered (tensor -> loops -> hw -> upstream) and JIT-compiled compute what
the reference interpreter computes, with and without schedules (vector tails, parallel
launches, unrolling, predicates, micro-kernels)."""

from __future__ import annotations

import numpy as np
import programs
import pytest
from test_tensor_to_loops import random_arguments

from dialects.tensor import interp as tensor_interp
from mlc_dialects.lowering import compile_tensor_module, lower_tensor_module

CASES = {
    "matmul": lambda: programs.matmul(17, 19, 23),
    "mm_relu": lambda: programs.mm_relu(16, 16, 16),
    "row_reductions": lambda: programs.row_reductions(5, 37),
    "elementwise_odd": lambda: programs.elementwise(3, 37),
    "scheduled_elementwise": lambda: programs.scheduled_elementwise(5, 37),
    "split_predicate": lambda: programs.scheduled_split_predicate(10),
    "scheduled_mm_relu": lambda: programs.scheduled_mm_relu(16, 20, 12),
    "matmul_recipe": lambda: programs.scheduled_matmul_recipe(64),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_compiled_equals_reference(name: str) -> None:
    module = CASES[name]()
    arguments = random_arguments(module, seed=1)
    expected = [a.copy() for a in arguments]
    tensor_interp.run(module, "main", expected)
    actual = [a.copy() for a in arguments]
    compile_tensor_module(module)["main"](*actual)
    for want, got in zip(expected, actual):
        # FMA contraction rounds once where the interpreter rounds twice.
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("bits", [128, 256, 512])
def test_vector_widths_and_tails(bits: int) -> None:
    """Every width, on a row length (37) that leaves a tail for each of them."""
    module = programs.scheduled_elementwise(3, 37)
    lowered = lower_tensor_module(module, vector_bits=bits)
    vectors = {str(op.results[0].type) for op in lowered.walk()
               if op.name == "vector.load"}
    assert vectors == {f"vector<{bits // 32}xf32>"}
    arguments = random_arguments(module, seed=2)
    expected = [a.copy() for a in arguments]
    tensor_interp.run(module, "main", expected)
    compile_tensor_module(module, vector_bits=bits)["main"](*arguments)
    np.testing.assert_allclose(arguments[-1], expected[-1], rtol=1e-6)


def test_schedule_kinds_are_lowered() -> None:
    lowered = lower_tensor_module(programs.scheduled_mm_relu(16, 20, 12))
    names = {op.name for op in lowered.walk()}
    assert "func.call" in names and "vector.fma" in names
    assert not any(n.startswith(("loops.", "tensor.", "hw.")) for n in names)
    callees = {op.callee.string_value() for op in lowered.walk() if op.name == "func.call"}
    assert "GOMP_parallel" in callees
