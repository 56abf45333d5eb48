"""How a run talks to its host (the worker): progress, checkpoints, log lines and cancellation."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Protocol


@dataclass(frozen=True)
class StartInfo:
    """Told once when a run starts or resumes (``start_epoch`` epochs already done)."""

    epochs: int
    start_epoch: int
    train_windows: int
    val_windows: int
    parameters: int
    device: str = "cpu"


@dataclass(frozen=True)
class EpochReport:
    """One finished (and checkpointed) epoch; ``epoch`` is 1-based. Accuracies are of windows,
    ``val_record_accuracy`` by vote of each validation record's windows."""

    epoch: int
    epochs: int
    train_loss: float
    train_accuracy: float
    val_loss: float
    val_accuracy: float
    val_record_accuracy: float
    learning_rate: float
    seconds: float
    windows_per_s: float

    def to_dict(self) -> dict[str, float | int]:
        return asdict(self)


class TrainingHooks(Protocol):
    """Implemented by the host; every call happens on the training thread."""

    def on_start(self, info: StartInfo) -> None: ...

    def on_epoch(self, report: EpochReport) -> None:
        """After the epoch's checkpoint was saved."""

    def save_checkpoint(self, epoch: int, blob: bytes) -> None:
        """Persist the resumable state after ``epoch`` (1-based) epochs."""

    def log(self, line: str) -> None: ...

    def should_stop(self) -> bool:
        """Polled between batches; returning True stops the run (within one batch) with its checkpoint kept."""


class NullHooks:
    """Hooks that keep nothing and never stop (tests, benchmarks); ``checkpoints`` and ``reports`` are kept."""

    def __init__(self) -> None:
        self.started: list[StartInfo] = []
        self.reports: list[EpochReport] = []
        self.checkpoints: dict[int, bytes] = {}
        self.lines: list[str] = []

    def on_start(self, info: StartInfo) -> None:
        self.started.append(info)

    def on_epoch(self, report: EpochReport) -> None:
        self.reports.append(report)

    def save_checkpoint(self, epoch: int, blob: bytes) -> None:
        self.checkpoints[epoch] = blob

    def log(self, line: str) -> None:
        self.lines.append(line)

    def should_stop(self) -> bool:
        return False
