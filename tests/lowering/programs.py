"""Test programs for the lowering tests: te programs, with and without schedules."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from dialects.tensor.schedule import Schedule
from mlc_dialects import te


def matmul(n: int, m: int, k: int) -> ModuleOp:
    A = te.placeholder((n, k), "float32", name="A")
    B = te.placeholder((k, m), "float32", name="B")
    r = te.reduce_axis((0, k), name="k")
    C = te.compute((n, m), lambda i, j: te.sum(A[i, r] * B[r, j], axis=r), name="C")
    return te.create_prim_func([A, B, C])


def mm_relu(n: int, m: int, k: int) -> ModuleOp:
    A = te.placeholder((n, k), "float32", name="A")
    B = te.placeholder((k, m), "float32", name="B")
    r = te.reduce_axis((0, k), name="k")
    Y = te.compute((n, m), lambda i, j: te.sum(A[i, r] * B[r, j], axis=r), name="Y")
    C = te.compute((n, m), lambda i, j: te.max(Y[i, j], 0), name="C")
    return te.create_prim_func([A, B, C])


def row_reductions(n: int, m: int) -> ModuleOp:
    """Row sums and row maxima, then exp(x - max): reductions with init parts and a buffer."""
    A = te.placeholder((n, m), "float32", name="A")
    k1 = te.reduce_axis((0, m), name="k1")
    k2 = te.reduce_axis((0, m), name="k2")
    S = te.compute((n,), lambda i: te.sum(A[i, k1], axis=k1), name="S")
    M = te.compute((n,), lambda i: te.max(A[i, k2], axis=k2), name="M")
    E = te.compute((n, m), lambda i, j: te.exp(A[i, j] - M[i]) + S[i], name="E")
    return te.create_prim_func([A, E])


def elementwise(n: int, m: int) -> ModuleOp:
    """C = relu(A * 2 + B) on shapes that are not multiples of the vector width."""
    A = te.placeholder((n, m), "float32", name="A")
    B = te.placeholder((n, m), "float32", name="B")
    C = te.compute((n, m), lambda i, j: te.max(A[i, j] * 2.0 + B[i, j], 0.0), name="C")
    return te.create_prim_func([A, B, C])


def scheduled_elementwise(n: int, m: int) -> ModuleOp:
    """Rows in parallel, columns vectorized (with a tail when m is not a multiple of W)."""
    sch = Schedule(elementwise(n, m))
    i, j = sch.get_loops(sch.get_block("C"))
    sch.parallel(i)
    sch.vectorize(j)
    return sch.mod


def scheduled_split_predicate(n: int) -> ModuleOp:
    """An imperfect split (predicate), the inner loop unrolled."""
    A = te.placeholder((n,), "float32", name="A")
    B = te.compute((n,), lambda i: te.exp(A[i]) * 3.0, name="B")
    sch = Schedule(te.create_prim_func([A, B]))
    (i,) = sch.get_loops(sch.get_block("B"))
    _, inner = sch.split(i, [None, 4])
    sch.unroll(inner)
    return sch.mod


def scheduled_mm_relu(n: int, m: int, k: int) -> ModuleOp:
    """The course's mm_relu schedule: split j by 4, reorder, decompose the reduction,
    plus vectorized inner loops and parallel rows."""
    sch = Schedule(mm_relu(n, m, k))
    block_y = sch.get_block("Y")
    i, j, kk = sch.get_loops(block_y)
    j0, j1 = sch.split(j, [None, 4])
    sch.reorder(j0, kk, j1)
    sch.reverse_compute_at(sch.get_block("C"), j0)
    sch.decompose_reduction(block_y, kk)
    sch.vectorize(j1)
    sch.parallel(i)
    return sch.mod


def scheduled_matmul_recipe(n: int) -> ModuleOp:
    """The classic CPU recipe (bench): packed B panels, 8x32 tiles cached in a local buffer,
    vectorized columns, unrolled rows, parallel outer rows, decomposed reduction."""
    A = te.placeholder((n, n), "float32", name="A")
    B = te.placeholder((n, n), "float32", name="B")
    Bp = te.compute((n // 32, n, 32), lambda jo, k, ji: B[k, jo * 32 + ji], name="Bp")
    r = te.reduce_axis((0, n), name="k")
    C = te.compute((n, n), lambda i, j: te.sum(A[i, r] * Bp[j // 32, r, j % 32], axis=r),
                   name="C")
    sch = Schedule(te.create_prim_func([A, B, C]))
    block = sch.get_block("C")
    i, j, kk = sch.get_loops(block)
    io, ii = sch.split(i, [None, 8])
    jo, ji = sch.split(j, [None, 32])
    sch.reorder(io, jo, kk, ii, ji)
    local = sch.cache_write(block, 0, "local")
    sch.reverse_compute_at(local, jo)
    sch.decompose_reduction(block, kk)
    sch.vectorize(ji)
    sch.unroll(ii)
    sch.parallel(io)
    sch.vectorize(sch.get_loops(local)[-1])
    return sch.mod


def scheduled_tiled_cache_write(n: int, m: int, k: int, rows: int = 8, cols: int = 32) -> ModuleOp:
    """matmul with rows x cols tiles of C cached in a "local" buffer; n and m need not be
    multiples of the tile (predicated tails). The tile is what tensor-compact-buffers keeps."""
    sch = Schedule(matmul(n, m, k))
    block = sch.get_block("C")
    i, j, kk = sch.get_loops(block)
    io, ii = sch.split(i, [None, rows])
    jo, ji = sch.split(j, [None, cols])
    sch.reorder(io, jo, kk, ii, ji)
    local = sch.cache_write(block, 0, "local")
    sch.reverse_compute_at(local, jo)
    init = sch.decompose_reduction(block, kk)
    sch.vectorize(ji)
    sch.unroll(ii)
    sch.parallel(io)
    for tile in (init, local):
        tile_rows, tile_cols = sch.get_loops(tile)[-2:]
        sch.unroll(tile_rows)
        sch.vectorize(tile_cols)
    return sch.mod


def cache_read_reused(n: int, m: int, k: int) -> ModuleOp:
    """A row of A cached per i and reused across every j: regions of different j iterations
    overlap, so the buffer may only shrink to the row, allocated per i."""
    sch = Schedule(matmul(n, m, k))
    block = sch.get_block("C")
    i, j, kk = sch.get_loops(block)
    cached = sch.cache_read(block, 0, "local")
    sch.compute_at(cached, i)
    return sch.mod


def packed_columns(n: int, m: int, k: int, panel: int = 32, split: int = 32) -> ModuleOp:
    """B packed into column panels read back through `j // panel` and `j % panel`, with j
    split by `split` and the inner loop vectorized; m need not be a multiple of either."""
    from mlc_dialects import te as _te

    panels = -(-m // panel)
    A = _te.placeholder((n, k), "float32", name="A")
    B = _te.placeholder((k, panels * panel), "float32", name="B")
    Bp = _te.compute((panels, k, panel), lambda jo, r, ji: B[r, jo * panel + ji], name="Bp")
    r = _te.reduce_axis((0, k), name="k")
    C = _te.compute((n, m), lambda i, j: _te.sum(A[i, r] * Bp[j // panel, r, j % panel], axis=r),
                    name="C")
    sch = Schedule(_te.create_prim_func([A, B, C]))
    block = sch.get_block("C")
    i, j, kk = sch.get_loops(block)
    jo, ji = sch.split(j, [None, split])
    sch.reorder(i, jo, kk, ji)
    sch.decompose_reduction(block, kk)
    sch.vectorize(ji)
    return sch.mod
