"""Evaluation: numpy metrics against scikit-learn, the report of a trained artefact, robustness and McNemar data."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from sklearn import metrics as skm

from pfd_shared.models import ModelSpec, build_model, build_classical, save_artefact, save_classical_artefact
from pfd_shared.training import TrainingConfig, model_info
from pfd_training.domain import TrainingData, evaluate
from pfd_training.domain.metrics import auc, calibration, confusion_matrix, precision_recall_f1, roc_curve
from pfd_training.domain.windows import vote

CLASSES = ("a", "b", "c", "d")
LENGTH = 512
WINDOW = 128


def _predictions(n: int = 400, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    y = rng.integers(0, len(CLASSES), n)
    logits = rng.standard_normal((n, len(CLASSES))) + 1.5 * np.eye(len(CLASSES))[y]
    probs = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    return y, probs


def test_confusion_and_per_class_scores_match_sklearn() -> None:
    y, probs = _predictions()
    pred = probs.argmax(axis=1)
    pred[pred == 3] = 2  # class 3 is never predicted: precision must be 0, as sklearn's zero_division=0
    confusion = confusion_matrix(y, pred, len(CLASSES))
    np.testing.assert_array_equal(confusion, skm.confusion_matrix(y, pred, labels=range(len(CLASSES))))
    precision, recall, f1, support = precision_recall_f1(confusion)
    sk = skm.precision_recall_fscore_support(y, pred, labels=range(len(CLASSES)), zero_division=0)
    for mine, theirs in zip((precision, recall, f1, support), sk):
        np.testing.assert_allclose(mine, theirs)


def test_roc_and_auc_match_sklearn_with_ties() -> None:
    y, probs = _predictions(seed=1)
    for c in range(len(CLASSES)):
        score = np.round(probs[:, c], 2)  # ties
        fpr, tpr, thresholds = roc_curve(y == c, score)
        sk_fpr, sk_tpr, _ = skm.roc_curve(y == c, score, drop_intermediate=False)
        np.testing.assert_allclose(fpr, sk_fpr)
        np.testing.assert_allclose(tpr, sk_tpr)
        assert auc(fpr, tpr) == pytest.approx(skm.roc_auc_score(y == c, score))
    fpr, tpr, _ = roc_curve(np.zeros(5, dtype=bool), np.linspace(0, 1, 5))
    assert auc(fpr, tpr) is None


def test_expected_calibration_error_by_hand() -> None:
    probs = np.array([[0.95, 0.05], [0.9, 0.1], [0.6, 0.4], [0.3, 0.7], [0.5, 0.5]])
    y = np.array([0, 1, 0, 1, 1])
    ece, bins = calibration(probs, y, bins=2)
    # bin (0, 0.5]: [0.5 -> wrong]; bin (0.5, 1]: [0.95 ok, 0.9 wrong, 0.6 ok, 0.7 ok]
    expected = (abs(0.0 - 0.5) * 1 + abs(0.75 - (0.95 + 0.9 + 0.6 + 0.7) / 4) * 4) / 5
    assert ece == pytest.approx(expected)
    assert [b.count for b in bins] == [1, 4] and bins[1].accuracy == pytest.approx(0.75)
    y, probs = _predictions(seed=2)
    prob_true, prob_pred = _sk_bins(probs, y)
    ece15, table = calibration(probs, y, bins=15)
    assert ece15 == pytest.approx(sum(abs(a - c) * n for a, c, n in zip(prob_true, prob_pred, [b.count for b in table
                                                                                                 if b.count])) / y.size)


def _sk_bins(probs: np.ndarray, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per-bin accuracy and confidence of the top class with sklearn's calibration_curve (uniform, 15 bins)."""
    from sklearn.calibration import calibration_curve

    correct = (probs.argmax(axis=1) == y).astype(int)
    return calibration_curve(correct, probs.max(axis=1), n_bins=15, strategy="uniform")


def test_vote_is_the_mean_of_each_records_windows() -> None:
    probs = np.array([[0.9, 0.1], [0.2, 0.8], [0.3, 0.7], [0.6, 0.4]])
    np.testing.assert_allclose(vote(probs, np.array([0, 0, 1, 1]), 2), [[0.55, 0.45], [0.45, 0.55]])


def _data(seed: int = 0) -> TrainingData:
    rng = np.random.default_rng(seed)
    n = 32
    labels = np.arange(n) % len(CLASSES)
    signals = (rng.standard_normal((n, LENGTH)) * (1 + labels[:, None])).astype(np.float32)
    rows = np.arange(n)
    test = rows[16:]
    return TrainingData(
        signals, labels, (rng.standard_normal((n, 3)) + labels[:, None]).astype(np.float32), ("x", "y", "z"),
        CLASSES, {"train": rows[:8], "val": rows[8:16], "test": test}, 1000.0,
        {"20dB": signals[test] + 0.1, "5dB": signals[test] * 2.0},
    )


def _neural_blob(config: TrainingConfig, data: TrainingData) -> bytes:
    params = config.resolved_params()
    torch.manual_seed(0)
    model = build_model(config.model, params, data.n_classes, WINDOW).eval()
    spec = ModelSpec(name=config.model, params=params, class_names=CLASSES, window_length=WINDOW, sample_rate_hz=1e3)
    return save_artefact(model, spec)


def test_evaluation_report_of_a_neural_artefact() -> None:
    data = _data()
    config = TrainingConfig(model="cnn1d", window={"length": WINDOW, "hop": 64})
    report = evaluate(_neural_blob(config, data), config, data)
    test = data.rows("test")
    full = report.report
    assert full["windows_per_record"] == (LENGTH - WINDOW) // 64 + 1
    assert full["window"]["count"] == test.size * full["windows_per_record"]
    assert full["test_records"] == test.tolist() and len(full["correct"]) == test.size
    assert report.record_accuracy == pytest.approx(np.mean(full["correct"]))
    assert np.sum(report.confusion) == test.size
    assert np.trace(report.confusion) == sum(full["correct"])
    assert {m.record for m in report.misclassified} == {r for r, ok in zip(test, full["correct"]) if not ok}
    assert set(report.robustness) == {"20dB", "5dB"}
    # the model normalises each window: an offset and a gain do not change the prediction
    assert report.robustness["5dB"] == pytest.approx(report.record_accuracy)
    assert report.macro_f1 == pytest.approx(np.mean([m.f1 for m in report.per_class]))
    assert len(full["calibration"]["bins"]) == 15 and set(full["roc"]) == set(CLASSES)
    json.dumps(full)  # JSON-able
    fields = report.event_fields()
    assert fields["class_names"] == CLASSES and fields["confusion"] == report.confusion


def test_evaluation_of_a_classical_artefact_matches_sklearn() -> None:
    data = _data(seed=3)
    config = TrainingConfig(model="random_forest", window={"length": WINDOW})
    estimator = build_classical("random_forest", model_info("random_forest").resolve("small"), seed=0)
    estimator.fit(data.features[data.rows("train")], data.labels[data.rows("train")])
    spec = ModelSpec(name="random_forest", params={}, class_names=CLASSES, window_length=LENGTH, sample_rate_hz=1e3,
                     normalisation="none", feature_names=data.feature_names)
    report = evaluate(save_classical_artefact(estimator, spec), config, data)
    test = data.rows("test")
    pred = estimator.predict(data.features[test].astype(np.float64))
    assert report.record_accuracy == pytest.approx(skm.accuracy_score(data.labels[test], pred))
    assert report.window_accuracy == report.record_accuracy and report.robustness == {}
    f1 = skm.f1_score(data.labels[test], pred, average="macro", labels=range(len(CLASSES)), zero_division=0)
    assert report.macro_f1 == pytest.approx(f1)
