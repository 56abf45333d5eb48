"""McNemar's test and mean ± std aggregation, checked against scipy and numpy."""

from __future__ import annotations

import math

import numpy as np
import pytest
from scipy import stats

from pfd_shared.training.stats import aggregate, mcnemar, mean_std


def _pairs(only_a: int, only_b: int, both: int = 10, neither: int = 3) -> tuple[list[bool], list[bool]]:
    a = [True] * only_a + [False] * only_b + [True] * both + [False] * neither
    b = [False] * only_a + [True] * only_b + [True] * both + [False] * neither
    return a, b


@pytest.mark.parametrize(("only_a", "only_b"), [(0, 0), (1, 0), (3, 7), (12, 5), (0, 9)])
def test_exact_for_few_discordant_pairs(only_a: int, only_b: int) -> None:
    result = mcnemar(*_pairs(only_a, only_b))
    assert (result.only_a, result.only_b, result.both, result.neither) == (only_a, only_b, 10, 3)
    assert result.method == "exact"
    expected = 1.0 if only_a + only_b == 0 else stats.binomtest(only_a, only_a + only_b, 0.5).pvalue
    assert result.p_value == pytest.approx(min(1.0, expected))


@pytest.mark.parametrize(("only_a", "only_b"), [(30, 10), (20, 22), (100, 60)])
def test_chi_square_with_continuity_for_many(only_a: int, only_b: int) -> None:
    result = mcnemar(*_pairs(only_a, only_b))
    statistic = (abs(only_a - only_b) - 1) ** 2 / (only_a + only_b)
    assert result.method == "chi2" and result.statistic == pytest.approx(statistic)
    assert result.p_value == pytest.approx(stats.chi2.sf(statistic, 1))


def test_mcnemar_needs_paired_predictions() -> None:
    with pytest.raises(ValueError, match="length"):
        mcnemar([True], [True, False])


def test_mean_std_and_aggregate() -> None:
    values = [0.97, 0.99, 0.985]
    summary = mean_std(values)
    assert summary is not None and summary.n == 3
    assert summary.mean == pytest.approx(np.mean(values)) and summary.std == pytest.approx(np.std(values, ddof=1))
    assert mean_std([0.5]).std == 0.0 and mean_std([None, math.nan]) is None
    out = aggregate([{"acc": 0.9, "f1": 0.8}, {"acc": 1.0, "f1": None}, {"acc": 0.95, "ece": 0.02}])
    assert list(out) == ["acc", "f1", "ece"]
    assert out["acc"].mean == pytest.approx(0.95) and out["f1"].n == 1 and out["ece"].std == 0.0
    assert out["acc"].format(2) == "0.95 ± 0.05"
