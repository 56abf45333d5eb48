"""Test-split evaluation of a trained artefact: the EvaluationCompleted figures plus a JSON-able full report."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

import numpy as np
import torch

from pfd_shared.events.training import ClassMetrics, MisclassifiedRecord
from pfd_shared.models import is_classical_artefact, load_artefact, load_classical_artefact
from pfd_shared.training import TrainingConfig
from pfd_training.domain.classical import clean_features
from pfd_training.domain.data import TrainingData
from pfd_training.domain.device import torch_threads
from pfd_training.domain.metrics import DEFAULT_ECE_BINS, auc, calibration, confusion_matrix, precision_recall_f1
from pfd_training.domain.metrics import roc_curve, thin
from pfd_training.domain.windows import WindowSet, as_record_tensor, vote

EVAL_BATCH = 512
REPORT_VERSION = 1


@dataclass(frozen=True)
class EvaluationReport:
    """The fields of ``EvaluationCompleted`` (see ``event_fields``) and ``report``: the full JSON-able report
    (ROC points per class, calibration bins, per-test-record predictions and correctness for McNemar, the test
    record rows, window-level confusion, robustness details)."""

    class_names: tuple[str, ...]
    window_accuracy: float
    record_accuracy: float
    macro_f1: float
    ece: float
    per_class: tuple[ClassMetrics, ...]
    confusion: tuple[tuple[int, ...], ...]
    robustness: dict[str, float] = field(default_factory=dict)
    misclassified: tuple[MisclassifiedRecord, ...] = ()
    report: dict[str, Any] = field(default_factory=dict)

    def event_fields(self) -> dict[str, Any]:
        """Keyword arguments for ``EvaluationCompleted`` (add experiment_id, run_id, dataset_id, report_key)."""
        return {
            "class_names": self.class_names, "window_accuracy": self.window_accuracy,
            "record_accuracy": self.record_accuracy, "macro_f1": self.macro_f1, "ece": self.ece,
            "per_class": self.per_class, "confusion": self.confusion, "robustness": self.robustness,
            "misclassified": self.misclassified,
        }


@torch.inference_mode()
def _window_probs(model: torch.nn.Module, windows: WindowSet) -> tuple[np.ndarray, np.ndarray]:
    """Probabilities of every window (in order) and each window's record position."""
    n = len(windows)
    chunks = []
    for start in range(0, n, EVAL_BATCH):
        x, _ = windows.batch(torch.arange(start, min(start + EVAL_BATCH, n)))
        chunks.append(torch.softmax(model(x).float(), dim=1).double().numpy())
    return np.concatenate(chunks), windows.record_of(torch.arange(n)).numpy()


def _record_accuracy(record_probs: np.ndarray, y: np.ndarray) -> float:
    return float(np.mean(record_probs.argmax(axis=1) == y)) if y.size else 0.0


def _build(
    class_names: tuple[str, ...], window_probs: np.ndarray, window_true: np.ndarray, record_probs: np.ndarray,
    record_true: np.ndarray, test_rows: np.ndarray, robustness: dict[str, float], ece_bins: int, windows: int,
) -> EvaluationReport:
    k = len(class_names)
    window_pred = window_probs.argmax(axis=1)
    record_pred = record_probs.argmax(axis=1)
    precision, recall, f1, support = precision_recall_f1(confusion_matrix(window_true, window_pred, k))
    record_confusion = confusion_matrix(record_true, record_pred, k)
    r_precision, r_recall, r_f1, _ = precision_recall_f1(record_confusion)
    roc: dict[str, Any] = {}
    aucs: list[float | None] = []
    for c, name in enumerate(class_names):
        fpr, tpr, _ = roc_curve(window_true == c, window_probs[:, c])
        aucs.append(auc(fpr, tpr))
        xs, ys = thin(fpr, tpr) if aucs[-1] is not None else ([], [])
        roc[name] = {"fpr": xs, "tpr": ys, "auc": aucs[-1]}
    ece, bins = calibration(window_probs, window_true, ece_bins)
    per_class = tuple(
        ClassMetrics(name=name, precision=float(precision[c]), recall=float(recall[c]), f1=float(f1[c]),
                     support=int(support[c]), auc=None if aucs[c] is None else min(max(aucs[c], 0.0), 1.0))
        for c, name in enumerate(class_names)
    )
    confidence = record_probs[np.arange(record_pred.size), record_pred]
    wrong = np.flatnonzero(record_pred != record_true)
    misclassified = tuple(
        MisclassifiedRecord(record=int(test_rows[i]), true_class=class_names[record_true[i]],
                            predicted_class=class_names[record_pred[i]], confidence=float(np.clip(confidence[i], 0, 1)))
        for i in wrong
    )
    window_accuracy = float(np.mean(window_pred == window_true)) if window_true.size else 0.0
    record_accuracy = _record_accuracy(record_probs, record_true)
    report = {
        "version": REPORT_VERSION, "class_names": list(class_names), "windows_per_record": windows,
        "window": {"accuracy": window_accuracy, "count": int(window_true.size),
                   "confusion": confusion_matrix(window_true, window_pred, k).tolist()},
        "record": {"accuracy": record_accuracy, "confusion": record_confusion.tolist(),
                   "precision": r_precision.tolist(), "recall": r_recall.tolist(), "f1": r_f1.tolist()},
        "per_class": [m.model_dump() for m in per_class], "macro_f1": float(f1.mean()),
        "roc": roc, "calibration": {"ece": ece, "bins": [asdict(b) for b in bins]},
        "robustness": robustness,
        "test_records": [int(r) for r in test_rows], "true_class": record_true.tolist(),
        "predicted_class": record_pred.tolist(), "correct": (record_pred == record_true).tolist(),
        "confidence": [round(float(c), 6) for c in confidence],
    }
    return EvaluationReport(
        class_names=class_names, window_accuracy=window_accuracy, record_accuracy=record_accuracy,
        macro_f1=float(f1.mean()), ece=min(max(ece, 0.0), 1.0), per_class=per_class,
        confusion=tuple(tuple(int(v) for v in row) for row in record_confusion), robustness=robustness,
        misclassified=misclassified, report=report,
    )


def evaluate(
    model_blob: bytes, config: TrainingConfig, data: TrainingData, *, threads: int = 1,
    ece_bins: int = DEFAULT_ECE_BINS,
) -> EvaluationReport:
    """Evaluate the artefact ``model_blob`` (from ``TrainingResult.model_blob``) on ``data``'s test split and
    its robustness copies. Windows are cut as in training (``config.window``); a record's class is the vote
    (mean probability) of its windows. Classical models score one feature row per record (their window and
    record figures coincide; robustness needs signal models and is left empty)."""
    test = data.rows("test")
    record_true = np.asarray(data.labels, dtype=np.int64)[test]
    with torch_threads(threads):
        if is_classical_artefact(model_blob):
            estimator, _ = load_classical_artefact(model_blob)
            probs = np.zeros((test.size, data.n_classes))
            probs[:, estimator.classes_] = estimator.predict_proba(clean_features(data.features[test]))
            return _build(data.class_names, probs, record_true, probs, record_true, test, {}, ece_bins, 1)
        model, spec = load_artefact(model_blob)
        labels = torch.from_numpy(np.asarray(data.labels, dtype=np.int64))
        windows = WindowSet.of(as_record_tensor(data.signals), labels, test, spec.window_length, config.window.step)
        window_probs, position = _window_probs(model, windows)
        record_probs = vote(window_probs, position, test.size)
        robustness: dict[str, float] = {}
        copy_labels = torch.from_numpy(record_true)
        for label, copy in sorted(data.robustness.items()):
            noisy = WindowSet.of(as_record_tensor(copy), copy_labels, np.arange(test.size), spec.window_length,
                                 config.window.step)
            probs, where = _window_probs(model, noisy)
            robustness[label] = _record_accuracy(vote(probs, where, test.size), record_true)
        return _build(data.class_names, window_probs, record_true[position], record_probs, record_true, test,
                      robustness, ece_bins, windows.per_record)
