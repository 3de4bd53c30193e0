"""tensor-compact-buffers and the index simplification of convert-loops-to-hw: the compacted
program and the compiled one compute what the reference interpreter computes on the original
program (tiles with tails, sizes that are not multiples of the tile or vector width), and the
IR has the shape that performance depends on (small buffers, no division left, vectorized)."""

from __future__ import annotations

import numpy as np
import programs
import pytest
from test_tensor_to_loops import random_arguments

from dialects.tensor import interp as tensor_interp
from dialects.tensor.ops import AllocBufferOp
from mlc_dialects.lowering import _context, compile_tensor_module, lower_tensor_module
from passes.convert_loops_to_hw import NOT_VECTORIZED_ATTR
from passes.tensor_compact_buffers import TensorCompactBuffersPass


def compacted(module):
    out = module.clone()
    TensorCompactBuffersPass().apply(_context(), out)
    out.verify()
    return out


def buffer_shapes(module) -> dict[str, tuple[int, ...]]:
    return {op.buffer.name_hint: tuple(op.buffer.type.get_shape())
            for op in module.walk() if isinstance(op, AllocBufferOp)}


def check_numerics(module, seed: int = 0) -> None:
    """Interpreter on the original == interpreter on the compacted == compiled."""
    arguments = random_arguments(module, seed=seed)
    expected = [a.copy() for a in arguments]
    tensor_interp.run(module, "main", expected)
    interpreted = [a.copy() for a in arguments]
    tensor_interp.run(compacted(module), "main", interpreted)
    for want, got in zip(expected, interpreted):
        np.testing.assert_allclose(got, want, rtol=1e-6, atol=1e-6)
    actual = [a.copy() for a in arguments]
    compile_tensor_module(module)["main"](*actual)
    for want, got in zip(expected, actual):
        np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5)


@pytest.mark.parametrize("shape", [(64, 64, 64), (20, 45, 13), (8, 32, 1), (9, 33, 7)])
def test_cache_write_tile_is_compacted(shape: tuple[int, int, int]) -> None:
    module = programs.scheduled_tiled_cache_write(*shape)
    assert buffer_shapes(compacted(module))["C_local"] == (8, 32)
    check_numerics(module)


def test_cache_write_tile_becomes_a_small_alloca() -> None:
    lowered = lower_tensor_module(programs.scheduled_tiled_cache_write(64, 64, 16))
    names = [op.name for op in lowered.walk()]
    assert "memref.alloc" not in names
    sizes = [op.operands[0].owner.value.value.data for op in lowered.walk()
             if op.name == "llvm.alloca" and str(op.results[0].type) == "!llvm.ptr"
             and "f32" in str(op.properties.get("elem_type"))]
    assert 8 * 32 in sizes


def test_tiles_smaller_than_the_loop_step_are_compacted() -> None:
    """rows=4 tiles: a 4-row window under an outer loop stepping by 4."""
    module = programs.scheduled_tiled_cache_write(18, 40, 5, rows=4, cols=16)
    assert buffer_shapes(compacted(module))["C_local"] == (4, 16)
    check_numerics(module, seed=3)


def test_buffer_reused_across_iterations_is_not_compacted_across_them() -> None:
    """The cached row of A is the same for every j: it cannot fold over j, only over i."""
    module = programs.cache_read_reused(6, 5, 7)
    shapes = buffer_shapes(compacted(module))
    assert shapes["A_local"] == (1, 7)
    check_numerics(module, seed=4)


@pytest.mark.parametrize("m", [64, 45, 33])
def test_div_mod_of_split_loops_simplify_and_vectorize(m: int) -> None:
    module = programs.packed_columns(3, m, 5)
    lowered = lower_tensor_module(module)
    names = {op.name for op in lowered.walk()}
    assert "arith.floordivsi" not in names and "arith.remsi" not in names
    reasons = [op.attributes[NOT_VECTORIZED_ATTR].data for op in lowered.walk()
               if NOT_VECTORIZED_ATTR in op.attributes]
    if m % 32 == 0:
        assert not reasons
    else:  # the split's predicate keeps the loop scalar, not the indexing
        assert not any("not affine" in why for why in reasons), reasons
    check_numerics(module, seed=m)


def test_div_mod_that_do_not_simplify_stay_exact() -> None:
    """j split by 8 but panels of 32: `(8*j0 + j1) // 32` depends on j0 % 4 and stays."""
    module = programs.packed_columns(3, 45, 5, panel=32, split=8)
    lowered = lower_tensor_module(module)
    names = {op.name for op in lowered.walk()}
    assert "arith.floordivsi" in names
    check_numerics(module, seed=5)
