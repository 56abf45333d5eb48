"""Frequency-domain (Welch PSD), envelope (Hilbert) and cepstrum features."""

from __future__ import annotations

import numpy as np
from scipy import fft as sfft

from pfd_shared.generation.config import FeatureConfig
from .stats import kurtosis, normalized_entropy


def _band_max(f: np.ndarray, psd: np.ndarray, centre: np.ndarray, tol: float) -> np.ndarray:
    """Max PSD within +-tol*centre of each row's centre (always includes the nearest bin)."""
    mask = np.abs(f[None, :] - centre[:, None]) <= tol * centre[:, None]
    nearest = np.abs(f[None, :] - centre[:, None]).argmin(axis=1)
    mask[np.arange(mask.shape[0]), nearest] = True
    return np.where(mask, psd, 0.0).max(axis=1)


def averaged_psd(spec: np.ndarray, n: int, fs: float, bin_hz: float) -> tuple[np.ndarray, np.ndarray]:
    """One-sided PSD (density, V^2/Hz) averaged over groups of adjacent periodogram bins.

    A Daniell-smoothed periodogram of the whole record: same resolution and variance class as
    Welch at nperseg = fs / bin_hz (mean removed), but reusing the record's single FFT.
    """
    per = (spec.real**2 + spec.imag**2) * (2.0 / (fs * n))
    per[:, 0] = 0.0  # constant detrend, as Welch's default
    if n % 2 == 0:
        per[:, -1] /= 2.0
    group = max(1, int(round(bin_hz * n / fs)))
    k = per.shape[1] // group
    p = per[:, : k * group].reshape(per.shape[0], k, group).mean(axis=2)
    f = (np.arange(k) * group + (group - 1) / 2.0) * fs / n
    return f, p


def psd_features(spec: np.ndarray, n: int, fs: float, speed_hz: np.ndarray, cfg: FeatureConfig) -> np.ndarray:
    """dominant_freq .. spectral_peakiness (12 columns) from the averaged periodogram."""
    f, p = averaged_psd(spec, n, fs, cfg.psd_bin_hz)
    eps = cfg.eps
    df = f[1] - f[0] if f.size > 1 else fs / n
    total = np.maximum(p.sum(axis=1), eps)
    dominant = f[1 + p[:, 1:].argmax(axis=1)]
    centroid = (p * f).sum(axis=1) / total
    spread = np.sqrt(np.maximum((p * (f - centroid[:, None]) ** 2).sum(axis=1) / total, 0.0))
    bands = [p[:, (f >= lo) & (f < hi)].sum(axis=1) / total for lo, hi in cfg.band_edges_hz]
    a1 = np.maximum(_band_max(f, p, speed_hz, cfg.harmonic_tolerance), eps)
    h2 = np.sqrt(_band_max(f, p, 2.0 * speed_hz, cfg.harmonic_tolerance) / a1)
    h3 = np.sqrt(_band_max(f, p, 3.0 * speed_hz, cfg.harmonic_tolerance) / a1)
    peakiness = p.max(axis=1) / np.maximum(p.mean(axis=1), eps)
    cols = [dominant, centroid, normalized_entropy(p, eps), *bands, total * df, spread, h2, h3, peakiness]
    return np.stack(cols, axis=1)


def envelope_features(x: np.ndarray, spec: np.ndarray, fs: float, cfg: FeatureConfig) -> np.ndarray:
    """envelope_rms, envelope_kurtosis, envelope_peak, modulation_freq from the analytic signal."""
    n = x.shape[-1]
    quad = spec * -1j  # Hilbert transform: -j sign(f) on positive bins, DC/Nyquist removed
    quad[:, 0] = 0.0
    if n % 2 == 0:
        quad[:, -1] = 0.0
    env = np.sqrt(x * x + sfft.irfft(quad.astype(np.complex64), n, axis=-1) ** 2)
    env_spec = np.abs(sfft.rfft((env - env.mean(axis=1, keepdims=True)).astype(np.float32), axis=-1))
    f = sfft.rfftfreq(n, 1.0 / fs)
    lo, hi = cfg.modulation_band_hz
    band = (f >= lo) & (f <= hi)
    mod = f[band][env_spec[:, band].argmax(axis=1)] if band.any() else np.zeros(x.shape[0])
    cols = [np.sqrt((env * env).mean(axis=1)), kurtosis(env, cfg.eps), env.max(axis=1), mod]
    return np.stack(cols, axis=1)


def cepstrum_features(spec: np.ndarray, n: int, fs: float, cfg: FeatureConfig) -> np.ndarray:
    """cepstral_peak_ratio and quefrency_centroid of the real cepstrum in the quefrency range."""
    power = (spec.real**2 + spec.imag**2).astype(np.float32)
    ceps = np.abs(sfft.irfft(np.log(power + np.float32(cfg.eps)), n, axis=-1))
    q = np.arange(n) / fs
    lo, hi = cfg.cepstrum_quefrency_s
    sel = (q >= lo) & (q <= min(hi, q[n // 2]))
    c, qs = ceps[:, sel], q[sel]
    total = np.maximum(c.sum(axis=1), cfg.eps)
    ratio = c.max(axis=1) / np.maximum(c.mean(axis=1), cfg.eps)
    return np.stack([ratio, (c * qs).sum(axis=1) / total], axis=1)
