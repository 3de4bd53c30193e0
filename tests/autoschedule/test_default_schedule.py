"""Default schedules: every op-library kernel, default-scheduled and compiled, equals the
reference interpreter; the trace replays; the rules picked are the expected ones.

All kernels live in one module, scheduled once and compiled once (compile time dominates).
Shapes are small, with tails (extents that are not multiples of the vector width or of the
register tile), and a few are large enough for the parallel and rfactor paths.
"""

from __future__ import annotations

import numpy as np
import pytest
from xdsl.context import Context
from xdsl.dialects import func
from xdsl.dialects.builtin import MemRefType, ModuleOp, StringAttr

import mlc_dialects as mlc
from dialects.graph.builder import GraphBuilder
from dialects.hw.attrs import TargetAttr
from dialects.tensor import interp
from dialects.tensor.ops import NUM_INPUTS_ATTR
from dialects.tensor.schedule import Schedule
from mlc_dialects import te
from mlc_dialects.autoschedule import BlockKind, Decision, classify, default_schedule
from mlc_dialects.dtypes import numpy_dtype
from mlc_dialects.oplib import elementwise, linalg, nn
from passes.convert_graph_to_tensor import ConvertGraphToTensorPass

F32 = "f32"


def _graph_ops(b: GraphBuilder, args) -> list:
    """One graph op per op family member, on shapes with tails."""
    x, row, y, m1, m2, bm1, bm2, img, w, bias, w2, vec, nchw = args
    return [
        # elementwise, broadcasting, injective
        b.add(x, row), b.sub(x, y), b.mul(x, row), b.div(x, y), b.max(x, y), b.min(x, y),
        b.pow(x, y), b.neg(x), b.abs(x), b.exp(x), b.log(x), b.sqrt(x), b.rsqrt(x),
        b.tanh(x), b.sigmoid(x), b.relu(x), b.erf(x), b.gelu(x), b.clip(x, 0.7, 1.5),
        b.cast(x, "f64"), b.where(b.cast(x, "i1"), x, y),
        # linear algebra
        b.matmul(m1, m2), b.matmul(bm1, bm2), b.matmul(vec, m2),
        b.einsum("ij,jk->ik", m1, m2),
        # neural network
        b.conv2d(img, w, bias, padding=(1, 1, 1, 1)),
        b.conv2d(img, w2, None, strides=(2, 2)),
        b.max_pool2d(img, (3, 3), (2, 2), (1, 1, 1, 1)),
        b.avg_pool2d(img, (2, 2), (2, 2)),
        b.lrn(nchw, 3),
        b.softmax(x), b.log_softmax(x), b.softmax(row, 0),
        b.layer_norm(x, row, row),
        b.batch_norm(nchw, b.slice(vec, [0], [4]), b.slice(vec, [1], [5]),
                     b.slice(vec, [2], [6]), b.slice(vec, [3], [7])),
        # reductions
        b.reduce_sum(x, [0]), b.reduce_mean(x, [1]), b.reduce_max(x, [1], True),
        b.reduce_min(nchw, [1, 2]),
        # shape
        b.reshape(x, [45, 37]), b.transpose(x), b.broadcast_to(row, [3, 37, 45]),
        b.concat([x, y], 1), b.slice(x, [1, 2], [30, 44]),
    ]


ARG_TYPES = [
    ((37, 45), F32), ((45,), F32), ((37, 45), F32),          # x, row, y
    ((37, 29), F32), ((29, 45), F32),                        # m1, m2
    ((3, 17, 20), F32), ((3, 20, 33), F32),                  # bm1, bm2
    ((1, 5, 12, 13), F32), ((12, 5, 3, 3), F32), ((12,), F32),  # img, w, bias
    ((6, 5, 3, 3), F32),                                     # w2
    ((29,), F32), ((2, 4, 6, 7), F32),                       # vec, nchw
]


def _legalized_kernels() -> ModuleOp:
    b = GraphBuilder()
    with b.function("main", ARG_TYPES) as args:
        b.ret(*_graph_ops(b, args))
    module = b.module
    ConvertGraphToTensorPass().apply(Context(), module)
    kernels = [op for op in module.body.block.ops
               if isinstance(op, func.FuncOp) and NUM_INPUTS_ATTR in op.attributes]
    for op in kernels:
        op.detach()
    return ModuleOp(kernels)


def _te_kernels() -> list[ModuleOp]:
    """Fused programs as graph-fuse makes them, and sizes that reach the parallel paths."""
    a = te.placeholder((64, 40), "float32", name="a")
    bb = te.placeholder((40, 48), "float32", name="b")
    bias = te.placeholder((48,), "float32", name="bias")
    mm = linalg.matmul(a, bb)
    mm_bias_relu = te.create_prim_func(
        [a, bb, bias, elementwise.relu(elementwise.add(mm, bias), name="out")])
    x = te.placeholder((260, 130), "float32", name="x")
    big = te.create_prim_func([x, elementwise.relu(elementwise.mul(x, x), name="out")])
    long = te.placeholder((70000,), "float32", name="v")
    flat = te.create_prim_func([long, elementwise.exp(long, name="out")])
    rows = te.placeholder((300, 256), "float32", name="r")
    soft = te.create_prim_func([rows, nn.softmax(rows, -1)])
    h = te.placeholder((24, 24), "float16", name="h")
    half = te.create_prim_func([h, h2 := te.placeholder((24, 40), "float16", name="h2"),
                                linalg.matmul(h, h2)])
    return [("mm_bias_relu", mm_bias_relu), ("big_elementwise", big), ("flat_exp", flat),
            ("softmax_rows", soft), ("matmul_f16", half)]


def _all_kernels() -> ModuleOp:
    module = _legalized_kernels()
    for name, m in _te_kernels():
        function = m.body.block.first_op
        assert isinstance(function, func.FuncOp)
        function.detach()
        function.sym_name = StringAttr(name)
        module.body.block.add_op(function)
    module.verify()
    return module


TARGET = TargetAttr.host(num_threads=4)
"""The host's vector width, and 4 cores so that the parallel decisions do not depend on the
machine the tests run on (the thread count of the compiled code is decided at run time)."""


class Compiled:
    def __init__(self) -> None:
        self.module = _all_kernels()
        self.log: list[Decision] = []
        self.sch = default_schedule(self.module, TARGET, log=self.log)
        self.exe = mlc.compile(self.sch.mod)

    def rules(self, func_name: str) -> dict[str, str]:
        return {d.block: d.rule for d in self.log if d.func_name == func_name}


@pytest.fixture(scope="module")
def compiled() -> Compiled:
    return Compiled()


def _functions(module: ModuleOp) -> list[func.FuncOp]:
    return [op for op in module.body.block.ops if isinstance(op, func.FuncOp)]


def _inputs(function: func.FuncOp, rng: np.random.Generator) -> list[np.ndarray]:
    arrays = []
    for arg in function.body.block.args:
        t = arg.type
        assert isinstance(t, MemRefType)
        dtype = numpy_dtype(t.element_type)
        shape = tuple(t.get_shape())
        if dtype == np.bool_:
            arrays.append(rng.random(shape) < 0.5)
        elif dtype.kind in "iu":
            arrays.append(rng.integers(-5, 6, size=shape).astype(dtype))
        else:  # positive: log, sqrt, pow and divisions stay finite
            arrays.append(rng.uniform(0.5, 2.0, size=shape).astype(dtype))
    return arrays


TOLERANCE = {np.dtype(np.float16): 2e-3, np.dtype(np.float32): 1e-4, np.dtype(np.float64): 1e-9}


def test_every_kernel_compiled_equals_interpreter(compiled: Compiled) -> None:
    rng = np.random.default_rng(0)
    failures = []
    for function in _functions(compiled.module):
        name = function.sym_name.data
        arrays = _inputs(function, rng)
        n_in = function.attributes[NUM_INPUTS_ATTR].value.data  # type: ignore[union-attr]
        want = [a.copy() for a in arrays]
        interp.run(compiled.module, name, want)
        got = [a.copy() for a in arrays]
        for out in got[n_in:]:
            out.fill(0)
        compiled.exe[name](*got)
        for w, g in zip(want[n_in:], got[n_in:], strict=True):
            tol = TOLERANCE.get(w.dtype, 0)
            try:
                np.testing.assert_allclose(g, w, rtol=tol, atol=tol, err_msg=name)
            except AssertionError as err:
                failures.append(f"{name}: {str(err).splitlines()[0:6]}")
    assert not failures, "\n".join(failures)


def test_every_kernel_got_a_rule(compiled: Compiled) -> None:
    scheduled = {d.func_name for d in compiled.log}
    # Kernels too small for a thread launch and without a vectorizable loop keep their loops.
    small = {f.sym_name.data for f in _functions(compiled.module)} - scheduled
    assert len(scheduled) >= 35, sorted(small)


def _replay_subject(compiled: Compiled) -> tuple[ModuleOp, Schedule]:
    """A few representative kernels (replaying clones the module per instruction: keep it
    small), and their default schedule."""
    keep = ["mm_bias_relu", "softmax_rows", "flat_exp"]
    keep += [f.sym_name.data for f in _functions(compiled.module)
             if f.sym_name.data.startswith("conv2d")][:1]
    module = ModuleOp([f.clone() for f in _functions(compiled.module)
                       if f.sym_name.data in keep])
    return module, default_schedule(module, TARGET)


def test_trace_replays(compiled: Compiled) -> None:
    module, sch = _replay_subject(compiled)
    replay = Schedule(module)
    sch.trace.apply_to_schedule(replay)
    assert str(replay.mod) == str(sch.mod)


def test_trace_text_round_trips(compiled: Compiled) -> None:
    from dialects.tensor.schedule import Trace

    module, sch = _replay_subject(compiled)
    replay = Schedule(module)
    Trace.parse(str(sch.trace)).apply_to_schedule(replay)
    assert str(replay.mod) == str(sch.mod)
    # The same functions scheduled inside the big module: the same result.
    for function in _functions(sch.mod):
        name = function.sym_name.data
        big = next(f for f in _functions(compiled.sch.mod) if f.sym_name.data == name)
        assert str(big) == str(function)


# --------------------------------------------------------------------------- rules picked


def _loop_kinds(sch: Schedule, func_name: str) -> list[str]:
    from dialects.loops.ops import ForOp
    from dialects.tensor.schedule import analysis

    function = analysis.find_function(sch.mod, func_name)
    assert function is not None
    return [op.kind_name for op in function.walk() if isinstance(op, ForOp)]


def test_matmul_is_tiled(compiled: Compiled) -> None:
    rules = compiled.rules("mm_bias_relu")
    assert rules == {"add": "auto_inline", "relu": "auto_inline",
                     "matmul": "multi_level_tiling"} or rules.get("matmul") == "multi_level_tiling"
    kinds = _loop_kinds(compiled.sch, "mm_bias_relu")
    assert kinds.count("parallel") == 1
    assert "unrolled" in kinds and kinds.count("vectorized") == 3  # init, update, write-back
    text = str(compiled.sch.mod)
    assert 'tensor.storage_scope = "local"' in text
    # The epilogue (bias + relu) went into the tile's write-back: no separate nest for it.
    assert '"out"' not in text.split("func.func @mm_bias_relu")[1].split("func.func")[0]


def test_conv_is_tiled(compiled: Compiled) -> None:
    conv = [d for d in compiled.log if d.block.startswith("conv2d")]
    assert any(d.rule == "multi_level_tiling" for d in conv), conv


def test_elementwise_is_parallel_and_vectorized(compiled: Compiled) -> None:
    assert compiled.rules("big_elementwise") == {
        "mul": "auto_inline", "out": "parallelize_vectorize_unroll"}
    assert _loop_kinds(compiled.sch, "big_elementwise") == ["parallel", "vectorized"]
    # One long loop: split into parallel chunks of vectors.
    assert _loop_kinds(compiled.sch, "flat_exp") == ["parallel", "vectorized"]


def test_reduction_rows_are_parallel(compiled: Compiled) -> None:
    rules = compiled.rules("softmax_rows")
    assert rules["max"] == rules["sum"] == "add_rfactor", rules
    assert rules["softmax"] == "parallelize_vectorize_unroll"
    kinds = _loop_kinds(compiled.sch, "softmax_rows")
    assert kinds.count("parallel") == 4


def test_classification() -> None:
    a = te.placeholder((8, 5), "float32", name="a")
    b = te.placeholder((5, 6), "float32", name="b")
    module = te.create_prim_func([a, b, linalg.matmul(a, b)])
    sch = Schedule(module)
    info = classify(sch.get(sch.get_block("matmul")))  # type: ignore[arg-type]
    assert info.kind is BlockKind.MATMUL and (info.row, info.col) == (0, 1)
    x = te.placeholder((1, 2, 6, 6), "float32", name="x")
    w = te.placeholder((3, 2, 3, 3), "float32", name="w")
    sch = Schedule(te.create_prim_func([x, w, nn.conv2d(x, w)]))
    info = classify(sch.get(sch.get_block("conv2d")))  # type: ignore[arg-type]
    assert info.kind is BlockKind.CONV and (info.row, info.col) == (1, 3)
    sch = Schedule(te.create_prim_func([a, nn.softmax(a, -1)]))
    assert classify(sch.get(sch.get_block("max"))).kind is BlockKind.REDUCTION  # type: ignore[arg-type]
    assert classify(sch.get(sch.get_block("exp"))).kind is BlockKind.INJECTIVE  # type: ignore[arg-type]


def test_failing_rule_leaves_block_alone() -> None:
    """A block scheduled by hand (non-trivial loops) is not re-tiled; the rest still is."""
    a = te.placeholder((64, 64), "float32", name="a")
    b = te.placeholder((64, 64), "float32", name="b")
    sch = Schedule(te.create_prim_func([a, b, linalg.matmul(a, b)]))
    i, _, _ = sch.get_loops(sch.get_block("matmul"))
    sch.split(i, [None, 3])  # imperfect: a predicate, which the tiling rule refuses
    log: list[Decision] = []
    scheduled = default_schedule(sch, TARGET, log=log)
    assert all(d.rule != "multi_level_tiling" for d in log)
    rng = np.random.default_rng(1)
    x, y = rng.standard_normal((64, 64), dtype=np.float32), rng.standard_normal(
        (64, 64), dtype=np.float32)
    out = np.zeros((64, 64), np.float32)
    interp.run(scheduled.mod, "main", [x, y, out])
    np.testing.assert_allclose(out, x @ y, rtol=1e-4, atol=1e-4)
