"""Statistics for comparing runs (pure Python): McNemar's test on paired predictions, mean ± std over seeds."""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

EXACT_BELOW = 25
"""Discordant pairs below which the exact binomial test is used (the chi-square approximation is poor there)."""


@dataclass(frozen=True)
class McNemarResult:
    """``only_a`` = records A got right and B wrong, ``only_b`` the reverse; ``p_value`` two-sided."""

    only_a: int
    only_b: int
    both: int
    neither: int
    statistic: float
    p_value: float
    method: Literal["exact", "chi2"]

    @property
    def discordant(self) -> int:
        return self.only_a + self.only_b


def _binomial_two_sided(k: int, n: int) -> float:
    """Two-sided exact p of min(b, c) = k out of n discordant pairs under p = 1/2."""
    tail = sum(math.comb(n, i) for i in range(k + 1)) / 2.0**n
    return min(1.0, 2.0 * tail)


def mcnemar(correct_a: Sequence[bool], correct_b: Sequence[bool], *, exact_below: int = EXACT_BELOW) -> McNemarResult:
    """McNemar's test of two classifiers on the same records (per-record correctness, same order).

    Exact binomial test when fewer than ``exact_below`` pairs are discordant, otherwise the chi-square
    statistic with continuity correction, (|b - c| - 1)^2 / (b + c), on one degree of freedom.
    """
    if len(correct_a) != len(correct_b):
        raise ValueError(f"paired predictions differ in length: {len(correct_a)} vs {len(correct_b)}")
    pairs = list(zip(map(bool, correct_a), map(bool, correct_b)))
    b = sum(1 for a, o in pairs if a and not o)
    c = sum(1 for a, o in pairs if o and not a)
    both = sum(1 for a, o in pairs if a and o)
    neither = len(pairs) - b - c - both
    n = b + c
    if n < exact_below:
        return McNemarResult(b, c, both, neither, float(min(b, c)), 1.0 if n == 0 else _binomial_two_sided(min(b, c), n),
                             "exact")
    statistic = (abs(b - c) - 1.0) ** 2 / n
    return McNemarResult(b, c, both, neither, statistic, math.erfc(math.sqrt(statistic / 2.0)), "chi2")


@dataclass(frozen=True)
class MeanStd:
    """Mean and sample standard deviation (ddof = 1; 0 for a single value) of ``n`` finite values."""

    mean: float
    std: float
    n: int

    def format(self, digits: int = 4) -> str:
        return f"{self.mean:.{digits}f} ± {self.std:.{digits}f}"


def mean_std(values: Iterable[float | None]) -> MeanStd | None:
    """None when no finite value is given (missing metrics and NaN are skipped)."""
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    if not finite:
        return None
    mean = math.fsum(finite) / len(finite)
    if len(finite) == 1:
        return MeanStd(mean, 0.0, 1)
    variance = math.fsum((v - mean) ** 2 for v in finite) / (len(finite) - 1)
    return MeanStd(mean, math.sqrt(variance), len(finite))


def aggregate(runs: Iterable[Mapping[str, float | None]]) -> dict[str, MeanStd]:
    """Mean ± std of every metric over runs (e.g. the seeds of one experiment), metrics in first-seen order."""
    rows = list(runs)
    names = list(dict.fromkeys(name for row in rows for name in row))
    out: dict[str, MeanStd] = {}
    for name in names:
        summary = mean_std(row.get(name) for row in rows)
        if summary is not None:
            out[name] = summary
    return out
