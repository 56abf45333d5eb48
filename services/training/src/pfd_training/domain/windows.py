"""Windows cut from the records of one split by vectorised index arithmetic (no per-window Python work).

Window ``i`` of a split is window ``i % per_record`` of record ``rows[i // per_record]``; a batch is one
gather from the (shared, never copied) record matrix.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from pfd_shared.training.catalogue import ModelDoesNotFit


def windows_per_record(samples: int, length: int, hop: int) -> int:
    """How many windows of ``length`` with ``hop`` fit in a record of ``samples``."""
    return 0 if samples < length else (samples - length) // hop + 1


@dataclass(frozen=True)
class WindowSet:
    """The windows of the records ``rows`` of ``signals`` (a torch view of the data's record matrix)."""

    signals: torch.Tensor
    labels: torch.Tensor
    rows: torch.Tensor
    length: int
    hop: int

    @classmethod
    def of(cls, signals: torch.Tensor, labels: torch.Tensor, rows: np.ndarray, length: int, hop: int) -> WindowSet:
        if windows_per_record(int(signals.shape[1]), length, hop) == 0:
            raise ModelDoesNotFit(f"windows of {length} samples do not fit records of {signals.shape[1]} samples")
        return cls(signals, labels, torch.as_tensor(rows, dtype=torch.int64), length, hop)

    @property
    def per_record(self) -> int:
        return windows_per_record(int(self.signals.shape[1]), self.length, self.hop)

    @property
    def n_records(self) -> int:
        return int(self.rows.numel())

    def __len__(self) -> int:
        return self.n_records * self.per_record

    def record_of(self, index: torch.Tensor) -> torch.Tensor:
        """Position (0..n_records-1) within the split of each window's record."""
        return torch.div(index, self.per_record, rounding_mode="floor")

    def labels_of(self, index: torch.Tensor) -> torch.Tensor:
        return self.labels[self.rows[self.record_of(index)]]

    def batch(self, index: torch.Tensor, jitter: torch.Tensor | None = None) -> tuple[torch.Tensor, torch.Tensor]:
        """Windows ``index`` as (batch, 1, length) float32 and their labels.

        ``jitter`` (0..hop-1 per window, from the shift augmentation) moves each window's start inside the
        record, clipped so it never leaves the record.
        """
        record = self.record_of(index)
        start = (index - record * self.per_record) * self.hop
        if jitter is not None:
            start = torch.clamp(start + jitter, max=int(self.signals.shape[1]) - self.length)
        rows = self.rows[record]
        # every start position as a strided view (no copy); indexing it copies just the batch, row by row
        x = self.signals.unfold(1, self.length, 1)[rows, start]
        return x.unsqueeze(1), self.labels[rows]

    def class_counts(self, n_classes: int) -> torch.Tensor:
        """Windows per class."""
        return torch.bincount(self.labels[self.rows], minlength=n_classes) * self.per_record


def as_record_tensor(signals: np.ndarray) -> torch.Tensor:
    """The record matrix as a float32 tensor sharing memory with ``signals`` when it is float32 and contiguous."""
    return torch.from_numpy(np.ascontiguousarray(signals, dtype=np.float32))


def vote(window_probs: np.ndarray, record_position: np.ndarray, n_records: int) -> np.ndarray:
    """Record probabilities: the mean of each record's window probabilities (vectorised, by record position)."""
    sums = np.zeros((n_records, window_probs.shape[1]), dtype=np.float64)
    np.add.at(sums, record_position, window_probs)
    counts = np.bincount(record_position, minlength=n_records).astype(np.float64)
    return sums / np.maximum(counts, 1.0)[:, None]
