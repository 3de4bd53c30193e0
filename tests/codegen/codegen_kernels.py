"""Kernels in upstream IR (scf, arith, math, memref, vector) used by the codegen tests and the
benchmark, as text generators over their sizes."""

from __future__ import annotations

import numpy as np

from mlc_dialects.api import parse
from mlc_dialects.codegen import compile_module
from mlc_dialects.codegen.executable import Executable

LANES = 16
"""f32 lanes of the vector kernels: one AVX-512 register."""


def compile_text(text: str) -> Executable:
    return compile_module(parse(text))


def rand(*shape: int, dtype: type = np.float32, seed: int = 0) -> np.ndarray:
    return np.random.default_rng(seed).standard_normal(shape).astype(dtype)


def _consts(*values: int) -> str:
    return "\n".join(f"  %c{v} = arith.constant {v} : index" for v in sorted(set(values)))


def matmul_ijk(m: int, n: int, k: int) -> str:
    """C = A @ B, dot-product order, the reduction carried in iter_args."""
    return f"""
func.func @matmul(%A: memref<{m}x{k}xf32> {{llvm.noalias}}, %B: memref<{k}x{n}xf32> {{llvm.noalias}},
                  %C: memref<{m}x{n}xf32> {{llvm.noalias}}) {{
{_consts(0, 1, m, n, k)}
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c{m} step %c1 {{
    scf.for %j = %c0 to %c{n} step %c1 {{
      %sum = scf.for %p = %c0 to %c{k} step %c1 iter_args(%acc = %zero) -> (f32) {{
        %a = memref.load %A[%i, %p] : memref<{m}x{k}xf32>
        %b = memref.load %B[%p, %j] : memref<{k}x{n}xf32>
        %t = arith.mulf %a, %b : f32
        %s = arith.addf %acc, %t : f32
        scf.yield %s : f32
      }}
      memref.store %sum, %C[%i, %j] : memref<{m}x{n}xf32>
    }}
  }}
  func.return
}}
"""


def matmul_ikj(m: int, n: int, k: int) -> str:
    """C = A @ B, row-update order (C zeroed first), scalar code."""
    return f"""
func.func @matmul(%A: memref<{m}x{k}xf32> {{llvm.noalias}}, %B: memref<{k}x{n}xf32> {{llvm.noalias}},
                  %C: memref<{m}x{n}xf32> {{llvm.noalias}}) {{
{_consts(0, 1, m, n, k)}
  %zero = arith.constant 0.0 : f32
  scf.for %i = %c0 to %c{m} step %c1 {{
    scf.for %j = %c0 to %c{n} step %c1 {{
      memref.store %zero, %C[%i, %j] : memref<{m}x{n}xf32>
    }}
    scf.for %p = %c0 to %c{k} step %c1 {{
      %a = memref.load %A[%i, %p] : memref<{m}x{k}xf32>
      scf.for %j = %c0 to %c{n} step %c1 {{
        %b = memref.load %B[%p, %j] : memref<{k}x{n}xf32>
        %c = memref.load %C[%i, %j] : memref<{m}x{n}xf32>
        %t = arith.mulf %a, %b : f32
        %s = arith.addf %c, %t : f32
        memref.store %s, %C[%i, %j] : memref<{m}x{n}xf32>
      }}
    }}
  }}
  func.return
}}
"""


def matmul_ikj_vector(m: int, n: int, k: int, lanes: int = LANES) -> str:
    """ikj with vector<lanes x f32> loads, broadcast and fma over j, and a scalar tail."""
    nv = n - n % lanes
    vt = f"vector<{lanes}xf32>"
    ct, at, bt = f"memref<{m}x{n}xf32>", f"memref<{m}x{k}xf32>", f"memref<{k}x{n}xf32>"
    return f"""
func.func @matmul(%A: {at} {{llvm.noalias}}, %B: {bt} {{llvm.noalias}}, %C: {ct} {{llvm.noalias}}) {{
{_consts(0, 1, lanes, m, n, k, nv)}
  %zero = arith.constant 0.0 : f32
  %zv = arith.constant dense<0.0> : {vt}
  scf.for %i = %c0 to %c{m} step %c1 {{
    scf.for %j = %c0 to %c{nv} step %c{lanes} {{
      vector.store %zv, %C[%i, %j] : {ct}, {vt}
    }}
    scf.for %j = %c{nv} to %c{n} step %c1 {{
      memref.store %zero, %C[%i, %j] : {ct}
    }}
    scf.for %p = %c0 to %c{k} step %c1 {{
      %a = memref.load %A[%i, %p] : {at}
      %av = vector.broadcast %a : f32 to {vt}
      scf.for %j = %c0 to %c{nv} step %c{lanes} {{
        %b = vector.load %B[%p, %j] : {bt}, {vt}
        %c = vector.load %C[%i, %j] : {ct}, {vt}
        %r = vector.fma %av, %b, %c : {vt}
        vector.store %r, %C[%i, %j] : {ct}, {vt}
      }}
      scf.for %j = %c{nv} to %c{n} step %c1 {{
        %b = memref.load %B[%p, %j] : {bt}
        %c = memref.load %C[%i, %j] : {ct}
        %r = math.fma %a, %b, %c : f32
        memref.store %r, %C[%i, %j] : {ct}
      }}
    }}
  }}
  func.return
}}
"""


def unary_map(op: str, n: int, lanes: int = LANES) -> str:
    """Y = op(X) elementwise on f32[n]: vector body of `lanes`, scalar tail."""
    nv = n - n % lanes
    vt = f"vector<{lanes}xf32>"
    mt = f"memref<{n}xf32>"
    return f"""
func.func @map(%X: {mt}, %Y: {mt}) {{
{_consts(0, 1, lanes, n, nv)}
  scf.for %i = %c0 to %c{nv} step %c{lanes} {{
    %x = vector.load %X[%i] : {mt}, {vt}
    %y = {op} %x : {vt}
    vector.store %y, %Y[%i] : {mt}, {vt}
  }}
  scf.for %i = %c{nv} to %c{n} step %c1 {{
    %x = memref.load %X[%i] : {mt}
    %y = {op} %x : f32
    memref.store %y, %Y[%i] : {mt}
  }}
  func.return
}}
"""


def vector_sum(n: int, lanes: int = LANES) -> str:
    """sum(X) returned as f32: vector partial sums in iter_args, reduction, scalar tail."""
    nv = n - n % lanes
    vt = f"vector<{lanes}xf32>"
    mt = f"memref<{n}xf32>"
    return f"""
func.func @sum(%X: {mt}) -> f32 {{
{_consts(0, 1, lanes, n, nv)}
  %zv = arith.constant dense<0.0> : {vt}
  %part = scf.for %i = %c0 to %c{nv} step %c{lanes} iter_args(%acc = %zv) -> ({vt}) {{
    %x = vector.load %X[%i] : {mt}, {vt}
    %s = arith.addf %acc, %x : {vt}
    scf.yield %s : {vt}
  }}
  %head = vector.reduction <add>, %part : {vt} into f32
  %total = scf.for %i = %c{nv} to %c{n} step %c1 iter_args(%acc = %head) -> (f32) {{
    %x = memref.load %X[%i] : {mt}
    %s = arith.addf %acc, %x : f32
    scf.yield %s : f32
  }}
  func.return %total : f32
}}
"""
