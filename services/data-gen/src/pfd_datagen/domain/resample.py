"""Sample-rate conversion and record cutting for real recordings (pure numpy/scipy)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly, welch

MAX_RATIO_DENOMINATOR = 1000


def resample(x: np.ndarray, from_hz: float, to_hz: float) -> np.ndarray:
    """Polyphase resampling (anti-aliased) by the closest rational ratio; a no-op at equal rates."""
    if np.isclose(from_hz, to_hz):
        return np.asarray(x, dtype=np.float64)
    ratio = Fraction(to_hz / from_hz).limit_denominator(MAX_RATIO_DENOMINATOR)
    return resample_poly(np.asarray(x, dtype=np.float64), ratio.numerator, ratio.denominator)


def cut_records(x: np.ndarray, samples_per_record: int) -> np.ndarray:
    """(n_records, samples_per_record) non-overlapping records; the tail shorter than one record is dropped."""
    count = x.shape[0] // samples_per_record
    return np.asarray(x[: count * samples_per_record]).reshape(count, samples_per_record)


def estimate_shaft_speed(x: np.ndarray, fs: float, low_hz: float, high_hz: float) -> float:
    """The strongest spectral line between ``low_hz`` and ``high_hz`` (1X dominates most machines)."""
    nperseg = min(x.shape[-1], int(fs * 4 / low_hz))
    freqs, power = welch(x, fs=fs, nperseg=nperseg)
    band = (freqs >= low_hz) & (freqs <= high_hz)
    if not band.any():
        raise ValueError(f"no spectral line between {low_hz} and {high_hz} Hz at fs={fs} Hz")
    return float(freqs[band][np.argmax(power[band])])
