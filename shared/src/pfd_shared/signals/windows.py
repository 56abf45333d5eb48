"""Fixed-length windows (length, hop) along the time axis: the same arithmetic as training's window sets."""

from __future__ import annotations

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view


def windows_per_record(samples: int, length: int, hop: int) -> int:
    """How many windows of ``length`` with ``hop`` fit in ``samples`` (window i starts at i * hop)."""
    return 0 if samples < length else (samples - length) // hop + 1


def sliding_windows(x: np.ndarray, length: int, hop: int) -> np.ndarray:
    """(..., n_windows, length) view of every window of ``x`` (..., samples); the tail is dropped. No copy."""
    if length < 1 or hop < 1:
        raise ValueError(f"window length ({length}) and hop ({hop}) must be >= 1")
    if x.shape[-1] < length:
        raise ValueError(f"{x.shape[-1]} samples are shorter than one window of {length}")
    return sliding_window_view(x, length, axis=-1)[..., ::hop, :]
