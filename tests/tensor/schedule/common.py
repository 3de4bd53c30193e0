"""Helpers for the schedule-primitive tests: build programs, find blocks and loops, compare."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import ModuleOp

from dialects.loops.ops import ForOp
from dialects.tensor.interp import find_function, run
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule.analysis import get_loops
from mlc_dialects import te
from tests.tensor.helpers import parse  # noqa: F401 - re-exported for the tests


def mm_relu(n: int = 128) -> ModuleOp:
    """The MLC course's mm_relu (Y = A @ B, C = relu(Y)) from te."""
    a = te.placeholder((n, n), "float32", name="A")
    b = te.placeholder((n, n), "float32", name="B")
    k = te.reduce_axis((0, n), name="k")
    y = te.compute((n, n), lambda i, j: te.sum(a[i, k] * b[k, j], axis=k), name="Y")
    c = te.compute((n, n), lambda i, j: te.max(y[i, j], 0), name="C")
    return te.create_prim_func([a, b, c])


def block(module: ModuleOp, name: str) -> BlockOp:
    found = [op for op in module.walk() if isinstance(op, BlockOp) and op.label == name]
    assert len(found) == 1, f"{len(found)} blocks named {name}"
    return found[0]


def loops(module: ModuleOp, name: str) -> list[ForOp]:
    return get_loops(block(module, name))


def run_random(module: ModuleOp, func_name: str = "main", seed: int = 0) -> list[np.ndarray]:
    """Run the function on seeded random inputs (outputs start at zero); returns all arrays."""
    function = find_function(module, func_name)
    rng = np.random.default_rng(seed)
    arrays = []
    for index, arg in enumerate(function.body.block.args):
        shape = tuple(arg.type.get_shape())
        arrays.append(rng.standard_normal(shape).astype(np.float32))
    run(module, func_name, arrays)
    return arrays


def assert_same_numerics(before: ModuleOp, after: ModuleOp, func_name: str = "main") -> None:
    """Both programs compute the same outputs (bit for bit) on the same random inputs."""
    expected = run_random(before, func_name)
    actual = run_random(after, func_name)
    for e, a in zip(expected, actual, strict=True):
        np.testing.assert_array_equal(a, e)
