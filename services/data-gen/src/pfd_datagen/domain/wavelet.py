"""Daubechies-4 DWT (periodization, as PyWavelets) and the wavelet features."""

from __future__ import annotations

import numpy as np

from pfd_shared.generation.config import FeatureConfig
from .stats import kurtosis

# Daubechies 4 (8 taps) analysis low-pass filter, PyWavelets' dec_lo for "db4".
DB4_DEC_LO = np.array(
    [
        -0.010597401785069032,
        0.0328830116668852,
        0.030841381835560764,
        -0.18703481171909309,
        -0.027983769416859854,
        0.6308807679298589,
        0.7148465705529157,
        0.2303778133088965,
    ]
)
DB4_DEC_HI = np.array([(-1) ** (k + 1) * DB4_DEC_LO[-1 - k] for k in range(DB4_DEC_LO.size)])


def dwt_step(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """One periodized analysis step along the last axis: (approximation, detail)."""
    if x.shape[-1] % 2:
        x = np.concatenate([x, x[..., -1:]], axis=-1)  # PyWavelets extends odd lengths by the last sample
    n, taps = x.shape[-1], DB4_DEC_LO.size
    if n >= taps:
        xp = np.concatenate([x[..., -taps:], x, x[..., :taps]], axis=-1)
    else:
        xp = x[..., np.arange(-taps, n + taps) % n]  # periodic extension for tiny inputs
    base = taps  # index of x[0] inside xp
    half = n // 2
    a = np.zeros(x.shape[:-1] + (half,), dtype=x.dtype)
    d = np.zeros_like(a)
    for k in range(taps):
        start = base + taps // 2 - k
        seg = xp[..., start : start + 2 * half : 2]
        a += x.dtype.type(DB4_DEC_LO[k]) * seg
        d += x.dtype.type(DB4_DEC_HI[k]) * seg
    return a, d


def wavedec(x: np.ndarray, level: int) -> tuple[np.ndarray, list[np.ndarray]]:
    """Multilevel decomposition: (approximation at `level`, [d1, d2, ..., d_level])."""
    details = []
    a = x
    for _ in range(level):
        a, d = dwt_step(a)
        details.append(d)
    return a, details


def wavelet_features(x: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """wavelet_energy_ratio, wavelet_kurtosis, d1_energy, d3_energy, d5_energy (5 columns).

    Energies are fractions of the total; the ratio is the detail share (d1..dL) of the energy;
    the kurtosis is that of the finest detail d1, where impulsive content shows first.
    """
    approx, details = wavedec(x, cfg.wavelet_level)
    energies = [np.einsum("...i,...i->...", d, d, dtype=np.float64) for d in details]
    e_approx = np.einsum("...i,...i->...", approx, approx, dtype=np.float64)
    total = np.maximum(e_approx + sum(energies), cfg.eps)
    pick = lambda k: energies[min(k, len(energies)) - 1] / total  # noqa: E731
    cols = [sum(energies) / total, kurtosis(details[0].astype(np.float64), cfg.eps), pick(1), pick(3), pick(5)]
    return np.stack(cols, axis=1)
