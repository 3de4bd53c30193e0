"""convert-loops-to-hw: loop kinds become hardware primitives; every `loops.for` becomes `scf.for`.

Input: functions at the loops level (`loops.for` nests over memref loads/stores, `arith`,
`math`, `scf.if`, as left by `convert-tensor-to-loops`). Output: no `loops.for` left; `scf.for`,
upstream `vector` ops, `hw.parallel_launch`.

First, index arithmetic is simplified with the loop ranges (`IndexSimplifier`): `floordivsi` /
`remsi` by a constant fold when the remainder's range is known to fit (`(32*j0 + j1) floordiv 32
= j0` for `0 <= j1 < 32`), index comparisons of known sign fold to constants, and `select` on
a constant to its operand. Then loops are converted innermost first, by kind:

- `vectorized` -> vector code of the target's width W (`#hw.target` on the module, else the
  host; option `vector-bits`): a main part over `floor(extent / W)` chunks of W lanes (straight
  line when there are at most `vector-unroll` chunks, else an `scf.for` stepping by W) and a
  scalar epilogue for the remaining `extent mod W` iterations (the tail). W is the widest
  element's lane count, lowered to the largest power of two <= extent for short loops.
  Legality (else the loop stays a scalar `scf.for` marked `{hw.not_vectorized = "why"}`,
  never wrong code): step 1; a body of straight-line `memref.load/store`, `arith`, `math`
  (the ops with a vector form); every access either invariant in the loop variable (a scalar,
  broadcast where needed) or contiguous in its last dimension (a `vector.load/store`);
  index arithmetic affine in the loop variable; a buffer the loop stores is accessed at the
  same indices everywhere in the body (no lane reads what another lane writes).
  Compares, selects on a varying condition and integer casts, whose vector forms xDSL
  0.74's `arith` rejects, become `hw.vcmpf`/`hw.vcmpi`/`hw.vselect`/`hw.vcast`.
  With `fma=true` (default) `addf(mulf(a, b), c)` becomes `vector.fma` when the product has
  no other use: one rounding instead of two, as every BLAS does (results may differ from
  the reference interpreter in the last bits).
- `unrolled` -> the body repeated: fully for extents <= `max-unroll`, else `unroll-factor`
  copies per iteration of an `scf.for` plus a remainder loop.
- `parallel` -> `hw.parallel_launch` over the loop's range; each thread runs an `scf.for` over
  its chunk. Values used inside are passed as captures (constants are cloned instead). A
  parallel loop inside another one runs serially (nested launches would only oversubscribe;
  TVM does the same).
- `serial` (and whatever was not converted above) -> `scf.for`.

Before:
    loops.for %i = 0 to 20 vectorized {
      %a = memref.load %A[%i] : memref<20xf32>
      %b = arith.addf %a, %a : f32
      memref.store %b, %B[%i] : memref<20xf32>
    }
After (vector-bits=256: 8 lanes, 2 chunks then 4 scalar iterations):
    %c0 = arith.constant 0 : index
    %v0 = vector.load %A[%c0] : memref<20xf32>, vector<8xf32>
    %s0 = arith.addf %v0, %v0 : vector<8xf32>
    vector.store %s0, %B[%c0] : memref<20xf32>, vector<8xf32>
    %c8 = arith.constant 8 : index
    ...
    scf.for %i = %c16 to %c20 step %c1 {
      %a = memref.load %A[%i] : memref<20xf32>
      ...
    }
"""

from __future__ import annotations

from dataclasses import dataclass, field

from xdsl.context import Context
from xdsl.dialects import arith, func, memref, scf, vector
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    AnyFloat,
    IndexType,
    IntegerAttr,
    IntegerType,
    ModuleOp,
    StringAttr,
    VectorType,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.transforms.common_subexpression_elimination import CommonSubexpressionElimination

from dialects.hw.attrs import TARGET_ATTR, TargetAttr
from dialects.hw.ops import ParallelLaunchOp
from dialects.hw.vector_ops import (
    ARITH_CAST_KINDS,
    FLOAT_PREDICATES,
    INT_PREDICATES,
    VCastOp,
    VCmpfOp,
    VCmpiOp,
    VSelectOp,
)
from dialects.loops.ops import ForOp

NOT_VECTORIZED_ATTR = "hw.not_vectorized"
"""Attribute on an `scf.for` that was a vectorized loop left scalar: the reason."""

# Ops with a vector form that the backend lowers well: in instructions, or, for exp, log,
# tanh and erf on f32, in the polynomials of `lower-math-to-polynomials` (other libm-call math
# ops such as log1p would only become a libm call per lane).
_VECTOR_ARITH: tuple[type[Operation], ...] = (
    arith.AddfOp, arith.SubfOp, arith.MulfOp, arith.DivfOp, arith.NegfOp,
    arith.MaximumfOp, arith.MinimumfOp, arith.MaxnumfOp, arith.MinnumfOp,
    arith.AddiOp, arith.SubiOp, arith.MuliOp, arith.AndIOp, arith.OrIOp, arith.XOrIOp,
    arith.MaxSIOp, arith.MinSIOp, arith.CmpfOp, arith.CmpiOp, arith.SelectOp,
    arith.SIToFPOp, arith.UIToFPOp, arith.FPToSIOp, arith.FPToUIOp, arith.ExtFOp,
    arith.TruncFOp, arith.ExtSIOp, arith.ExtUIOp, arith.TruncIOp,
    mathd.ExpOp, mathd.Exp2Op, mathd.LogOp, mathd.Log2Op, mathd.SqrtOp, mathd.AbsFOp,
    mathd.FloorOp, mathd.CeilOp, mathd.SinOp, mathd.CosOp, mathd.PowFOp, mathd.FmaOp,
    mathd.CopySignOp, mathd.RsqrtOp, mathd.TanhOp, mathd.ErfOp,
)  # fmt: skip


# ============================================================================ helpers


def _index_constant(value: int) -> arith.ConstantOp:
    return arith.ConstantOp(IntegerAttr(value, IndexType()))


def _insert_before(anchor: Operation, ops: list[Operation]) -> None:
    Rewriter.insert_op(ops, InsertPoint.before(anchor))


def _scf_for(lb: int, ub: int, step: int, body: Block, before: Operation) -> scf.ForOp:
    """`scf.for` over constant bounds around `body` (whose only argument is the iv)."""
    bounds = [_index_constant(v) for v in (lb, ub, step)]
    _insert_before(before, bounds)
    body.add_op(scf.YieldOp())
    return scf.ForOp(bounds[0], bounds[1], bounds[2], [], body)


def _clone_body(body: Block, iv: SSAValue, value: SSAValue, before: Operation) -> None:
    """Clone `body`'s ops before `before`, with the loop variable `iv` replaced by `value`."""
    mapping: dict[SSAValue, SSAValue] = {iv: value}
    for op in body.ops:
        Rewriter.insert_op(op.clone(mapping), InsertPoint.before(before))


def _element_bytes(t: Attribute) -> int:
    if isinstance(t, AnyFloat):
        return t.bitwidth // 8
    if isinstance(t, IntegerType):
        return max(1, t.width.data // 8)
    return 8


# ============================================================================ index simplification

Linear = tuple[dict[SSAValue, int], int]
"""An index value as `sum(coeff * atom) + constant`; atoms are loop variables or opaque values."""


class IndexSimplifier:
    """Folds integer division and remainder by constants using the ranges of loop variables.

    Bindings of split loops come back through `floordiv`/`mod` (`(32*j0 + j1) floordiv 32`
    for a packed buffer's panel): with `0 <= j1 < 32` that is `j0`, and `... mod 32` is `j1`.
    Left alone they cost a division per access and stop the vectorizer (not affine in the
    loop variable). `x floordiv C` splits `x` into the terms whose coefficients C divides and
    the rest `r` (plus the constant's remainder); when `0 <= r < C` over the loop ranges the
    quotient is the first part / C and the remainder is `r`. `remsi` is only folded when `x`
    is known non-negative (it truncates). Comparisons of index values whose difference has a
    known sign fold to constants, and `select` on a constant condition to its operand: the
    floor-`mod` correction (`rem < 0 ? rem + C : rem`) disappears that way.
    """

    def __init__(self) -> None:
        self.cache: dict[SSAValue, Linear] = {}

    def linear(self, value: SSAValue) -> Linear:
        if value in self.cache:
            return self.cache[value]
        result: Linear = ({value: 1}, 0)
        owner = value.owner
        constant = _constant_int(value)
        if constant is not None:
            result = ({}, constant)
        elif isinstance(owner, arith.AddiOp | arith.SubiOp):
            sign = 1 if isinstance(owner, arith.AddiOp) else -1
            (la, ca), (lb, cb) = self.linear(owner.lhs), self.linear(owner.rhs)
            terms = dict(la)
            for atom, coeff in lb.items():
                terms[atom] = terms.get(atom, 0) + sign * coeff
            result = ({a: c for a, c in terms.items() if c}, ca + sign * cb)
        elif isinstance(owner, arith.MuliOp):
            (la, ca), (lb, cb) = self.linear(owner.lhs), self.linear(owner.rhs)
            if not lb or not la:
                factor, (terms, const) = (cb, (la, ca)) if not lb else (ca, (lb, cb))
                result = ({a: c * factor for a, c in terms.items() if c * factor},
                          const * factor)
        self.cache[value] = result
        return result

    @staticmethod
    def range_of(linear: Linear) -> tuple[int, int] | None:
        terms, lo = linear
        hi = lo
        for atom, coeff in terms.items():
            span = _loop_var_range(atom)
            if span is None:
                return None
            a, b = span[0] * coeff, span[1] * coeff
            lo, hi = lo + min(a, b), hi + max(a, b)
        return lo, hi

    def divide(self, value: SSAValue, divisor: int) -> tuple[Linear, Linear] | None:
        """(quotient, remainder) of `value` floordiv/mod `divisor` as linear forms, if exact."""
        terms, const = self.linear(value)
        quotient = {a: c // divisor for a, c in terms.items() if c % divisor == 0}
        rest = {a: c for a, c in terms.items() if c % divisor != 0}
        remainder: Linear = (rest, const % divisor)
        span = self.range_of(remainder)
        if span is None or span[0] < 0 or span[1] >= divisor:
            return None
        return (quotient, const // divisor), remainder

    def simplify(self, function: Operation) -> None:
        for op in list(function.walk()):
            if op.parent is None:
                continue  # erased
            replacement = self.fold(op)
            if replacement is None:
                continue
            new_ops, value = replacement
            Rewriter.insert_op(new_ops, InsertPoint.before(op))
            op.results[0].replace_all_uses_with(value)
            Rewriter.erase_op(op)
        _erase_dead_arith(function)

    def fold(self, op: Operation) -> tuple[list[Operation], SSAValue] | None:
        if isinstance(op, arith.FloorDivSIOp | arith.RemSIOp):
            divisor = _constant_int(op.rhs)
            if divisor is None or divisor <= 0:
                return None
            parts = self.divide(op.lhs, divisor)
            if parts is None:
                return None
            if isinstance(op, arith.FloorDivSIOp):
                return _emit_linear(parts[0])
            span = self.range_of(self.linear(op.lhs))
            if span is None or span[0] < 0:
                return None
            return _emit_linear(parts[1])
        if isinstance(op, arith.CmpiOp) and isinstance(op.lhs.type, IndexType):
            (la, ca), (lb, cb) = self.linear(op.lhs), self.linear(op.rhs)
            terms = dict(la)
            for atom, coeff in lb.items():
                terms[atom] = terms.get(atom, 0) - coeff
            span = self.range_of(({a: c for a, c in terms.items() if c}, ca - cb))
            if span is None:
                return None
            decided = _decide(op.predicate.value.data, span)
            if decided is None:
                return None
            constant = arith.ConstantOp(IntegerAttr(int(decided), IntegerType(1)))
            return [constant], constant.result
        if isinstance(op, arith.SelectOp):
            owner = op.cond.owner
            if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
                return [], op.lhs if owner.value.value.data else op.rhs
        return None


def _loop_var_range(value: SSAValue) -> tuple[int, int] | None:
    if not isinstance(value, BlockArgument):
        return None
    loop = value.block.parent_op()
    if not isinstance(loop, ForOp) or loop.extent <= 0:
        return None
    return loop.lb, loop.lb + (loop.extent - 1) * loop.step_value


def _decide(predicate: int, span: tuple[int, int]) -> bool | None:
    """The value of `d <pred> 0` for every d in `span`, or None when it depends on d.
    Predicates as in arith.cmpi: 0 eq, 1 ne, 2 slt, 3 sle, 4 sgt, 5 sge."""
    lo, hi = span
    tests = {0: (lo == hi == 0, lo > 0 or hi < 0), 1: (lo > 0 or hi < 0, lo == hi == 0),
             2: (hi < 0, lo >= 0), 3: (hi <= 0, lo > 0), 4: (lo > 0, hi <= 0),
             5: (lo >= 0, hi < 0)}
    if predicate not in tests:
        return None
    always, never = tests[predicate]
    return True if always else False if never else None


def _emit_linear(linear: Linear) -> tuple[list[Operation], SSAValue]:
    terms, const = linear
    ops: list[Operation] = []
    total: SSAValue | None = None
    for atom, coeff in terms.items():
        value = atom
        if coeff != 1:
            factor = _index_constant(coeff)
            product = arith.MuliOp(atom, factor)
            ops += [factor, product]
            value = product.result
        if total is None:
            total = value
        else:
            ops.append(arith.AddiOp(total, value))
            total = ops[-1].results[0]
    if total is None or const:
        constant = _index_constant(const)
        ops.append(constant)
        if total is None:
            return ops, constant.result
        ops.append(arith.AddiOp(total, constant.result))
        total = ops[-1].results[0]
    return ops, total


def _erase_dead_arith(root: Operation) -> None:
    changed = True
    while changed:
        changed = False
        for op in list(root.walk()):
            if (op.name.startswith("arith.") and op.results
                    and all(not r.uses for r in op.results)):
                Rewriter.erase_op(op)
                changed = True


# ============================================================================ vectorization


class NotVectorizable(Exception):
    """Why a vectorized loop stays scalar."""


@dataclass
class _Plan:
    """What each value of a vectorized loop's body is: uniform, affine index, or varying."""

    loop: ForOp
    stride: dict[SSAValue, int] = field(default_factory=dict)  # index values: d/d iv
    varying: set[SSAValue] = field(default_factory=set)  # become vectors
    widest: int = 1  # bytes of the widest varying element
    fused_mulf: set[Operation] = field(default_factory=set)

    def is_inside(self, value: SSAValue) -> bool:
        owner = value.owner
        op = owner if isinstance(owner, Operation) else owner.parent_op()
        return op is not None and self.loop.is_ancestor(op)

    def index_stride(self, value: SSAValue) -> int:
        """d value / d iv for an index value; 0 when it does not depend on the loop."""
        if value in self.stride:
            return self.stride[value]
        if value in self.varying:
            raise NotVectorizable("an index is computed from loaded data")
        return 0


def _constant_int(value: SSAValue) -> int | None:
    owner = value.owner
    if isinstance(owner, arith.ConstantOp) and isinstance(owner.value, IntegerAttr):
        return owner.value.value.data
    return None


def _plan(loop: ForOp) -> _Plan:
    """Classify the body's values, or raise NotVectorizable with the reason."""
    if loop.step_value != 1:
        raise NotVectorizable(f"step is {loop.step_value}, not 1")
    plan = _Plan(loop)
    plan.stride[loop.iv] = 1
    stored: dict[SSAValue, list[SSAValue]] = {}  # buffer -> indices of its stores
    accesses: list[tuple[SSAValue, list[SSAValue]]] = []
    for op in loop.body.block.ops:
        if op.regions:
            raise NotVectorizable(f"the body holds control flow ('{op.name}')")
        if isinstance(op, memref.LoadOp | memref.StoreOp):
            _plan_access(plan, op)
            accesses.append((op.memref, list(op.indices)))
            if isinstance(op, memref.StoreOp):
                stored.setdefault(op.memref, list(op.indices))
            continue
        if isinstance(op, arith.ConstantOp):
            continue
        if not op.name.startswith(("arith.", "math.")):
            raise NotVectorizable(f"'{op.name}' in the body has no vector form")
        operands = list(op.operands)
        if all(isinstance(t, IndexType) for t in [*(o.type for o in operands),
                                                  *(r.type for r in op.results)]):
            _plan_index_op(plan, op)
            continue
        if any(o in plan.stride and plan.stride[o] for o in operands):
            raise NotVectorizable(f"'{op.name}' uses the loop variable as a number")
        if not any(o in plan.varying for o in operands):
            continue  # uniform: stays scalar
        if not isinstance(op, _VECTOR_ARITH):
            raise NotVectorizable(f"'{op.name}' has no vector form")
        if isinstance(op, _SCALAR_ONLY_IN_XDSL):
            raise NotVectorizable(f"'{op.name}' has no vector form")
        for result in op.results:
            plan.varying.add(result)
            plan.widest = max(plan.widest, _element_bytes(result.type))
    for buffer, indices in accesses:
        if buffer in stored and indices != stored[buffer]:
            raise NotVectorizable(
                f"a stored buffer is also accessed at other indices (possible dependence "
                f"between lanes) in {buffer.type}")
    return plan


_SCALAR_ONLY_IN_XDSL = (arith.IndexCastOp,)
"""Ops whose vector forms xDSL 0.74's arith rejects and `hw` has no twin for: their loops
stay scalar. (An index_cast of a varying value needs a vector of index lanes, i.e. a loaded
index; casts of the loop variable are refused earlier as 'uses the loop variable'.)"""


def _plan_access(plan: _Plan, op: memref.LoadOp | memref.StoreOp) -> None:
    strides = [plan.index_stride(i) for i in op.indices]
    if any(strides[:-1]) or (strides and strides[-1] not in (0, 1)):
        raise NotVectorizable(f"'{op.name}' of {op.memref.type} is not contiguous in the "
                              f"loop variable (strides {strides})")
    contiguous = bool(strides) and strides[-1] == 1
    elem_type = op.memref.type.element_type  # type: ignore[attr-defined]
    if contiguous and isinstance(elem_type, IntegerType) and elem_type.width.data == 1:
        # A memref<...xi1> holds one byte per element (numpy's bool), but LLVM's vector<Nxi1>
        # loads and stores are bit-packed: a vector access would read the wrong bytes.
        raise NotVectorizable(f"'{op.name}' of {op.memref.type}: i1 buffers are bytes, "
                              "vector<Nxi1> memory accesses are bit-packed")
    element = _element_bytes(elem_type)
    if isinstance(op, memref.LoadOp):
        if contiguous:
            plan.varying.add(op.res)
            plan.widest = max(plan.widest, element)
        return
    if not contiguous:
        raise NotVectorizable(f"every lane would store to the same element of "
                              f"{op.memref.type} (a reduction)")
    plan.widest = max(plan.widest, element)


def _plan_index_op(plan: _Plan, op: Operation) -> None:
    strides = [plan.index_stride(o) for o in op.operands]
    if not any(strides):
        return
    if isinstance(op, arith.AddiOp):
        plan.stride[op.result] = strides[0] + strides[1]
    elif isinstance(op, arith.SubiOp):
        plan.stride[op.result] = strides[0] - strides[1]
    elif isinstance(op, arith.MuliOp):
        constants = [_constant_int(o) for o in op.operands]
        if strides[0] and constants[1] is not None:
            plan.stride[op.result] = strides[0] * constants[1]
        elif strides[1] and constants[0] is not None:
            plan.stride[op.result] = strides[1] * constants[0]
        else:
            raise NotVectorizable("an index is not affine in the loop variable")
    else:
        raise NotVectorizable(f"index arithmetic '{op.name}' is not affine in the loop variable")


def _find_fusable(plan: _Plan) -> None:
    """mulf results used only by one addf (both varying) -> fuse into vector.fma."""
    for op in plan.loop.body.block.ops:
        if not isinstance(op, arith.AddfOp) or op.result not in plan.varying:
            continue
        for operand in op.operands:
            producer = operand.owner
            if (isinstance(producer, arith.MulfOp) and producer.result in plan.varying
                    and producer.result.has_one_use() and producer not in plan.fused_mulf):
                plan.fused_mulf.add(producer)
                break


class _VectorEmitter:
    """Emits one chunk of W lanes of the body, lane 0 at `start`."""

    def __init__(self, plan: _Plan, lanes: int, start: SSAValue, before: Operation):
        self.plan = plan
        self.lanes = lanes
        self.before = before
        self.map: dict[SSAValue, SSAValue] = {plan.loop.iv: start}
        self.broadcasts: dict[SSAValue, SSAValue] = {}

    def add(self, op: Operation) -> Operation:
        Rewriter.insert_op(op, InsertPoint.before(self.before))
        return op

    def vtype(self, scalar: Attribute) -> VectorType:
        return VectorType(scalar, [self.lanes])

    def vector_of(self, value: SSAValue) -> SSAValue:
        mapped = self.map.get(value, value)
        if isinstance(mapped.type, VectorType):
            return mapped
        if mapped not in self.broadcasts:
            op = self.add(vector.BroadcastOp(mapped, self.vtype(mapped.type)))
            self.broadcasts[mapped] = op.results[0]
        return self.broadcasts[mapped]

    def emit(self) -> None:
        plan = self.plan
        for op in plan.loop.body.block.ops:
            if op in plan.fused_mulf:
                continue
            if isinstance(op, memref.LoadOp) and op.res in plan.varying:
                indices = [self.map.get(i, i) for i in op.indices]
                new = self.add(vector.LoadOp(op.memref, indices, self.vtype(op.res.type)))
                self.map[op.res] = new.results[0]
            elif isinstance(op, memref.StoreOp):
                indices = [self.map.get(i, i) for i in op.indices]
                self.add(vector.StoreOp(self.vector_of(op.value), op.memref, indices))
            elif any(r in plan.varying for r in op.results):
                self._emit_varying(op)
            else:
                self.add(op.clone(self.map))

    def _emit_varying(self, op: Operation) -> None:
        if isinstance(op, arith.AddfOp):
            for position, operand in enumerate(op.operands):
                producer = operand.owner
                if producer in self.plan.fused_mulf:
                    assert isinstance(producer, arith.MulfOp)
                    other = op.operands[1 - position]
                    fma = self.add(vector.FMAOp(self.vector_of(producer.lhs),
                                                self.vector_of(producer.rhs),
                                                self.vector_of(other)))
                    self.map[op.result] = fma.results[0]
                    return
        if isinstance(op, arith.SelectOp) and op.cond not in self.plan.varying:
            operands = [self.map.get(op.cond, op.cond), self.vector_of(op.lhs),
                        self.vector_of(op.rhs)]
        elif isinstance(op, arith.CmpfOp | arith.CmpiOp | arith.SelectOp) or (
                op.name in ARITH_CAST_KINDS):
            self.map[op.results[0]] = self.add(self._hw_vector_op(op)).results[0]
            return
        else:
            operands = [self.vector_of(o) for o in op.operands]
        new = self.add(type(op).create(
            operands=operands,
            result_types=[self.vtype(r.type) for r in op.results],
            properties=dict(op.properties),
            attributes=dict(op.attributes),
        ))
        for old, result in zip(op.results, new.results):
            self.map[old] = result


    def _hw_vector_op(self, op: Operation) -> Operation:
        """The `hw` vector form of a compare, select or integer cast (see vector_ops.py)."""
        operands = [self.vector_of(o) for o in op.operands]
        if isinstance(op, arith.CmpfOp):
            return VCmpfOp(FLOAT_PREDICATES[op.predicate.value.data], *operands)
        if isinstance(op, arith.CmpiOp):
            return VCmpiOp(INT_PREDICATES[op.predicate.value.data], *operands)
        if isinstance(op, arith.SelectOp):
            return VSelectOp(*operands)
        return VCastOp(ARITH_CAST_KINDS[op.name], operands[0], self.vtype(op.results[0].type))


# ============================================================================ the pass


@dataclass
class _Converter:
    """Converts the loops of one function, innermost first."""

    target: TargetAttr
    vector_bits: int
    max_unroll: int
    unroll_factor: int
    vector_unroll: int
    num_threads: int
    fma: bool
    launches: int = 0

    def block(self, block: Block, in_parallel: bool) -> None:
        for op in list(block.ops):
            nested = in_parallel or (isinstance(op, ForOp) and op.kind_name == "parallel")
            for region in op.regions:
                for inner in region.blocks:
                    self.block(inner, nested)
            if isinstance(op, ForOp):
                self.loop(op, in_parallel)

    def loop(self, loop: ForOp, in_parallel: bool) -> None:
        kind = loop.kind_name
        if kind == "vectorized":
            self.vectorize(loop)
        elif kind == "unrolled":
            self.unroll(loop)
        elif kind == "parallel" and not in_parallel and loop.extent > 1:
            self.parallel(loop)
        else:
            self.serial(loop)

    # ---------------------------------------------------------------- serial

    def serial(self, loop: ForOp, note: str | None = None) -> scf.ForOp:
        body = loop.body.block
        loop.body.detach_block(body)
        new = _scf_for(loop.lb, loop.ub, loop.step_value, body, loop)
        if note is not None:
            new.attributes[NOT_VECTORIZED_ATTR] = StringAttr(note)
        for key, value in loop.annotation_dict().items():
            new.attributes.setdefault(key, value)
        Rewriter.replace_op(loop, new)
        return new

    # ---------------------------------------------------------------- vectorized

    def lanes_for(self, element_bytes: int, extent: int) -> int:
        bits = self.vector_bits or self.target.vector_bits.data
        lanes = max(1, bits // (8 * element_bytes))
        while lanes > extent:
            lanes //= 2
        return lanes

    def vectorize(self, loop: ForOp) -> None:
        try:
            plan = _plan(loop)
            lanes = self.lanes_for(plan.widest, loop.extent)
            if lanes < 2:
                raise NotVectorizable(f"extent {loop.extent} is too short for a vector")
        except NotVectorizable as why:
            self.serial(loop, str(why))
            return
        if self.fma:
            _find_fusable(plan)
        chunks = loop.extent // lanes
        main_end = loop.lb + chunks * lanes
        if chunks <= self.vector_unroll:
            for chunk in range(chunks):
                start = _index_constant(loop.lb + chunk * lanes)
                _insert_before(loop, [start])
                _VectorEmitter(plan, lanes, start.result, loop).emit()
        else:
            body = Block(arg_types=[IndexType()])
            body.args[0].name_hint = loop.iv.name_hint
            anchor = scf.YieldOp()
            body.add_op(anchor)
            _VectorEmitter(plan, lanes, body.args[0], anchor).emit()
            body.erase_op(anchor)
            _insert_before(loop, [_scf_for(loop.lb, main_end, lanes, body, loop)])
        if main_end >= loop.ub:
            Rewriter.erase_op(loop)
            return
        tail = ForOp(main_end, loop.ub)  # the scalar epilogue: the original body
        _insert_before(loop, [tail])
        body = loop.body.block
        loop.body.detach_block(body)
        tail.body.detach_block(tail.body.block)
        tail.body.add_block(body)
        Rewriter.erase_op(loop)
        self.serial(tail)

    # ---------------------------------------------------------------- unrolled

    def unroll(self, loop: ForOp) -> None:
        body, iv, step = loop.body.block, loop.iv, loop.step_value
        extent = loop.extent
        if extent <= self.max_unroll:
            for k in range(extent):
                value = _index_constant(loop.lb + k * step)
                _insert_before(loop, [value])
                _clone_body(body, iv, value.result, loop)
            Rewriter.erase_op(loop)
            return
        factor = max(1, self.unroll_factor)
        main_end = loop.lb + (extent // factor) * factor * step
        main_body = Block(arg_types=[IndexType()])
        main_iv = main_body.args[0]
        main_iv.name_hint = iv.name_hint
        anchor = scf.YieldOp()
        main_body.add_op(anchor)
        for k in range(factor):
            if k == 0:
                value = main_iv
            else:
                offset = _index_constant(k * step)
                shifted = arith.AddiOp(main_iv, offset)
                _insert_before(anchor, [offset, shifted])
                value = shifted.result
            _clone_body(body, iv, value, anchor)
        main_body.erase_op(anchor)
        _insert_before(loop, [_scf_for(loop.lb, main_end, factor * step, main_body, loop)])
        if main_end < loop.ub:
            rest = ForOp(main_end, loop.ub, step=step)
            _insert_before(loop, [rest])
            loop.body.detach_block(body)
            rest.body.detach_block(rest.body.block)
            rest.body.add_block(body)
            self.serial(rest)
        Rewriter.erase_op(loop)

    # ---------------------------------------------------------------- parallel

    def parallel(self, loop: ForOp) -> None:
        external: list[SSAValue] = []
        for op in loop.body.walk():
            for operand in op.operands:
                owner = operand.owner
                inner = owner if isinstance(owner, Operation) else owner.parent_op()
                if inner is not None and loop.is_ancestor(inner):
                    continue
                if operand not in external:
                    external.append(operand)
        constants = [v for v in external if isinstance(v.owner, arith.ConstantOp)]
        captures = [v for v in external if v not in constants]
        launch = ParallelLaunchOp(loop.lb, loop.ub, loop.step_value, captures,
                                  num_threads=self.num_threads or None)
        launch_block = launch.body.block
        for arg, name in zip(launch_block.args, ("tid", "nthreads", "lo", "hi")):
            arg.name_hint = name
        replacement: dict[SSAValue, SSAValue] = {}
        for value, arg in zip(captures, launch.capture_args):
            arg.name_hint = value.name_hint
            replacement[value] = arg
        for value in constants:
            clone = value.owner.clone()  # type: ignore[union-attr]
            launch_block.add_op(clone)
            replacement[value] = clone.results[0]
        for op in loop.body.walk():
            for index, operand in enumerate(op.operands):
                if operand in replacement:
                    op.operands[index] = replacement[operand]
        step = _index_constant(loop.step_value)
        launch_block.add_op(step)
        body = loop.body.block
        loop.body.detach_block(body)
        body.add_op(scf.YieldOp())
        launch_block.add_op(scf.ForOp(launch.chunk_begin, launch.chunk_end, step, [], body))
        for key, value in loop.annotation_dict().items():
            launch.attributes.setdefault(key, value)
        Rewriter.replace_op(loop, launch)
        self.launches += 1


def module_target(module: ModuleOp) -> TargetAttr:
    """The module's `hw.target`, else the host."""
    attr = module.attributes.get(TARGET_ATTR)
    return attr if isinstance(attr, TargetAttr) else TargetAttr.host()


@dataclass(frozen=True)
class ConvertLoopsToHwPass(ModulePass):
    """Turn vectorized, unrolled and parallel loops into vector code, copies and thread
    launches; every remaining `loops.for` into `scf.for` (see the module docstring)."""

    name = "convert-loops-to-hw"

    vector_bits: int = 0
    """SIMD width in bits; 0: the module's `#hw.target`, else the host's."""
    max_unroll: int = 64
    """Unrolled loops with at most this many iterations are unrolled fully."""
    unroll_factor: int = 4
    """Copies per iteration for longer unrolled loops."""
    vector_unroll: int = 4
    """A vectorized loop of at most this many full vectors becomes straight-line code."""
    num_threads: int = 0
    """Threads per parallel launch; 0: the target's, else decided at run time."""
    fma: bool = True
    """Fuse a*b+c into vector.fma in vectorized loops."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        # Shared index values make "the same indices" a pointer comparison in the
        # vectorizer's dependence test.
        for function in [f for f in op.walk() if isinstance(f, func.FuncOp)]:
            IndexSimplifier().simplify(function)
        CommonSubexpressionElimination().apply(ctx, op)
        target = module_target(op)
        converter = _Converter(target, self.vector_bits, self.max_unroll, self.unroll_factor,
                               self.vector_unroll,
                               self.num_threads or target.num_threads.data, self.fma)
        for function in [f for f in op.walk() if isinstance(f, func.FuncOp)]:
            for block in function.body.blocks:
                converter.block(block, in_parallel=False)
