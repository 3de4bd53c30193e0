"""`Schedule`: TensorIR-style schedule primitives on tensor programs, with TVM's names.

Course code ports by changing the import:

```python
from mlc_dialects import Schedule          # was: sch = tvm.tir.Schedule(MyModule)
sch = Schedule(MyModule)
block_Y = sch.get_block("Y", func_name="main")
i, j, k = sch.get_loops(block_Y)
j0, j1 = sch.split(j, factors=[None, 4])
sch.reorder(j0, k, j1)
sch.reverse_compute_at(sch.get_block("C", "main"), j0)
sch.decompose_reduction(block_Y, k)
print(sch.mod)                              # the transformed module
print(sch.trace)                            # def apply_trace(sch): ... (replayable)
```

The schedule works on a copy of the module it is given. Handles (`BlockRV`, `LoopRV`,
`ExprRV`) refer to ops of the current module; `sch.get(rv)` returns the op (or the int).
Every primitive checks its preconditions and raises a `ScheduleError` subclass when one fails,
leaving the schedule unchanged (`state.py`); every call is recorded in `sch.trace`.

Primitives are grouped below under banners: queries, loops, loop kinds and annotations,
compute location, reduction, caching, tensorization, sampling. The loop primitives are
implemented in `loops.py`; compute location, inlining, reduction, caching and
tensorization in their own modules, imported lazily.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable, Sequence
from typing import Any

from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.ir import Operation

from dialects.loops.ops import ForOp
from dialects.tensor.ops import BlockOp
from dialects.tensor.schedule import analysis, loops, sampling
from dialects.tensor.schedule.errors import (
    BlockNotFoundError,
    DuplicateBlockNameError,
    FunctionNotFoundError,
    NonStaticExtentError,
    UnsupportedArgumentError,
)
from dialects.tensor.schedule.rv import RV, BlockRV, ExprRV, LoopRV
from dialects.tensor.schedule.state import ScheduleState
from dialects.tensor.schedule.trace import Instruction, Trace


def _parse_module(text: str) -> ModuleOp:
    from xdsl.parser import Parser

    from mlc_dialects.context import make_context

    module = Parser(make_context(), text).parse_module()
    module.verify()
    return module


class Schedule:
    """A schedule of a module of tensor functions (TVM's `tvm.tir.Schedule`).

    Parameters:
        mod: a `builtin.module`, a single `func.func`, or IR text; the schedule transforms a
            copy.
        seed: seed of the random state used by the sampling primitives; None draws one.
    """

    def __init__(self, mod: ModuleOp | func.FuncOp | str, seed: int | None = None):
        if isinstance(mod, str):
            module = _parse_module(mod)
        elif isinstance(mod, func.FuncOp):  # TVM also schedules a lone PrimFunc
            module = ModuleOp([mod.clone()])
        else:
            module = mod.clone()
        self._state = ScheduleState(module)
        self._insts: list[Instruction] = []
        self._func_name: str | None = None
        self._rng = random.Random(seed if seed is not None else int.from_bytes(os.urandom(8)))

    # =========================================================================== state

    @property
    def mod(self) -> ModuleOp:
        """The current module (do not modify it in place; use primitives). It is an
        `IRModule`: a ModuleOp with TVM's `show()` and `script()`."""
        from mlc_dialects.ir_module import as_ir_module

        return as_ir_module(self._state.mod)

    @property
    def trace(self) -> Trace:
        """The instructions applied so far, replayable (`trace.apply_to_schedule`)."""
        return Trace(self._insts)

    def show(self) -> None:
        """Print the current module."""
        print(self.mod)

    def copy(self) -> Schedule:
        """An independent schedule with the same module, trace and handles.

        Handles of this schedule are valid in the copy (TVM shares the symbol table); the
        copy's random state is forked from this one.
        """
        other = Schedule.__new__(Schedule)
        other._state = self._state.copy()
        other._insts = list(self._insts)
        other._func_name = self._func_name
        other._rng = random.Random(self._rng.getrandbits(64))
        return other

    def seed(self, seed: int) -> None:
        """Reseed the random state of the sampling primitives."""
        self._rng.seed(seed)

    def fork_seed(self) -> int:
        """A new seed drawn from the random state (for a child schedule)."""
        return self._rng.getrandbits(63)

    def work_on(self, func_name: str) -> None:
        """Make `func_name` the default function of `get_block`."""
        if analysis.find_function(self.mod, func_name) is None:
            raise FunctionNotFoundError(self._no_function(func_name))
        self._func_name = func_name

    def enter_postproc(self) -> None:
        """Mark the start of postprocessing in the trace (`remove_postproc` drops the rest)."""
        self._record("enter_postproc")

    def get(self, rv: RV) -> Operation | int:
        """The block or loop op a handle refers to now, or the integer of an ExprRV."""
        return self._state.lookup(rv, (BlockRV, LoopRV, ExprRV))

    def remove_rv(self, rv: RV) -> None:
        """Invalidate a handle."""
        self._state.remove(rv)

    # --------------------------------------------------------------------------- helpers

    def _record(
        self,
        kind: str,
        args: Sequence[Any] = (),
        kwargs: dict[str, Any] | None = None,
        outputs: Sequence[RV] | RV | None = None,
        decision: Any = None,
    ) -> None:
        if outputs is None:
            outs: tuple[RV, ...] = ()
        elif isinstance(outputs, RV):
            outs = (outputs,)
        else:
            outs = tuple(outputs)
        self._insts.append(Instruction(kind, tuple(args), dict(kwargs or {}), outs, decision))

    def _block(self, rv: BlockRV) -> BlockOp:
        op = self._state.lookup(rv, BlockRV)
        assert isinstance(op, BlockOp)
        return op

    def _loop(self, rv: LoopRV) -> ForOp:
        op = self._state.lookup(rv, LoopRV)
        assert isinstance(op, ForOp)
        return op

    def _int(self, value: ExprRV | int) -> int:
        result = self._state.lookup(value, ExprRV)
        assert isinstance(result, int)
        return result

    def _factor(self, factor: ExprRV | int) -> int:
        """A split factor: an ExprRV's value, or an integer (numpy integers included)."""
        if isinstance(factor, RV):
            return self._int(factor)  # type: ignore[arg-type]
        if not isinstance(factor, bool) and hasattr(factor, "__index__"):
            return factor.__index__()
        return factor  # rejected with a clear message by loops.split

    def _block_or_loop(self, rv: BlockRV | LoopRV) -> Operation:
        op = self._state.lookup(rv, (BlockRV, LoopRV))
        assert isinstance(op, Operation)
        return op

    def _apply(self, name: str, fn: Callable[[Callable[[Operation], Operation]], Any]) -> Any:
        """Run a mutating primitive as a transaction (state.py)."""
        return self._state.transaction(fn, name)

    def _apply_new(self, name: str, fn: Callable[[Callable[[Operation], Operation]], Any],
                   kwargs: dict[str, Any], args: list[Any] | None = None) -> Any:
        """Run a primitive that creates one loop or block: a handle to it, recorded."""
        rv = self._state.new_rv(self._apply(name, fn))
        self._record(name, args=args or [], kwargs=kwargs, outputs=rv)
        return rv

    def _no_function(self, name: str | None) -> str:
        names = [f.sym_name.data for f in analysis.tensor_functions(self.mod)]
        listed = ", ".join(f"@{n}" for n in names) or "none"
        if name is None:
            return f"no function chosen and the module has several: {listed}; pass func_name= "
        return f"no function @{name} in the module (functions: {listed})"

    def _function(self, func_name: str | None):
        name = func_name or self._func_name
        functions = analysis.tensor_functions(self.mod)
        if name is None:
            if len(functions) == 1:
                return functions[0]
            raise FunctionNotFoundError(self._no_function(None))
        function = analysis.find_function(self.mod, name)
        if function is None:
            raise FunctionNotFoundError(self._no_function(name))
        return function

    # =========================================================================== queries

    def get_block(self, name: str, func_name: str | None = None) -> BlockRV:
        """The block named `name` in `func_name` (default: the `work_on` function, or the
        module's only function)."""
        function = self._function(func_name)
        found = analysis.find_blocks(function, name)
        fname = function.sym_name.data
        if not found:
            labels = sorted({b.label for b in analysis.blocks_under(function)})
            raise BlockNotFoundError(
                f'no block named "{name}" in @{fname}',
                detail=f"blocks: {', '.join(labels) or 'none'}",
                location_op=function,
            )
        if len(found) > 1:
            raise DuplicateBlockNameError(
                f'{len(found)} blocks are named "{name}" in @{fname}',
                location_op=found[1],
            )
        rv = self._state.new_rv(found[0])
        self._record("get_block", kwargs={"name": name, "func_name": fname}, outputs=rv)
        return rv  # type: ignore[return-value]

    def get_sblock(self, name: str, func_name: str | None = None) -> BlockRV:
        """TVM 0.27's name of `get_block` (recorded in the trace as `get_block`)."""
        return self.get_block(name, func_name)

    def get_loops(self, block: BlockRV) -> list[LoopRV]:
        """The loops around `block` up to its scope (enclosing block or function), outer first."""
        op = self._block(block)
        rvs = [self._state.new_rv(loop) for loop in analysis.get_loops(op)]
        self._record("get_loops", kwargs={"block": block}, outputs=rvs)
        return rvs  # type: ignore[return-value]

    def get_child_blocks(self, block_or_loop: BlockRV | LoopRV) -> list[BlockRV]:
        """Blocks directly under a block or loop (not nested in another block), in order."""
        op = self._block_or_loop(block_or_loop)
        rvs = [self._state.new_rv(b) for b in analysis.get_child_blocks(op)]
        self._record("get_child_blocks", args=[block_or_loop], outputs=rvs)
        return rvs  # type: ignore[return-value]

    def get_producers(self, block: BlockRV) -> list[BlockRV]:
        """Blocks of the same scope writing a buffer that `block` reads."""
        rvs = [self._state.new_rv(b) for b in analysis.get_producers(self._block(block))]
        self._record("get_producers", kwargs={"block": block}, outputs=rvs)
        return rvs  # type: ignore[return-value]

    def get_consumers(self, block: BlockRV) -> list[BlockRV]:
        """Blocks of the same scope reading a buffer that `block` writes."""
        rvs = [self._state.new_rv(b) for b in analysis.get_consumers(self._block(block))]
        self._record("get_consumers", kwargs={"block": block}, outputs=rvs)
        return rvs  # type: ignore[return-value]

    # =========================================================================== loops

    def split(
        self,
        loop: LoopRV,
        factors: Sequence[int | ExprRV | None],
        preserve_unit_iters: bool = True,
    ) -> list[LoopRV]:
        """Split a loop into `len(factors)` nested loops, outermost first.

        Preconditions:
        1. the loop extent is static;
        2. at most one factor is None or -1 (it is inferred: ceil(extent / product of the
           others));
        3. every other factor is a positive integer (or an ExprRV from sampling);
        4. the product of the factors is at least the extent. When it is larger the split is
           imperfect: the blocks under the loop get a predicate `outer * f + inner < extent`.

        `preserve_unit_iters=False` keeps loops of extent 1 out of the block bindings.

        Before -> `j0, j1 = sch.split(j, factors=[None, 4])` -> After:
        ```mlir
        loops.for %j = 0 to 128 {            loops.for %j_0 = 0 to 32 {
          tensor.block "Y"(                     loops.for %j_1 = 0 to 4 {
            %vj = spatial(128, %j)) ...           tensor.block "Y"(%vj = spatial(128, %j_0 * 4 + %j_1)) ...
        ```
        The old loop handle becomes invalid; use the returned ones.
        """
        values: list[int | None] = []
        recorded: list[Any] = []
        for factor in factors:
            if factor is None or (isinstance(factor, int) and factor == -1):
                values.append(None)  # TVM also writes the inferred factor as -1
            else:
                values.append(self._factor(factor))
            recorded.append(factor)
        target = self._loop(loop)
        new = self._apply(
            "split",
            lambda tr: loops.split(tr(target), values, preserve_unit_iters),  # type: ignore[arg-type]
        )
        rvs = [self._state.new_rv(lp) for lp in new]
        self._record(
            "split",
            kwargs={"loop": loop, "factors": recorded, "preserve_unit_iters": preserve_unit_iters},
            outputs=rvs,
        )
        return rvs  # type: ignore[return-value]

    def fuse(self, *loops_: LoopRV, preserve_unit_iters: bool = True) -> LoopRV:
        """Fuse consecutive loops into one.

        Preconditions:
        1. each loop is directly nested in the previous one (outermost first);
        2. each loop but the last has no other op in its body (a perfect nest);
        3. extents are static.

        Before -> `sch.fuse(i, j)` -> After: `loops.for %i_j_fused = 0 to 16384` with
        `%vi = spatial(128, %i_j_fused floordiv 128)`, `%vj = spatial(128, %i_j_fused mod 128)`.
        The fused loops' handles become invalid.
        """
        if len(loops_) == 1 and isinstance(loops_[0], list | tuple):
            loops_ = tuple(loops_[0])
        ops = [self._loop(lp) for lp in loops_]
        return self._apply_new(
            "fuse", lambda tr: loops.fuse([tr(op) for op in ops], preserve_unit_iters),
            kwargs={"preserve_unit_iters": preserve_unit_iters}, args=list(loops_),
        )

    def reorder(self, *ordered_loops: LoopRV) -> None:
        """Reorder loops of one nest; the given loops take their positions in the given order.

        Preconditions:
        1. no loop is given twice;
        2. the loops lie on one chain (each contains the next, in some order);
        3. between the outermost and innermost of them every loop contains only the next
           loop: no block or other op would move across a loop.

        Before `i, j0, j1, k` -> `sch.reorder(j0, k, j1)` -> After `i, j0, k, j1`.
        Handles stay valid.
        """
        if len(ordered_loops) == 1 and isinstance(ordered_loops[0], list | tuple):
            ordered_loops = tuple(ordered_loops[0])
        ops = [self._loop(lp) for lp in ordered_loops]
        self._apply("reorder", lambda tr: loops.reorder([tr(op) for op in ops]))
        self._record("reorder", args=list(ordered_loops))

    # =========================================================================== loop kinds

    def parallel(self, loop: LoopRV) -> None:
        """Mark a loop parallel (its iterations run on CPU threads).

        Preconditions:
        1. the loop binds no reduce iterator of any block under it (no parallel reduce loop);
        2. it is neither inside nor around another parallel loop.
        """
        op = self._loop(loop)
        self._apply("parallel", lambda tr: loops.parallel(tr(op)))  # type: ignore[arg-type]
        self._record("parallel", kwargs={"loop": loop})

    def vectorize(self, loop: LoopRV) -> None:
        """Mark a loop vectorized (its iterations become SIMD lanes).

        Preconditions:
        1. the extent is static;
        2. the loop binds no reduce iterator;
        3. its body is a single block without loops inside (the innermost level).
        """
        op = self._loop(loop)
        self._apply("vectorize", lambda tr: loops.vectorize(tr(op)))  # type: ignore[arg-type]
        self._record("vectorize", kwargs={"loop": loop})

    def unroll(self, loop: LoopRV) -> None:
        """Mark a loop unrolled. Always legal."""
        op = self._loop(loop)
        self._apply("unroll", lambda tr: loops.unroll(tr(op)))  # type: ignore[arg-type]
        self._record("unroll", kwargs={"loop": loop})

    def annotate(
        self,
        block_or_loop: BlockRV | LoopRV,
        ann_key: str | None = None,
        ann_val: Any = None,
        *,
        key: str | None = None,
        value: Any = None,
    ) -> None:
        """Set annotation `ann_key` (alias `key`) of a block or loop to `ann_val` (`value`):
        a bool, int, float, str, list of them, or an ExprRV (its sampled integer)."""
        ann_key = ann_key if ann_key is not None else key
        ann_val = ann_val if ann_val is not None else value
        if ann_key is None:
            raise UnsupportedArgumentError("annotate needs a key")
        resolved = self._int(ann_val) if isinstance(ann_val, ExprRV) else ann_val
        op = self._block_or_loop(block_or_loop)
        attr = loops.annotation_attr(resolved)
        self._apply("annotate", lambda tr: loops.annotate(tr(op), ann_key, attr))  # type: ignore[arg-type]
        self._record(
            "annotate",
            kwargs={"block_or_loop": block_or_loop, "ann_key": ann_key, "ann_val": ann_val},
        )

    def unannotate(
        self, block_or_loop: BlockRV | LoopRV, ann_key: str | None = None, *, key: str | None = None
    ) -> None:
        """Remove annotation `ann_key` (alias `key`) of a block or loop."""
        ann_key = ann_key if ann_key is not None else key
        if ann_key is None:
            raise UnsupportedArgumentError("unannotate needs a key")
        op = self._block_or_loop(block_or_loop)
        self._apply("unannotate", lambda tr: loops.unannotate(tr(op), ann_key))  # type: ignore[arg-type]
        self._record("unannotate", kwargs={"block_or_loop": block_or_loop, "ann_key": ann_key})

    # =========================================================================== compute location

    def compute_at(
        self,
        block: BlockRV,
        loop: LoopRV,
        preserve_unit_loops: bool = False,
        index: int = -1,
    ) -> None:
        """Move a producer block under `loop` of its consumer, regenerating the loops it needs
        to cover what the consumer reads there (`compute_location.compute_at`)."""
        from dialects.tensor.schedule.compute_location import compute_at

        self._check_index("compute_at", index)
        b, lp = self._block(block), self._loop(loop)
        self._apply(
            "compute_at",
            lambda tr: compute_at(tr(b), tr(lp), preserve_unit_loops),  # type: ignore[arg-type]
        )
        self._record(
            "compute_at",
            kwargs={"block": block, "loop": loop, "preserve_unit_loops": preserve_unit_loops,
                    "index": index},
        )  # fmt: skip

    def reverse_compute_at(
        self,
        block: BlockRV,
        loop: LoopRV,
        preserve_unit_loops: bool = False,
        index: int = -1,
    ) -> None:
        """Move a consumer block under `loop` of its producer
        (`compute_location.reverse_compute_at`)."""
        from dialects.tensor.schedule.compute_location import reverse_compute_at

        self._check_index("reverse_compute_at", index)
        b, lp = self._block(block), self._loop(loop)
        self._apply(
            "reverse_compute_at",
            lambda tr: reverse_compute_at(tr(b), tr(lp), preserve_unit_loops),  # type: ignore[arg-type]
        )
        self._record(
            "reverse_compute_at",
            kwargs={"block": block, "loop": loop, "preserve_unit_loops": preserve_unit_loops,
                    "index": index},
        )  # fmt: skip

    def compute_inline(self, block: BlockRV) -> None:
        """Inline a producer block into its consumers (`inline.compute_inline`)."""
        from dialects.tensor.schedule.inline import compute_inline

        b = self._block(block)
        self._apply("compute_inline", lambda tr: compute_inline(tr(b)))  # type: ignore[arg-type]
        self._record("compute_inline", kwargs={"block": block})

    def reverse_compute_inline(self, block: BlockRV) -> None:
        """Inline a consumer block into its producer (`inline.reverse_compute_inline`)."""
        from dialects.tensor.schedule.inline import reverse_compute_inline

        b = self._block(block)
        self._apply(
            "reverse_compute_inline",
            lambda tr: reverse_compute_inline(tr(b)),  # type: ignore[arg-type]
        )
        self._record("reverse_compute_inline", kwargs={"block": block})

    def _check_index(self, name: str, index: int) -> None:
        if index != -1:
            raise UnsupportedArgumentError(
                f"{name}: only index=-1 (place the block at the end of the loop body) is "
                f"supported, got {index}"
            )

    # =========================================================================== reduction

    def decompose_reduction(self, block: BlockRV, loop: LoopRV) -> BlockRV:
        """Split a reduction block's init into its own block placed before `loop`; returns the
        init block (`reduction.decompose_reduction`)."""
        from dialects.tensor.schedule.reduction import decompose_reduction

        b, lp = self._block(block), self._loop(loop)
        return self._apply_new(
            "decompose_reduction",
            lambda tr: decompose_reduction(tr(b), tr(lp)),  # type: ignore[arg-type]
            kwargs={"block": block, "loop": loop},
        )

    def rfactor(self, loop: LoopRV, factor_axis: int) -> BlockRV:
        """Factorize a reduction by `loop` into an rfactor block; returns it
        (`reduction.rfactor`)."""
        from dialects.tensor.schedule.reduction import rfactor

        lp = self._loop(loop)
        return self._apply_new(
            "rfactor", lambda tr: rfactor(tr(lp), factor_axis),  # type: ignore[arg-type]
            kwargs={"loop": loop, "factor_axis": factor_axis},
        )

    # =========================================================================== caching

    def cache_read(self, block: BlockRV, read_buffer_index: int, storage_scope: str) -> BlockRV:
        """Read buffer `read_buffer_index` of `block` through a cache of `storage_scope`;
        returns the copying block (`cache.cache_read`)."""
        from dialects.tensor.schedule.cache import cache_read

        b = self._block(block)
        return self._apply_new(
            "cache_read",
            lambda tr: cache_read(tr(b), read_buffer_index, storage_scope),  # type: ignore[arg-type]
            kwargs={"block": block, "read_buffer_index": read_buffer_index,
                    "storage_scope": storage_scope},
        )  # fmt: skip

    def cache_write(self, block: BlockRV, write_buffer_index: int, storage_scope: str) -> BlockRV:
        """Write buffer `write_buffer_index` of `block` through a cache of `storage_scope`;
        returns the copying block (`cache.cache_write`)."""
        from dialects.tensor.schedule.cache import cache_write

        b = self._block(block)
        return self._apply_new(
            "cache_write",
            lambda tr: cache_write(tr(b), write_buffer_index, storage_scope),  # type: ignore[arg-type]
            kwargs={"block": block, "write_buffer_index": write_buffer_index,
                    "storage_scope": storage_scope},
        )  # fmt: skip

    # =========================================================================== tensorization

    def blockize(
        self, target: LoopRV | Sequence[BlockRV], preserve_unit_iters: bool = True
    ) -> BlockRV:
        """Turn the subtree of a loop (or a list of blocks) into one outer block; returns it
        (`blockize.blockize`)."""
        from dialects.tensor.schedule.blockize import blockize

        if isinstance(target, list | tuple):
            blocks = [self._block(b) for b in target]
            new = self._apply(
                "blockize",
                lambda tr: blockize([tr(b) for b in blocks], preserve_unit_iters),  # type: ignore[misc]
            )
            recorded: Any = list(target)
        else:
            lp = self._loop(target)
            new = self._apply("blockize", lambda tr: blockize(tr(lp), preserve_unit_iters))  # type: ignore[arg-type]
            recorded = target
        rv = self._state.new_rv(new)
        self._record(
            "blockize",
            kwargs={"target": recorded, "preserve_unit_iters": preserve_unit_iters},
            outputs=rv,
        )
        return rv  # type: ignore[return-value]

    def tensorize(
        self,
        block_or_loop: BlockRV | LoopRV,
        tensor_intrin: str | None = None,
        preserve_unit_iters: bool = True,
        *,
        intrin_name: str | None = None,
    ) -> None:
        """Replace the computation under a block or loop by a registered tensor intrinsic
        (`blockize.tensorize`). `intrin_name` is an alias of `tensor_intrin`."""
        from dialects.tensor.schedule.blockize import tensorize

        name = tensor_intrin if tensor_intrin is not None else intrin_name
        if name is None:
            raise UnsupportedArgumentError("tensorize needs the name of a tensor intrinsic")
        op = self._block_or_loop(block_or_loop)
        self._apply("tensorize", lambda tr: tensorize(tr(op), name))  # type: ignore[arg-type]
        self._record(
            "tensorize",
            kwargs={"block_or_loop": block_or_loop, "tensor_intrin": name,
                    "preserve_unit_iters": preserve_unit_iters},
        )  # fmt: skip

    # =========================================================================== sampling

    def sample_perfect_tile(
        self,
        loop: LoopRV,
        n: int,
        max_innermost_factor: int = 16,
        decision: Sequence[int] | None = None,
    ) -> list[ExprRV]:
        """Sample `n` tile sizes whose product is the loop extent (innermost at most
        `max_innermost_factor`); returns ExprRVs usable as `split` factors.

        Preconditions: n >= 1; the loop extent is static. A given `decision` (a replay) must
        have n positive factors whose product is the extent.
        """
        sampling.check_tile_count(n)
        op = self._loop(loop)
        extent = analysis.static_extent(op)
        if extent is None:
            raise NonStaticExtentError(
                f"cannot sample tiles of loop {loops.loop_name(op)}: its extent is not a static "
                "positive integer",
                location_op=op,
            )
        if decision is None:
            values = sampling.sample_perfect_tile(self._rng, extent, n, max_innermost_factor)
        else:
            values = sampling.check_tile_decision(decision, extent, n)
        rvs = [self._state.new_rv(v) for v in values]
        self._record(
            "sample_perfect_tile",
            kwargs={"loop": loop, "n": n, "max_innermost_factor": max_innermost_factor},
            outputs=rvs,
            decision=list(values),
        )
        return rvs  # type: ignore[return-value]

    def sample_categorical(
        self,
        candidates: Sequence[int],
        probs: Sequence[float],
        decision: int | None = None,
    ) -> ExprRV:
        """Sample one of `candidates` with probabilities `probs`; the decision is its index."""
        sampling.check_categorical(candidates, probs)
        if decision is None:
            index = sampling.sample_categorical(self._rng, probs)
        else:
            index = sampling.check_categorical_decision(decision, len(candidates))
        rv = self._state.new_rv(candidates[index])
        self._record(
            "sample_categorical",
            kwargs={"candidates": list(candidates), "probs": list(probs)},
            outputs=rv,
            decision=index,
        )
        return rv  # type: ignore[return-value]
