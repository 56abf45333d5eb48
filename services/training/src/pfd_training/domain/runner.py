"""The one entry point of a training run: neural models go through the plugin loop, classical ones through
scikit-learn in resumable stages; both report through the same hooks and return the same result."""

from __future__ import annotations

from pfd_shared.training import TrainingConfig, model_info

from pfd_training.domain.classical import train_classical
from pfd_training.domain.data import TrainingData
from pfd_training.domain.hooks import TrainingHooks
from pfd_training.domain.loop import train_neural
from pfd_training.domain.result import TrainingResult

__all__ = ["TrainingResult", "run_training"]


def run_training(
    config: TrainingConfig,
    seed: int,
    data: TrainingData,
    hooks: TrainingHooks,
    *,
    resume_from: bytes | None = None,
    threads: int = 1,
) -> TrainingResult:
    """Train ``config`` with ``seed`` on ``data``; deterministic on CPU for (config, seed, data, threads).

    ``resume_from`` is a checkpoint blob from ``hooks.save_checkpoint``: the run continues after its epoch and
    follows the same trajectory as an uninterrupted run. ``threads`` sets torch's (and scikit-learn's) thread
    count. Raises ``pfd_shared.training.ModelDoesNotFit`` when the window does not fit the model,
    ``InvalidTrainingData`` when the data does not fit the config, ``CheckpointMismatch`` for a foreign checkpoint.
    """
    if model_info(config.model).family == "classical":
        return train_classical(config, seed, data, hooks, resume_from=resume_from, threads=threads)
    return train_neural(config, seed, data, hooks, resume_from=resume_from, threads=threads)
