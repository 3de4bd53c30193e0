"""lower-math-to-polynomials: f32 `math.exp/log/tanh/erf` -> inline polynomial code.

LLVM has no vector libm here: `llvm.exp.v16f32` becomes sixteen `expf` calls, `math.erf` a
libm call per lane. This pass expands the four transcendental functions that softmax, gelu,
sigmoid, tanh and layer norm spend their time in into `arith`/`math` code that stays vector
code (range reduction, a polynomial by Horner's rule with `math.fma`, exponent bit
manipulation), in the spirit of MLIR's `math-polynomial-approximation`. Vector compares,
selects and float<->int casts, which xDSL 0.74's `arith` rejects on vectors, are
`hw.vcmpf`/`hw.vselect`/`hw.vcast` (lowered by `convert-hw-to-llvm`); on scalars `arith`.

Input: any `math.exp`, `math.log`, `math.tanh`, `math.erf`. Output: those on `f32` and
`vector<N x f32>` replaced (on scalars only with `scalar=true`, the default); f64 and other
types untouched, for `convert-math-to-llvm` (libm). Fastmath flags are not needed: the
expansion is accurate without them.

Accuracy (measured by tests/codegen/test_vector_math.py over dense sweeps against float64
numpy/`math`, in units in the last place of the f32 result): exp <= 1.5 ulp; log <= 1.5
ulp; tanh <= 2.5 ulp; erf <= 3 ulp. Special values as libm: NaN in -> NaN out,
exp(+-inf) = inf/0, exp overflows to inf above ~88.72 and goes through the denormals to 0
below ~-103.9; log(0) = -inf, log(x<0) = NaN, log(inf) = inf, log of a denormal is exact to
the same ulp bound; tanh(+-inf) = +-1, erf(+-inf) = +-1; tanh(-0) = erf(-0) = -0.

The methods (coefficients: weighted least-squares fits refined toward minimax with Lawson
iterations in float64, `scripts/fit_math_polynomials.py`):
- exp(x): k = roundeven(x log2 e), r = x - k ln2 (two fma steps, Cody-Waite), e^r =
  1 + r + r^2 q(r) with q of degree 4 on [-ln2/2, ln2/2], times 2^k built in the exponent
  bits as 2^(k>>1) * 2^(k-(k>>1)) so that k in [-150, 128] (results from denormals to inf)
  needs no special case; x is clamped to [-104, 88.76] first.
- log(x): x = m 2^e with m in [sqrt(1/2), sqrt(2)) from the bits (denormals scaled by 2^23
  first), f = m - 1, log1p(f) = f - f^2/2 + f^3 p(f) with p of degree 8, plus e ln2 (ln2 in
  two parts).
- tanh(x): x + x^3 p(x^2) (degree 4) for |x| < 0.625, else sign(x) (1 - 2 / (e^(2|x|) + 1))
  with |x| clamped to 10 (where tanh is 1 in f32).
- erf(x): x p(x^2) (degree 6) for |x| < 0.921875, else sign(x) (1 - e^(-x^2) R(|x|)) with R,
  degree 9 in |x| - 2, fitted to erfc(a) e^(a^2) on [0.921875, 4], |x| clamped to 4 (where
  erf is 1 in f32).
Both branches of tanh and erf are computed and one is selected per lane.

Before:
    %y = math.exp %x : vector<16xf32>
After (abridged):
    %xc = arith.minnumf %x, %hi : vector<16xf32>   ... clamp, k = roundeven(x log2e)
    %ki = hw.vcast "fptosi" %k : vector<16xf32> to vector<16xi32>
    ... r, the polynomial, 2^k from (k + 127) << 23 ...
    %nan = hw.vcmpf "uno", %x, %x : vector<16xf32> -> vector<16xi1>
    %y = hw.vselect %nan, %x, %e : vector<16xi1>, vector<16xf32>
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from xdsl.context import Context
from xdsl.dialects import arith
from xdsl.dialects import math as mathd
from xdsl.dialects.builtin import (
    DenseIntOrFPElementsAttr,
    FloatAttr,
    IntegerAttr,
    ModuleOp,
    VectorType,
    f32,
    i32,
)
from xdsl.ir import Attribute, Operation, SSAValue
from xdsl.passes import ModulePass
from xdsl.pattern_rewriter import (
    PatternRewriter,
    PatternRewriteWalker,
    RewritePattern,
)

from dialects.hw.vector_ops import VCastOp, VCmpfOp, VSelectOp

# --- coefficients (lowest degree first), from scripts/fit_math_polynomials.py -------------

EXP_Q = (0.49999993450653807, 0.16666520678299712, 0.04166838756284292,
         0.008368710971020198, 0.001381460477790549)
"""e^r = 1 + r + r^2 EXP_Q(r) on [-ln2/2, ln2/2]."""

LOG_P = (0.3333331259816235, -0.2500000961452246, 0.20002119010528935, -0.16667995251410472,
         0.1421954544929634, -0.1240559562017533, 0.11888216756832562, -0.11675632290594508,
         0.06746499537771974)
"""log1p(f) = f - f^2/2 + f^3 LOG_P(f) on [sqrt(1/2) - 1, sqrt(2) - 1]."""

TANH_P = (-0.3333328193423849, 0.13331442021486306, -0.053739702068082144,
          0.020639048644478727, -0.005704947059666895)
"""tanh(x) = x + x^3 TANH_P(x^2) for |x| < TANH_SMALL."""
TANH_SMALL = 0.625
TANH_ONE = 10.0
"""tanh(x) rounds to 1 in f32 from here on (from 9.011 on)."""

ERF_P = (1.1283791666921883, -0.37612634188428257, 0.11283701619926911, -0.026859702270623252,
         0.005201716058821674, -0.0008149805620881421, 8.397793673025415e-05)
"""erf(x) = x ERF_P(x^2) for |x| < ERF_SMALL."""
ERF_SMALL = 0.921875
ERFC_R = (0.25539566927234814, -0.10679605765865818, 0.04180483427564711,
          -0.015462159091018033, 0.005422145336808908, -0.001848919783908734,
          0.0006200896390278071, -0.0001414102145563133, 5.434942495241513e-05,
          -3.7940743174871394e-05)
"""erfc(a) = e^(-a^2) ERFC_R(a - ERFC_SHIFT) for ERF_SMALL <= a <= ERF_ONE."""
ERFC_SHIFT = 2.0
ERF_ONE = 4.0
"""erf(x) rounds to 1 in f32 from here on."""

LN2_HI = 0.693145751953125  # 12 significant bits: k * LN2_HI is exact for |k| < 2^12
LN2_LO = math.log(2) - LN2_HI
EXP_HI = 88.76  # exp overflows above ln(FLT_MAX) = 88.7228; k = 128 gives inf
EXP_LO = -104.0  # exp is 0 in f32 below ln(2^-150) = -103.97
MIN_NORMAL = 2.0**-126


class _Builder:
    """Collects the f32 code of one type (scalar or vector) that replaces an op; vector
    compares, selects and casts as `hw` ops, scalar ones as `arith`."""

    def __init__(self, t: Attribute):
        self.ops: list[Operation] = []
        self.t = t
        self.vector = isinstance(t, VectorType)
        self.int_t: Attribute = VectorType(i32, t.get_shape()) if isinstance(t, VectorType) else i32

    def add(self, op: Operation) -> SSAValue:
        self.ops.append(op)
        return op.results[0]

    def _constant(self, value: float, scalar: Attribute, t: Attribute) -> SSAValue:
        if isinstance(t, VectorType):
            attr = DenseIntOrFPElementsAttr.from_list(t, [value] * t.element_count())
        elif scalar == f32:
            attr = FloatAttr(float(value), f32)
        else:
            attr = IntegerAttr(int(value), scalar)
        return self.add(arith.ConstantOp(attr, t))

    def f(self, value: float) -> SSAValue:
        return self._constant(float(value), f32, self.t)

    def i(self, value: int) -> SSAValue:
        return self._constant(int(value), i32, self.int_t)

    # float arithmetic
    def add_(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.AddfOp(a, b))

    def sub(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.SubfOp(a, b))

    def mul(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.MulfOp(a, b))

    def div(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.DivfOp(a, b))

    def fma(self, a: SSAValue, b: SSAValue, c: SSAValue) -> SSAValue:
        return self.add(mathd.FmaOp(a, b, c))

    def horner(self, coefficients: Sequence[float], x: SSAValue) -> SSAValue:
        acc = self.f(coefficients[-1])
        for c in reversed(coefficients[:-1]):
            acc = self.fma(acc, x, self.f(c))
        return acc

    def min(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.MinnumfOp(a, b))

    def max(self, a: SSAValue, b: SSAValue) -> SSAValue:
        return self.add(arith.MaxnumfOp(a, b))

    def abs(self, a: SSAValue) -> SSAValue:
        return self.add(mathd.AbsFOp(a))

    def copysign(self, magnitude: SSAValue, sign: SSAValue) -> SSAValue:
        return self.add(mathd.CopySignOp(magnitude, sign))

    # compares, selects, casts, bits
    def cmp(self, predicate: str, a: SSAValue, b: SSAValue) -> SSAValue:
        if self.vector:
            return self.add(VCmpfOp(predicate, a, b))
        return self.add(arith.CmpfOp(a, b, predicate))

    def select(self, cond: SSAValue, a: SSAValue, b: SSAValue) -> SSAValue:
        if self.vector:
            return self.add(VSelectOp(cond, a, b))
        return self.add(arith.SelectOp(cond, a, b))

    def cast(self, kind: str, x: SSAValue, to: Attribute) -> SSAValue:
        if self.vector:
            return self.add(VCastOp(kind, x, to))
        op = arith.FPToSIOp(x, to) if kind == "fptosi" else arith.SIToFPOp(x, to)
        return self.add(op)

    def bits(self, x: SSAValue) -> SSAValue:
        return self.add(arith.BitcastOp(x, self.int_t))

    def from_bits(self, n: SSAValue) -> SSAValue:
        return self.add(arith.BitcastOp(n, self.t))


# --- the expansions -----------------------------------------------------------------------


def _pow2(b: _Builder, k: SSAValue) -> SSAValue:
    """2^k for an integer k in [-126, 127]: (k + 127) in the exponent field."""
    biased = b.add(arith.AddiOp(k, b.i(127)))
    return b.from_bits(b.add(arith.ShLIOp(biased, b.i(23))))


def exp_core(b: _Builder, x: SSAValue) -> SSAValue:
    """e^x for every non-NaN x (a NaN gives a number: callers select)."""
    x = b.max(b.min(x, b.f(EXP_HI)), b.f(EXP_LO))
    k = b.add(mathd.RoundEvenOp(b.mul(x, b.f(1 / math.log(2)))))
    neg_k = b.add(arith.NegfOp(k))
    r = b.fma(neg_k, b.f(LN2_HI), x)
    r = b.fma(neg_k, b.f(LN2_LO), r)
    p = b.add_(b.fma(b.mul(r, r), b.horner(EXP_Q, r), r), b.f(1.0))
    # k in [-150, 128]: two factors 2^(k>>1), 2^(k - (k>>1)) keep each one a normal number.
    ki = b.cast("fptosi", k, b.int_t)
    half = b.add(arith.ShRSIOp(ki, b.i(1)))
    rest = b.add(arith.SubiOp(ki, half))
    return b.mul(b.mul(p, _pow2(b, half)), _pow2(b, rest))


def expand_exp(b: _Builder, x: SSAValue) -> SSAValue:
    e = exp_core(b, x)
    return b.select(b.cmp("uno", x, x), x, e)


def expand_log(b: _Builder, x: SSAValue) -> SSAValue:
    denormal = b.cmp("olt", x, b.f(MIN_NORMAL))
    scaled = b.select(denormal, b.mul(x, b.f(2.0**23)), x)
    bits = b.bits(scaled)
    exponent = b.add(arith.AndIOp(b.add(arith.ShRUIOp(bits, b.i(23))), b.i(0xFF)))
    e = b.cast("sitofp", b.add(arith.SubiOp(exponent, b.i(127))), b.t)
    e = b.sub(e, b.select(denormal, b.f(23.0), b.f(0.0)))
    mantissa = b.add(arith.OrIOp(b.add(arith.AndIOp(bits, b.i(0x007FFFFF))), b.i(0x3F800000)))
    m = b.from_bits(mantissa)  # in [1, 2)
    high = b.cmp("ogt", m, b.f(math.sqrt(2.0)))
    m = b.select(high, b.mul(m, b.f(0.5)), m)  # in [sqrt(1/2), sqrt(2))
    e = b.add_(e, b.select(high, b.f(1.0), b.f(0.0)))
    f = b.sub(m, b.f(1.0))
    z = b.mul(f, f)
    y = b.fma(b.mul(z, f), b.horner(LOG_P, f), b.mul(z, b.f(-0.5)))
    y = b.add_(f, y)
    result = b.fma(e, b.f(LN2_HI), b.fma(e, b.f(LN2_LO), y))
    result = b.select(b.cmp("oeq", x, b.f(0.0)), b.f(-math.inf), result)
    result = b.select(b.cmp("oeq", x, b.f(math.inf)), x, result)
    return b.select(b.cmp("ult", x, b.f(0.0)), b.f(math.nan), result)  # x < 0 or NaN


def expand_tanh(b: _Builder, x: SSAValue) -> SSAValue:
    a = b.abs(x)
    z = b.mul(x, x)
    small = b.fma(b.mul(x, z), b.horner(TANH_P, z), x)
    e = exp_core(b, b.mul(b.min(a, b.f(TANH_ONE)), b.f(2.0)))
    large = b.sub(b.f(1.0), b.div(b.f(2.0), b.add_(e, b.f(1.0))))
    # "ult": a NaN takes the small branch, which keeps it NaN. The sign goes on last, so
    # that tanh(-0) = -0 (x + x^3 p loses it) and the large branch can work on |x|.
    return b.copysign(b.select(b.cmp("ult", a, b.f(TANH_SMALL)), small, large), x)


def expand_erf(b: _Builder, x: SSAValue) -> SSAValue:
    a = b.abs(x)
    small = b.mul(x, b.horner(ERF_P, b.mul(x, x)))
    ac = b.min(a, b.f(ERF_ONE))
    e = exp_core(b, b.mul(b.add(arith.NegfOp(ac)), ac))
    r = b.horner(ERFC_R, b.sub(ac, b.f(ERFC_SHIFT)))
    large = b.copysign(b.fma(b.add(arith.NegfOp(e)), r, b.f(1.0)), x)
    return b.select(b.cmp("ult", a, b.f(ERF_SMALL)), small, large)


EXPANSIONS: dict[type[Operation], Callable[[_Builder, SSAValue], SSAValue]] = {
    mathd.ExpOp: expand_exp, mathd.LogOp: expand_log, mathd.TanhOp: expand_tanh,
    mathd.ErfOp: expand_erf,
}


@dataclass
class ExpandF32Math(RewritePattern):
    """math.exp/log/tanh/erf on f32 (vectors, and scalars if asked) -> polynomial code."""

    scalar: bool = True

    def match_and_rewrite(self, op: Operation, rewriter: PatternRewriter) -> None:
        expansion = EXPANSIONS.get(type(op))
        if expansion is None:
            return
        t = op.results[0].type
        element = t.element_type if isinstance(t, VectorType) else t
        if element != f32 or (not self.scalar and not isinstance(t, VectorType)):
            return
        if isinstance(t, VectorType) and len(t.get_shape()) != 1:
            return
        b = _Builder(t)
        result = expansion(b, op.operands[0])
        rewriter.replace(op, b.ops, [result])


@dataclass(frozen=True)
class LowerMathToPolynomialsPass(ModulePass):
    """Expand f32 math.exp/log/tanh/erf into inline polynomial code (see the module
    docstring)."""

    name = "lower-math-to-polynomials"

    scalar: bool = True
    """Expand scalar f32 ops too (else only vectors; scalars stay libm calls)."""

    def apply(self, ctx: Context, op: ModuleOp) -> None:
        PatternRewriteWalker(ExpandF32Math(self.scalar), apply_recursively=False
                             ).rewrite_module(op)
