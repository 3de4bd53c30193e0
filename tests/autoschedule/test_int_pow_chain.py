"""AutoInline does not blow up on chains whose stages read their producer twice (the op
library's integer pow: 31 squaring stages for i32), and the result stays exact."""

from __future__ import annotations

import numpy as np

import mlc_dialects as mlc


def test_int32_pow_compiles_and_is_exact() -> None:
    module = mlc.parse("""func.func @main(%x: tensor<5xi32>, %y: tensor<5xi32>) -> tensor<5xi32> {
      %z = graph.pow %x, %y : tensor<5xi32>
      func.return %z : tensor<5xi32>
    }""")
    x = np.array([1, 2, 3, -2, 7], np.int32)
    y = np.array([4, 5, 6, 3, 0], np.int32)
    np.testing.assert_array_equal(mlc.compile(module)["main"](x, y), x**y)
