"""Sanity checks stored with explanations: IG completeness and the model-randomisation check (Adebayo et al.,
2018, full randomisation: every layer re-initialised at once, one extra attribution instead of one per layer)."""

from __future__ import annotations

import copy
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import torch
from torch import nn

COMPLETENESS_FLOOR = 1e-6
"""|f(x) - f(baseline)| below this counts as zero: the relative error is taken against the floor."""
DEFAULT_SPEARMAN_THRESHOLD = 0.5


@dataclass(frozen=True)
class Completeness:
    """Sum of the attributions against the output difference they should add up to."""

    attribution_sum: float
    output_delta: float
    relative_error: float


def completeness(values: np.ndarray, output_delta: float) -> Completeness:
    total = float(np.sum(values, dtype=np.float64))
    error = abs(total - output_delta) / max(abs(output_delta), COMPLETENESS_FLOOR)
    return Completeness(attribution_sum=total, output_delta=output_delta, relative_error=error)


def _ranks(values: np.ndarray) -> np.ndarray:
    """Average ranks (ties share their mean rank)."""
    flat = values.ravel()
    order = np.argsort(flat, kind="stable")
    ranks = np.empty(flat.size, dtype=np.float64)
    sorted_values = flat[order]
    boundaries = np.flatnonzero(np.diff(sorted_values)) + 1
    starts = np.concatenate(([0], boundaries))
    ends = np.concatenate((boundaries, [flat.size]))
    for start, end in zip(starts, ends):
        ranks[order[start:end]] = (start + end - 1) / 2.0
    return ranks


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    """Spearman rank correlation of two equally shaped arrays (0 when either is constant)."""
    ra, rb = _ranks(a), _ranks(b)
    ra -= ra.mean()
    rb -= rb.mean()
    denominator = float(np.sqrt((ra * ra).sum() * (rb * rb).sum()))
    return float((ra * rb).sum() / denominator) if denominator > 0 else 0.0


@dataclass(frozen=True)
class RandomisationCheck:
    """Rank correlation of the attributions of the trained and of a randomised model; ``flagged`` when they
    barely changed (the explanation does not depend on what the model learnt)."""

    spearman: float
    spearman_abs: float
    threshold: float
    flagged: bool


def randomised_copy(model: nn.Module, seed: int) -> nn.Module:
    """A deep copy with every layer that has ``reset_parameters`` re-initialised (and its buffers reset)."""
    clone = copy.deepcopy(model)
    torch.manual_seed(seed)
    for module in clone.modules():
        reset = getattr(module, "reset_parameters", None)
        if callable(reset) and module is not clone:
            reset()
        if isinstance(module, nn.modules.batchnorm._BatchNorm):
            module.reset_running_stats()
    return clone.eval()


def randomisation_check(model: nn.Module, explain: Callable[[nn.Module], np.ndarray], original: np.ndarray,
                        seed: int = 0, threshold: float = DEFAULT_SPEARMAN_THRESHOLD) -> RandomisationCheck:
    """Compare ``original`` (= ``explain(model)``) with ``explain`` of a randomised copy of ``model``.

    Flags when the signed attributions stay rank-correlated above ``threshold``. The absolute ranks are
    reported too but do not flag: |IG| follows |input| for any weights (gradient x input), so two unrelated
    random networks already share about half their absolute ranking.
    """
    if not 0.0 < threshold <= 1.0:
        raise ValueError(f"threshold must be in (0, 1], not {threshold}")
    randomised = explain(randomised_copy(model, seed))
    signed = spearman(original, randomised)
    absolute = spearman(np.abs(original), np.abs(randomised))
    return RandomisationCheck(spearman=signed, spearman_abs=absolute, threshold=threshold,
                              flagged=signed > threshold)
