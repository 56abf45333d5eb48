"""Classification metrics in numpy: confusion, per-class P/R/F1, one-vs-rest ROC/AUC, calibration (ECE)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

DEFAULT_ECE_BINS = 15
MAX_ROC_POINTS = 200


def confusion_matrix(y_true: np.ndarray, y_pred: np.ndarray, n_classes: int) -> np.ndarray:
    """(classes, classes) counts, rows = true class, columns = predicted class."""
    flat = np.asarray(y_true, dtype=np.int64) * n_classes + np.asarray(y_pred, dtype=np.int64)
    return np.bincount(flat, minlength=n_classes * n_classes).reshape(n_classes, n_classes)


def precision_recall_f1(confusion: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per-class precision, recall, F1 and support (0 where undefined, like scikit-learn's zero_division=0)."""
    tp = np.diag(confusion).astype(np.float64)
    predicted = confusion.sum(axis=0).astype(np.float64)
    support = confusion.sum(axis=1)
    precision = np.divide(tp, predicted, out=np.zeros_like(tp), where=predicted > 0)
    recall = np.divide(tp, support, out=np.zeros_like(tp), where=support > 0)
    total = precision + recall
    f1 = np.divide(2 * precision * recall, total, out=np.zeros_like(tp), where=total > 0)
    return precision, recall, f1, support


def roc_curve(positive: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """False and true positive rates at every distinct threshold (descending), starting at (0, 0)."""
    order = np.argsort(-score, kind="mergesort")
    score, positive = score[order], np.asarray(positive, dtype=bool)[order]
    distinct = np.flatnonzero(np.diff(score)) if score.size else np.array([], dtype=np.int64)
    ends = np.concatenate([distinct, [score.size - 1]]) if score.size else np.array([], dtype=np.int64)
    tps = np.cumsum(positive)[ends].astype(np.float64)
    fps = (ends + 1 - tps).astype(np.float64)
    n_pos, n_neg = float(positive.sum()), float(positive.size - positive.sum())
    tpr = np.concatenate([[0.0], tps / n_pos]) if n_pos else np.full(ends.size + 1, np.nan)
    fpr = np.concatenate([[0.0], fps / n_neg]) if n_neg else np.full(ends.size + 1, np.nan)
    thresholds = np.concatenate([[np.inf], score[ends]])
    return fpr, tpr, thresholds


def auc(fpr: np.ndarray, tpr: np.ndarray) -> float | None:
    """Area under the curve (trapezoid); None when a class has no positives or no negatives."""
    if np.isnan(fpr).any() or np.isnan(tpr).any():
        return None
    return float(np.sum(np.diff(fpr) * (tpr[1:] + tpr[:-1]) / 2.0))


def thin(fpr: np.ndarray, tpr: np.ndarray, max_points: int = MAX_ROC_POINTS) -> tuple[list[float], list[float]]:
    """At most ``max_points`` points of a curve, keeping both ends (for the JSON report)."""
    if fpr.size <= max_points:
        keep = np.arange(fpr.size)
    else:
        keep = np.unique(np.linspace(0, fpr.size - 1, max_points).round().astype(np.int64))
    return [round(float(v), 6) for v in fpr[keep]], [round(float(v), 6) for v in tpr[keep]]


@dataclass(frozen=True)
class CalibrationBin:
    lower: float
    upper: float
    count: int
    accuracy: float
    confidence: float


def calibration(probs: np.ndarray, y_true: np.ndarray, bins: int = DEFAULT_ECE_BINS) -> tuple[float, list[CalibrationBin]]:
    """Expected calibration error of the top-class confidence over ``bins`` equal-width bins, and the bins.

    A confidence c falls in bin k when lower_k < c <= upper_k (the first bin also takes 0).
    """
    confidence = probs.max(axis=1)
    correct = probs.argmax(axis=1) == np.asarray(y_true)
    edges = np.linspace(0.0, 1.0, bins + 1)
    which = np.clip(np.searchsorted(edges, confidence, side="left") - 1, 0, bins - 1)
    counts = np.bincount(which, minlength=bins)
    acc_sum = np.bincount(which, weights=correct.astype(np.float64), minlength=bins)
    conf_sum = np.bincount(which, weights=confidence, minlength=bins)
    n = max(int(confidence.size), 1)
    ece = float(np.sum(np.abs(acc_sum - conf_sum)) / n)
    table = [
        CalibrationBin(float(edges[k]), float(edges[k + 1]), int(counts[k]),
                       float(acc_sum[k] / counts[k]) if counts[k] else 0.0,
                       float(conf_sum[k] / counts[k]) if counts[k] else 0.0)
        for k in range(bins)
    ]
    return ece, table
