"""The inference core (no torch): an ONNX Runtime session per model version, and whole-signal prediction —
validate, resample to the model's rate and cut windows with pfd_shared.signals (the code data-gen's import
uses), classify every window, vote (mean of the window probabilities, as training's evaluation does)."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from google.protobuf.message import DecodeError

from pfd_deploy.domain.errors import (
    EmptySignal,
    InvalidSignal,
    NonFiniteSignal,
    NotAPfdModel,
    SignalTooShort,
    WrongDimensionality,
)
from pfd_deploy.domain.runtime import make_session, run_logits
from pfd_shared.signals import resample, sliding_windows
from pfd_shared.training.spec import ModelSpec

SPEC_METADATA_KEY = "pfd.spec"


@dataclass(frozen=True)
class SignalPrediction:
    """Record-level probabilities per class (the vote), the predicted class, and the windows behind it."""

    probabilities: dict[str, float]
    predicted_class: str
    predicted_index: int
    windows: int
    window_probabilities: np.ndarray


def softmax(logits: np.ndarray) -> np.ndarray:
    shifted = logits - logits.max(axis=1, keepdims=True)
    exp = np.exp(shifted)
    return exp / exp.sum(axis=1, keepdims=True)


def spec_of(model: bytes) -> ModelSpec:
    """The model spec an export stored in the ONNX metadata; NotAPfdModel when it is absent or unreadable."""
    try:
        props = {p.key: p.value for p in onnx.load_from_string(model).metadata_props}
    except DecodeError as exc:
        raise NotAPfdModel(f"not an ONNX model: {exc}") from exc
    if SPEC_METADATA_KEY not in props:
        raise NotAPfdModel("the ONNX model carries no PFD model spec (not exported by pfd_deploy)")
    return ModelSpec.model_validate_json(props[SPEC_METADATA_KEY])


def as_channels(signal: np.ndarray | list[float], in_channels: int) -> np.ndarray:
    """The signal as float64 (channels, samples); the specific InvalidSignal for each kind of bad input."""
    try:
        x = np.asarray(signal, dtype=np.float64)
    except (TypeError, ValueError) as exc:
        raise InvalidSignal(f"the signal must be numbers: {exc}") from exc
    if x.size == 0:
        raise EmptySignal("the signal is empty: it has no samples")
    if x.ndim == 1:
        x = x[None, :]
    if x.ndim != 2 or x.shape[0] != in_channels:
        expected = "a 1-D array of samples" if in_channels == 1 else f"({in_channels}, samples)"
        raise WrongDimensionality(f"the signal must be {expected}, not an array of shape {tuple(np.shape(signal))}")
    bad = ~np.isfinite(x)
    if bad.any():
        first = int(np.argwhere(bad)[0][-1])
        raise NonFiniteSignal(f"the signal has {int(bad.sum())} NaN or infinite samples (the first at sample {first})")
    return x


class OnnxClassifier:
    """One model version on ONNX Runtime (CPU, ``threads`` intra-op threads)."""

    def __init__(self, model: bytes, *, threads: int, spec: ModelSpec | None = None) -> None:
        self.spec = spec or spec_of(model)
        self.session = make_session(model, threads)

    def predict_windows(self, windows: np.ndarray) -> np.ndarray:
        """Probabilities (n, classes) of raw windows (n, channels, window_length)."""
        return softmax(run_logits(self.session, windows).astype(np.float64))

    def windows_of(self, signal: np.ndarray | list[float], sample_rate_hz: float, hop: int | None = None) -> np.ndarray:
        """The validated signal at the model's rate cut into (n, channels, window_length) windows."""
        if not np.isfinite(sample_rate_hz) or sample_rate_hz <= 0:
            raise InvalidSignal(f"the sample rate must be a positive number of Hz, not {sample_rate_hz!r}")
        length = self.spec.window_length
        step = length if hop is None else hop
        if step < 1:
            raise InvalidSignal(f"the window hop must be at least one sample, not {step}")
        x = resample(as_channels(signal, self.spec.in_channels), sample_rate_hz, self.spec.sample_rate_hz)
        if x.shape[-1] < length:
            rate = self.spec.sample_rate_hz
            raise SignalTooShort(
                f"the signal lasts {x.shape[-1] / rate:.4g} s; the model needs at least one window of {length} "
                f"samples at {rate:g} Hz ({length / rate:.4g} s, {int(np.ceil(length * sample_rate_hz / rate))} "
                f"samples at {sample_rate_hz:g} Hz)")
        return np.ascontiguousarray(sliding_windows(x, length, step).transpose(1, 0, 2), dtype=np.float32)

    def predict_signal(self, signal: np.ndarray | list[float], sample_rate_hz: float,
                       hop: int | None = None) -> SignalPrediction:
        """Classify a whole signal: windows (hop = window length unless given), then the mean vote."""
        window_probs = self.predict_windows(self.windows_of(signal, sample_rate_hz, hop))
        vote = window_probs.mean(axis=0)
        index = int(np.argmax(vote))
        names = self.spec.class_names
        return SignalPrediction({name: float(p) for name, p in zip(names, vote)}, names[index], index,
                                int(window_probs.shape[0]), window_probs)
