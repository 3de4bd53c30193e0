"""Fit the polynomial coefficients of `passes/lower_math_to_polynomials.py` (not a test).

    python scripts/fit_math_polynomials.py

Each fit is weighted least squares on 4000 Chebyshev nodes, refined toward minimax of the
weighted (relative) error with Lawson iterations, in float64. Prints the coefficients (lowest
degree first) and the max error of a float32 Horner evaluation in ulp; the pass's tests
measure the compiled code (tests/codegen/test_vector_math.py).
"""

from __future__ import annotations

import math
from collections.abc import Callable

import numpy as np

erf = np.vectorize(math.erf)
erfc = np.vectorize(math.erfc)
Fn = Callable[[np.ndarray], np.ndarray]


def fit(f: Fn, lo: float, hi: float, degree: int, weight: Fn | None = None, shift: float = 0.0,
        iterations: int = 30) -> tuple[np.ndarray, float]:
    """Coefficients of p(x - shift) ~ f(x) on [lo, hi], minimizing max |p - f| * weight."""
    x = np.cos(np.linspace(0, np.pi, 4000)) * (hi - lo) / 2 + (hi + lo) / 2
    y = f(x)
    w = np.ones_like(x) if weight is None else weight(x)
    lawson = w.copy()
    vander = np.vander(x - shift, degree + 1, increasing=True)
    err = np.zeros_like(x)
    for _ in range(iterations):
        c, *_ = np.linalg.lstsq(vander * lawson[:, None], y * lawson, rcond=None)
        err = np.abs(vander @ c - y) * w
        lawson = lawson * (err / err.max()) ** 0.5 + 1e-12
    return c, float(err.max())


def horner32(c: np.ndarray, x: np.ndarray) -> np.ndarray:
    acc = np.float32(c[-1])
    for k in c[-2::-1]:
        acc = (acc * x).astype(np.float32) + np.float32(k)
    return np.asarray(acc, np.float32)


def ulp(got: np.ndarray, want: np.ndarray) -> float:
    spacing = np.spacing(np.abs(want.astype(np.float32))).astype(np.float64)
    return float(np.max(np.abs(got.astype(np.float64) - want) / spacing))


def main() -> None:
    half_ln2 = math.log(2) / 2
    q, _ = fit(lambda r: (np.expm1(r) - r) / (r * r), -half_ln2, half_ln2, 4,
               weight=lambda r: r * r / np.exp(r))
    r = np.linspace(-half_ln2, half_ln2, 100001).astype(np.float32)
    r = r[r != 0]
    got = np.float32(1) + r + (r * r).astype(np.float32) * horner32(q, r)
    print("EXP_Q", q.tolist(), "ulp", ulp(got, np.exp(r.astype(np.float64))))

    lo, hi = math.sqrt(0.5) - 1, math.sqrt(2) - 1
    p, _ = fit(lambda f: (np.log1p(f) - f + f * f / 2) / f**3, lo, hi, 8,
               weight=lambda f: np.abs(f**3 / np.log1p(f)))
    f = np.linspace(lo, hi, 100001).astype(np.float32)
    f = f[f != 0]
    z = (f * f).astype(np.float32)
    got = f + (np.float32(-0.5) * z + (z * f).astype(np.float32) * horner32(p, f))
    print("LOG_P", p.tolist(), "ulp", ulp(got, np.log1p(f.astype(np.float64))))

    p, _ = fit(lambda z: (np.tanh(np.sqrt(z)) - np.sqrt(z)) / z**1.5, 1e-6, 0.625**2, 4,
               weight=lambda z: z**1.5 / np.tanh(np.sqrt(z)))
    x = np.linspace(1e-4, 0.625, 100001).astype(np.float32)
    z = (x * x).astype(np.float32)
    got = x + (x * z).astype(np.float32) * horner32(p, z)
    print("TANH_P", p.tolist(), "ulp", ulp(got, np.tanh(x.astype(np.float64))))

    small = 0.921875
    p, _ = fit(lambda z: erf(np.sqrt(z)) / np.sqrt(z), 1e-8, small**2, 6)
    x = np.linspace(1e-4, small, 100001).astype(np.float32)
    got = (x * horner32(p, (x * x).astype(np.float32))).astype(np.float32)
    print("ERF_P", p.tolist(), "ulp", ulp(got, erf(x.astype(np.float64))))

    p, _ = fit(lambda a: erfc(a) * np.exp(a * a), small, 4.0, 9, shift=2.0, weight=erfc)
    a = np.linspace(small, 4, 100001).astype(np.float32)
    e = np.exp(-(a.astype(np.float64) ** 2)).astype(np.float32)
    got = np.float32(1) - (e * horner32(p, (a - np.float32(2)).astype(np.float32)))
    print("ERFC_R", p.tolist(), "ulp", ulp(got.astype(np.float32), erf(a.astype(np.float64))))


if __name__ == "__main__":
    main()
