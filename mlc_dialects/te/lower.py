"""`create_prim_func`: tensor expressions to a tensor function (one block per compute).

For each compute stage, in producer-before-consumer order: a perfect `loops.for` nest (spatial
axes, then reduce axes, named after the te axes), and inside it one `tensor.block` named after
the compute with iterators `v_<axis>` bound to the loop variables, its read regions (one per
input tensor, the union of its accesses), its write region, and for reductions a `tensor.init`
storing the identity (0 for sum, -inf/+inf for max/min on floats, the extreme integers on
ints). This is what TVM's `te.create_prim_func` produces. Compute tensors that are not in the
argument list become `tensor.alloc_buffer`s: that is how a producer and its consumer are
combined into one function.

Scalar code follows numpy's semantics:
- one SSA value per distinct subexpression of a block body (expressions are hash-consed by
  structure), so `x * sigmoid(x)` written with `x` twice loads `x` once, without a later `cse`;
- `te.if_then_else` evaluates only the taken branch when a branch could fault (a load whose
  index is not provably inside its tensor): it becomes `scf.if %c -> (T)`, as TVM's
  `if_then_else` does. Branches whose loads are provably in bounds (clamped indices
  included) become `arith.select`, which is cheaper and vectorizes (`convert-loops-to-hw`
  keeps bodies with `scf.if` scalar). Declared read regions still cover guarded loads (the
  union of all accesses, a dimension it would leave the buffer in widened to the whole
  dimension, so that it verifies). Integer division in a branch is not guarded: an integer
  `if_then_else(b != 0, a // b, 0)` still divides by zero;
- casts: bool -> int/float is 0/1 (`extui`, `uitofp`), int/float -> bool is `x != 0`
  (`cmpi ne`, `cmpf une`: NaN is true, as numpy's `astype(bool)`);
- `te.max/te.min` on floats are `arith.maximumf/minimumf`, which propagate NaN like
  `numpy.maximum/minimum` (and the graph interpreter); on integers `maxsi/minsi`.
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

from xdsl.dialects import arith, func, memref, scf
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    FloatAttr,
    IndexType,
    IntegerAttr,
    IntegerType,
    MemRefType,
    ModuleOp,
    f16,
    f32,
    f64,
    i64,
)
from xdsl.ir import Attribute, Block, Operation, Region, SSAValue
from xdsl.ir.affine import AffineConstantExpr, AffineExpr, AffineMap

from dialects.loops.ops import ForOp
from dialects.tensor.affine_syntax import expr_range
from dialects.tensor.attrs import AccessRegionAttr
from dialects.tensor.ops import NUM_INPUTS_ATTR, AllocBufferOp, BlockOp, InitOp, constant_difference
from mlc_dialects.te.expr import (
    Binary,
    Call,
    Cast,
    Compare,
    Const,
    Expr,
    IterVar,
    Load,
    Logical,
    Reduce,
    Select,
    is_float,
    walk,
)
from mlc_dialects.te.tensor import ComputeOp, PlaceholderOp, Tensor

_ELEMENT_TYPES: dict[str, Attribute] = {
    "float16": f16,
    "float32": f32,
    "float64": f64,
    "int8": IntegerType(8),
    "int16": IntegerType(16),
    "int32": IntegerType(32),
    "int64": i64,
    "bool": IntegerType(1),
    "index": IndexType(),
}


def element_type(dtype: str) -> Attribute:
    return _ELEMENT_TYPES[dtype]


def buffer_type(tensor: Tensor) -> MemRefType:
    return MemRefType(element_type(tensor.dtype), tensor.shape)


# ============================================================================ entry point


def create_prim_func(args: Sequence[Tensor], name: str = "main") -> ModuleOp:
    """A module with one tensor function `name` computing the compute tensors in `args`.

    `args` lists the function's buffers: placeholders (inputs) first, then computed tensors
    (outputs, destination passing). Computed tensors that are needed but not listed become
    intermediate buffers. Raises ValueError for a placeholder that is used but not listed,
    or an output listed before an input.
    """
    return ModuleOp([build_function(args, name)])


def build_function(args: Sequence[Tensor], name: str = "main") -> func.FuncOp:
    """The `func.func` of `create_prim_func`, without the enclosing module."""
    _check_args(args)
    stages = _schedule_order(args)
    num_inputs = sum(1 for t in args if isinstance(t.op, PlaceholderOp))
    entry = Block(arg_types=[buffer_type(t) for t in args])
    buffers: dict[Tensor, SSAValue] = {}
    for tensor, arg in zip(args, entry.args):
        arg.name_hint = tensor.name
        buffers[tensor] = arg
    for stage in stages:
        if stage not in buffers:
            alloc = AllocBufferOp(buffer_type(stage), stage.name)
            entry.add_op(alloc)
            buffers[stage] = alloc.buffer
    for stage in stages:
        entry.add_op(_StageBuilder(stage, buffers).build())
    entry.add_op(func.ReturnOp())
    function = func.FuncOp(name, ([buffer_type(t) for t in args], []), Region(entry))
    function.attributes[NUM_INPUTS_ATTR] = IntegerAttr(num_inputs, i64)
    return function


def _check_args(args: Sequence[Tensor]) -> None:
    seen_output = False
    for position, tensor in enumerate(args):
        if not isinstance(tensor, Tensor):
            raise TypeError(f"argument #{position} is not a te tensor: {tensor!r}")
        if isinstance(tensor.op, ComputeOp):
            seen_output = True
        elif seen_output:
            raise ValueError(
                f"placeholder '{tensor.name}' (argument #{position}) comes after an output; "
                f"list inputs first, then outputs (destination passing)"
            )
    if not seen_output:
        raise ValueError("create_prim_func: no computed tensor among the arguments")
    listed = set(args)
    for stage in _schedule_order(args):
        assert isinstance(stage.op, ComputeOp)
        for tensor in stage.op.input_tensors():
            if isinstance(tensor.op, PlaceholderOp) and tensor not in listed:
                raise ValueError(
                    f"placeholder '{tensor.name}' is read by '{stage.name}' but is not in the "
                    f"argument list"
                )


def _schedule_order(args: Sequence[Tensor]) -> list[Tensor]:
    """Compute tensors needed by the outputs, producers before consumers."""
    order: list[Tensor] = []
    visiting: set[Tensor] = set()

    def visit(tensor: Tensor) -> None:
        if tensor in order or not isinstance(tensor.op, ComputeOp):
            return
        if tensor in visiting:
            raise ValueError(f"compute '{tensor.name}' depends on itself")
        visiting.add(tensor)
        for producer in tensor.op.input_tensors():
            visit(producer)
        visiting.discard(tensor)
        order.append(tensor)

    for tensor in args:
        visit(tensor)
    return order


# ============================================================================ one stage


class _StageBuilder:
    """Loops and block for one compute tensor."""

    def __init__(self, tensor: Tensor, buffers: dict[Tensor, SSAValue]):
        assert isinstance(tensor.op, ComputeOp)
        self.tensor = tensor
        self.op: ComputeOp = tensor.op
        self.buffers = buffers
        self.iter_vars: list[IterVar] = [*self.op.axis, *self.op.reduce_axis]
        self.position = {iv: d for d, iv in enumerate(self.iter_vars)}
        self.values: dict[IterVar, SSAValue] = {}
        self.body: Block | None = None
        self.init_scalar_state()

    def build(self) -> Operation:
        loops = [ForOp(0, iv.extent, iv_name=iv.name) for iv in self.iter_vars]
        for outer, inner in itertools.pairwise(loops):
            outer.body.block.add_op(inner)
        block = self._block([loop.iv for loop in loops])
        if loops:
            loops[-1].body.block.add_op(block)
            return loops[0]
        return block

    def _block(self, loop_ivs: Sequence[SSAValue]) -> BlockOp:
        n = len(self.iter_vars)
        bindings = AffineMap(n, 0, tuple(AffineExpr.dimension(d) for d in range(n)))
        out = self.buffers[self.tensor]
        spatial = tuple(self._iter_expr(iv) for iv in self.op.axis)
        block = BlockOp(
            self.op.name,
            [("spatial" if iv.kind == "spatial" else "reduce", iv.extent) for iv in self.iter_vars],
            bindings,
            loop_ivs,
            reads=self._read_regions(),
            writes=[(out, AccessRegionAttr.point(n, spatial))],
            iter_names=[f"v_{iv.name}" for iv in self.iter_vars],
        )
        self.values = dict(zip(self.iter_vars, block.iter_vars))
        self.body = block.body.block
        body = self.op.body
        out_index = [self.values[iv] for iv in self.op.axis]
        if isinstance(body, Reduce):
            self._reduction(body, out, out_index)
        else:
            value = self.emit(body)
            self.add(memref.StoreOp.get(value, out, out_index))
        return block

    def _reduction(self, body: Reduce, out: SSAValue, out_index: list[SSAValue]) -> None:
        init = InitOp()
        assert self.body is not None
        self.body.add_op(init)
        outer_body = self.body
        self.body = init.body.block
        start = self.emit(body.init) if body.init is not None else self._identity(body)
        self.add(memref.StoreOp.get(start, out, out_index))
        self.body = outer_body
        acc = self.add(memref.LoadOp.get(out, out_index))
        value = self.emit(body.source)
        combined = self._combine(body.combiner, acc, value, body.dtype)
        if body.where is not None:
            cond = self.emit(body.where)
            combined = self.add(arith.SelectOp(cond, combined, acc))
        self.add(memref.StoreOp.get(combined, out, out_index))

    # ------------------------------------------------------------------ regions

    def _iter_expr(self, iv: IterVar) -> AffineExpr:
        expr = AffineExpr.dimension(self.position[iv])
        return expr + iv.dom[0] if iv.dom[0] else expr

    def _affine(self, expr: Expr) -> AffineExpr | None:
        """`expr` as an affine expression over the block iterators, None if it is not one."""
        match expr:
            case IterVar():
                return self._iter_expr(expr) if expr in self.position else None
            case Const(value=value) if isinstance(value, int):
                return AffineExpr.constant(int(value))
            case Cast(value=value):
                return self._affine(value)
            case Binary(op=op, a=a, b=b):
                x, y = self._affine(a), self._affine(b)
                if x is None or y is None:
                    return None
                if op == "add":
                    return x + y
                if op == "sub":
                    return x - y
                const_y = y.value if isinstance(y, AffineConstantExpr) else None
                const_x = x.value if isinstance(x, AffineConstantExpr) else None
                if op == "mul" and (const_x is not None or const_y is not None):
                    return x * y
                if op in ("floordiv", "floormod") and const_y is not None and const_y > 0:
                    return x // const_y if op == "floordiv" else x % const_y
        return None

    def _read_regions(self) -> list[tuple[SSAValue, AccessRegionAttr]]:
        n = len(self.iter_vars)
        accesses: dict[Tensor, list[tuple[AffineExpr, ...] | None]] = {}
        for node in walk(self.op.body):
            if isinstance(node, Load):
                indices = [self._affine(i) for i in node.indices]
                entry = accesses.setdefault(node.tensor, [])
                entry.append(None if any(i is None for i in indices) else tuple(indices))  # type: ignore[arg-type]
        regions = []
        domains = [(0, iv.extent - 1) for iv in self.iter_vars]
        for tensor, points in accesses.items():
            starts, extents = _within_bounds(*_union(points, tensor.shape), tensor.shape, domains)
            regions.append(
                (self.buffers[tensor], AccessRegionAttr(AffineMap(n, 0, starts), extents))
            )
        return regions

    # ------------------------------------------------------------------ scalar code

    def init_scalar_state(self) -> None:
        """Empty the subexpression tables (subclasses that skip `__init__` call this)."""
        # Structure -> small integer (hash-consing): a node's key holds its children's numbers,
        # so keys stay small however deep or shared the expression is.
        self._numbers: dict[tuple[object, ...], int] = {}
        self._number_of: dict[int, tuple[Expr, int]] = {}  # id(node) -> (node, number)
        self._with_load: set[int] = set()  # numbers of expressions that read memory
        # Per body block: number -> the value computing it there.
        self._memo: dict[Block, dict[int, SSAValue]] = {}

    def add(self, op: Operation) -> SSAValue:
        assert self.body is not None
        self.body.add_op(op)
        if isinstance(op, memref.StoreOp):
            self._forget_loads()
        return op.results[0] if op.results else None  # type: ignore[return-value]

    def _forget_loads(self) -> None:
        """After a store, loaded values may be stale (TVMScript blocks store several times)."""
        for table in self._memo.values():
            for number in [n for n in table if n in self._with_load]:
                del table[number]

    def _number(self, expr: Expr) -> int:
        """The same integer for structurally equal expressions (same tensors and iterators)."""
        cached = self._number_of.get(id(expr))
        if cached is not None and cached[0] is expr:
            return cached[1]
        match expr:
            case Const(value=value, dtype=dtype):
                # repr tells 0.0 from -0.0 and makes NaN equal to itself
                key: tuple[object, ...] = ("const", dtype, type(value).__name__, repr(value))
            case Load(tensor=tensor, indices=indices, dtype=dtype):
                key = ("load", id(tensor), dtype, *(self._number(i) for i in indices))
            case Binary(op=op, a=a, b=b, dtype=dtype) | Compare(op=op, a=a, b=b, dtype=dtype):
                key = (type(expr).__name__, op, dtype, self._number(a), self._number(b))
            case Logical(op=op, args=args) | Call(fn=op, args=args):
                key = (type(expr).__name__, op, expr.dtype, *(self._number(a) for a in args))
            case Select(cond=c, true_value=t, false_value=f, dtype=dtype):
                key = ("select", dtype, self._number(c), self._number(t), self._number(f))
            case Cast(value=value, dtype=dtype):
                key = ("cast", dtype, self._number(value))
            case _:  # iterators and anything else: by identity
                key = ("node", id(expr))
        number = self._numbers.setdefault(key, len(self._numbers))
        if isinstance(expr, Load) or any(
            isinstance(k, int) and k in self._with_load for k in key[2:]
        ):
            self._with_load.add(number)
        self._number_of[id(expr)] = (expr, number)
        return number

    def _lookup(self, number: int) -> SSAValue | None:
        """The value of expression `number` in the current body or a body enclosing it."""
        block = self.body
        while block is not None:
            value = self._memo.get(block, {}).get(number)
            if value is not None:
                return value
            owner = block.parent_op()
            if not isinstance(owner, scf.IfOp | InitOp):
                return None
            block = owner.parent_block()
        return None

    def constant(self, value: float | bool, dtype: str) -> SSAValue:
        typ = element_type(dtype)
        if is_float(dtype):
            return self.add(arith.ConstantOp(FloatAttr(float(value), typ)))  # type: ignore[arg-type]
        return self.add(arith.ConstantOp(IntegerAttr(int(value), typ)))  # type: ignore[arg-type]

    def _identity(self, reduce: Reduce) -> SSAValue:
        dtype = reduce.dtype
        if reduce.combiner == "sum":
            return self.constant(0, dtype)
        sign = -1 if reduce.combiner == "max" else 1
        if is_float(dtype):
            return self.constant(sign * float("inf"), dtype)
        bits = {"int8": 8, "int16": 16, "int32": 32, "int64": 64}[dtype]
        return self.constant(-(2 ** (bits - 1)) if sign < 0 else 2 ** (bits - 1) - 1, dtype)

    def _combine(self, combiner: str, acc: SSAValue, value: SSAValue, dtype: str) -> SSAValue:
        if combiner == "sum":
            op = arith.AddfOp if is_float(dtype) else arith.AddiOp
        elif combiner == "max":
            op = arith.MaximumfOp if is_float(dtype) else arith.MaxSIOp
        else:
            op = arith.MinimumfOp if is_float(dtype) else arith.MinSIOp
        return self.add(op(acc, value))

    def emit(self, expr: Expr) -> SSAValue:
        """SSA value computing `expr` in the block body, shared with equal subexpressions."""
        number = self._number(expr)
        value = self._lookup(number)
        if value is None:
            value = self._emit_new(expr)
            assert self.body is not None
            self._memo.setdefault(self.body, {})[number] = value
        return value

    def _emit_new(self, expr: Expr) -> SSAValue:
        match expr:
            case IterVar():
                value = self.values[expr]
                if expr.dom[0]:
                    offset = self.add(arith.ConstantOp(IntegerAttr(expr.dom[0], IndexType())))
                    value = self.add(arith.AddiOp(value, offset))
                return value
            case Const(value=value, dtype=dtype):
                return self.constant(value, dtype)
            case Load(tensor=tensor, indices=indices):
                index = [self.emit(i) for i in indices]
                return self.add(memref.LoadOp.get(self.buffers[tensor], index))
            case Binary():
                return self._binary(expr)
            case Compare(op=op, a=a, b=b):
                x, y = self.emit(a), self.emit(b)
                if is_float(a.dtype):
                    return self.add(
                        arith.CmpfOp(
                            x,
                            y,
                            {
                                "lt": "olt",
                                "le": "ole",
                                "gt": "ogt",
                                "ge": "oge",
                                "eq": "oeq",
                                "ne": "une",
                            }[op],
                        )
                    )
                return self.add(
                    arith.CmpiOp(
                        x,
                        y,
                        {
                            "lt": "slt",
                            "le": "sle",
                            "gt": "sgt",
                            "ge": "sge",
                            "eq": "eq",
                            "ne": "ne",
                        }[op],
                    )
                )
            case Logical(op=op, args=args):
                values = [self.emit(a) for a in args]
                result = values[0]
                for other in values[1:]:
                    result = self.add((arith.AndIOp if op == "and" else arith.OrIOp)(result, other))
                return result
            case Select(cond=c, true_value=t, false_value=f):
                cond = self.emit(c)
                if self._may_fault(t) or self._may_fault(f):
                    return self._guarded(cond, t, f, expr.dtype)
                return self.add(arith.SelectOp(cond, self.emit(t), self.emit(f)))
            case Cast(value=value, dtype=dtype):
                return self._cast(self.emit(value), value.dtype, dtype)
            case Call():
                return self._call(expr)
            case Reduce():
                raise ValueError("a reduction must be the whole body of a compute")
        raise TypeError(f"cannot lower expression {expr!r}")

    def _guarded(self, cond: SSAValue, t: Expr, f: Expr, dtype: str) -> SSAValue:
        """`scf.if %cond -> (T)`: only the taken branch runs (TVM's if_then_else)."""
        branches = (Block(), Block())
        if_op = scf.IfOp(cond, [element_type(dtype)], [branches[0]], [branches[1]])
        self.add(if_op)
        outer = self.body
        for block, branch in zip(branches, (t, f)):
            self.body = block
            value = self.emit(branch)
            block.add_op(scf.YieldOp(value))
        self.body = outer
        return if_op.results[0]

    def _may_fault(self, expr: Expr) -> bool:
        """Whether `expr` holds a load whose indices are not provably inside its tensor over
        the iterators' domains (clamped indices, `te.min(te.max(i, 0), n - 1)`, are)."""
        for node in walk(expr):
            if not isinstance(node, Load):
                continue
            for index, size in zip(node.indices, node.tensor.shape):
                span = self._index_range(index)
                if span is None or span[0] < 0 or span[1] >= size:
                    return True
        return False

    def _index_range(self, expr: Expr) -> tuple[int, int] | None:
        """Inclusive bounds of an integer expression over the iterators' domains, or None."""
        affine = self._affine(expr)
        if affine is not None:  # exact where it applies (`2*i - i` is `i`)
            return expr_range(affine, [(0, iv.extent - 1) for iv in self.iter_vars])
        match expr:
            case Cast(value=value) if not is_float(value.dtype):
                return self._index_range(value)
            case Select(true_value=t, false_value=f):
                a, b = self._index_range(t), self._index_range(f)
                return None if a is None or b is None else (min(a[0], b[0]), max(a[1], b[1]))
            case Binary(op=op, a=a, b=b) if not is_float(expr.dtype):
                x, y = self._index_range(a), self._index_range(b)
                if x is None or y is None:
                    return None
                if op == "add":
                    return (x[0] + y[0], x[1] + y[1])
                if op == "sub":
                    return (x[0] - y[1], x[1] - y[0])
                if op == "mul":
                    products = [p * q for p in x for q in y]
                    return (min(products), max(products))
                if op == "max":
                    return (max(x[0], y[0]), max(x[1], y[1]))
                if op == "min":
                    return (min(x[0], y[0]), min(x[1], y[1]))
                if op == "floordiv" and y[0] == y[1] and y[0] > 0:
                    return (x[0] // y[0], x[1] // y[0])
                if op == "floormod" and y[0] == y[1] and y[0] > 0:
                    return (0, y[0] - 1)
        return None

    def _binary(self, expr: Binary) -> SSAValue:
        x, y = self.emit(expr.a), self.emit(expr.b)
        if is_float(expr.dtype):
            ops = {
                "add": arith.AddfOp, "sub": arith.SubfOp, "mul": arith.MulfOp,
                "div": arith.DivfOp, "max": arith.MaximumfOp, "min": arith.MinimumfOp,
                "pow": mathd.PowFOp,
            }  # fmt: skip
            if expr.op not in ops:
                raise TypeError(f"operator '{expr.op}' is not defined on {expr.dtype}")
            return self.add(ops[expr.op](x, y))
        ops = {
            "add": arith.AddiOp, "sub": arith.SubiOp, "mul": arith.MuliOp,
            "div": arith.DivSIOp, "floordiv": arith.FloorDivSIOp,
            "max": arith.MaxSIOp, "min": arith.MinSIOp,
        }  # fmt: skip
        if expr.op == "floormod":
            # floor modulo: remsi has the sign of the dividend, so shift negative remainders.
            rem = self.add(arith.RemSIOp(x, y))
            zero = self.add(arith.ConstantOp(IntegerAttr(0, x.type)))  # type: ignore[arg-type]
            negative = self.add(arith.CmpiOp(rem, zero, "slt"))
            shifted = self.add(arith.AddiOp(rem, y))
            return self.add(arith.SelectOp(negative, shifted, rem))
        if expr.op not in ops:
            raise TypeError(f"operator '{expr.op}' is not defined on {expr.dtype}")
        return self.add(ops[expr.op](x, y))

    def _call(self, expr: Call) -> SSAValue:
        args = [self.emit(a) for a in expr.args]
        x = args[0]
        unary = {
            "exp": mathd.ExpOp, "log": mathd.LogOp, "sqrt": mathd.SqrtOp,
            "rsqrt": mathd.RsqrtOp, "tanh": mathd.TanhOp, "erf": mathd.ErfOp,
            "floor": mathd.FloorOp, "ceil": mathd.CeilOp,
        }  # fmt: skip
        if expr.fn in unary:
            return self.add(unary[expr.fn](x))
        if expr.fn == "abs":
            return self.add((mathd.AbsFOp if is_float(expr.dtype) else mathd.AbsIOp)(x))
        if expr.fn == "sigmoid":  # 1 / (1 + exp(-x)), as TVM lowers it
            neg = self.add(arith.NegfOp(x))
            e = self.add(mathd.ExpOp(neg))
            one = self.constant(1.0, expr.dtype)
            denom = self.add(arith.AddfOp(one, e))
            return self.add(arith.DivfOp(one, denom))
        raise TypeError(f"unknown intrinsic '{expr.fn}'")

    def _cast(self, value: SSAValue, src: str, dst: str) -> SSAValue:
        target = element_type(dst)
        if src == dst:
            return value
        # bool is i1 but counts 0/1 (numpy), not 0/-1: never sign-extend or truncate to it.
        if dst == "bool":
            zero = self.constant(0, src)
            if is_float(src):
                return self.add(arith.CmpfOp(value, zero, "une"))
            return self.add(arith.CmpiOp(value, zero, "ne"))
        if src == "bool":
            if is_float(dst):
                return self.add(arith.UIToFPOp(value, target))  # type: ignore[arg-type]
            if dst == "index":
                value = self.add(arith.ExtUIOp(value, i64))
                return self.add(arith.IndexCastOp(value, target))
            return self.add(arith.ExtUIOp(value, target))  # type: ignore[arg-type]
        if src == "index":
            if is_float(dst):
                value = self.add(arith.IndexCastOp(value, i64))
                return self.add(arith.SIToFPOp(value, target))  # type: ignore[arg-type]
            return self.add(arith.IndexCastOp(value, target))
        if dst == "index":
            if is_float(src):
                value = self.add(arith.FPToSIOp(value, i64))
            return self.add(arith.IndexCastOp(value, target))
        if is_float(src) and is_float(dst):
            wider = _bits(dst) > _bits(src)
            return self.add((arith.ExtFOp if wider else arith.TruncFOp)(value, target))  # type: ignore[arg-type]
        if is_float(dst):
            return self.add(arith.SIToFPOp(value, target))  # type: ignore[arg-type]
        if is_float(src):
            return self.add(arith.FPToSIOp(value, target))
        wider = _bits(dst) > _bits(src)
        return self.add((arith.ExtSIOp if wider else arith.TruncIOp)(value, target))


def _bits(dtype: str) -> int:
    if dtype == "bool":
        return 1
    return int("".join(c for c in dtype if c.isdigit()))


def _within_bounds(
    starts: tuple[AffineExpr, ...],
    extents: list[int],
    shape: tuple[int, ...],
    domains: list[tuple[int, int]],
) -> tuple[tuple[AffineExpr, ...], list[int]]:
    """The region, with each dimension it could leave the buffer in widened to the whole
    dimension. Only guarded loads (`if_then_else(i >= 1, A[i - 1], 0)`) reach outside, and
    they only run inside: the widened region still covers every access, and it verifies."""
    fitted = list(starts)
    sizes = list(extents)
    for dim, size in enumerate(shape):
        span = expr_range(starts[dim], domains)
        if span is None or span[0] < 0 or span[1] + extents[dim] > size:
            fitted[dim] = AffineExpr.constant(0)
            sizes[dim] = size
    return tuple(fitted), sizes


def _union(
    points: list[tuple[AffineExpr, ...] | None], shape: tuple[int, ...]
) -> tuple[tuple[AffineExpr, ...], list[int]]:
    """The smallest start+extent region covering all accesses (whole dims where unknown)."""
    starts: list[AffineExpr] = []
    extents: list[int] = []
    for dim, size in enumerate(shape):
        column = [p[dim] if p is not None else None for p in points]
        if any(c is None for c in column):
            starts.append(AffineExpr.constant(0))
            extents.append(size)
            continue
        base = column[0]
        offsets = [constant_difference(c, base) for c in column]  # type: ignore[arg-type]
        if any(o is None for o in offsets):
            starts.append(AffineExpr.constant(0))
            extents.append(size)
            continue
        low, high = min(offsets), max(offsets)  # type: ignore[type-var]
        starts.append(base + low if low else base)  # type: ignore[operator]
        extents.append(high - low + 1)  # type: ignore[operator]
    return tuple(starts), extents
