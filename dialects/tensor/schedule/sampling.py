"""Sampling primitives' arithmetic: tile sizes and categorical choices from a seeded RNG.

`Schedule` owns the random state (`random.Random`, seeded by `Schedule(mod, seed=...)`) and the
trace; this module only draws and validates decisions, so that a decision given on replay is
checked exactly like one drawn here.

Perfect tiles (TVM's `sample_perfect_tile`): `n` factors whose product is the loop extent, the
innermost at most `max_innermost_factor` (when positive). The innermost factor is drawn
uniformly from the divisors of the extent within that bound, then each prime factor of the
rest goes to one of the outer `n - 1` positions uniformly. For extent 128, n = 2 and bound 16
this is one of [128, 1], [64, 2], [32, 4], [16, 8], [8, 16], as in the course.
"""

from __future__ import annotations

import random
from collections.abc import Sequence

from dialects.tensor.schedule.errors import (
    CategoricalDistributionError,
    InvalidDecisionError,
    SampleTileCountError,
)


def divisors(n: int) -> list[int]:
    return [d for d in range(1, n + 1) if n % d == 0]


def prime_factors(n: int) -> list[int]:
    factors, p = [], 2
    while p * p <= n:
        while n % p == 0:
            factors.append(p)
            n //= p
        p += 1
    if n > 1:
        factors.append(n)
    return factors


def sample_perfect_tile(
    rng: random.Random, extent: int, n: int, max_innermost_factor: int = 16
) -> list[int]:
    """Draw `n` factors of `extent` (module docstring)."""
    check_tile_count(n)
    if n == 1:
        return [extent]
    bound = max_innermost_factor if max_innermost_factor > 0 else extent
    innermost = rng.choice([d for d in divisors(extent) if d <= bound])
    outer = [1] * (n - 1)
    for p in prime_factors(extent // innermost):
        outer[rng.randrange(n - 1)] *= p
    return outer + [innermost]


def check_tile_count(n: int) -> None:
    if isinstance(n, bool) or not isinstance(n, int) or n < 1:
        raise SampleTileCountError(f"sample_perfect_tile needs n >= 1 factors, got n = {n!r}")


def check_tile_decision(decision: object, extent: int, n: int) -> list[int]:
    """A replayed decision: a list of `n` positive integers whose product is `extent`."""
    if not isinstance(decision, list | tuple) or len(decision) != n:
        raise InvalidDecisionError(
            f"sample_perfect_tile decision must be a list of {n} integers, got {decision!r}"
        )
    values = list(decision)
    if any(isinstance(v, bool) or not isinstance(v, int) or v <= 0 for v in values):
        raise InvalidDecisionError(
            f"sample_perfect_tile decision must hold positive integers, got {values}"
        )
    product = 1
    for v in values:
        product *= v
    if product != extent:
        raise InvalidDecisionError(
            f"sample_perfect_tile decision {values} has product {product}, but the loop "
            f"extent is {extent}"
        )
    return values


def check_categorical(candidates: Sequence[int], probs: Sequence[float]) -> None:
    if len(candidates) == 0 or len(candidates) != len(probs):
        raise CategoricalDistributionError(
            f"sample_categorical needs as many probabilities as candidates (at least one), got "
            f"{len(candidates)} candidates and {len(probs)} probabilities"
        )
    if any(isinstance(c, bool) or not isinstance(c, int) for c in candidates):
        raise CategoricalDistributionError(
            f"sample_categorical candidates must be integers, got {list(candidates)}"
        )
    if any(p < 0 for p in probs) or sum(probs) <= 0:
        raise CategoricalDistributionError(
            f"sample_categorical probabilities must be non-negative with a positive sum, got "
            f"{list(probs)}"
        )


def sample_categorical(rng: random.Random, probs: Sequence[float]) -> int:
    """Index of the drawn candidate."""
    return rng.choices(range(len(probs)), weights=list(probs))[0]


def check_categorical_decision(decision: object, num_candidates: int) -> int:
    if isinstance(decision, bool) or not isinstance(decision, int):
        raise InvalidDecisionError(
            f"sample_categorical decision must be a candidate index, got {decision!r}"
        )
    if not 0 <= decision < num_candidates:
        raise InvalidDecisionError(
            f"sample_categorical decision {decision} is out of range for {num_candidates} "
            "candidates"
        )
    return decision
