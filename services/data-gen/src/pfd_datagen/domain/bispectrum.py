"""Direct (segment-averaged) bispectrum and bicoherence features on the low-frequency band."""

from __future__ import annotations

from functools import lru_cache

import numpy as np
from scipy import fft as sfft

from pfd_shared.generation.config import FeatureConfig
from .stats import normalized_entropy


@lru_cache(maxsize=8)
def _pairs(m: int) -> tuple[np.ndarray, np.ndarray]:
    """Principal-domain bin pairs 1 <= f2 <= f1 <= m."""
    i1, i2 = np.tril_indices(m)
    return i1 + 1, i2 + 1


def bispectrum_features(x: np.ndarray, fs: float, cfg: FeatureConfig) -> np.ndarray:
    """bispectrum_peak, _mean, _entropy, phase_coupling, nonlinearity_index, _peak_ratio."""
    n_rows, n = x.shape
    seg = min(cfg.bispectrum_nperseg, n)
    k = n // seg
    segs = x[:, : k * seg].reshape(n_rows, k, seg)
    segs = (segs - segs.mean(axis=-1, keepdims=True)) * np.hanning(seg)
    spec = sfft.rfft(segs.astype(np.float32), axis=-1)
    m = int(min(cfg.bispectrum_max_hz / (fs / seg), (spec.shape[-1] - 1) // 2))
    i1, i2 = _pairs(max(m, 1))
    x12 = spec[..., i1] * spec[..., i2]
    x3 = spec[..., i1 + i2]
    b = np.abs(np.einsum("rkp,rkp->rp", x12, np.conj(x3))) / k
    power = (spec.real**2 + spec.imag**2).astype(np.float64)
    p12 = np.einsum("rki,rkj->rij", power[..., 1 : m + 1], power[..., 1 : m + 1])[:, i1 - 1, i2 - 1] / k
    denom = p12 * power.mean(axis=1)[:, i1 + i2]
    bic = b * b / np.maximum(denom, cfg.eps)
    peak, mean = b.max(axis=1), b.mean(axis=1)
    cols = [
        peak,
        mean,
        normalized_entropy(b, cfg.eps),
        bic.max(axis=1),
        bic.mean(axis=1),
        peak / np.maximum(mean, cfg.eps),
    ]
    return np.stack(cols, axis=1)
