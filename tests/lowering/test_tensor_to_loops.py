"""convert-tensor-to-loops keeps the reference semantics exactly (loops interpreter == tensor
interpreter, bit for bit), on te programs and on scheduled ones."""

from __future__ import annotations

import numpy as np
import programs
import pytest

from dialects.loops import interp as loops_interp
from dialects.loops.ops import ForOp
from dialects.tensor import interp as tensor_interp
from dialects.tensor.ops import AllocBufferOp, BlockOp, InitOp
from mlc_dialects.context import make_context
from passes.convert_tensor_to_loops import ConvertTensorToLoopsPass

CASES = {
    "matmul": lambda: programs.matmul(7, 9, 5),
    "mm_relu": lambda: programs.mm_relu(8, 12, 6),
    "row_reductions": lambda: programs.row_reductions(5, 19),
    "elementwise_odd": lambda: programs.elementwise(3, 37),
    "scheduled_elementwise": lambda: programs.scheduled_elementwise(3, 37),
    "split_predicate": lambda: programs.scheduled_split_predicate(10),
    "scheduled_mm_relu": lambda: programs.scheduled_mm_relu(8, 8, 8),
}


def random_arguments(module, seed: int = 0) -> list[np.ndarray]:
    function = tensor_interp.find_function(module, "main")
    rng = np.random.default_rng(seed)
    arrays = []
    for t in function.function_type.inputs.data:
        dtype = tensor_interp.numpy_dtype(t.element_type)
        arrays.append(rng.standard_normal(tuple(t.get_shape())).astype(dtype))
    return arrays


@pytest.mark.parametrize("name", sorted(CASES))
def test_lowered_equals_reference(name: str) -> None:
    module = CASES[name]()
    arguments = random_arguments(module)
    expected = [a.copy() for a in arguments]
    tensor_interp.run(module, "main", expected)

    lowered = module.clone()
    ConvertTensorToLoopsPass().apply(make_context(), lowered)
    lowered.verify()
    assert not [op for op in lowered.walk() if isinstance(op, BlockOp | InitOp | AllocBufferOp)]
    kinds = sorted({op.kind_name for op in module.walk() if isinstance(op, ForOp)})
    assert kinds == sorted({op.kind_name for op in lowered.walk() if isinstance(op, ForOp)})

    actual = [a.copy() for a in arguments]
    loops_interp.run(lowered, "main", actual)
    for want, got in zip(expected, actual):
        np.testing.assert_array_equal(got, want)
