"""Row-wise moments shared by the time, envelope and wavelet features."""

from __future__ import annotations

import numpy as np


def central_moments(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(mean, m2, m3, m4) along the last axis (biased, as scipy.stats)."""
    n = x.shape[-1]
    mu = x.mean(axis=-1)
    d = x - mu[..., None]
    d2 = d * d
    m2 = d2.mean(axis=-1)
    return mu, m2, np.einsum("...i,...i->...", d2, d) / n, np.einsum("...i,...i->...", d2, d2) / n


def skew_kurt_from(m2: np.ndarray, m3: np.ndarray, m4: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Biased skewness and Fisher (excess) kurtosis, as scipy.stats.skew / kurtosis defaults."""
    return m3 / np.maximum(m2, eps) ** 1.5, m4 / np.maximum(m2 * m2, eps) - 3.0


def skew_kurt(x: np.ndarray, eps: float) -> tuple[np.ndarray, np.ndarray]:
    """Skewness and excess kurtosis along the last axis."""
    _, m2, m3, m4 = central_moments(x)
    return skew_kurt_from(m2, m3, m4, eps)


def kurtosis(x: np.ndarray, eps: float) -> np.ndarray:
    """Fisher (excess) kurtosis along the last axis."""
    return skew_kurt(x, eps)[1]


def normalized_entropy(p: np.ndarray, eps: float) -> np.ndarray:
    """Shannon entropy of rows of non-negative weights, normalised to [0, 1]."""
    q = p / np.maximum(p.sum(axis=-1, keepdims=True), eps)
    h = -(q * np.log(np.maximum(q, eps))).sum(axis=-1)
    return h / np.log(p.shape[-1])
