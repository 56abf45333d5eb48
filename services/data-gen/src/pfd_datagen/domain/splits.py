"""Record-level stratified train/val/test splits (70/15/15), seeded, group-aware."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_FRACTIONS = (0.70, 0.15, 0.15)


@dataclass(frozen=True)
class Splits:
    """Row indices of each split; every record (and every window of it) sits in exactly one."""

    train: np.ndarray
    val: np.ndarray
    test: np.ndarray


def stratified_split(
    labels: np.ndarray,
    severity_levels: np.ndarray,
    seed: int,
    groups: np.ndarray | None = None,
    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS,
) -> Splits:
    """Split records stratified by (class, severity level) BEFORE any windowing.

    `groups` (e.g. Dataset.source_indices) keeps augmented copies with their source record.
    """
    if any(f < 0 for f in fractions) or not np.isclose(sum(fractions), 1.0):
        raise ValueError(f"fractions must be non-negative and sum to 1, got {fractions}")
    labels = np.asarray(labels)
    groups = np.arange(labels.size) if groups is None else np.asarray(groups)
    uniq, first = np.unique(groups, return_index=True)
    strata = np.char.add(labels[first].astype(str), np.char.add("|", np.asarray(severity_levels)[first].astype(str)))
    rng = np.random.default_rng(seed)
    parts: list[list[np.ndarray]] = [[], [], []]
    for stratum in np.unique(strata):
        members = rng.permutation(uniq[strata == stratum])
        n_train = int(round(fractions[0] * members.size))
        n_val = int(round(fractions[1] * members.size))
        for k, chunk in enumerate(np.split(members, [n_train, n_train + n_val])):
            parts[k].append(chunk)
    rows = [np.sort(np.flatnonzero(np.isin(groups, np.concatenate(p)))) for p in parts]
    return Splits(*rows)
