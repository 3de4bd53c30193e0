"""Loops over bool (i1) buffers: numpy stores one byte per element, so they must stay scalar
(LLVM's vector<Nxi1> loads are bit-packed); compiled code equals numpy."""

from __future__ import annotations

import numpy as np

import mlc_dialects as mlc
from mlc_dialects import te


def test_vectorized_where_on_a_bool_mask_equals_numpy() -> None:
    n = 37
    c = te.placeholder((n,), "bool", name="c")
    a = te.placeholder((n,), "float32", name="a")
    b = te.placeholder((n,), "float32", name="b")
    w = te.compute((n,), lambda i: te.if_then_else(c[i], a[i], b[i]), name="w")
    m = te.compute((n,), lambda i: a[i] > b[i], name="m")
    sch = mlc.Schedule(te.create_prim_func([c, a, b, w, m]))
    for name in ("w", "m"):
        sch.vectorize(sch.get_loops(sch.get_block(name))[0])
    exe = mlc.compile(sch.mod)
    rng = np.random.default_rng(0)
    cv = rng.random(n) < 0.5
    av = rng.standard_normal(n).astype(np.float32)
    bv = rng.standard_normal(n).astype(np.float32)
    wv = np.zeros(n, np.float32)
    mv = np.zeros(n, np.bool_)
    exe["main"](cv, av, bv, wv, mv)
    np.testing.assert_array_equal(wv, np.where(cv, av, bv))
    np.testing.assert_array_equal(mv, av > bv)
