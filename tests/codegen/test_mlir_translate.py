"""Our llvm-dialect output is real MLIR: `mlir-translate-22 --mlir-to-llvmir` accepts it, and
the LLVM IR it makes computes the same as ours. Skipped when the tool is not installed
(Debian: apt-get install mlir-22-tools)."""

from __future__ import annotations

import ctypes
import shutil
import subprocess

import numpy as np
import pytest
from codegen_kernels import matmul_ikj_vector, rand, unary_map, vector_sum

from mlc_dialects.api import parse
from mlc_dialects.codegen import Target
from mlc_dialects.codegen.jit import JITEngine
from mlc_dialects.codegen.pipeline import lower_upstream_to_llvm

TOOL = shutil.which("mlir-translate-22") or shutil.which("mlir-translate")
pytestmark = pytest.mark.skipif(TOOL is None, reason="mlir-translate is not installed")

CASTS_AND_CALLS = """
func.func private @expf(f32) -> f32
func.func @misc(%A: memref<8xf32>, %I: memref<8xi32>, %v: vector<16xf32>) -> f32 {
  %c0 = arith.constant 0 : index
  %a = memref.load %A[%c0] : memref<8xf32>
  %q = arith.fptosi %a : f32 to i32
  %u = arith.uitofp %q : i32 to f32
  %e = func.call @expf(%u) : (f32) -> f32
  %m = arith.maxsi %q, %q : i32
  memref.store %m, %I[%c0] : memref<8xi32>
  %x = vector.extract %v[2] : f32 from vector<16xf32>
  %t = memref.alloc() : memref<4xf32>
  memref.dealloc %t : memref<4xf32>
  %r = arith.addf %e, %x : f32
  func.return %r : f32
}
"""


def _translate(text: str) -> str:
    module = parse(text)
    lower_upstream_to_llvm(module)
    done = subprocess.run([TOOL, "--mlir-to-llvmir"], input=str(module), text=True,
                          capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


@pytest.mark.parametrize("text", [
    matmul_ikj_vector(5, 37, 3), unary_map("math.tanh", 37), unary_map("math.erf", 20),
    vector_sum(40), CASTS_AND_CALLS,
], ids=["matmul", "tanh", "erf", "sum", "casts-calls"])
def test_mlir_translate_accepts_our_llvm_dialect(text: str) -> None:
    assert "define " in _translate(text)


def test_mlir_translate_output_computes_the_same() -> None:
    ll = _translate(matmul_ikj_vector(5, 37, 3))
    engine = JITEngine(ll, Target.host())
    a, b = rand(5, 3), rand(3, 37, seed=1)
    c = np.zeros((5, 37), np.float32)
    fn = ctypes.CFUNCTYPE(None, ctypes.c_void_p, ctypes.c_void_p, ctypes.c_void_p)(
        engine.address("matmul"))
    fn(a.ctypes.data, b.ctypes.data, c.ctypes.data)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)
