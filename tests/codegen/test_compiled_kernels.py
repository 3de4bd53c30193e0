"""Kernels in scf/arith/math/memref/vector IR, compiled with the LLVM backend and run on random
inputs, equal numpy. Sizes are not multiples of the vector width so every tail runs."""

from __future__ import annotations

import math

import numpy as np
import pytest
from codegen_kernels import (
    compile_text,
    matmul_ijk,
    matmul_ikj,
    matmul_ikj_vector,
    rand,
    unary_map,
    vector_sum,
)

M, N, K = 13, 37, 19


@pytest.mark.parametrize("kernel", [matmul_ijk, matmul_ikj, matmul_ikj_vector])
def test_matmul(kernel) -> None:
    exe = compile_text(kernel(M, N, K))
    a, b = rand(M, K, seed=1), rand(K, N, seed=2)
    c = np.full((M, N), np.nan, np.float32)
    assert exe["matmul"](a, b, c) is None
    np.testing.assert_allclose(c, a @ b, rtol=1e-5, atol=1e-5)


_ERF = np.vectorize(math.erf)
_MATH = {
    "math.exp": np.exp, "math.tanh": np.tanh, "math.erf": _ERF, "math.absf": np.abs,
    "math.floor": np.floor, "math.ceil": np.ceil, "math.sin": np.sin, "math.cos": np.cos,
    "math.log": lambda x: np.log(np.abs(x)), "math.sqrt": lambda x: np.sqrt(np.abs(x)),
    "math.rsqrt": lambda x: 1 / np.sqrt(np.abs(x)), "arith.negf": np.negative,
    "math.log1p": lambda x: np.log1p(np.abs(x)),
}


@pytest.mark.parametrize("op", sorted(_MATH))
def test_elementwise_math(op: str) -> None:
    n = 2 * 16 + 7
    x = rand(n, seed=3)
    if op in ("math.log", "math.sqrt", "math.rsqrt", "math.log1p"):
        x = np.abs(x) + np.float32(0.1)
    y = np.zeros_like(x)
    compile_text(unary_map(op, n))["map"](x, y)
    np.testing.assert_allclose(y, _MATH[op](x.astype(np.float64)), rtol=2e-6, atol=1e-6)


def test_reduction_with_iter_args() -> None:
    x = rand(16 * 5 + 3, seed=4)
    total = compile_text(vector_sum(x.size))["sum"](x)
    assert total == pytest.approx(float(x.astype(np.float64).sum()), rel=1e-5, abs=1e-4)


def test_integer_ops() -> None:
    text = """
func.func @ints(%A: memref<29xi32>, %B: memref<29xi32>, %O: memref<8x29xi32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c29 = arith.constant 29 : index
  %r0 = arith.constant 0 : index
  %r1 = arith.constant 1 : index
  %r2 = arith.constant 2 : index
  %r3 = arith.constant 3 : index
  %r4 = arith.constant 4 : index
  %r5 = arith.constant 5 : index
  %r6 = arith.constant 6 : index
  %r7 = arith.constant 7 : index
  %two = arith.constant 2 : i32
  scf.for %i = %c0 to %c29 step %c1 {
    %a = memref.load %A[%i] : memref<29xi32>
    %b = memref.load %B[%i] : memref<29xi32>
    %m = arith.muli %a, %b : i32
    %s = arith.addi %m, %a : i32
    %sh = arith.shrsi %s, %two : i32
    memref.store %sh, %O[%r0, %i] : memref<8x29xi32>
    %x = arith.xori %a, %b : i32
    memref.store %x, %O[%r1, %i] : memref<8x29xi32>
    %d = arith.divsi %a, %b : i32
    memref.store %d, %O[%r2, %i] : memref<8x29xi32>
    %r = arith.remsi %a, %b : i32
    memref.store %r, %O[%r3, %i] : memref<8x29xi32>
    %mx = arith.maxsi %a, %b : i32
    memref.store %mx, %O[%r4, %i] : memref<8x29xi32>
    %mn = arith.minsi %a, %b : i32
    memref.store %mn, %O[%r5, %i] : memref<8x29xi32>
    %fd = arith.floordivsi %a, %b : i32
    memref.store %fd, %O[%r6, %i] : memref<8x29xi32>
    %cd = arith.ceildivsi %a, %b : i32
    memref.store %cd, %O[%r7, %i] : memref<8x29xi32>
  }
  func.return
}
"""
    rng = np.random.default_rng(5)
    a = rng.integers(-1000, 1000, 29).astype(np.int32)
    b = rng.integers(1, 50, 29).astype(np.int32) * rng.choice([-1, 1], 29).astype(np.int32)
    out = np.zeros((8, 29), np.int32)
    compile_text(text)["ints"](a, b, out)
    trunc_div = np.trunc(a / b).astype(np.int32)
    expected = [(a * b + a) >> 2, a ^ b, trunc_div, a - trunc_div * b, np.maximum(a, b),
                np.minimum(a, b), np.floor_divide(a, b), -np.floor_divide(-a, b)]
    np.testing.assert_array_equal(out, np.stack(expected))


def test_casts() -> None:
    text = """
func.func @casts(%X: memref<23xf32>, %I: memref<23xi32>, %F: memref<23xf32>,
                 %D: memref<23xf64>, %U: memref<23xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c23 = arith.constant 23 : index
  scf.for %i = %c0 to %c23 step %c1 {
    %x = memref.load %X[%i] : memref<23xf32>
    %n = arith.fptosi %x : f32 to i32
    memref.store %n, %I[%i] : memref<23xi32>
    %f = arith.sitofp %n : i32 to f32
    memref.store %f, %F[%i] : memref<23xf32>
    %d = arith.extf %x : f32 to f64
    %d2 = arith.mulf %d, %d : f64
    memref.store %d2, %D[%i] : memref<23xf64>
    %ii = arith.index_cast %i : index to i64
    %u = arith.uitofp %ii : i64 to f32
    %h = arith.truncf %d2 : f64 to f32
    %uh = arith.addf %u, %h : f32
    memref.store %uh, %U[%i] : memref<23xf32>
  }
  func.return
}
"""
    x = rand(23, seed=6) * 100
    i, f, u = np.zeros(23, np.int32), np.zeros(23, np.float32), np.zeros(23, np.float32)
    d = np.zeros(23, np.float64)
    compile_text(text)["casts"](x, i, f, d, u)
    np.testing.assert_array_equal(i, np.trunc(x).astype(np.int32))
    np.testing.assert_array_equal(f, i.astype(np.float32))
    np.testing.assert_array_equal(d, x.astype(np.float64) ** 2)
    np.testing.assert_array_equal(u, np.arange(23, dtype=np.float32) + d.astype(np.float32))


def test_scf_if_and_alloc_of_a_temporary() -> None:
    text = """
func.func @relu_twice(%X: memref<4x9xf32>, %Y: memref<4x9xf32>) {
  %c0 = arith.constant 0 : index
  %c1 = arith.constant 1 : index
  %c4 = arith.constant 4 : index
  %c9 = arith.constant 9 : index
  %zero = arith.constant 0.0 : f32
  %two = arith.constant 2.0 : f32
  %T = memref.alloc() : memref<4x9xf32>
  %S = memref.alloca() : memref<9xf32>
  scf.for %i = %c0 to %c4 step %c1 {
    scf.for %j = %c0 to %c9 step %c1 {
      %x = memref.load %X[%i, %j] : memref<4x9xf32>
      %pos = arith.cmpf ogt, %x, %zero : f32
      %r = scf.if %pos -> (f32) {
        scf.yield %x : f32
      } else {
        scf.yield %zero : f32
      }
      memref.store %r, %S[%j] : memref<9xf32>
      %s = memref.load %S[%j] : memref<9xf32>
      %t = arith.mulf %s, %two : f32
      memref.store %t, %T[%i, %j] : memref<4x9xf32>
    }
  }
  "memref.copy"(%T, %Y) : (memref<4x9xf32>, memref<4x9xf32>) -> ()
  memref.dealloc %T : memref<4x9xf32>
  func.return
}
"""
    x = rand(4, 9, seed=7)
    y = np.zeros_like(x)
    compile_text(text)["relu_twice"](x, y)
    np.testing.assert_array_equal(y, np.maximum(x, 0) * 2)


def test_cf_branches_calls_and_libm() -> None:
    text = """
func.func private @expf(f32) -> f32
func.func private @half(%x: f32) -> f32 {
  %h = arith.constant 0.5 : f32
  %y = arith.mulf %x, %h : f32
  func.return %y : f32
}
func.func @pick(%x: f32, %n: i32) -> f32 {
  %zero = arith.constant 0 : i32
  %neg = arith.cmpi slt, %n, %zero : i32
  cf.cond_br %neg, ^small(%x : f32), ^big
^small(%v: f32):
  %e = func.call @expf(%v) : (f32) -> f32
  cf.br ^done(%e : f32)
^big:
  %h = func.call @half(%x) : (f32) -> f32
  cf.br ^done(%h : f32)
^done(%r: f32):
  func.return %r : f32
}
"""
    pick = compile_text(text)["pick"]
    assert pick(1.5, -1) == pytest.approx(math.exp(1.5), rel=1e-6)
    assert pick(1.5, 3) == 0.75
