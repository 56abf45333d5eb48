"""Whole-signal inference on ONNX Runtime: same windows as pfd_shared.signals, vote, and bad-input errors."""

from __future__ import annotations

import numpy as np
import pytest

from pfd_deploy.domain.errors import (
    EmptySignal,
    InvalidSignal,
    NonFiniteSignal,
    NotAPfdModel,
    SignalTooShort,
    WrongDimensionality,
)
from pfd_deploy.domain.export import export_onnx
from pfd_deploy.domain.inference import OnnxClassifier, spec_of
from pfd_shared.models import predict_proba
from pfd_shared.signals import resample, sliding_windows

RECORD_WINDOWS = 6


@pytest.fixture(scope="module")
def classifier(trained_cnn) -> OnnxClassifier:
    export = export_onnx(trained_cnn.model, trained_cnn.spec, trained_cnn.test_x[:32])
    return OnnxClassifier(export.model, threads=1)


def _record(make_tones, label: int, length: int) -> np.ndarray:
    for seed in range(100):
        x, y = make_tones(1, seed, length)
        if y[0] == label:
            return x[0, 0]
    raise AssertionError("no record of that class")


def test_the_spec_travels_in_the_onnx_metadata(classifier, trained_cnn) -> None:
    assert classifier.spec == trained_cnn.spec


def test_window_probabilities_match_pytorch(classifier, trained_cnn) -> None:
    expected = predict_proba(trained_cnn.model, trained_cnn.test_x[:50])
    np.testing.assert_allclose(classifier.predict_windows(trained_cnn.test_x[:50]), expected, atol=1e-5)


@pytest.mark.parametrize("label", [0, 1, 2])
def test_a_whole_signal_is_windowed_and_voted(classifier, trained_cnn, make_tones, label: int) -> None:
    window = trained_cnn.spec.window_length
    signal = _record(make_tones, label, RECORD_WINDOWS * window + 17)
    result = classifier.predict_signal(signal, trained_cnn.spec.sample_rate_hz)
    assert result.windows == RECORD_WINDOWS
    assert result.predicted_class == trained_cnn.spec.class_names[label] and result.predicted_index == label
    assert sum(result.probabilities.values()) == pytest.approx(1.0)
    np.testing.assert_allclose(list(result.probabilities.values()), result.window_probabilities.mean(axis=0))


def test_a_signal_at_another_rate_is_resampled_with_the_shared_code(classifier, trained_cnn, make_tones) -> None:
    rate = trained_cnn.spec.sample_rate_hz
    at_model_rate = _record(make_tones, 2, 8 * trained_cnn.spec.window_length)
    recorded = resample(at_model_rate, rate, 2.5 * rate)  # the same signal as a 2.5x faster recorder saw it
    windows = classifier.windows_of(recorded, 2.5 * rate, hop=100)
    expected = sliding_windows(resample(recorded, 2.5 * rate, rate), trained_cnn.spec.window_length, 100)
    np.testing.assert_array_equal(windows[:, 0], expected.astype(np.float32))
    assert classifier.predict_signal(recorded, 2.5 * rate).predicted_class == "tone_230"


@pytest.mark.parametrize("signal, error, message", [
    ([], EmptySignal, "empty"),
    (np.zeros((2, 0)), EmptySignal, "empty"),
    ([0.0, float("nan"), 1.0] * 200, NonFiniteSignal, "200 NaN or infinite samples .*sample 1\\)"),
    ([float("inf")] * 600, NonFiniteSignal, "600 NaN or infinite"),
    (np.zeros(100), SignalTooShort, "needs at least one window of 256 samples"),
    (np.zeros((3, 1000)), WrongDimensionality, r"shape \(3, 1000\)"),
    (np.zeros((2, 2, 500)), WrongDimensionality, "1-D array"),
    (["a", "b"], InvalidSignal, "must be numbers"),
])
def test_bad_signals_raise_specific_errors(classifier, signal, error, message: str) -> None:
    with pytest.raises(error, match=message):
        classifier.predict_signal(signal, 1000.0)


def test_bad_sample_rates_and_hops_are_refused(classifier) -> None:
    with pytest.raises(InvalidSignal, match="sample rate"):
        classifier.predict_signal(np.zeros(1000), 0.0)
    with pytest.raises(InvalidSignal, match="hop"):
        classifier.predict_signal(np.zeros(1000), 1000.0, hop=0)


def test_onnx_bytes_without_a_spec_are_not_a_pfd_model() -> None:
    with pytest.raises(NotAPfdModel):
        spec_of(b"not onnx at all")
