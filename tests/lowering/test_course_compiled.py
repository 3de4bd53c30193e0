"""The MLC course's episode 2 schedules, on the TVMScript-parsed course modules, compile and
run correctly: from Python (`mlc.compile`) and from the command line (`mlc-run`, compiled
against `--interpret`, on the scheduled module printed to a file).

- mm_relu (128 x 128): split j by 4, reorder j0, k, j1, reverse_compute_at C to j0,
  decompose_reduction of Y at k; also the exercise's `transform(mod, jfactor)`.
- bmm_relu (16 x 128 x 128): the exercise's target schedule (batch loop parallel, j split
  by 8, k split by 4 and unrolled, relu under j0, the init and relu loops vectorized).
"""

from __future__ import annotations

import subprocess
import sys
from functools import cache
from pathlib import Path

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

import mlc_dialects as mlc
from dialects.loops.ops import ForOp
from tests.script.course_code import MyBmmRelu, MyModule


def mm_relu_course(jfactor: int = 4, decompose: bool = True) -> ModuleOp:
    """Episode 2, cell by cell (with `decompose=False`: the exercise's `transform`)."""
    sch = mlc.Schedule(MyModule)
    block_Y = sch.get_block("Y", func_name="mm_relu")
    _i, j, k = sch.get_loops(block_Y)
    j0, j1 = sch.split(j, factors=[None, jfactor])
    sch.reorder(j0, k, j1)
    block_C = sch.get_block("C", "mm_relu")
    sch.reverse_compute_at(block_C, j0)
    if decompose:
        sch.decompose_reduction(block_Y, k)
    return sch.mod


def bmm_relu_course() -> ModuleOp:
    """The bmm_relu exercise's solution: the schedule that yields the course's TargetModule."""
    sch = mlc.Schedule(MyBmmRelu)
    block_M = sch.get_block("M", func_name="bmm_relu")
    block_R = sch.get_block("R", func_name="bmm_relu")
    n, _i, j, k = sch.get_loops(block_M)
    j0, j1 = sch.split(j, factors=[None, 8])
    k0, k1 = sch.split(k, factors=[None, 4])
    sch.reorder(j0, k0, k1, j1)
    sch.reverse_compute_at(block_R, j0)
    sch.parallel(n)
    sch.unroll(k1)
    block_M_init = sch.decompose_reduction(block_M, k0)
    sch.vectorize(sch.get_loops(block_M_init)[-1])
    sch.vectorize(sch.get_loops(block_R)[-1])
    return sch.mod


SCHEDULES = {
    "mm_relu": lambda: mm_relu_course(),
    "mm_relu_jfactor8": lambda: mm_relu_course(jfactor=8, decompose=False),
    "bmm_relu": bmm_relu_course,
}
ENTRY = {"mm_relu": "mm_relu", "mm_relu_jfactor8": "mm_relu", "bmm_relu": "bmm_relu"}


@cache
def scheduled(name: str) -> ModuleOp:
    return SCHEDULES[name]()


def course_inputs(name: str, seed: int = 0) -> list[np.ndarray]:
    """Two random operands and a random destination (an unwritten element shows up)."""
    shape = (16, 128, 128) if name == "bmm_relu" else (128, 128)
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(shape, dtype=np.float32) for _ in range(3)]


def test_bmm_relu_has_the_course_target_loop_nest() -> None:
    """The exercise's TargetModule: n parallel; i, j0; init 8 vectorized; k0, k1 unrolled, j1;
    relu 8 vectorized."""
    nest = [(op.extent, op.kind_name) for op in scheduled("bmm_relu").walk()
            if isinstance(op, ForOp)]
    assert nest == [(16, "parallel"), (128, "serial"), (16, "serial"), (8, "vectorized"),
                    (32, "serial"), (4, "unrolled"), (8, "serial"), (8, "vectorized")]


@pytest.mark.parametrize("name", sorted(SCHEDULES))
def test_compiled_from_python(name: str) -> None:
    module, entry = scheduled(name), ENTRY[name]
    a, b, c = course_inputs(name)
    expected = c.copy()
    mlc.interpret(module, entry, a, b, expected)
    mlc.compile(module)[entry](a, b, c)
    np.testing.assert_allclose(c, expected, rtol=1e-5, atol=1e-5)  # FMA: one rounding less
    np.testing.assert_allclose(c, np.maximum(a @ b, 0), rtol=1e-4, atol=1e-3)


def mlc_run(*args: str) -> subprocess.CompletedProcess:
    """The installed `mlc-run` next to this Python, else the module (a plain checkout)."""
    script = Path(sys.executable).with_name("mlc-run")
    command = [str(script)] if script.exists() else [sys.executable, "-m", "mlc_dialects.tools.run"]
    return subprocess.run([*command, *args], check=False, capture_output=True, text=True,
                          timeout=120)


@pytest.mark.parametrize("name", ["mm_relu", "bmm_relu"])
def test_compiled_from_mlc_run(name: str, tmp_path: Path) -> None:
    """The scheduled module printed to a file runs under mlc-run, compiled and interpreted."""
    source = tmp_path / f"{name}.mlir"
    source.write_text(str(scheduled(name)))
    inputs = []
    for index, array in enumerate(course_inputs(name, seed=1)):
        np.save(tmp_path / f"arg{index}.npy", array)
        inputs += ["--input", str(tmp_path / f"arg{index}.npy")]
    outputs = {}
    for mode, flags in (("compiled", []), ("interpreted", ["--interpret"])):
        out = tmp_path / f"{mode}.npz"
        proc = mlc_run(str(source), "-e", ENTRY[name], *flags, *inputs, "-o", str(out))
        assert proc.returncode == 0, f"{mode}: {proc.stderr}"
        outputs[mode] = np.load(out)
    compiled, interpreted = outputs["compiled"], outputs["interpreted"]
    a, b, _ = course_inputs(name, seed=1)
    for key, operand in (("out0", a), ("out1", b)):  # operands come back untouched
        np.testing.assert_array_equal(compiled[key], operand)
        np.testing.assert_array_equal(interpreted[key], operand)
    np.testing.assert_allclose(compiled["out2"], interpreted["out2"], rtol=1e-5, atol=1e-5)
    np.testing.assert_allclose(compiled["out2"], np.maximum(a @ b, 0), rtol=1e-4, atol=1e-3)
