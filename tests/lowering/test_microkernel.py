"""hw.microkernel: a registered kernel expanded by convert-hw-to-llvm, compiled, correct."""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.parser import Parser

from dialects.hw.microkernels import get_microkernel
from mlc_dialects.lowering import _context, compile_tensor_module, lower_tensor_module
from passes.convert_hw_to_llvm import HwLoweringError

# C = A @ B, 16x32x8, in 4x16 tiles of C and k steps of 2, at the loops level.
TILED = """
func.func @mm(%A: memref<16x8xf32>, %B: memref<8x32xf32>, %C: memref<16x32xf32>) {
  loops.for %i = 0 to 16 step 4 parallel {
    loops.for %j = 0 to 32 step 16 {
      loops.for %k = 0 to 8 step 2 {
        hw.microkernel "KERNEL"(%A[%i, %k], %B[%k, %j], %C[%i, %j]) : memref<16x8xf32>, memref<8x32xf32>, memref<16x32xf32>
      }
    }
  }
  func.return
}
"""


def test_matmul_microkernel_compiled() -> None:
    module = Parser(_context(), TILED.replace("KERNEL", "mlc.matmul_acc_4x16x2_f32")).parse_module()
    rng = np.random.default_rng(0)
    a = rng.standard_normal((16, 8)).astype(np.float32)
    b = rng.standard_normal((8, 32)).astype(np.float32)
    c = np.zeros((16, 32), np.float32)
    compile_tensor_module(module)["mm"](a, b, c)
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


def test_unknown_microkernel_is_reported() -> None:
    module = Parser(_context(), TILED.replace("KERNEL", "no.such.kernel")).parse_module()
    with pytest.raises(HwLoweringError, match="convert-hw-to-llvm: no micro-kernel named"):
        lower_tensor_module(module)


def test_microkernel_checks_its_operands() -> None:
    kernel = get_microkernel("mlc.matmul_acc_32x16x2_f32")  # 32 rows do not fit in A's 16
    assert kernel.operands[0].shape == (32, 2)
    module = Parser(_context(), TILED.replace("KERNEL", kernel.name)).parse_module()
    with pytest.raises(HwLoweringError, match=r"tile \(32, 2\) does not fit"):
        lower_tensor_module(module)
