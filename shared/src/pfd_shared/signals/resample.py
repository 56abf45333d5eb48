"""Sample-rate conversion and record cutting (pure numpy/scipy)."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
from scipy.signal import resample_poly

MAX_RATIO_DENOMINATOR = 1000


def resample(x: np.ndarray, from_hz: float, to_hz: float) -> np.ndarray:
    """Polyphase resampling (anti-aliased) by the closest rational ratio along the last axis; a no-op at
    equal rates."""
    if np.isclose(from_hz, to_hz):
        return np.asarray(x, dtype=np.float64)
    ratio = Fraction(to_hz / from_hz).limit_denominator(MAX_RATIO_DENOMINATOR)
    return resample_poly(np.asarray(x, dtype=np.float64), ratio.numerator, ratio.denominator, axis=-1)


def cut_records(x: np.ndarray, samples_per_record: int) -> np.ndarray:
    """(n_records, samples_per_record) non-overlapping records; the tail shorter than one record is dropped."""
    count = x.shape[0] // samples_per_record
    return np.asarray(x[: count * samples_per_record]).reshape(count, samples_per_record)
