"""The small arrays of a data set (labels, severities, operating conditions, features, splits, sources), row-aligned
(pure numpy; ``reading`` fills them from a data-set file)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from pfd_shared.exploration.models import SPLIT_NAMES

NO_SPLIT = -1


@dataclass(frozen=True)
class ExplorerArrays:
    """Row-aligned arrays of one data set; ``split`` holds the index into ``SPLIT_NAMES`` (-1: none)."""

    labels: np.ndarray  # (n,) int16
    class_names: tuple[str, ...]
    features: np.ndarray  # (n, f) float32
    feature_names: tuple[str, ...]
    split: np.ndarray  # (n,) int8
    operating: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (n,) float32
    severities: np.ndarray | None = None  # (n,) float32
    severity_levels: np.ndarray | None = None  # (n,) str
    sources: np.ndarray | None = None  # (n,) str
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return int(self.labels.shape[0])

    @property
    def nbytes(self) -> int:
        parts = [self.labels, self.features, self.split, *self.operating.values(), self.severities,
                 self.severity_levels, self.sources]
        return sum(int(part.nbytes) for part in parts if part is not None)

    def class_of(self, rows: np.ndarray) -> np.ndarray:
        """Class names of ``rows`` (a label outside ``class_names`` shows as its number)."""
        names = np.asarray([*self.class_names], dtype=object)
        labels = self.labels[rows].astype(np.int64)
        known = (labels >= 0) & (labels < len(names))
        out = np.asarray([str(label) for label in labels], dtype=object)
        out[known] = names[labels[known]]
        return out

    def split_of(self, rows: np.ndarray) -> np.ndarray:
        names = np.asarray([*SPLIT_NAMES, ""], dtype=object)
        return names[np.where(self.split[rows] >= 0, self.split[rows], len(SPLIT_NAMES))]
