"""Build graph functions from Python: one method per op, result types inferred.

The builder creates exactly the IR that the textual form parses to: each method computes its
result type with the op's own rule (`GraphOp.infer`, or `check` for ops whose result type the
caller gives: reshape, broadcast_to, cast), so a shape mistake is reported where the Python code
makes it, with the verifier's message.

Example:
    b = GraphBuilder()
    with b.function("main", [((1, 784), "f32"), ((784, 10), "f32")]) as (x, w):
        with b.dataflow() as df:
            y = b.relu(b.matmul(x, w))
            df.output(y)
        b.ret(*df.results)
    module = b.module

prints as

    func.func @main(%0: tensor<1x784xf32>, %1: tensor<784x10xf32>) -> tensor<1x10xf32> {
      %2 = graph.dataflow -> tensor<1x10xf32> {
        %3 = graph.matmul %0, %1 : (tensor<1x784xf32>, tensor<784x10xf32>) -> tensor<1x10xf32>
        %4 = graph.relu %3 : tensor<1x10xf32>
        graph.output %4 : tensor<1x10xf32>
      }
      func.return %2 : tensor<1x10xf32>
    }

Types are given as a `TensorType` or as `(shape, dtype)`: a shape is a sequence of ints where
`None` (or `"?"`) is a dynamic dimension, a dtype is a name (`"f32"`, `"bf16"`, `"i64"`, `"i1"`,
...), a numpy dtype or an xDSL element type. Attributes the spec lists for an op are always
written; optional ones (pool `dilations`, `ceil_mode`, `count_include_pad`, clip bounds, the
`pure` marker of call_lib) only when given.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field

import numpy as np
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    BFloat16Type,
    DenseIntOrFPElementsAttr,
    Float16Type,
    Float32Type,
    Float64Type,
    FunctionType,
    IntegerType,
    ModuleOp,
    StringAttr,
    SymbolRefAttr,
    TensorType,
    UnitAttr,
)
from xdsl.ir import Attribute, Block, BlockArgument, Operation, Region, SSAValue
from xdsl.utils.exceptions import VerifyException

from dialects.graph import ops
from dialects.graph.base import GraphOp, check_element_type, f32, i64, i64_array
from dialects.graph.shapes import DYN, num_elements

TypeSpec = TensorType | tuple[Sequence[int | str | None], object]
"""A tensor type: a `TensorType`, or `(shape, dtype)` such as `((1, 784), "f32")`."""


class GraphBuildError(ValueError):
    """A builder call that would create invalid IR (bad shapes, types or attributes).

    The message is the verifier's, prefixed with the op name as in diagnostics:
    `'graph.matmul' op contracting dimensions differ: lhs has 8, rhs has 9`.
    """


# --- types ----------------------------------------------------------------------------------------

_ELEMENT_TYPES: dict[str, Attribute] = {
    "f16": Float16Type(),
    "bf16": BFloat16Type(),
    "f32": Float32Type(),
    "f64": Float64Type(),
    "i1": IntegerType(1),
    "i8": IntegerType(8),
    "i16": IntegerType(16),
    "i32": IntegerType(32),
    "i64": IntegerType(64),
}

_NUMPY_NAMES = {
    "float16": "f16", "float32": "f32", "float64": "f64", "bool": "i1",
    "int8": "i8", "int16": "i16", "int32": "i32", "int64": "i64",
}


def element_type(dtype: object) -> Attribute:
    """`"f32"`, `np.float32`, `np.dtype("int64")` or an xDSL type -> the xDSL element type."""
    if isinstance(dtype, Attribute):
        if dtype in _ELEMENT_TYPES.values():
            return dtype
        raise GraphBuildError(f"unsupported element type {dtype} "
                              f"(expected one of {', '.join(_ELEMENT_TYPES)})")
    if isinstance(dtype, str) and dtype in _ELEMENT_TYPES:
        return _ELEMENT_TYPES[dtype]
    try:
        name = np.dtype(dtype).name  # type: ignore[call-overload]
    except TypeError:
        name = None
    if name in _NUMPY_NAMES:
        return _ELEMENT_TYPES[_NUMPY_NAMES[name]]
    raise GraphBuildError(
        f"unsupported element type {dtype!r} (expected one of {', '.join(_ELEMENT_TYPES)} "
        "or the numpy dtype of one)"
    )


def _dim(d: int | str | None) -> int:
    if d is None or d == "?":
        return DYN
    if isinstance(d, (int, np.integer)) and not isinstance(d, bool) and d >= 0:
        return int(d)
    raise GraphBuildError(f"bad dimension {d!r}: expected a size >= 0, or None or '?' (dynamic)")


def tensor_type(spec: TypeSpec) -> TensorType:
    """A `TensorType` from a `TypeSpec`."""
    if isinstance(spec, TensorType):
        return spec
    if not (isinstance(spec, tuple) and len(spec) == 2):
        raise GraphBuildError(
            f"bad tensor type {spec!r}: expected a TensorType or (shape, dtype), "
            "e.g. ((1, 784), 'f32')"
        )
    shape, dtype = spec
    if isinstance(shape, int):
        shape = (shape,)
    return TensorType(element_type(dtype), [_dim(d) for d in shape])


# --- the builder ---------------------------------------------------------------------------------


@dataclass
class Dataflow:
    """The handle of a `with b.dataflow() as df:` block.

    Inside the block, `df.output(*values)` names the values that leave the region; after the
    block, `df.results` are the dataflow op's results (the only way to use them outside) and
    `df.result` the single one.
    """

    block: Block = field(default_factory=Block)
    outputs: list[SSAValue] | None = None
    op: ops.DataflowOp | None = None

    def output(self, *values: SSAValue) -> None:
        if self.outputs is not None:
            raise GraphBuildError("'graph.output' already given for this dataflow region")
        self.outputs = list(values)

    @property
    def results(self) -> tuple[SSAValue, ...]:
        if self.op is None:
            raise GraphBuildError("dataflow results exist only after the `with` block ends")
        return tuple(self.op.results)

    @property
    def result(self) -> SSAValue:
        res = self.results
        if len(res) != 1:
            raise GraphBuildError(f"the dataflow region has {len(res)} results, not one")
        return res[0]


class GraphBuilder:
    """Builds a module of graph functions; see the module docstring for an example."""

    def __init__(self) -> None:
        self.module = ModuleOp([])
        """The module built so far (functions are added as they are opened)."""
        self._blocks: list[Block] = []
        self._func: func.FuncOp | None = None
        self._returned = False

    # --- structure --------------------------------------------------------------------------------

    @contextmanager
    def function(self, name: str, arg_types: Sequence[TypeSpec],
                 arg_names: Sequence[str] | None = None) -> Iterator[tuple[SSAValue, ...]]:
        """A `func.func @name` with tensor arguments; yields the arguments.

        The body must end with `b.ret(...)`, which also fixes the function's result types.
        `arg_names` become the printed SSA names (`%x`) of the arguments.
        """
        if self._func is not None:
            raise GraphBuildError("functions cannot be nested: close the open one first")
        inputs = [tensor_type(t) for t in arg_types]
        block = Block(arg_types=inputs)
        if arg_names is not None:
            if len(arg_names) != len(inputs):
                raise GraphBuildError(
                    f"{len(arg_names)} argument names given for {len(inputs)} arguments"
                )
            for arg, hint in zip(block.args, arg_names, strict=True):
                arg.name_hint = hint
        fn = func.FuncOp(name, (inputs, []), Region(block))
        self.module.body.block.add_op(fn)
        self._func, self._blocks, self._returned = fn, [block], False
        try:
            yield tuple(block.args)
        except BaseException:
            fn.detach()
            fn.erase()
            raise
        finally:
            self._func, self._blocks = None, []
        if not self._returned:
            fn.detach()
            fn.erase()
            raise GraphBuildError(f"function '{name}' ends without b.ret(...)")

    def ret(self, *values: SSAValue) -> None:
        """`func.return` of `values`; the function's result types become theirs."""
        if self._func is None or len(self._blocks) != 1:
            raise GraphBuildError("b.ret(...) must be called in a function, outside dataflow")
        self._check_operands("func.return", values)
        self._blocks[0].add_op(func.ReturnOp(*values))
        self._func.function_type = FunctionType.from_lists(
            self._func.function_type.inputs.data, [v.type for v in values]
        )
        self._returned = True

    @contextmanager
    def dataflow(self) -> Iterator[Dataflow]:
        """A `graph.dataflow` region: ops created inside the block go into it."""
        self._current_block("graph.dataflow")
        df = Dataflow()
        self._blocks.append(df.block)
        try:
            yield df
        finally:
            self._blocks.pop()
        if df.outputs is None:
            raise GraphBuildError("dataflow region ends without df.output(...)")
        df.block.add_op(ops.OutputOp.create(operands=df.outputs))
        op = ops.DataflowOp([v.type for v in df.outputs], Region(df.block))
        try:
            op.verify_()  # only pure ops inside
        except VerifyException as err:
            raise GraphBuildError(f"'graph.dataflow' op {err}") from None
        self._current_block("graph.dataflow").add_op(op)
        df.op = op

    def constant(self, value: object, dtype: object = None) -> SSAValue:
        """`graph.constant` holding `value` (a numpy array or anything `np.asarray` takes).

        The element type is `dtype` if given (e.g. "bf16", which numpy has no dtype for), else
        the array's.
        """
        array = np.asarray(value)
        elem = element_type(dtype if dtype is not None else array.dtype)
        ty = TensorType(elem, list(array.shape))
        if isinstance(elem, IntegerType):
            data: list[int] | list[float] = [int(v) for v in array.ravel().tolist()]
        else:
            data = [float(v) for v in array.ravel().tolist()]
        return self._add(ops.ConstantOp(DenseIntOrFPElementsAttr.from_list(ty, data)))

    def call_tir(self, callee: str, args: Sequence[SSAValue], out_types: Sequence[TypeSpec]
                 ) -> SSAValue | tuple[SSAValue, ...]:
        """`graph.call_tir @callee(args)`; one result per output type (one value, or a tuple).

        The callee is checked when the module is verified (it may be defined later).
        """
        return self._call(ops.CallTIROp, SymbolRefAttr(callee), args, out_types, {})

    def call_lib(self, callee: str, args: Sequence[SSAValue], out_types: Sequence[TypeSpec],
                 pure: bool = False) -> SSAValue | tuple[SSAValue, ...]:
        """`graph.call_lib "callee"(args)`; `pure=True` allows it inside dataflow regions."""
        attrs: dict[str, Attribute] = {"pure": UnitAttr()} if pure else {}
        return self._call(ops.CallLibOp, StringAttr(callee), args, out_types, attrs)

    # --- elementwise ------------------------------------------------------------------------------

    def add(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.AddOp, [a, b])

    def sub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.SubOp, [a, b])

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.MulOp, [a, b])

    def div(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.DivOp, [a, b])

    def max(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.MaxOp, [a, b])

    def min(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.MinOp, [a, b])

    def pow(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.PowOp, [a, b])

    def neg(self, x: SSAValue) -> SSAValue:
        return self._op(ops.NegOp, [x])

    def abs(self, x: SSAValue) -> SSAValue:
        return self._op(ops.AbsOp, [x])

    def exp(self, x: SSAValue) -> SSAValue:
        return self._op(ops.ExpOp, [x])

    def log(self, x: SSAValue) -> SSAValue:
        return self._op(ops.LogOp, [x])

    def sqrt(self, x: SSAValue) -> SSAValue:
        return self._op(ops.SqrtOp, [x])

    def rsqrt(self, x: SSAValue) -> SSAValue:
        return self._op(ops.RsqrtOp, [x])

    def tanh(self, x: SSAValue) -> SSAValue:
        return self._op(ops.TanhOp, [x])

    def sigmoid(self, x: SSAValue) -> SSAValue:
        return self._op(ops.SigmoidOp, [x])

    def relu(self, x: SSAValue) -> SSAValue:
        return self._op(ops.ReluOp, [x])

    def erf(self, x: SSAValue) -> SSAValue:
        return self._op(ops.ErfOp, [x])

    def gelu(self, x: SSAValue) -> SSAValue:
        return self._op(ops.GeluOp, [x])

    def clip(self, x: SSAValue, min: float | None = None, max: float | None = None
             ) -> SSAValue:
        """`graph.clip`; a bound left out is unbounded."""
        attrs: dict[str, Attribute] = {}
        if min is not None:
            attrs["min"] = f32(min)
        if max is not None:
            attrs["max"] = f32(max)
        return self._op(ops.ClipOp, [x], attrs)

    def cast(self, x: SSAValue, dtype: object) -> SSAValue:
        """`graph.cast` to the element type `dtype`, same shape."""
        ty = TensorType(element_type(dtype), list(self._tensor(x, "graph.cast").get_shape()))
        return self._op(ops.CastOp, [x], result_type=ty)

    def where(self, cond: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.WhereOp, [cond, a, b])

    # --- linear algebra and neural-network ops ----------------------------------------------------

    def matmul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self._op(ops.MatmulOp, [a, b])

    def einsum(self, equation: str, *operands: SSAValue) -> SSAValue:
        """`graph.einsum` in numpy's argument order: `b.einsum("ik,kj->ij", a, w)`."""
        return self._op(ops.EinsumOp, list(operands), {"equation": StringAttr(equation)})

    def conv2d(self, x: SSAValue, w: SSAValue, bias: SSAValue | None = None,
               strides: Sequence[int] = (1, 1), padding: Sequence[int] = (0, 0, 0, 0),
               dilations: Sequence[int] = (1, 1), groups: int = 1) -> SSAValue:
        """ONNX Conv on NCHW / OIHW; `padding` is (top, left, bottom, right)."""
        attrs = {"strides": i64_array(strides), "padding": i64_array(padding),
                 "dilations": i64_array(dilations), "groups": i64(groups)}
        operands = [x, w] if bias is None else [x, w, bias]
        return self._op(ops.Conv2dOp, operands, attrs)

    def max_pool2d(self, x: SSAValue, kernel: Sequence[int], strides: Sequence[int] = (1, 1),
                   padding: Sequence[int] = (0, 0, 0, 0), dilations: Sequence[int] | None = None,
                   ceil_mode: bool = False) -> SSAValue:
        attrs = self._pool_attrs(kernel, strides, padding, dilations, ceil_mode)
        return self._op(ops.MaxPool2dOp, [x], attrs)

    def avg_pool2d(self, x: SSAValue, kernel: Sequence[int], strides: Sequence[int] = (1, 1),
                   padding: Sequence[int] = (0, 0, 0, 0), dilations: Sequence[int] | None = None,
                   ceil_mode: bool = False, count_include_pad: bool = False) -> SSAValue:
        attrs = self._pool_attrs(kernel, strides, padding, dilations, ceil_mode)
        if count_include_pad:
            attrs["count_include_pad"] = i64(1)
        return self._op(ops.AvgPool2dOp, [x], attrs)

    def lrn(self, x: SSAValue, size: int, alpha: float = 1e-4, beta: float = 0.75,
            bias: float = 1.0) -> SSAValue:
        attrs = {"size": i64(size), "alpha": f32(alpha), "beta": f32(beta), "bias": f32(bias)}
        return self._op(ops.LrnOp, [x], attrs)

    def softmax(self, x: SSAValue, axis: int = -1) -> SSAValue:
        return self._op(ops.SoftmaxOp, [x], {"axis": i64(axis)})

    def log_softmax(self, x: SSAValue, axis: int = -1) -> SSAValue:
        return self._op(ops.LogSoftmaxOp, [x], {"axis": i64(axis)})

    def layer_norm(self, x: SSAValue, gamma: SSAValue, beta: SSAValue, axis: int = -1,
                   epsilon: float = 1e-5) -> SSAValue:
        attrs = {"axis": i64(axis), "epsilon": f32(epsilon)}
        return self._op(ops.LayerNormOp, [x, gamma, beta], attrs)

    def batch_norm(self, x: SSAValue, scale: SSAValue, bias: SSAValue, mean: SSAValue,
                   var: SSAValue, epsilon: float = 1e-5) -> SSAValue:
        return self._op(ops.BatchNormOp, [x, scale, bias, mean, var], {"epsilon": f32(epsilon)})

    # --- reductions -------------------------------------------------------------------------------

    def reduce_sum(self, x: SSAValue, axes: Sequence[int], keepdims: bool = False) -> SSAValue:
        return self._op(ops.ReduceSumOp, [x], self._reduce_attrs(axes, keepdims))

    def reduce_mean(self, x: SSAValue, axes: Sequence[int], keepdims: bool = False) -> SSAValue:
        return self._op(ops.ReduceMeanOp, [x], self._reduce_attrs(axes, keepdims))

    def reduce_max(self, x: SSAValue, axes: Sequence[int], keepdims: bool = False) -> SSAValue:
        return self._op(ops.ReduceMaxOp, [x], self._reduce_attrs(axes, keepdims))

    def reduce_min(self, x: SSAValue, axes: Sequence[int], keepdims: bool = False) -> SSAValue:
        return self._op(ops.ReduceMinOp, [x], self._reduce_attrs(axes, keepdims))

    # --- shape ops --------------------------------------------------------------------------------

    def reshape(self, x: SSAValue, shape: Sequence[int | str | None]) -> SSAValue:
        """Row-major reshape; as in numpy, one entry may be -1 (inferred from the element
        count), and None or '?' is a dynamic dimension."""
        xt = self._tensor(x, "graph.reshape")
        dims = list(shape)
        if dims.count(-1) > 1:
            raise GraphBuildError(f"'graph.reshape' op at most one -1 in shape {dims}")
        static = [_dim(d) for d in dims if d != -1]
        if -1 in dims:
            inferred = self._inferred_dim(xt, static)
            static.insert(dims.index(-1), inferred)
        ty = TensorType(xt.element_type, static)
        return self._op(ops.ReshapeOp, [x], result_type=ty)

    def transpose(self, x: SSAValue, perm: Sequence[int] | None = None) -> SSAValue:
        """`numpy.transpose`: without `perm`, the axes are reversed."""
        if perm is None:
            perm = list(reversed(range(len(self._tensor(x, "graph.transpose").get_shape()))))
        return self._op(ops.TransposeOp, [x], {"perm": i64_array(perm)})

    def broadcast_to(self, x: SSAValue, shape: Sequence[int | str | None]) -> SSAValue:
        xt = self._tensor(x, "graph.broadcast_to")
        ty = TensorType(xt.element_type, [_dim(d) for d in shape])
        return self._op(ops.BroadcastToOp, [x], result_type=ty)

    def concat(self, values: Sequence[SSAValue], axis: int = 0) -> SSAValue:
        return self._op(ops.ConcatOp, list(values), {"axis": i64(axis)})

    def slice(self, x: SSAValue, starts: Sequence[int], ends: Sequence[int],
              steps: Sequence[int] | None = None) -> SSAValue:
        """Basic slicing, one entry per axis; `steps` defaults to ones."""
        if steps is None:
            steps = [1] * len(starts)
        attrs = {"starts": i64_array(starts), "ends": i64_array(ends), "steps": i64_array(steps)}
        return self._op(ops.SliceOp, [x], attrs)

    def rearrange(self, x: SSAValue, pattern: str) -> SSAValue:
        return self._op(ops.RearrangeOp, [x], {"pattern": StringAttr(pattern)})

    # --- helpers ----------------------------------------------------------------------------------

    def _current_block(self, what: str) -> Block:
        if not self._blocks:
            raise GraphBuildError(f"{what} must be created inside `with b.function(...)`")
        return self._blocks[-1]

    def _add(self, op: Operation) -> SSAValue:
        self._current_block(op.name).add_op(op)
        return op.results[0]

    def _check_operands(self, name: str, values: Sequence[SSAValue]) -> None:
        """Operands must be values of this function, visible at the insertion point."""
        for i, v in enumerate(values):
            if not isinstance(v, SSAValue):
                raise GraphBuildError(
                    f"'{name}' op operand #{i} must be a value built by this builder, got a "
                    f"{type(v).__module__}.{type(v).__qualname__} (use b.constant(...) for data)"
                )
            block = v.owner if isinstance(v, BlockArgument) else v.owner.parent_block()
            if block not in self._blocks:
                raise GraphBuildError(
                    f"'{name}' op operand #{i} is not visible here: it was defined in another "
                    "function or inside a dataflow region (use the region's `df.results`)"
                )

    def _tensor(self, x: SSAValue, name: str) -> TensorType:
        """The type of the single operand `x` (checked to be visible and a ranked tensor)."""
        self._check_operands(name, [x])
        return self._tensor_type(x, 0, name)

    @staticmethod
    def _tensor_type(x: SSAValue, index: int, name: str) -> TensorType:
        if not isinstance(x.type, TensorType):
            raise GraphBuildError(
                f"'{name}' op operand #{index} must be a ranked tensor, got {x.type}"
            )
        return x.type

    def _op(self, cls: type[GraphOp], operands: list[SSAValue],
            attrs: Mapping[str, Attribute] | None = None,
            result_type: TensorType | None = None) -> SSAValue:
        """Create `cls` with its result type inferred (or checked, if given), and insert it."""
        attrs = dict(attrs or {})
        self._check_operands(cls.name, operands)
        types = [self._tensor_type(v, i, cls.name) for i, v in enumerate(operands)]
        try:
            for i, t in enumerate(types):
                check_element_type(t, f"operand #{i}")
            if result_type is None:
                result_type = cls.infer(types, attrs)
            else:
                check_element_type(result_type, "result")
                cls.check(types, result_type, attrs)
        except VerifyException as err:
            raise GraphBuildError(f"'{cls.name}' op {err}") from None
        op = cls.create(operands=operands, result_types=[result_type], attributes=attrs)
        return self._add(op)

    def _call(self, cls: type[ops.CallTIROp | ops.CallLibOp], callee: Attribute,
              args: Sequence[SSAValue], out_types: Sequence[TypeSpec] | TensorType,
              attrs: dict[str, Attribute]) -> SSAValue | tuple[SSAValue, ...]:
        self._check_operands(cls.name, args)
        for i, a in enumerate(args):
            self._tensor_type(a, i, cls.name)
        if isinstance(out_types, TensorType):
            out_types = [out_types]
        results = [tensor_type(t) for t in out_types]
        if not results:
            raise GraphBuildError(f"'{cls.name}' op needs at least one output type")
        op = cls.create(operands=list(args), result_types=results,
                        attributes={"callee": callee, **attrs})
        self._current_block(cls.name).add_op(op)
        return op.results[0] if len(op.results) == 1 else tuple(op.results)

    @staticmethod
    def _pool_attrs(kernel: Sequence[int], strides: Sequence[int], padding: Sequence[int],
                    dilations: Sequence[int] | None, ceil_mode: bool) -> dict[str, Attribute]:
        attrs = {"kernel": i64_array(kernel), "strides": i64_array(strides),
                 "padding": i64_array(padding)}
        if dilations is not None:
            attrs["dilations"] = i64_array(dilations)
        if ceil_mode:
            attrs["ceil_mode"] = i64(1)
        return attrs

    @staticmethod
    def _reduce_attrs(axes: Sequence[int], keepdims: bool) -> dict[str, Attribute]:
        return {"axes": i64_array(axes), "keepdims": i64(int(keepdims))}

    @staticmethod
    def _inferred_dim(x: TensorType, others: list[int]) -> int:
        total = num_elements(tuple(x.get_shape()))
        rest = num_elements(others)
        if total is None or rest is None:
            return DYN
        if rest == 0 or total % rest:
            raise GraphBuildError(
                f"'graph.reshape' op cannot infer -1: {total} elements do not divide into "
                f"blocks of {rest}"
            )
        return total // rest


__all__ = ["Dataflow", "GraphBuildError", "GraphBuilder", "element_type", "tensor_type"]
