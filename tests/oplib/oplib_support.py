"""Helpers of the op-library tests: build a graph, legalize it, run both, compare.

`check(build, arrays)` builds `@main` from `build(b, *args)` with the arrays' types, runs the
graph interpreter on it (the oracle), runs `convert-graph-to-tensor` on a copy and interprets
that (call_tir runs through the tensor interpreter), and compares: exactly for integers,
booleans and ops whose float results are bit-exact, within a tolerance per float dtype for ops
that round differently (reduction order, transcendental functions).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import ModuleOp
from xdsl.traits import SymbolTable

from dialects.graph.builder import GraphBuilder
from dialects.graph.interp import interpret
from dialects.graph.ops import CallTIROp
from dialects.tensor import interp as tensor_interp
from mlc_dialects.dtypes import numpy_dtype
from passes.convert_graph_to_tensor import ConvertGraphToTensorPass

NAMES = {np.dtype(np.float16): "f16", np.dtype(np.float32): "f32", np.dtype(np.float64): "f64",
         np.dtype(np.int8): "i8", np.dtype(np.int16): "i16", np.dtype(np.int32): "i32",
         np.dtype(np.int64): "i64", np.dtype(np.bool_): "i1"}

TOLERANCE = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 2e-5, np.dtype(np.float64): 1e-12}


def build_module(build: Callable[..., object], types: Sequence[tuple[tuple[int, ...], str]]
                 ) -> ModuleOp:
    b = GraphBuilder()
    with b.function("main", list(types)) as args:
        out = build(b, *args)
        b.ret(*(out if isinstance(out, tuple) else (out,)))
    b.module.verify()
    return b.module


def legalized(module: ModuleOp) -> ModuleOp:
    copy = module.clone()
    ConvertGraphToTensorPass().apply(Context(), copy)
    copy.verify()
    return copy


def random_array(rng: np.random.Generator, shape: tuple[int, ...], dtype: object,
                 low: float = -3.0, high: float = 3.0) -> np.ndarray:
    dt = np.dtype(dtype)
    if dt == np.bool_:
        return rng.random(shape) < 0.5
    if dt.kind == "i":
        return rng.integers(int(low) * 3, int(high) * 3 + 1, size=shape).astype(dt)
    return rng.uniform(low, high, size=shape).astype(dt)


def compare(got: np.ndarray, want: np.ndarray, exact: bool, what: str = "") -> None:
    assert got.dtype == want.dtype, f"{what}: dtype {got.dtype} != {want.dtype}"
    assert got.shape == want.shape, f"{what}: shape {got.shape} != {want.shape}"
    if exact or want.dtype.kind in "ib":
        np.testing.assert_array_equal(got, want, err_msg=what)
        return
    tol = TOLERANCE[want.dtype]
    np.testing.assert_allclose(got.astype(np.float64), want.astype(np.float64), rtol=tol,
                               atol=tol, equal_nan=True, err_msg=what)


def run_calls(module: ModuleOp, arrays: Sequence[np.ndarray]) -> tuple[np.ndarray, ...]:
    """Run @main of a legalized module holding only call_tir ops, each kernel through the
    tensor interpreter directly.

    The graph interpreter's call_tir passes `np.ascontiguousarray(a)`, which turns 0-d arrays
    into shape (1,) (numpy's documented ndim >= 1), so it cannot run kernels with 0-d
    operands; this runner keeps shapes (reported to the lead; see test_legalize.py).
    """
    main = SymbolTable.lookup_symbol(module, "main")
    assert isinstance(main, func.FuncOp)
    values = dict(zip(main.body.block.args, arrays, strict=True))
    for op in main.body.block.ops:
        if isinstance(op, func.ReturnOp):
            return tuple(values[v] for v in op.arguments)
        assert isinstance(op, CallTIROp), f"unexpected {op.name}"
        outs = [np.empty(tuple(r.type.get_shape()), dtype=numpy_dtype(r.type.element_type))
                for r in op.results]
        inputs = [np.array(values[a], copy=True, order="C") for a in op.args]
        tensor_interp.run(module, op.callee.root_reference.data, [*inputs, *outs])
        values.update(zip(op.results, outs, strict=True))
    raise AssertionError("no func.return")


def check(build: Callable[..., object], arrays: Sequence[np.ndarray], exact: bool = False
          ) -> ModuleOp:
    """Legalized graph == graph interpreter on `arrays`; returns the legalized module.

    Kernels run directly through the tensor interpreter and, unless a tensor is 0-d (see
    `run_calls`), also through the graph interpreter's call_tir.
    """
    arrays = [np.asarray(a) for a in arrays]
    types = [(a.shape, NAMES[a.dtype]) for a in arrays]
    module = build_module(build, types)
    want = interpret(module, "main", *arrays)
    if not isinstance(want, tuple):
        want = (want,)
    lowered = legalized(module)
    routes = [run_calls(lowered, arrays)]
    if not _has_scalar_tensors(lowered):
        got = interpret(lowered, "main", *arrays)
        routes.append(got if isinstance(got, tuple) else (got,))
    for got in routes:
        for k, (g, w) in enumerate(zip(got, want, strict=True)):
            compare(g, w, exact, f"result #{k}")
    return lowered


def _has_scalar_tensors(module: ModuleOp) -> bool:
    return any(isinstance(op, CallTIROp) and any(v.type.get_shape() == () for v in
                                                 (*op.args, *op.res))
               for op in module.walk())
