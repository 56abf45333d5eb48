"""Which windows of a data set are embedded: non-overlapping windows of the model's length inside each record,
at most ``max_windows`` in all, shared out evenly between the classes, drawn reproducibly from a seed."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pfd_xai.domain.errors import EmbeddingImpossible


@dataclass(frozen=True)
class WindowSample:
    """The chosen windows in reading order (record, then window): record row, window index, class label."""

    records: np.ndarray
    windows: np.ndarray
    labels: np.ndarray

    def __len__(self) -> int:
        return int(self.records.size)


def windows_per_record(samples_per_record: int, window_length: int) -> int:
    """Non-overlapping windows of ``window_length`` samples in a record (the tail shorter than one is left out)."""
    if window_length < 1:
        raise ValueError(f"window length must be positive, not {window_length}")
    return samples_per_record // window_length


def class_quotas(available: dict[int, int], budget: int) -> dict[int, int]:
    """Windows per class: an equal share of ``budget``; what a small class cannot fill goes to the others."""
    quotas: dict[int, int] = {}
    remaining = budget
    order = sorted(available, key=lambda label: (available[label], label))
    for position, label in enumerate(order):
        quotas[label] = min(available[label], remaining // (len(order) - position))
        remaining -= quotas[label]
    return quotas


def sample_windows(labels: np.ndarray, per_record: int, max_windows: int, seed: int) -> WindowSample:
    """At most ``max_windows`` windows, evenly per class, of records labelled ``labels`` with ``per_record``
    windows each; the same arguments always give the same sample."""
    if per_record < 1:
        raise EmbeddingImpossible("the records are shorter than one window of the model")
    if max_windows < 1:
        raise ValueError(f"max_windows must be positive, not {max_windows}")
    labels = np.asarray(labels, dtype=np.int64)
    classes = np.unique(labels)
    if classes.size == 0:
        raise EmbeddingImpossible("the data set has no records")
    rows_of = {int(label): np.flatnonzero(labels == label) for label in classes}
    quotas = class_quotas({label: rows.size * per_record for label, rows in rows_of.items()}, max_windows)
    rng = np.random.default_rng(seed)
    chosen = []
    for label in sorted(rows_of):
        rows = rows_of[label]
        flat = rng.choice(rows.size * per_record, size=quotas[label], replace=False)
        chosen.append(rows[flat // per_record] * per_record + flat % per_record)
    picked = np.sort(np.concatenate(chosen))
    records, windows = picked // per_record, picked % per_record
    return WindowSample(records=records, windows=windows, labels=labels[records])
