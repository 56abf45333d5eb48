"""Robustness copies: white Gaussian noise added to reach a target SNR per record."""

from __future__ import annotations

import numpy as np

from .rng import Stream, stream

ROBUSTNESS_SNR_DB = (20.0, 10.0, 5.0)


def add_noise_snr(x: np.ndarray, snr_db: float, seed: int = 0, indices: np.ndarray | None = None) -> np.ndarray:
    """float32 copy of (n, samples) x with white noise at SNR = 10 log10(P_signal / P_noise).

    Noise of row i comes from the stream (seed, indices[i]), so copies are reproducible per record.
    """
    x = np.atleast_2d(np.asarray(x))
    indices = np.arange(x.shape[0]) if indices is None else np.asarray(indices)
    power = np.mean(np.square(x, dtype=np.float64), axis=1)
    sigma = np.sqrt(power / 10.0 ** (snr_db / 10.0))
    out = np.empty(x.shape, dtype=np.float32)
    for row, (idx, s) in enumerate(zip(indices, sigma)):
        out[row] = x[row] + s * stream(seed, int(idx), Stream.SNR).standard_normal(x.shape[1])
    return out
