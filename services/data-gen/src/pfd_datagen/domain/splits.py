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


def time_block_split(recordings: np.ndarray, fractions: tuple[float, float, float] = DEFAULT_FRACTIONS) -> Splits:
    """Each recording's records (rows in time order) cut into consecutive train / val / test blocks.

    Records do not overlap, so no window of one split shares a sample with another split; a recording of at
    least three records has a record in every split.
    """
    recordings = np.asarray(recordings)
    parts: list[list[np.ndarray]] = [[], [], []]
    for recording in np.unique(recordings):
        rows = np.flatnonzero(recordings == recording)
        n_val = max(1, int(round(fractions[1] * rows.size))) if rows.size >= 3 else 0
        n_test = max(1, int(round(fractions[2] * rows.size))) if rows.size >= 3 else 0
        n_train = rows.size - n_val - n_test
        for k, block in enumerate(np.split(rows, [n_train, n_train + n_val])):
            parts[k].append(block)
    return Splits(*(np.sort(np.concatenate(p)) if p else np.empty(0, dtype=np.int64) for p in parts))


def recording_split(labels: np.ndarray, recordings: np.ndarray, seed: int,
                    fractions: tuple[float, float, float] = DEFAULT_FRACTIONS) -> Splits:
    """Whole recordings per split, stratified by label; refuses labels with fewer recordings than splits."""
    labels, recordings = np.asarray(labels), np.asarray(recordings)
    for label in np.unique(labels):
        count = np.unique(recordings[labels == label]).size
        if count < len(fractions):
            raise ValueError(f"split policy 'recordings' needs at least {len(fractions)} recordings of label "
                             f"{label!r} (found {count}); use 'time_blocks' or add recordings")
    return stratified_split(labels, labels.astype(str), seed, groups=recordings, fractions=fractions)
