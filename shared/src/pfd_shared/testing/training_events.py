"""Builders of the training service's events for tests of their consumers (read models, pages, notifiers).

``run_life`` is what a worker publishes for one run from queueing to evaluation; ``full_report`` is the part of
the full evaluation report (the JSON object at ``report_key``) that McNemar reads: per-test-record correctness.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.events.training import (
    ClassMetrics,
    EpochCompleted,
    EvaluationCompleted,
    TrainingCompleted,
    TrainingQueued,
    TrainingStarted,
)

PRODUCER = "training"
CLASS_NAMES = ("healthy", "inner_race")


def envelope(payload: EventPayload, owner: str | None, at: datetime | None = None) -> Envelope[Any]:
    """The event as the training service publishes it (``at`` overrides when it happened)."""
    wrapped = new_envelope(payload, producer=PRODUCER, owner=owner)
    return wrapped.model_copy(update={"occurred_at": at}) if at is not None else wrapped


def epoch(experiment_id: str, run_id: str, number: int, epochs: int, *, val_accuracy: float = 0.5) -> EpochCompleted:
    return EpochCompleted(experiment_id=experiment_id, run_id=run_id, epoch=number, epochs=epochs,
                          train_loss=1.0 / number, train_accuracy=min(1.0, val_accuracy + 0.05),
                          val_loss=1.2 / number, val_accuracy=val_accuracy, learning_rate=1e-3 / number,
                          seconds=2.0, windows_per_s=500.0)


def evaluation(experiment_id: str, run_id: str, dataset_id: str, *, record_accuracy: float, report_key: str,
               class_names: Sequence[str] = CLASS_NAMES) -> EvaluationCompleted:
    per_class = tuple(ClassMetrics(name=name, precision=record_accuracy, recall=record_accuracy, f1=record_accuracy,
                                   support=10, auc=min(1.0, record_accuracy + 0.05)) for name in class_names)
    size = len(class_names)
    return EvaluationCompleted(experiment_id=experiment_id, run_id=run_id, dataset_id=dataset_id,
                               class_names=tuple(class_names), window_accuracy=record_accuracy,
                               record_accuracy=record_accuracy, macro_f1=record_accuracy, ece=0.05,
                               per_class=per_class,
                               confusion=tuple(tuple(10 if i == j else 0 for j in range(size)) for i in range(size)),
                               robustness={"20dB": record_accuracy - 0.1}, report_key=report_key)


def run_life(experiment_id: str, run_id: str, dataset_id: str, owner: str | None, start: datetime, *,
             epochs: int = 3, record_accuracy: float = 0.9, report_key: str | None = None) -> list[Envelope[Any]]:
    """Queued, started, every epoch, completed and evaluated, one second apart from ``start``."""
    key = report_key or f"results/{experiment_id}/{run_id}/report.json"
    payloads: list[EventPayload] = [
        TrainingQueued(experiment_id=experiment_id, run_id=run_id, worker="w1"),
        TrainingStarted(experiment_id=experiment_id, run_id=run_id, worker="w1", epochs=epochs, train_windows=100,
                        val_windows=20, parameters=1234),
        *(epoch(experiment_id, run_id, n, epochs, val_accuracy=record_accuracy * n / epochs)
          for n in range(1, epochs + 1)),
        TrainingCompleted(experiment_id=experiment_id, run_id=run_id, metrics={"val_accuracy": record_accuracy},
                          epochs_run=epochs, best_epoch=epochs, seconds=2.0 * epochs,
                          artefacts={"model": f"results/{experiment_id}/{run_id}/model.bin"}),
        evaluation(experiment_id, run_id, dataset_id, record_accuracy=record_accuracy, report_key=key),
    ]
    return [envelope(payload, owner, start + timedelta(seconds=i)) for i, payload in enumerate(payloads)]


def full_report(correct: Mapping[int, bool], class_names: Sequence[str] = CLASS_NAMES) -> dict[str, Any]:
    """A full evaluation report's per-test-record lists (as the training service writes them, same order):
    record rows, true and predicted class indices, and whether the record's vote was right."""
    records = sorted(correct)
    return {"class_names": list(class_names), "test_records": records, "true_class": [0] * len(records),
            "predicted_class": [0 if correct[r] else 1 for r in records], "correct": [correct[r] for r in records]}


def dataset_ready(dataset_id: str, owner: str | None, *, samples_per_record: int = 1024,
                  class_names: Sequence[str] = CLASS_NAMES, records: int = 40) -> Envelope[Any]:
    """The data set a run trains on, as data-gen announces it when it is built."""
    per_class = records // len(class_names)
    return new_envelope(DatasetReady(
        dataset_id=dataset_id, name="set", kind="synthetic", object_key=f"datasets/{dataset_id}/dataset.h5",
        size_bytes=1, sha256="ab", records=per_class * len(class_names), samples_per_record=samples_per_record,
        sample_rate_hz=12000, class_names=tuple(class_names), class_counts=(per_class,) * len(class_names),
        feature_names=("rms",), split_counts={"train": records - 12, "val": 6, "test": 6}, seconds=1.0),
        producer="data-gen", owner=owner)
