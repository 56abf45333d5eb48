"""Training events: run requests and control (commands) and the run's life (facts).

An experiment is one training config on one data set with N seeds; each seed is a run with its own run_id.
Run events are keyed by run_id (one run's events stay in order); experiment deletion by experiment_id.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload

_ID = {"min_length": 1, "max_length": 64, "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"}


class _RunEvent(EventPayload):
    experiment_id: str = Field(**_ID)
    run_id: str = Field(**_ID)

    def key(self) -> str:
        """run_id"""
        return self.run_id


class TrainingRequested(_RunEvent):
    """Train one run. ``config`` is a ``pfd_shared.training.TrainingConfig`` as JSON; ``seed`` is this run's seed."""

    event_type = "training.requested"
    topic = topics.TRAINING_REQUESTED

    dataset_id: str = Field(**_ID)
    name: str = Field(min_length=1, max_length=200)
    config: dict[str, Any]
    seed: int = Field(ge=0)
    run_index: int = Field(default=0, ge=0)
    run_count: int = Field(default=1, ge=1)


class TrainingQueued(_RunEvent):
    """A training worker accepted the run; it waits for a free worker slot."""

    event_type = "training.queued"
    topic = topics.TRAINING_QUEUED

    worker: str = ""


class TrainingStarted(_RunEvent):
    """A worker started (or resumed) the run."""

    event_type = "training.started"
    topic = topics.TRAINING_STARTED

    worker: str
    epochs: int = Field(ge=1)
    start_epoch: int = Field(default=0, ge=0, description="Epochs already done (resumed from a checkpoint).")
    train_windows: int = Field(ge=0)
    val_windows: int = Field(ge=0)
    parameters: int = Field(default=0, ge=0, description="Trainable parameters of the model.")


class EpochCompleted(_RunEvent):
    """One epoch is done and checkpointed."""

    event_type = "training.epoch_completed"
    topic = topics.TRAINING_EPOCH_COMPLETED

    epoch: int = Field(ge=1, description="1-based epoch number.")
    epochs: int = Field(ge=1)
    train_loss: float
    train_accuracy: float = Field(ge=0, le=1)
    val_loss: float
    val_accuracy: float = Field(ge=0, le=1)
    learning_rate: float = Field(ge=0)
    seconds: float = Field(ge=0)
    windows_per_s: float = Field(ge=0)


class TrainingLog(_RunEvent):
    """Log lines of a run (throttled: several lines per event)."""

    event_type = "training.log"
    topic = topics.TRAINING_LOG

    lines: tuple[str, ...] = Field(min_length=1)
    level: str = "info"


class TrainingCompleted(_RunEvent):
    """The run finished training; evaluation follows (EvaluationCompleted)."""

    event_type = "training.completed"
    topic = topics.TRAINING_COMPLETED

    metrics: dict[str, float] = Field(description="Final figures, e.g. val_accuracy, val_loss, best_epoch.")
    epochs_run: int = Field(ge=0)
    best_epoch: int = Field(ge=0)
    artefacts: dict[str, str] = Field(description="Object keys by role: model, checkpoint, history, ...")
    seconds: float = Field(ge=0)


class TrainingFailed(_RunEvent):
    """The run could not train; the reason says why (e.g. its data set disappeared)."""

    event_type = "training.failed"
    topic = topics.TRAINING_FAILED

    reason: str


class TrainingCancelRequested(_RunEvent):
    """Stop a queued or running run; its last checkpoint is kept so it can be resumed."""

    event_type = "training.cancel_requested"
    topic = topics.TRAINING_CANCEL_REQUESTED


class TrainingCancelled(_RunEvent):
    """The run stopped on request after ``epoch`` epochs; ``checkpoint_key`` resumes it."""

    event_type = "training.cancelled"
    topic = topics.TRAINING_CANCELLED

    epoch: int = Field(ge=0)
    checkpoint_key: str | None = None


class TrainingResumeRequested(_RunEvent):
    """Resume a cancelled or failed run from its last checkpoint."""

    event_type = "training.resume_requested"
    topic = topics.TRAINING_RESUME_REQUESTED


class ClassMetrics(BaseModel):
    """Per-class figures on the test split (windows)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    name: str
    precision: float = Field(ge=0, le=1)
    recall: float = Field(ge=0, le=1)
    f1: float = Field(ge=0, le=1)
    support: int = Field(ge=0)
    auc: float | None = Field(default=None, ge=0, le=1)


class MisclassifiedRecord(BaseModel):
    """A test record the run got wrong (by vote of its windows)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    record: int = Field(ge=0, description="Row of the record in the data set.")
    true_class: str
    predicted_class: str
    confidence: float = Field(ge=0, le=1)


class EvaluationCompleted(_RunEvent):
    """Test-split evaluation of a trained run; the full report (ROC points, calibration, predictions per test
    record for McNemar) is the JSON object at ``report_key``."""

    event_type = "training.evaluation_completed"
    topic = topics.TRAINING_EVALUATION_COMPLETED

    dataset_id: str = Field(**_ID)
    class_names: tuple[str, ...]
    window_accuracy: float = Field(ge=0, le=1)
    record_accuracy: float = Field(ge=0, le=1)
    macro_f1: float = Field(ge=0, le=1)
    ece: float = Field(ge=0, le=1, description="Expected calibration error (windows).")
    per_class: tuple[ClassMetrics, ...]
    confusion: tuple[tuple[int, ...], ...] = Field(description="Record-level confusion, rows = true class.")
    robustness: dict[str, float] = Field(default_factory=dict, description="Record accuracy by SNR, e.g. '20dB'.")
    misclassified: tuple[MisclassifiedRecord, ...] = ()
    report_key: str


class ExperimentDeleteRequested(EventPayload):
    """Delete an experiment: cancel its runs and remove every artefact under results/{experiment_id}/."""

    event_type = "training.experiment_delete_requested"
    topic = topics.EXPERIMENT_DELETE_REQUESTED

    experiment_id: str = Field(**_ID)

    def key(self) -> str:
        """experiment_id"""
        return self.experiment_id


class ExperimentDeleted(EventPayload):
    """An experiment's runs and artefacts are gone."""

    event_type = "training.experiment_deleted"
    topic = topics.EXPERIMENT_DELETED

    experiment_id: str = Field(**_ID)
    objects_removed: int = Field(default=0, ge=0)

    def key(self) -> str:
        """experiment_id"""
        return self.experiment_id
