"""convert-tensor-to-loops: tensor programs -> plain loop nests over memrefs (the `loops` level).

Input: `func.func`s in the `tensor` dialect (see `dialects/tensor/__init__.py`): `loops.for`
nests around `tensor.block`s, `tensor.alloc_buffer`s. Output: the same `loops.for` nests (kinds
and annotations kept) around plain `memref.load/store`, `arith`, `math` and `scf.if`; no
`tensor` op is left. The semantics are those of the reference interpreter
(`dialects.tensor.interp`), construct by construct:

- iterator bindings: each iterator value is computed from the enclosing loop variables with
  `arith` on `index` values (no `affine.apply`: the backend has no affine lowering). A binding
  that is a plain loop variable reuses it; `mod` is floor-based (MLIR's lower-affine: `remsi`
  plus a correction when negative);
- predicates (`where(...)`): the block body runs under `scf.if` of the conjunction of its
  constraints. `scf.if` without results is exactly the conditional this level needs and the
  backend lowers it already, so the `loops` dialect does not grow its own `if`;
- init parts: `tensor.init` runs under `scf.if` when every reduce iterator is 0, as TensorIR
  lowers `T.init()`; reduce iterators bound to the constant 0 drop out of the condition, and
  an init whose condition is always true is inlined;
- `tensor.alloc_buffer` -> `memref.alloca` when it is at most `max-stack-bytes` (so LLVM can
  keep a small tile, e.g. a `cache_write` "local" tile, in registers) and `memref.alloc` (64-byte
  aligned, `memref.dealloc` before every `func.return`) otherwise. It is placed at the start of
  the body of the innermost *parallel* loop that encloses every access of the buffer (TVM's
  PlanAndUpdateBufferAllocationLocation, restricted to parallel loops): each thread then gets a
  private copy. That is sound because the iterations of a parallel loop are independent; below
  serial loops the buffer stays at function level (moving it could cut a dependence carried
  across iterations). Buffers not under a parallel loop are placed at the start of the function.
- `tensor.num_inputs` and other function attributes are kept.

Before:
    func.func @main(%A: memref<4x6xf32>, %Y: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
      loops.for %i = 0 to 4 {
        loops.for %k = 0 to 6 {
          tensor.block "Y"(%v_i = spatial(4, %i), %v_k = reduce(6, %k)) reads(%A[%v_i, %v_k]) writes(%Y[%v_i]) {
            tensor.init {
              %0 = arith.constant 0.000000e+00 : f32
              memref.store %0, %Y[%v_i] : memref<4xf32>
            }
            %1 = memref.load %Y[%v_i] : memref<4xf32>
            %2 = memref.load %A[%v_i, %v_k] : memref<4x6xf32>
            %3 = arith.addf %1, %2 : f32
            memref.store %3, %Y[%v_i] : memref<4xf32>
          }
        }
      }
      func.return
    }
After:
    func.func @main(%A: memref<4x6xf32>, %Y: memref<4xf32>) attributes {tensor.num_inputs = 1 : i64} {
      loops.for %i = 0 to 4 {
        loops.for %k = 0 to 6 {
          %c0 = arith.constant 0 : index
          %init = arith.cmpi eq, %k, %c0 : index
          scf.if %init {
            %0 = arith.constant 0.000000e+00 : f32
            memref.store %0, %Y[%i] : memref<4xf32>
          }
          %1 = memref.load %Y[%i] : memref<4xf32>
          %2 = memref.load %A[%i, %k] : memref<4x6xf32>
          %3 = arith.addf %1, %2 : f32
          memref.store %3, %Y[%i] : memref<4xf32>
        }
      }
      func.return
    }
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects.builtin import IndexType, IntegerAttr, MemRefType, ModuleOp, i64
from xdsl.ir import Block, Operation, SSAValue
from xdsl.ir.affine import (
    AffineBinaryOpExpr,
    AffineBinaryOpKind,
    AffineConstantExpr,
    AffineDimExpr,
    AffineExpr,
)
from xdsl.ir.affine.affine_set import AffineConstraintExpr, AffineConstraintKind
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    GreedyRewritePatternApplier,
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
    op_type_rewrite_pattern,
)
from xdsl.rewriter import InsertPoint
from xdsl.utils.exceptions import DiagnosticException

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import summands
from dialects.tensor.ops import AllocBufferOp, BlockOp, InitOp


class TensorLoweringError(DiagnosticException):
    """An input convert-tensor-to-loops cannot lower; the message names the pass first."""


ALLOC_ALIGNMENT = 64
"""Bytes; a cache line and one AVX-512 register, so vector loads of a row start aligned."""


# ============================================================================ index arithmetic


class IndexArith:
    """Emits `arith` ops on `index` values into a list: affine expressions, comparisons."""

    def __init__(self, dims: Sequence[SSAValue]):
        self.dims = list(dims)
        self.ops: list[Operation] = []
        self._constants: dict[int, SSAValue] = {}
        self._sums: dict[tuple[tuple[AffineExpr | None, int], ...], SSAValue] = {}

    def add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def constant(self, value: int) -> SSAValue:
        if value not in self._constants:
            op = arith.ConstantOp(IntegerAttr(value, IndexType()))
            self._constants[value] = self.add(op)
        return self._constants[value]

    def expr(self, expr: AffineExpr) -> SSAValue:
        """The value of `expr`, its dimensions being `dims`."""
        if isinstance(expr, AffineDimExpr):
            return self.dims[expr.position]
        if isinstance(expr, AffineConstantExpr):
            return self.constant(expr.value)
        if not isinstance(expr, AffineBinaryOpExpr):
            raise TensorLoweringError(f"convert-tensor-to-loops: unsupported affine expression {expr}")
        if expr.kind == AffineBinaryOpKind.Add:
            return self._sum(summands(expr))
        lhs = self.expr(expr.lhs)
        rhs = self.expr(expr.rhs)
        if expr.kind == AffineBinaryOpKind.Mul:
            return self.add(arith.MuliOp(lhs, rhs))
        if expr.kind == AffineBinaryOpKind.FloorDiv:
            return self.add(arith.FloorDivSIOp(lhs, rhs))
        if expr.kind == AffineBinaryOpKind.CeilDiv:
            return self.add(arith.CeilDivSIOp(lhs, rhs))
        # Mod is floor-based in affine maps: the result has the sign of the divisor (> 0).
        rem = self.add(arith.RemSIOp(lhs, rhs))
        negative = self.add(arith.CmpiOp(rem, self.constant(0), "slt"))
        shifted = self.add(arith.AddiOp(rem, rhs))
        return self.add(arith.SelectOp(negative, shifted, rem))

    def _sum(self, parts: list[tuple[AffineExpr | None, int]]) -> SSAValue:
        """A flat sum; negative coefficients become subtractions (`%i - 1`, not `%i + -1`).
        The same sum twice (a binding and the predicate on it) is emitted once."""
        key = tuple(parts)
        if key not in self._sums:
            self._sums[key] = self._emit_sum(parts)
        return self._sums[key]

    def _emit_sum(self, parts: list[tuple[AffineExpr | None, int]]) -> SSAValue:
        constant = sum(c for term, c in parts if term is None)
        terms = [(term, c) for term, c in parts if term is not None]
        terms.sort(key=lambda tc: tc[1] < 0)  # a positive term first when there is one
        total: SSAValue | None = None
        for term, coeff in terms:
            magnitude = abs(coeff) if total is not None else coeff
            value = self.expr(term)
            if magnitude != 1:
                value = self.add(arith.MuliOp(value, self.constant(magnitude)))
            if total is None:
                total = value
            elif coeff < 0:
                total = self.add(arith.SubiOp(total, value))
            else:
                total = self.add(arith.AddiOp(total, value))
        if total is None:
            return self.constant(constant)
        if constant > 0:
            total = self.add(arith.AddiOp(total, self.constant(constant)))
        elif constant < 0:
            total = self.add(arith.SubiOp(total, self.constant(-constant)))
        return total

    def constraint(self, constraint: AffineConstraintExpr) -> SSAValue:
        """An i1: `lhs - rhs >= 0` (or `== 0`), printed as `x <= c` / `x >= c` / `x == c`."""
        parts = summands(constraint.lhs - constraint.rhs)
        constant = sum(c for term, c in parts if term is None)
        terms = [(term, c) for term, c in parts if term is not None]
        kind = constraint.kind
        if terms and all(c < 0 for _, c in terms):
            # -x + c >= 0  <=>  x <= c
            terms = [(t, -c) for t, c in terms]
            lhs = self._sum(terms)
            predicate = "sle" if kind == AffineConstraintKind.ge else "eq"
            if kind == AffineConstraintKind.le:
                predicate = "sge"
            return self.add(arith.CmpiOp(lhs, self.constant(constant), predicate))
        lhs = self._sum(terms) if terms else self.constant(0)
        predicate = {AffineConstraintKind.ge: "sge", AffineConstraintKind.le: "sle",
                     AffineConstraintKind.eq: "eq"}[kind]
        return self.add(arith.CmpiOp(lhs, self.constant(-constant), predicate))

    def all_of(self, conditions: Sequence[SSAValue]) -> SSAValue:
        result = conditions[0]
        for cond in conditions[1:]:
            result = self.add(arith.AndIOp(result, cond))
        return result


# ============================================================================ patterns


def _if(condition: SSAValue, body: Block) -> scf.IfOp:
    body.add_op(scf.YieldOp())
    return scf.IfOp(condition, [], [body])


class LowerBlock(RewritePattern):
    """tensor.block -> its body inline: bindings as index arith, predicate and init as scf.if."""

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: BlockOp, rewriter: PatternRewriter) -> None:
        b = IndexArith(op.binding_values)
        iter_values: list[SSAValue] = []
        for arg, expr in zip(op.iter_vars, op.binding_map.results):
            value = b.expr(expr)
            if value.owner in b.ops and arg.name_hint and value.name_hint is None:
                value.name_hint = arg.name_hint
            iter_values.append(value)
        condition = None
        if op.predicate_set is not None and op.predicate_set.constraints:
            condition = b.all_of([b.constraint(c) for c in op.predicate_set.constraints])

        init = op.init
        init_condition = None
        if init is not None:
            reduce_values = [
                value
                for value, kind, expr in zip(iter_values, op.iter_kinds, op.binding_map.results)
                if kind == "reduce" and expr != AffineConstantExpr(0)
            ]
            if reduce_values:
                zero = b.constant(0)
                tests = [b.add(arith.CmpiOp(v, zero, "eq")) for v in reduce_values]
                init_condition = b.all_of(tests)
                init_condition.name_hint = "init"

        rewriter.insert(b.ops, InsertPoint.before(op))
        if condition is None:
            target = InsertPoint.before(op)
        else:
            then = Block()
            rewriter.insert(_if(condition, then), InsertPoint.before(op))
            target = InsertPoint.before(then.last_op)  # before the scf.yield
        rewriter.inline_block(op.body.block, target, iter_values)
        rewriter.erase(op)
        if init is None:
            return
        if init_condition is None:
            rewriter.inline_block(init.body.block, InsertPoint.before(init))
        else:
            then = Block()
            rewriter.insert(_if(init_condition, then), InsertPoint.before(init))
            rewriter.inline_block(init.body.block, InsertPoint.before(then.last_op))
        rewriter.erase(init)


@dataclass
class LowerAllocBuffer(RewritePattern):
    """tensor.alloc_buffer -> memref.alloca (small) or memref.alloc + dealloc, placed where
    each parallel iteration gets its own copy (see the module docstring)."""

    max_stack_bytes: int

    @op_type_rewrite_pattern
    def match_and_rewrite(self, op: AllocBufferOp, rewriter: PatternRewriter) -> None:
        buffer_type = op.buffer.type
        assert isinstance(buffer_type, MemRefType)
        function = _enclosing(op, func.FuncOp)
        home = _private_home(op)
        alignment = IntegerAttr(ALLOC_ALIGNMENT, i64)
        on_stack = _num_bytes(buffer_type) <= self.max_stack_bytes
        if on_stack:
            new = memref.AllocaOp.build(operands=[[], []], result_types=[buffer_type],
                                        properties={"alignment": alignment})
        else:
            new = memref.AllocOp([], [], buffer_type, alignment)
        new.memref.name_hint = op.buffer.name_hint
        if home is None:
            rewriter.replace(op, [], [new.memref])
            entry = function.body.blocks.first if function is not None else None
            if entry is not None:
                rewriter.insert(new, InsertPoint.at_start(entry))
            else:
                rewriter.insert(new, InsertPoint.before(op))
        else:
            rewriter.replace(op, [], [new.memref])
            rewriter.insert(new, InsertPoint.at_start(home.body.block))
        if on_stack:
            return
        scope = home.body.block if home is not None else None
        if scope is not None:
            rewriter.insert(memref.DeallocOp.get(new.memref), InsertPoint.at_end(scope))
            return
        if function is None:
            return
        for ret in [o for o in function.walk() if isinstance(o, func.ReturnOp)]:
            rewriter.insert(memref.DeallocOp.get(new.memref), InsertPoint.before(ret))


def _num_bytes(t: MemRefType) -> int:
    count = 1
    for d in t.get_shape():
        count *= d
    element = t.element_type
    width = getattr(element, "bitwidth", None) or getattr(getattr(element, "width", None),
                                                           "data", 64)
    return count * max(1, width // 8)


def _enclosing(op: Operation, kind: type[Operation]) -> Operation | None:
    parent = op.parent_op()
    while parent is not None and not isinstance(parent, kind):
        parent = parent.parent_op()
    return parent


def _ancestors(op: Operation) -> list[Operation]:
    chain = []
    parent = op.parent_op()
    while parent is not None:
        chain.append(parent)
        parent = parent.parent_op()
    return chain


def _private_home(op: AllocBufferOp) -> ForOp | None:
    """The innermost parallel loop enclosing every use of the buffer, if any."""
    users = [use.operation for use in op.buffer.uses]
    if not users:
        return None
    common = [a for a in _ancestors(users[0]) if isinstance(a, ForOp)]
    if isinstance(users[0], ForOp):
        common.insert(0, users[0])
    for user in users[1:]:
        chain = set(_ancestors(user))
        common = [loop for loop in common if loop in chain]
    for loop in common:  # innermost first
        if loop.kind_name == "parallel":
            return loop
    return None


# ============================================================================ pass


@dataclass(frozen=True)
class ConvertTensorToLoopsPass(ModulePass):
    """Lower tensor blocks, bindings, predicates, init parts and buffers to plain loop nests.

    See the module docstring for the IR before and after.
    """

    name = "convert-tensor-to-loops"

    max_stack_bytes: int = 16384
    """Intermediate buffers up to this size go on the stack (memref.alloca)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # Buffers first: their placement looks at the blocks that use them.
        PatternRewriteWalker(LowerAllocBuffer(self.max_stack_bytes),
                             apply_recursively=False).rewrite_module(op)
        # Recursively: an outer block (after blockize) inlines ops holding inner blocks.
        PatternRewriteWalker(GreedyRewritePatternApplier([LowerBlock()])).rewrite_module(op)
        leftover = [o for o in op.walk() if isinstance(o, BlockOp | InitOp | AllocBufferOp)]
        if leftover:
            raise TensorLoweringError(
                f"convert-tensor-to-loops: '{leftover[0].name}' was not lowered (is it outside "
                "a func.func?)")


__all__ = [
    "ConvertTensorToLoopsPass",
    "IndexArith",
    "LowerAllocBuffer",
    "LowerBlock",
    "TensorLoweringError",
]
