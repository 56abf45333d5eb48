"""Fixed-length windows (length, hop) inside records and their 36 features."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from pfd_shared.generation.config import FeatureConfig
from pfd_shared.signals import sliding_windows
from .features import compute_features


@dataclass(frozen=True)
class Windows:
    """Row ``i`` is the window of record ``record[i]`` starting at sample ``start[i]``."""

    length: int
    hop: int
    record: np.ndarray
    start: np.ndarray
    features: np.ndarray


def window_samples(fs: float, window_s: float, hop_s: float | None, record_samples: int) -> tuple[int, int]:
    """(length, hop) in samples; refuses windows longer than the record."""
    length = int(round(window_s * fs))
    hop = int(round((hop_s or window_s) * fs))
    if length < 2 or hop < 1:
        raise ValueError(f"window {window_s:g} s / hop {hop_s or window_s:g} s is under two samples at {fs:g} Hz")
    if length > record_samples:
        raise ValueError(f"window_seconds={window_s:g} is longer than a record ({record_samples / fs:g} s)")
    return length, hop


def window_features(signals: np.ndarray, fs: float, speed_hz: np.ndarray | float, length: int, hop: int,
                    cfg: FeatureConfig | None = None, workers: int | None = None) -> Windows:
    """Every window (length, hop) of every record, record-major, with its features."""
    signals = np.atleast_2d(signals)
    views = sliding_windows(signals, length, hop)  # (n, per_record, length), no copy
    per_record = views.shape[1]
    speed = np.broadcast_to(np.asarray(speed_hz, dtype=np.float64), (signals.shape[0],))
    features = compute_features(views.reshape(-1, length), fs, np.repeat(speed, per_record), cfg, workers)
    record = np.repeat(np.arange(signals.shape[0]), per_record)
    start = np.tile(np.arange(per_record) * hop, signals.shape[0])
    return Windows(length, hop, record, start, features)


def compute_window_features(x: np.ndarray, fs: float, speed_hz: np.ndarray | float, cfg: FeatureConfig | None = None,
                            workers: int | None = None) -> np.ndarray:
    """(n, samples) -> (n, n_windows, 36): features of back-to-back cfg.window_s windows (tail dropped)."""
    cfg = cfg or FeatureConfig()
    x = np.atleast_2d(x)
    length, hop = window_samples(fs, cfg.window_s, None, x.shape[-1])
    table = window_features(x, fs, speed_hz, length, hop, cfg, workers)
    return table.features.reshape(x.shape[0], -1, table.features.shape[1])
