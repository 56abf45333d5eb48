"""What a training run returns (neural and classical alike)."""

from __future__ import annotations

from dataclasses import dataclass, field

from pfd_training.domain.hooks import EpochReport


@dataclass(frozen=True)
class TrainingResult:
    """What a run produced.

    ``model_blob`` is a ``pfd_shared.models`` artefact (spec + weights of the best epoch; a classical model's
    artefact for random_forest / gradient_boosting) — also when ``cancelled`` (the best model so far; the
    resumable state is the last checkpoint handed to ``hooks.save_checkpoint``); empty when no epoch finished.
    """

    cancelled: bool
    epochs_run: int
    best_epoch: int
    metrics: dict[str, float]
    history: list[EpochReport] = field(default_factory=list)
    model_blob: bytes = b""
    parameters: int = 0
