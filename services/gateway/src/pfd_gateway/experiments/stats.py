"""Statistics of experiments (pure): mean ± std across seeds and McNemar's test of two classifiers."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from scipy.stats import binomtest, chi2

EXACT_BELOW = 25  # discordant pairs under which McNemar uses the exact binomial test


@dataclass(frozen=True, slots=True)
class Summary:
    mean: float
    std: float
    count: int


@dataclass(frozen=True, slots=True)
class McNemar:
    shared: int
    a_only: int
    b_only: int
    statistic: float
    p_value: float


def summarise(values: Sequence[float]) -> Summary:
    """Mean and sample standard deviation (ddof=1; 0 for a single value) of finite values."""
    finite = [float(v) for v in values if math.isfinite(v)]
    if not finite:
        return Summary(math.nan, math.nan, 0)
    mean = sum(finite) / len(finite)
    if len(finite) == 1:
        return Summary(mean, 0.0, 1)
    variance = sum((v - mean) ** 2 for v in finite) / (len(finite) - 1)
    return Summary(mean, math.sqrt(variance), len(finite))


def summarise_runs(runs: Sequence[Mapping[str, float]]) -> dict[str, Summary]:
    """Every metric any run has, summarised over the runs that have it."""
    names = sorted({name for run in runs for name in run})
    return {name: summarise([run[name] for run in runs if name in run]) for name in names}


def mcnemar(a_correct: Mapping[int, bool], b_correct: Mapping[int, bool]) -> McNemar:
    """McNemar's test on the records both classifiers predicted (record id -> correct?).

    Exact two-sided binomial test when there are fewer than EXACT_BELOW discordant records, otherwise the
    chi-squared statistic with continuity correction.
    """
    shared = sorted(set(a_correct) & set(b_correct))
    a_only = sum(1 for r in shared if a_correct[r] and not b_correct[r])
    b_only = sum(1 for r in shared if b_correct[r] and not a_correct[r])
    discordant = a_only + b_only
    if discordant == 0:
        return McNemar(len(shared), 0, 0, 0.0, 1.0)
    statistic = (abs(a_only - b_only) - 1) ** 2 / discordant
    if discordant < EXACT_BELOW:
        p_value = float(binomtest(a_only, discordant, 0.5).pvalue)
    else:
        p_value = float(chi2.sf(statistic, 1))
    return McNemar(len(shared), a_only, b_only, float(statistic), min(1.0, p_value))
