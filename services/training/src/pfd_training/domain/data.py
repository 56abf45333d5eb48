"""What one training run needs, in memory: record signals, labels, features, record-level splits, SNR copies."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

SPLITS: tuple[str, ...] = ("train", "val", "test")


class InvalidTrainingData(ValueError):
    """The data handed to a run is inconsistent (shapes, labels, splits); the message says what."""


@dataclass(frozen=True)
class TrainingData:
    """Everything a run needs, as numpy arrays (the worker reads it from the data set in large chunks).

    ``splits`` maps "train"/"val"/"test" to record rows; windows are cut inside a record, so no window crosses
    a split. ``robustness`` maps a label such as "20dB" to noisy copies of the test records, rows in the order
    of ``splits["test"]``.
    """

    signals: np.ndarray
    labels: np.ndarray
    features: np.ndarray
    feature_names: tuple[str, ...]
    class_names: tuple[str, ...]
    splits: dict[str, np.ndarray]
    sample_rate_hz: float
    robustness: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.signals.shape[0] if self.signals.ndim == 2 else -1
        if n < 0:
            raise InvalidTrainingData(f"signals must be 2-D (records, samples), not shape {self.signals.shape}")
        if self.labels.shape != (n,):
            raise InvalidTrainingData(f"labels have shape {self.labels.shape}, expected ({n},)")
        if self.features.ndim != 2 or self.features.shape[0] != n:
            raise InvalidTrainingData(f"features have shape {self.features.shape}, expected ({n}, n_features)")
        if self.features.shape[1] != len(self.feature_names):
            raise InvalidTrainingData(
                f"{self.features.shape[1]} feature columns but {len(self.feature_names)} feature names"
            )
        if n and (self.labels.min() < 0 or self.labels.max() >= len(self.class_names)):
            raise InvalidTrainingData(f"labels must index the {len(self.class_names)} class names")
        missing = [s for s in SPLITS if s not in self.splits]
        if missing:
            raise InvalidTrainingData(f"splits {missing} are missing")
        for name in SPLITS:
            rows = self.splits[name]
            if rows.size and (rows.min() < 0 or rows.max() >= n):
                raise InvalidTrainingData(f"split {name!r} has rows outside 0..{n - 1}")
        if not (self.splits["train"].size and self.splits["val"].size):
            raise InvalidTrainingData("the train and val splits must not be empty")
        test = self.splits["test"]
        for label, copy in self.robustness.items():
            if copy.shape != (test.size, self.signals.shape[1]):
                raise InvalidTrainingData(
                    f"robustness copy {label!r} has shape {copy.shape}, expected ({test.size}, {self.signals.shape[1]})"
                )
        if self.sample_rate_hz <= 0:
            raise InvalidTrainingData(f"sample_rate_hz must be positive, not {self.sample_rate_hz}")

    @property
    def n_classes(self) -> int:
        return len(self.class_names)

    @property
    def samples_per_record(self) -> int:
        return int(self.signals.shape[1])

    def rows(self, split: str) -> np.ndarray:
        """Record rows of ``split`` as int64."""
        return np.asarray(self.splits[split], dtype=np.int64)
