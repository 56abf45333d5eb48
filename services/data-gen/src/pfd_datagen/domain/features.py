"""The 36 hand-crafted features, vectorised over a batch of records or windows."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor

import numpy as np
from scipy import fft as sfft

from .allocator import tune_allocator
from .bispectrum import bispectrum_features
from pfd_shared.generation.config import FeatureConfig
from .spectral import cepstrum_features, envelope_features, psd_features
from .stats import central_moments, skew_kurt_from
from .wavelet import wavelet_features

TIME_FEATURES = ("rms", "kurtosis", "skewness", "crest_factor", "shape_factor", "impulse_factor", "clearance_factor")
FREQ_FEATURES = (
    "dominant_freq", "spectral_centroid", "spectral_entropy", "band_energy_0_500", "band_energy_500_2k",
    "band_energy_2k_5k", "band_energy_5k_10k", "total_spectral_power", "spectral_std", "harmonic_2x_1x",
    "harmonic_3x_1x", "spectral_peakiness",
)  # fmt: skip
ENVELOPE_FEATURES = ("envelope_rms", "envelope_kurtosis", "envelope_peak", "modulation_freq")
WAVELET_FEATURES = (
    "wavelet_energy_ratio", "wavelet_kurtosis", "d1_energy", "d3_energy", "d5_energy",
    "cepstral_peak_ratio", "quefrency_centroid",
)  # fmt: skip
BISPECTRUM_FEATURES = (
    "bispectrum_peak", "bispectrum_mean", "bispectrum_entropy", "phase_coupling", "nonlinearity_index",
    "bispectrum_peak_ratio",
)  # fmt: skip
FEATURE_NAMES: tuple[str, ...] = (
    TIME_FEATURES + FREQ_FEATURES + ENVELOPE_FEATURES + WAVELET_FEATURES + BISPECTRUM_FEATURES
)
N_FEATURES = len(FEATURE_NAMES)


def time_features(x: np.ndarray, eps: float) -> np.ndarray:
    """rms, kurtosis, skewness, crest, shape, impulse and clearance factors (7 columns)."""
    ax = np.abs(x)
    peak = ax.max(axis=1)
    mean_abs = np.maximum(ax.mean(axis=1), eps)
    mu, m2, m3, m4 = central_moments(x)
    rms = np.sqrt(m2 + mu * mu)
    skew, kurt = skew_kurt_from(m2, m3, m4, eps)
    clearance = peak / np.maximum(np.sqrt(ax.astype(np.float32)).mean(axis=1, dtype=np.float64) ** 2, eps)
    safe_rms = np.maximum(rms, eps)
    return np.stack([rms, kurt, skew, peak / safe_rms, rms / mean_abs, peak / mean_abs, clearance], axis=1)


def _block(x: np.ndarray, fs: float, speed_hz: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    spec = sfft.rfft(x, axis=-1)
    n = x.shape[-1]
    parts = [
        time_features(x, cfg.eps),
        psd_features(spec, n, fs, speed_hz, cfg),
        envelope_features(x, spec, fs, cfg),
        wavelet_features(x.astype(np.float32), cfg),
        cepstrum_features(spec, n, fs, cfg),
        bispectrum_features(x, fs, cfg),
    ]
    return np.concatenate(parts, axis=1)


def compute_features(
    x: np.ndarray,
    fs: float,
    speed_hz: np.ndarray | float,
    cfg: FeatureConfig | None = None,
    workers: int | None = None,
) -> np.ndarray:
    """(n, samples) signals -> (n, 36) float32 in FEATURE_NAMES order.

    speed_hz is each record's known shaft speed (for the harmonic ratios). Work is split into
    chunks of cfg.chunk_records rows run on `workers` threads (numpy/scipy release the GIL).
    """
    cfg = cfg or FeatureConfig()
    tune_allocator()
    x = np.atleast_2d(x)
    speed = np.broadcast_to(np.asarray(speed_hz, dtype=np.float64), (x.shape[0],))
    out = np.empty((x.shape[0], N_FEATURES), dtype=np.float32)
    starts = range(0, x.shape[0], cfg.chunk_records)

    def run(a: int) -> None:
        b = min(a + cfg.chunk_records, x.shape[0])
        out[a:b] = _block(x[a:b], fs, speed[a:b], cfg)

    with ThreadPoolExecutor(workers or os.cpu_count() or 1) as pool:
        list(pool.map(run, starts))
    return out
