"""Shaft-speed estimation for real recordings without a stated speed (pure numpy/scipy)."""

from __future__ import annotations

import numpy as np
from scipy.signal import welch


def estimate_shaft_speed(x: np.ndarray, fs: float, low_hz: float, high_hz: float) -> float:
    """The strongest spectral line between ``low_hz`` and ``high_hz`` (1X dominates most machines)."""
    nperseg = min(x.shape[-1], int(fs * 4 / low_hz))
    freqs, power = welch(x, fs=fs, nperseg=nperseg)
    band = (freqs >= low_hz) & (freqs <= high_hz)
    if not band.any():
        raise ValueError(f"no spectral line between {low_hz} and {high_hz} Hz at fs={fs} Hz")
    return float(freqs[band][np.argmax(power[band])])
