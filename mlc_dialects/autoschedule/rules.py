"""The schedule rules (TVM MetaSchedule's default CPU rules, without the sampling).

Each rule is a function `rule(sch, block, ctx) -> bool` that schedules one block through the
`Schedule` primitives and says whether it applied. Rules run on a copy of the schedule
(`try_rule`): when a primitive refuses (`ScheduleError`) the copy is dropped and the block
keeps its previous form, so a rule can never produce wrong code, only a slower one.

- `auto_inline` (TVM's AutoInline for llvm: into consumers only, no if_then_else, no
  recomputed transcendental functions): a spatial intermediate block disappears into its
  consumers (`compute_inline`) when that recomputes nothing expensive. Producers of
  matmul/conv-like blocks are never inlined (a transpose inlined into a matmul would turn its
  contiguous operand into a strided one).
- `multi_level_tiling` (TVM's MultiLevelTiling, one fixed structure instead of a sampled
  one, the matmul recipe of tests/lowering/programs.py): for matmul- and conv-like blocks,
  `row x col` register tiles (row split by up to 8 and unrolled, col split by up to two
  vectors and vectorized) accumulated over all reduce loops in a `cache_write` "local" tile,
  with the epilogue (bias, activation, rounding) inlined into the tile's write-back
  (`reverse_compute_inline`) and placed under the tile loop (`reverse_compute_at`); the
  reduction's init is split off (`decompose_reduction`) and vectorized; the outer spatial
  loops are fused and run in parallel.
- `reduction_inner_spatial` (the "simpler legal tiling"): a reduction whose output's last
  index is a contiguous spatial iterator gets that loop moved innermost, below the reduce
  loops, and vectorized (the ikj matmul order; column sums).
- `add_rfactor` (TVM's AddRFactor): a reduction over the innermost, contiguous axis of a long
  row (softmax's max and sum, means) is split into `lanes` partial sums (`rfactor`) computed
  with vector lanes, then summed.
- `parallelize_vectorize_unroll` (TVM's ParallelizeVectorizeUnroll): the leading spatial
  loops of any block are fused and parallel when the work is worth a thread launch; the
  innermost loop is vectorized when it is spatial and every access is contiguous along it or
  invariant; reduce loops stay serial.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass

from xdsl.dialects import arith, memref
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import AnyFloat, IntegerType, MemRefType

from dialects.hw.attrs import TargetAttr
from dialects.loops.ops import ForOp
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule import Schedule, ScheduleError, analysis
from dialects.tensor.schedule.rv import BlockRV, LoopRV
from mlc_dialects.autoschedule.classify import (
    BlockKind,
    classify,
    contiguous_or_invariant,
    trivial_loops,
)

PARALLEL_MIN_WORK = 1 << 15
"""Block instances below which a thread launch (a few microseconds with GOMP) costs more than
it saves: 32K instances are some 10 us of scalar work."""

MAX_JOBS_PER_CORE = 16
"""TVM's `max_jobs_per_core`: fusing more outer loops than cores x 16 only adds index math."""

ROW_TILE = 8
"""Rows of a register tile: 8 rows x 2 vectors = 16 accumulators, half the AVX-512 registers."""

ACCUMULATORS = 16
"""Vector registers a register tile may hold (half of AVX-512's 32, the rest for operands).
Fewer rows than ROW_TILE (a GEMV: batch 1) leave room for more columns: 1 row x 8 vectors
instead of 1 x 2, so that 8 independent FMA chains hide the FMA latency (with 2 chains a
784-long reduction waits 4 cycles per step) and each row of B is read once."""

RFACTOR_MIN_EXTENT = 64
"""Reductions shorter than this stay scalar: the final sum of the lanes would not pay off."""

# Math ops whose recomputation costs more than a load (they are calls or long sequences).
_CHEAP_MATH = (mathd.AbsFOp, mathd.FmaOp, mathd.CopySignOp, mathd.FloorOp, mathd.CeilOp)


@dataclass(frozen=True)
class RuleContext:
    """What the rules know about the target."""

    vector_bits: int
    num_cores: int

    @staticmethod
    def for_target(target: TargetAttr | None) -> RuleContext:
        target = target if target is not None else TargetAttr.host()
        cores = target.num_threads.data or _env_threads() or os.cpu_count() or 1
        return RuleContext(target.vector_bits.data, cores)

    def lanes(self, block: BlockOp) -> int:
        """Vector lanes for the widest element the block writes (16 f32 on AVX-512)."""
        widest = max((_element_bytes(b.type) for b in block.writes), default=4)
        return max(1, self.vector_bits // (8 * widest))


def _env_threads() -> int:
    try:
        return int(os.environ.get("MLC_NUM_THREADS", "0"))
    except ValueError:
        return 0


def _element_bytes(t) -> int:
    if not isinstance(t, MemRefType):
        return 4
    element = t.element_type
    if isinstance(element, AnyFloat):
        return element.bitwidth // 8
    if isinstance(element, IntegerType):
        return max(1, element.width.data // 8)
    return 8


Rule = Callable[[Schedule, BlockRV, RuleContext], bool]


def try_rule(sch: Schedule, rule: Rule, block: BlockRV, ctx: RuleContext) -> Schedule | None:
    """Apply `rule` to a copy of `sch`; the copy when the rule applied, else None."""
    trial = sch.copy()
    try:
        applied = rule(trial, block, ctx)
    except ScheduleError:
        return None
    return trial if applied else None


# =========================================================================== helpers


def _block(sch: Schedule, rv: BlockRV) -> BlockOp:
    op = sch.get(rv)
    assert isinstance(op, BlockOp)
    return op


def _loop(sch: Schedule, rv: LoopRV) -> ForOp:
    op = sch.get(rv)
    assert isinstance(op, ForOp)
    return op


def _work(loops: list[ForOp]) -> int:
    work = 1
    for loop in loops:
        work *= max(1, loop.extent)
    return work


def _parallelize_outer(sch: Schedule, loops: list[LoopRV], total_work: int,
                       ctx: RuleContext) -> LoopRV | None:
    """Fuse a prefix of `loops` (all spatial) and make it parallel when worth it.

    The prefix is the shortest one whose extent gives every core work, extended while that
    stays below cores x MAX_JOBS_PER_CORE (TVM's bound). Returns the parallel loop."""
    if ctx.num_cores < 2 or total_work < PARALLEL_MIN_WORK or not loops:
        return None
    limit = ctx.num_cores * MAX_JOBS_PER_CORE
    count, extent = 0, 1
    for rv in loops:
        if count and extent >= limit:
            break
        extent *= _loop(sch, rv).extent
        count += 1
    if extent < 2:
        return None
    fused = sch.fuse(*loops[:count]) if count > 1 else loops[0]
    sch.parallel(fused)
    return fused


def _vector_factor(extent: int, lanes: int) -> int:
    """The inner extent of a split for vectors: a divisor of `extent` up to two vectors that
    gives the most elements per vector instruction (scalar tails count one each)."""
    best, best_score = 1, 0.0
    for d in range(1, min(extent, 2 * lanes) + 1):
        if extent % d:
            continue
        width = min(lanes, 1 << (d.bit_length() - 1))
        cost = d // width + d % width
        score = d / cost
        if score > best_score or (score == best_score and d > best):
            best, best_score = d, score
    return best


def _col_factor(extent: int, lanes: int, max_vectors: int) -> int:
    """Columns of a register tile: up to `max_vectors` whole vectors dividing `extent` when
    that is more than two (few rows: module docstring's GEMV case), else `_vector_factor`."""
    for vectors in range(max_vectors, 2, -1):
        if extent % (vectors * lanes) == 0:
            return vectors * lanes
    return _vector_factor(extent, lanes)


def _row_factor(extent: int) -> int:
    """The largest divisor of `extent` up to ROW_TILE (rows of the register tile)."""
    return max(d for d in range(1, min(extent, ROW_TILE) + 1) if extent % d == 0)


# =========================================================================== AutoInline


def _is_expensive(block: BlockOp) -> bool:
    return any(
        isinstance(op, mathd.ExpOp | mathd.LogOp | mathd.TanhOp | mathd.ErfOp | mathd.PowFOp
                   | mathd.SqrtOp | mathd.RsqrtOp | mathd.SinOp | mathd.CosOp | arith.DivfOp)
        or (op.dialect_name() == "math" and not isinstance(op, _CHEAP_MATH))
        for op in block.body.walk()
    )


def _has_select(block: BlockOp) -> bool:
    return any(isinstance(op, arith.SelectOp) for op in block.body.walk())


def _loads_of(block: BlockOp, buffer) -> int:
    return sum(1 for op in block.body.walk() if isinstance(op, memref.LoadOp)
               and op.memref is buffer)


def _instances(block: BlockOp) -> int:
    n = 1
    for d in block.domain_values:
        n *= d
    return n


def should_inline(block: BlockOp) -> bool:
    """AutoInline's decision for a spatial block (module docstring); legality is the
    schedule's to check."""
    if block.is_reduction or len(block.writes) != 1:
        return False
    function = analysis.enclosing_func(block)
    buffer = block.writes[0]
    if function is None or buffer in function.body.block.args:
        return False
    consumers = analysis.get_consumers(block)
    if not consumers:
        return False
    size = 1
    assert isinstance(buffer.type, MemRefType)
    for d in buffer.type.get_shape():
        size *= d
    expensive, select = _is_expensive(block), _has_select(block)
    body_ops = sum(1 for _ in block.body.walk())
    for consumer in consumers:
        info = classify(consumer)
        if info.kind in (BlockKind.MATMUL, BlockKind.CONV):
            return False
        if consumer.is_reduction and select:
            return False
        loads = _loads_of(consumer, buffer)
        recomputes = _instances(consumer) * loads > size
        if expensive and (len(consumers) > 1 or recomputes):
            return False
        if loads > 1 and body_ops > MAX_DUPLICATED_BODY_OPS:
            return False  # each inline would copy a large body several times: growth
    return True


MAX_DUPLICATED_BODY_OPS = 12
"""A producer body larger than this is not inlined into a consumer that loads it more than
once: chains such as the op library's integer pow (each stage reads the previous one twice)
would otherwise double in size at every stage."""


def auto_inline(sch: Schedule, block: BlockRV, ctx: RuleContext) -> bool:
    if not should_inline(_block(sch, block)):
        return False
    sch.compute_inline(block)
    return True


# =========================================================================== MultiLevelTiling


def multi_level_tiling(sch: Schedule, block: BlockRV, ctx: RuleContext) -> bool:
    """Register tiles for matmul- and conv-like blocks (module docstring)."""
    op = _block(sch, block)
    info = classify(op)
    if info.kind not in (BlockKind.MATMUL, BlockKind.CONV) or trivial_loops(op) is None:
        return False
    assert info.row is not None and info.col is not None
    lanes = ctx.lanes(op)
    row_extent = op.domain_values[info.row]
    col_extent = op.domain_values[info.col]
    tr = _row_factor(row_extent)
    vectorize = info.col_contiguous and _vector_body(op)
    tc = _col_factor(col_extent, lanes, ACCUMULATORS // tr) if vectorize else min(4, col_extent)
    if tc == 1 and tr == 1:
        return False
    loops = sch.get_loops(block)
    ro, ri = sch.split(loops[info.row], [None, tr])
    co, ci = sch.split(loops[info.col], [None, tc])
    wide = vectorize and tc > 2 * lanes  # several vectors: unrolled, one register each
    outer: list[LoopRV] = []
    for index in info.spatial:
        outer.append(ro if index == info.row else co if index == info.col else loops[index])
    reduce = [loops[index] for index in info.reduce]
    sch.reorder(*outer, *reduce, ri, ci)
    spatial_outer = [lp for lp in outer if lp is not co]  # the parallel candidates
    local = sch.cache_write(block, 0, "local")
    for consumer in sch.get_consumers(local):
        try:  # the epilogue (bias, relu, rounding) joins the tile's write-back
            sch.reverse_compute_inline(consumer)
        except ScheduleError:
            pass
    sch.reverse_compute_at(local, co)
    init = sch.decompose_reduction(block, reduce[0])
    if wide:
        cu, cv = sch.split(ci, [None, lanes])
        sch.unroll(cu)
        sch.vectorize(cv)
    elif vectorize:
        sch.vectorize(ci)
    if vectorize:
        sch.vectorize(sch.get_loops(init)[-1])
        if _vector_body(_block(sch, local)):
            sch.vectorize(sch.get_loops(local)[-1])
    if tr > 1:
        sch.unroll(ri)
    work = _work([_loop(sch, lp) for lp in sch.get_loops(block)])
    _parallelize_outer(sch, _leading_spatial(sch, spatial_outer), work, ctx)
    return True


def _leading_spatial(sch: Schedule, candidates: list[LoopRV]) -> list[LoopRV]:
    """The candidates that form a perfect nest from the first one down (fusable)."""
    nest: list[LoopRV] = []
    for rv in candidates:
        if nest:
            parent = _loop(sch, nest[-1])
            children = analysis.child_ops(parent)
            if len(children) != 1 or children[0] is not _loop(sch, rv):
                break
        nest.append(rv)
    return nest


# =========================================================================== reductions


def reduction_inner_spatial(sch: Schedule, block: BlockRV, ctx: RuleContext) -> bool:
    """Move a contiguous spatial output axis below the reduce loops and vectorize it."""
    op = _block(sch, block)
    info = classify(op)
    if (not op.is_reduction or not info.inner_contiguous or trivial_loops(op) is None
            or not _vector_body(op)):
        return False
    assert info.inner is not None
    if op.domain_values[info.inner] < 4:
        return False
    loops = sch.get_loops(block)
    outer = [loops[i] for i in info.spatial if i != info.inner]
    reduce = [loops[i] for i in info.reduce]
    sch.reorder(*outer, *reduce, loops[info.inner])
    sch.decompose_reduction(block, reduce[0])
    sch.vectorize(loops[info.inner])
    work = _work([_loop(sch, lp) for lp in loops])
    _parallelize_outer(sch, outer, work, ctx)
    return True


def add_rfactor(sch: Schedule, block: BlockRV, ctx: RuleContext) -> bool:
    """Vector partial sums for a long reduction over the contiguous innermost axis."""
    op = _block(sch, block)
    info = classify(op)
    loops_ops = trivial_loops(op)
    if loops_ops is None or len(info.reduce) != 1 or info.reduce[0] != len(loops_ops) - 1:
        return False
    lanes = ctx.lanes(op)
    extent = op.domain_values[info.reduce[0]]
    if (extent < RFACTOR_MIN_EXTENT or extent % lanes or not _reduce_contiguous(op)
            or not _vector_body(op)):
        return False
    loops = sch.get_loops(block)
    _, inner = sch.split(loops[-1], [None, lanes])
    rf = sch.rfactor(inner, len(info.spatial))
    # The rfactor block's loops: spatial..., outer reduce, lanes (now spatial, innermost).
    rf_loops = sch.get_loops(rf)
    rf_init = sch.decompose_reduction(rf, rf_loops[-2])
    sch.vectorize(rf_loops[-1])
    sch.vectorize(sch.get_loops(rf_init)[-1])
    spatial_loops = rf_loops[: len(info.spatial)]
    total = _work([_loop(sch, lp) for lp in rf_loops])
    par = _parallelize_outer(sch, spatial_loops, total, ctx)
    if par is not None:  # the final sum of the lanes runs in the same parallel rows
        sch.reverse_compute_at(block, par)
    return True


def _reduce_contiguous(block: BlockOp) -> bool:
    """Every read is contiguous along the (single, last) reduce iterator or invariant."""
    dim = len(block.iter_kinds) - 1
    out = block.writes[0] if len(block.writes) == 1 else None
    return all(contiguous_or_invariant(region, dim)
               for buf, region in block.read_accesses() if buf is not out)


# =========================================================================== ParallelizeVectorizeUnroll


def parallelize_vectorize_unroll(sch: Schedule, block: BlockRV, ctx: RuleContext) -> bool:
    """Parallel leading spatial loops, vectorized innermost spatial loop (module docstring)."""
    op = _block(sch, block)
    loop_ops = analysis.get_loops(op)
    if not loop_ops or any(lp.kind_name != "serial" for lp in loop_ops):
        return False
    info = classify(op)
    loops = sch.get_loops(block)
    work = _work(loop_ops)
    innermost = loop_ops[-1]
    vector = (info.inner_contiguous and trivial_loops(op) is not None
              and info.inner == len(loop_ops) - 1 and innermost.extent >= 2
              and _vector_body(op))
    spatial_prefix = _spatial_prefix(sch, loops)
    if vector and len(loops) == 1 and ctx.num_cores > 1 and work >= PARALLEL_MIN_WORK:
        # One long loop: split it into parallel chunks of vectors.
        lanes = ctx.lanes(op)
        chunk = _chunk(innermost.extent, lanes)
        if chunk is not None:
            outer, inner = sch.split(loops[0], [None, chunk])
            sch.parallel(outer)
            sch.vectorize(inner)
            return True
    applied = False
    if vector:
        sch.vectorize(loops[-1])
        spatial_prefix = [lp for lp in spatial_prefix if lp is not loops[-1]]
        applied = True
    if _parallelize_outer(sch, spatial_prefix, work, ctx) is not None:
        applied = True
    return applied


def _vector_body(block: BlockOp) -> bool:
    """False for bodies with no vector form: a branch (`scf.if`, te's guarded loads).
    Compares, selects and casts vectorize (hw.vcmpf/vselect/vcast); convert-loops-to-hw
    keeps any other loop it cannot vectorize scalar, so this only saves a useless split."""
    return not any(op.name == "scf.if" for op in block.body.walk())


def _spatial_prefix(sch: Schedule, loops: list[LoopRV]) -> list[LoopRV]:
    """The outer loops binding no reduce iterator, stopping at the first that does."""
    prefix = []
    for rv in loops:
        if analysis.is_reduction_loop(_loop(sch, rv)):
            break
        prefix.append(rv)
    return _leading_spatial(sch, prefix)


def _chunk(extent: int, lanes: int) -> int | None:
    """A divisor of `extent`, a multiple of `lanes`, between 16 vectors and 4096 elements."""
    for d in range(min(extent // 2, 4096), 16 * lanes - 1, -1):
        if extent % d == 0 and d % lanes == 0:
            return d
    return None
