"""Every schedule primitive's output, compiled (tensor -> loops -> hw -> LLVM, JIT), computes
what the reference interpreter computes on random inputs.

The programs are matmul, mm_relu, bmm_relu, a row reduction and a two-stage elementwise
pipeline (one variant with a halo), at sizes that leave tails for every vector width
(13, 19, 37, 50, 130) so imperfect splits carry predicates and vectorized loops need an
epilogue. Each case compiles once and is checked on two random inputs; compiled code
contracts a * b + c into an FMA, hence rtol=1e-5 rather than bit equality.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache

import numpy as np
import pytest
from xdsl.dialects.builtin import ModuleOp

import mlc_dialects as mlc
from dialects.tensor.interp import find_function, numpy_dtype
from dialects.tensor.schedule import Schedule
from dialects.tensor.schedule.intrinsics import MATMUL_ACC_4X4X4_F32, VEC_MAC_1X16_F32
from mlc_dialects import te
from mlc_dialects.lowering import compile_tensor_module

# ----------------------------------------------------------------------------- programs


def matmul(n: int, m: int, k: int) -> ModuleOp:
    a = te.placeholder((n, k), "float32", name="A")
    b = te.placeholder((k, m), "float32", name="B")
    r = te.reduce_axis((0, k), name="k")
    c = te.compute((n, m), lambda i, j: te.sum(a[i, r] * b[r, j], axis=r), name="C")
    return te.create_prim_func([a, b, c])


def mm_relu(n: int, m: int, k: int) -> ModuleOp:
    a = te.placeholder((n, k), "float32", name="A")
    b = te.placeholder((k, m), "float32", name="B")
    r = te.reduce_axis((0, k), name="k")
    y = te.compute((n, m), lambda i, j: te.sum(a[i, r] * b[r, j], axis=r), name="Y")
    c = te.compute((n, m), lambda i, j: te.max(y[i, j], 0.0), name="C")
    return te.create_prim_func([a, b, c])


def bmm_relu(batch: int, n: int, m: int, k: int) -> ModuleOp:
    a = te.placeholder((batch, n, k), "float32", name="A")
    w = te.placeholder((batch, k, m), "float32", name="W")
    r = te.reduce_axis((0, k), name="k")
    y = te.compute((batch, n, m), lambda b, i, j: te.sum(a[b, i, r] * w[b, r, j], axis=r),
                   name="Y")
    c = te.compute((batch, n, m), lambda b, i, j: te.max(y[b, i, j], 0.0), name="C")
    return te.create_prim_func([a, w, c])


def row_sum(n: int, m: int) -> ModuleOp:
    a = te.placeholder((n, m), "float32", name="A")
    r = te.reduce_axis((0, m), name="k")
    s = te.compute((n,), lambda i: te.sum(a[i, r], axis=r), name="S")
    return te.create_prim_func([a, s])


def pipeline(n: int, m: int) -> ModuleOp:
    """B = A * 2 + 1, then C = exp(B) - A: two pointwise stages through a buffer."""
    a = te.placeholder((n, m), "float32", name="A")
    b = te.compute((n, m), lambda i, j: a[i, j] * 2.0 + 1.0, name="B")
    c = te.compute((n, m), lambda i, j: te.exp(b[i, j]) - a[i, j], name="C")
    return te.create_prim_func([a, c])


def stencil(n: int, m: int) -> ModuleOp:
    """B = A * 2 on n + 2 rows, then C[i] = B[i] + B[i + 1] + B[i + 2]: a halo of two rows."""
    a = te.placeholder((n + 2, m), "float32", name="A")
    b = te.compute((n + 2, m), lambda i, j: a[i, j] * 2.0, name="B")
    c = te.compute((n, m), lambda i, j: b[i, j] + b[i + 1, j] + b[i + 2, j], name="C")
    return te.create_prim_func([a, c])


# ----------------------------------------------------------------------------- schedules
# Each returns the scheduled module; the docstring says what the case exercises.


def split_perfect() -> ModuleOp:
    """split with every factor given and product == extent (50 = 5 * 10), three ways."""
    sch = Schedule(matmul(19, 50, 24))
    _i, j, k = sch.get_loops(sch.get_block("C"))
    sch.split(j, [5, 10])
    sch.split(k, [2, 3, 4])
    return sch.mod


def split_imperfect() -> ModuleOp:
    """Imperfect splits of a spatial (37 by 8) and of a reduce loop (19 by 4): predicates."""
    sch = Schedule(matmul(37, 50, 19))
    i, _j, k = sch.get_loops(sch.get_block("C"))
    sch.split(i, [None, 8])
    sch.split(k, [None, 4])
    return sch.mod


def split_imperfect_vectorized() -> ModuleOp:
    """An imperfect split whose inner loop is vectorized: a predicate inside the SIMD loop."""
    sch = Schedule(pipeline(5, 37))
    _, j = sch.get_loops(sch.get_block("C"))
    _, j1 = sch.split(j, [None, 8])
    sch.vectorize(j1)
    return sch.mod


def fuse_parallel_vectorize() -> ModuleOp:
    """fuse i, j (37 * 13 = 481), split the fused loop by 16, parallel outer, vectorize inner."""
    sch = Schedule(pipeline(37, 13))
    i, j = sch.get_loops(sch.get_block("B"))
    fused = sch.fuse(i, j)
    outer, inner = sch.split(fused, [None, 16])
    sch.parallel(outer)
    sch.vectorize(inner)
    return sch.mod


def fuse_reduction() -> ModuleOp:
    """fuse the spatial loops of bmm_relu (batch x rows) above the reduction."""
    sch = Schedule(bmm_relu(3, 13, 19, 11))
    b, i, _, _ = sch.get_loops(sch.get_block("Y"))
    sch.fuse(b, i)
    return sch.mod


def reorder_vectorize() -> ModuleOp:
    """reorder i, k, j: the spatial j innermost, vectorized with a tail (50 = 6 * 8 + 2)."""
    sch = Schedule(matmul(37, 50, 19))
    block = sch.get_block("C")
    i, j, k = sch.get_loops(block)
    sch.reorder(i, k, j)
    sch.decompose_reduction(block, k)
    sch.vectorize(j)
    return sch.mod


def parallel_rows() -> ModuleOp:
    """parallel row loops of both stages of mm_relu (37 rows over the threads)."""
    sch = Schedule(mm_relu(37, 50, 19))
    sch.parallel(sch.get_loops(sch.get_block("Y"))[0])
    sch.parallel(sch.get_loops(sch.get_block("C"))[0])
    return sch.mod


def vectorize_13() -> ModuleOp:
    """vectorize a loop of extent 13: no full vector at 512 bits, a tail at every width."""
    sch = Schedule(pipeline(7, 13))
    for name in ("B", "C"):
        sch.vectorize(sch.get_loops(sch.get_block(name))[-1])
    return sch.mod


def parallel_vectorize() -> ModuleOp:
    """parallel rows and vectorized columns (130 = 8 * 16 + 2) on both pipeline stages."""
    sch = Schedule(pipeline(37, 130))
    for name in ("B", "C"):
        i, j = sch.get_loops(sch.get_block(name))
        sch.parallel(i)
        sch.vectorize(j)
    return sch.mod


def vectorize_strided() -> ModuleOp:
    """vectorize the row loop (37) after reorder(j, i): lanes 13 floats apart in memory."""
    sch = Schedule(pipeline(37, 13))
    i, j = sch.get_loops(sch.get_block("B"))
    sch.reorder(j, i)
    sch.vectorize(i)
    return sch.mod


def parallel_inner() -> ModuleOp:
    """parallel the j loop under a serial i: one parallel launch per row."""
    sch = Schedule(matmul(13, 37, 19))
    _, j, _ = sch.get_loops(sch.get_block("C"))
    sch.parallel(j)
    return sch.mod


def unroll_loops() -> ModuleOp:
    """unroll a loop of extent 13 and the inner loop of an imperfect reduce split."""
    sch = Schedule(row_sum(13, 130))
    i, k = sch.get_loops(sch.get_block("S"))
    _, k1 = sch.split(k, [None, 8])
    sch.unroll(i)
    sch.unroll(k1)
    return sch.mod


def annotate_loops_and_blocks() -> ModuleOp:
    """annotations on a loop and a block (int, str, list) do not change the code's meaning."""
    sch = Schedule(mm_relu(13, 37, 19))
    block = sch.get_block("Y")
    i, _, _ = sch.get_loops(block)
    sch.annotate(i, "pragma_auto_unroll_max_step", 16)
    sch.annotate(block, "meta_schedule.tiling_structure", "SSRSRS")
    sch.annotate(block, "layout_hint", [1, 2])
    return sch.mod


def compute_at_halo() -> ModuleOp:
    """compute_at B under C's outer row tile (37 rows by 8: imperfect): each tile recomputes
    the two halo rows of B it reads."""
    sch = Schedule(stencil(37, 50))
    i, _j = sch.get_loops(sch.get_block("C"))
    i0, _ = sch.split(i, [None, 8])
    sch.compute_at(sch.get_block("B"), i0)
    sch.vectorize(sch.get_loops(sch.get_block("B"))[-1])
    return sch.mod


def compute_at_row() -> ModuleOp:
    """compute_at B at C's row loop: three rows of B per row of C, rows in parallel."""
    sch = Schedule(stencil(13, 37))
    i, _ = sch.get_loops(sch.get_block("C"))
    sch.compute_at(sch.get_block("B"), i)
    sch.parallel(i)
    return sch.mod


def reverse_compute_at_tile() -> ModuleOp:
    """reverse_compute_at relu under the j0 tile of the matmul (50 by 8: imperfect)."""
    sch = Schedule(mm_relu(37, 50, 19))
    block = sch.get_block("Y")
    _i, j, k = sch.get_loops(block)
    j0, j1 = sch.split(j, [None, 8])
    sch.reorder(j0, k, j1)
    sch.reverse_compute_at(sch.get_block("C"), j0)
    sch.vectorize(sch.get_loops(sch.get_block("C"))[-1])
    return sch.mod


def compute_inline_pipeline() -> ModuleOp:
    """compute_inline B into C: one stage left, vectorized with a tail."""
    sch = Schedule(pipeline(13, 37))
    sch.compute_inline(sch.get_block("B"))
    sch.vectorize(sch.get_loops(sch.get_block("C"))[-1])
    return sch.mod


def reverse_compute_inline_pipeline() -> ModuleOp:
    """reverse_compute_inline C into B."""
    sch = Schedule(pipeline(13, 37))
    sch.reverse_compute_inline(sch.get_block("C"))
    sch.parallel(sch.get_loops(sch.get_block("B"))[0])
    return sch.mod


def decompose_reduction_predicated() -> ModuleOp:
    """decompose_reduction at the outer loop of an imperfect k split (19 by 4): the update
    keeps the predicate, the vectorized j (37) runs under it."""
    sch = Schedule(matmul(13, 37, 19))
    block = sch.get_block("C")
    i, j, k = sch.get_loops(block)
    k0, k1 = sch.split(k, [None, 4])
    sch.reorder(i, k0, k1, j)
    sch.decompose_reduction(block, k0)
    sch.unroll(k1)
    sch.vectorize(j)
    return sch.mod


def decompose_reduction_tiled() -> ModuleOp:
    """decompose_reduction at k of a j-tiled matmul; the init loop vectorized too."""
    sch = Schedule(matmul(37, 50, 19))
    block = sch.get_block("C")
    i, j, k = sch.get_loops(block)
    j0, j1 = sch.split(j, [None, 16])
    sch.reorder(i, j0, k, j1)
    init = sch.decompose_reduction(block, k)
    sch.vectorize(j1)
    sch.vectorize(sch.get_loops(init)[-1])
    return sch.mod


def rfactor_row_sum() -> ModuleOp:
    """rfactor the row sum by the inner k (130 = 13 * 10): partial sums per k1, then a sum."""
    sch = Schedule(row_sum(37, 130))
    _, k = sch.get_loops(sch.get_block("S"))
    _, k1 = sch.split(k, [None, 10])
    sch.rfactor(k1, 0)
    return sch.mod


def rfactor_imperfect() -> ModuleOp:
    """rfactor by the outer loop of an imperfect split (130 by 8): a predicate in the rf
    block, whose rows run in parallel."""
    sch = Schedule(row_sum(37, 130))
    _, k = sch.get_loops(sch.get_block("S"))
    k0, _ = sch.split(k, [None, 8])
    rf = sch.rfactor(k0, 1)
    sch.parallel(sch.get_loops(rf)[0])
    return sch.mod


def cache_read_local() -> ModuleOp:
    """cache_read A to "local" at the row loop: a row of A copied per i, reused for all j."""
    sch = Schedule(matmul(37, 50, 19))
    block = sch.get_block("C")
    i, _, _ = sch.get_loops(block)
    cached = sch.cache_read(block, 0, "local")
    sch.compute_at(cached, i)
    return sch.mod


def cache_read_global() -> ModuleOp:
    """cache_read B to "global": a whole copy, made before the matmul, vectorized."""
    sch = Schedule(matmul(37, 50, 19))
    cached = sch.cache_read(sch.get_block("C"), 1, "global")
    sch.vectorize(sch.get_loops(cached)[-1])
    return sch.mod


def cache_write_local() -> ModuleOp:
    """The bench recipe's tile cache on a matmul with tails: 8 x 16 tiles of C in a "local"
    buffer (37 and 50 leave partial tiles), written back under the tile loop."""
    sch = Schedule(matmul(37, 50, 19))
    block = sch.get_block("C")
    i, j, k = sch.get_loops(block)
    io, ii = sch.split(i, [None, 8])
    jo, ji = sch.split(j, [None, 16])
    sch.reorder(io, jo, k, ii, ji)
    local = sch.cache_write(block, 0, "local")
    sch.reverse_compute_at(local, jo)
    sch.decompose_reduction(block, k)
    sch.vectorize(ji)
    sch.unroll(ii)
    sch.parallel(io)
    sch.vectorize(sch.get_loops(local)[-1])
    return sch.mod


def cache_write_global() -> ModuleOp:
    """cache_write Y of mm_relu to "global": a second buffer, copied back afterwards."""
    sch = Schedule(mm_relu(13, 37, 19))
    sch.cache_write(sch.get_block("Y"), 0, "global")
    return sch.mod


def blockize_tile() -> ModuleOp:
    """blockize the inner 4 x 4 x 4 tile of a 12 x 20 x 8 matmul, outer rows parallel."""
    sch = Schedule(matmul(12, 20, 8))
    i, j, k = sch.get_loops(sch.get_block("C"))
    i0, i1 = sch.split(i, [None, 4])
    j0, j1 = sch.split(j, [None, 4])
    k0, k1 = sch.split(k, [None, 4])
    sch.reorder(i0, j0, k0, i1, j1, k1)
    sch.blockize(i1)
    sch.parallel(i0)
    return sch.mod


def blockize_elementwise() -> ModuleOp:
    """blockize two whole rows (37 columns, vectorized inside) of the elementwise stage. (An
    imperfect tile cannot be blockized: its predicate would use a loop inside the block.)"""
    sch = Schedule(pipeline(6, 37))
    i, j = sch.get_loops(sch.get_block("C"))
    _, i1 = sch.split(i, [None, 2])
    sch.vectorize(j)
    sch.blockize(i1)
    return sch.mod


def tensorize_matmul_4x4x4() -> ModuleOp:
    """tensorize a 4 x 4 x 4 tile with mlc.matmul_acc_4x4x4_f32 (init kept, C_init)."""
    sch = Schedule(matmul(12, 20, 8))
    i, j, k = sch.get_loops(sch.get_block("C"))
    i0, i1 = sch.split(i, [None, 4])
    j0, j1 = sch.split(j, [None, 4])
    k0, k1 = sch.split(k, [None, 4])
    sch.reorder(i0, j0, k0, i1, j1, k1)
    sch.tensorize(i1, MATMUL_ACC_4X4X4_F32)
    return sch.mod


def tensorize_vec_mac() -> ModuleOp:
    """tensorize a 16-column tile under k with mlc.vec_mac_1x16_f32, then decompose."""
    sch = Schedule(matmul(13, 48, 19))
    block = sch.get_block("C")
    i, j, k = sch.get_loops(block)
    j0, j1 = sch.split(j, [None, 16])
    sch.reorder(i, j0, k, j1)
    sch.tensorize(j1, VEC_MAC_1X16_F32)
    return sch.mod


def sampled_tiles() -> ModuleOp:
    """sample_perfect_tile / sample_categorical (seeded) drive split and unroll."""
    sch = Schedule(mm_relu(37, 48, 19), seed=7)
    block = sch.get_block("Y")
    i, j, k = sch.get_loops(block)
    j0, j1 = sch.split(j, sch.sample_perfect_tile(j, n=2, max_innermost_factor=16))
    i0, i1 = sch.split(i, sch.sample_perfect_tile(i, n=2))  # 37 is prime: [37, 1] or [1, 37]
    sch.reorder(i0, j0, k, i1, j1)
    step = sch.sample_categorical([0, 16, 64], [0.2, 0.4, 0.4])
    sch.annotate(i0, "pragma_auto_unroll_max_step", step)
    sch.decompose_reduction(block, k)
    sch.vectorize(j1)
    return sch.mod


def bmm_relu_exercise() -> ModuleOp:
    """The course's bmm_relu exercise schedule on a shape with tails (50 by 8, 19 by 4)."""
    sch = Schedule(bmm_relu(3, 13, 50, 19))
    block = sch.get_block("Y")
    n, i, j, k = sch.get_loops(block)
    j0, j1 = sch.split(j, [None, 8])
    k0, k1 = sch.split(k, [None, 4])
    sch.reorder(n, i, j0, k0, k1, j1)
    relu = sch.get_block("C")
    sch.reverse_compute_at(relu, j0)
    sch.parallel(n)
    sch.unroll(k1)
    sch.vectorize(sch.get_loops(relu)[-1])
    init = sch.decompose_reduction(block, k0)
    sch.vectorize(sch.get_loops(init)[-1])
    return sch.mod


CASES: dict[str, Callable[[], ModuleOp]] = {
    f.__name__: f
    for f in (
        split_perfect, split_imperfect, split_imperfect_vectorized, fuse_parallel_vectorize,
        fuse_reduction, reorder_vectorize, parallel_rows, vectorize_13, parallel_vectorize, vectorize_strided,
        parallel_inner,
        unroll_loops, annotate_loops_and_blocks, compute_at_halo, compute_at_row,
        reverse_compute_at_tile, compute_inline_pipeline,
        reverse_compute_inline_pipeline, decompose_reduction_tiled, decompose_reduction_predicated,
        rfactor_row_sum, rfactor_imperfect, cache_read_local, cache_read_global,
        cache_write_local, cache_write_global, blockize_tile, blockize_elementwise,
        tensorize_matmul_4x4x4, tensorize_vec_mac, sampled_tiles, bmm_relu_exercise,
    )
}  # fmt: skip

# Which primitive each case is there for: every primitive of the Schedule appears at least once.
PRIMITIVES = {
    "split": "split_imperfect", "fuse": "fuse_parallel_vectorize", "reorder": "reorder_vectorize",
    "parallel": "parallel_rows", "vectorize": "vectorize_13", "unroll": "unroll_loops",
    "annotate": "annotate_loops_and_blocks", "compute_at": "compute_at_halo",
    "reverse_compute_at": "reverse_compute_at_tile", "compute_inline": "compute_inline_pipeline",
    "reverse_compute_inline": "reverse_compute_inline_pipeline",
    "decompose_reduction": "decompose_reduction_tiled", "rfactor": "rfactor_row_sum",
    "cache_read": "cache_read_local", "cache_write": "cache_write_local",
    "blockize": "blockize_tile", "tensorize": "tensorize_matmul_4x4x4",
    "sample_perfect_tile": "sampled_tiles", "sample_categorical": "sampled_tiles",
}  # fmt: skip


# ----------------------------------------------------------------------------- the check


@cache
def scheduled(name: str) -> ModuleOp:
    return CASES[name]()


@cache
def compiled(name: str):
    return mlc.compile(scheduled(name))


def random_arguments(module: ModuleOp, seed: int) -> list[np.ndarray]:
    """Inputs and outputs alike random: an output the program fails to write shows up."""
    function = find_function(module, "main")
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(tuple(t.get_shape())).astype(numpy_dtype(t.element_type))
            for t in function.function_type.inputs.data]


# Known bugs, each with its minimal reproducer in the docstring of the case.
XFAIL: dict[str, str] = {}
"""Cases expected to fail, with the reason (none today)."""


@pytest.mark.parametrize(
    "name",
    [pytest.param(n, marks=pytest.mark.xfail(strict=True, reason=XFAIL[n])) if n in XFAIL else n
     for n in sorted(CASES)],
)
def test_compiled_equals_interpreted(name: str) -> None:
    module = scheduled(name)
    exe = compiled(name)
    for seed in (0, 1):
        arguments = random_arguments(module, seed)
        expected = [a.copy() for a in arguments]
        mlc.interpret(module, "main", *expected)
        exe["main"](*arguments)
        for index, (want, got) in enumerate(zip(expected, arguments, strict=True)):
            np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-5,
                                       err_msg=f"{name}: argument #{index}, seed {seed}")


@pytest.mark.parametrize("bits", [128, 256, 512])
@pytest.mark.parametrize(
    "name", ["vectorize_13", "split_imperfect_vectorized", "vectorize_strided", "bmm_relu_exercise"]
)
def test_tails_at_every_vector_width(name: str, bits: int) -> None:
    """The vectorized cases at each target width: 13, 37 and 50 leave a tail at all of them."""
    module = scheduled(name)
    exe = compile_tensor_module(module, vector_bits=bits)
    arguments = random_arguments(module, seed=2)
    expected = [a.copy() for a in arguments]
    mlc.interpret(module, "main", *expected)
    exe["main"](*arguments)
    np.testing.assert_allclose(arguments[-1], expected[-1], rtol=1e-5, atol=1e-5)


def test_every_primitive_has_a_case() -> None:
    public = {name for name in vars(Schedule) if not name.startswith("_")}
    scheduling = public - {"mod", "trace", "show", "copy", "seed", "fork_seed", "work_on",
                           "enter_postproc", "get", "remove_rv", "get_block", "get_sblock",
                           "get_loops", "get_child_blocks", "get_producers", "get_consumers",
                           "unannotate"}  # fmt: skip
    assert scheduling <= set(PRIMITIVES), sorted(scheduling - set(PRIMITIVES))
    assert set(PRIMITIVES.values()) <= set(CASES)
