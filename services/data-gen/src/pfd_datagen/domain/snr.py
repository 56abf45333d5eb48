"""Robustness copies: white Gaussian noise added to reach a target SNR per record."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np

from .rng import Stream, stream

ROBUSTNESS_SNR_DB = (20.0, 10.0, 5.0)
ROWS_PER_TASK = 16  # rows one worker thread noises at a time (numpy's generators release the GIL)


def add_noise_snr(x: np.ndarray, snr_db: float, seed: int = 0, indices: np.ndarray | None = None,
                  workers: int | None = 1) -> np.ndarray:
    """float32 copy of (n, samples) x with white noise at SNR = 10 log10(P_signal / P_noise).

    Noise of row i comes from the stream (seed, indices[i]), so copies are reproducible per record and
    identical for any number of ``workers`` threads (None: every core).
    """
    x = np.atleast_2d(np.asarray(x))
    indices = np.arange(x.shape[0]) if indices is None else np.asarray(indices)
    power = np.mean(np.square(x, dtype=np.float64), axis=1)
    sigma = np.sqrt(power / 10.0 ** (snr_db / 10.0))
    out = np.empty(x.shape, dtype=np.float32)

    def fill(start: int) -> None:
        for row in range(start, min(start + ROWS_PER_TASK, x.shape[0])):
            out[row] = x[row] + sigma[row] * stream(seed, int(indices[row]), Stream.SNR).standard_normal(x.shape[1])

    starts = range(0, x.shape[0], ROWS_PER_TASK)
    if (workers or os.cpu_count() or 1) == 1:
        for start in starts:
            fill(start)
    else:
        with ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
            list(pool.map(fill, starts))
    return out
