"""Signal analysis for display: pure numpy/scipy, no framework (import-linter checks it).

Min/max downsampling, Welch PSD, STFT spectrogram, Morlet CWT scalogram, envelope spectrum, and the marker
frequencies of a record:
shaft harmonics, the sub-synchronous band and — only when the data set carries a rolling-element bearing
geometry — BPFO/BPFI/BSF/FTF.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import fft as sfft
from scipy import signal as sps

DB_FLOOR = 1e-20  # power added before the log so silence is finite
DB_PER_DECADE = 10.0
NYQUIST_MARGIN = 0.99  # a band edge is kept just below the Nyquist frequency
ROLLING_BEARING = "rolling"
MORLET_SUPPORT = 6.0  # a Morlet row keeps the bins within this many standard deviations of its centre
CWT_BINS_PER_FRAME = 4  # time samples per displayed CWT frame (before averaging)
CWT_RANGE_DB = 90.0  # scalogram colours span this far below its peak (empty bands would sit at the dB floor)


@dataclass(frozen=True)
class Series:
    x: np.ndarray
    y: np.ndarray


@dataclass(frozen=True)
class Spectrogram:
    freqs_hz: np.ndarray
    times_s: np.ndarray
    power_db: np.ndarray  # (freqs, times)
    window: int  # STFT window, or the samples a CWT analysed
    method: str = "stft"  # "stft" | "cwt"


@dataclass(frozen=True)
class Marker:
    label: str
    freq_hz: float


@dataclass(frozen=True)
class BearingGeometry:
    n_balls: int
    ball_diameter: float
    pitch_diameter: float
    contact_angle_deg: float


@dataclass(frozen=True)
class Markers:
    harmonics: tuple[Marker, ...]
    subsync_hz: tuple[float, float] | None
    bearing: tuple[Marker, ...]
    note: str  # why bearing markers are absent ("" when shown)


def minmax_downsample(y: np.ndarray, buckets: int, sample_rate_hz: float, start: int = 0) -> Series:
    """Times (s) and values of each bucket's min and max, so every peak survives; short signals unchanged."""
    n = len(y)
    if n <= 2 * buckets:
        return Series((start + np.arange(n)) / sample_rate_hz, np.asarray(y))
    size = -(-n // buckets)
    rows = -(-n // size)
    padded = np.pad(y, (0, rows * size - n), mode="edge").reshape(rows, size)
    base = np.arange(rows) * size
    pairs = np.stack([base + padded.argmin(axis=1), base + padded.argmax(axis=1)], axis=1)
    index = np.minimum(np.sort(pairs, axis=1).ravel(), n - 1)
    return Series((start + index) / sample_rate_hz, np.asarray(y)[index])


def welch_psd(y: np.ndarray, sample_rate_hz: float, segment: int) -> Series:
    """Welch power spectral density (Hann, 50 % overlap), in units² / Hz."""
    freqs, power = sps.welch(y, fs=sample_rate_hz, nperseg=min(segment, len(y)))
    return Series(freqs, power)


def spectrogram(y: np.ndarray, sample_rate_hz: float, window: int, overlap: float, max_frames: int) -> Spectrogram:
    """STFT power in dB; at most ``max_frames`` evenly spaced frames leave the server."""
    window = min(window, len(y))
    freqs, times, power = sps.spectrogram(y, fs=sample_rate_hz, window="hann", nperseg=window,
                                          noverlap=int(window * overlap), mode="psd")
    if len(times) > max_frames:
        keep = np.linspace(0, len(times) - 1, max_frames).round().astype(int)
        times, power = times[keep], power[:, keep]
    return Spectrogram(freqs, times, DB_PER_DECADE * np.log10(power + DB_FLOOR), window)


def cwt_scalogram(y: np.ndarray, sample_rate_hz: float, n_freqs: int, min_hz: float, cycles: float,
                  max_frames: int, max_samples: int) -> Spectrogram:
    """Continuous wavelet transform with an analytic Morlet wavelet (centre ``cycles`` rad), computed by FFT.

    Frequencies are log-spaced from ``min_hz`` (raised to what the signal's length resolves) to just below Nyquist;
    power |W|² is averaged over at most ``max_frames`` time bins and given in dB. Each row inverts only the bins
    its wavelet passes (shifted to base band: |W| is unchanged), at a length just enough for the time bins.
    Longer signals are analysed over their first ``max_samples`` samples (``window`` then says how many).
    """
    y = np.asarray(y[:max_samples], dtype=np.float64)
    n = len(y)
    lowest = max(min_hz, cycles * sample_rate_hz / (np.pi * n))  # a few periods must fit the signal
    freqs = np.geomspace(lowest, sample_rate_hz / 2.0 * NYQUIST_MARGIN, n_freqs)
    spectrum = sfft.rfft(y - y.mean())
    omega = 2.0 * np.pi * np.fft.rfftfreq(n, 1.0 / sample_rate_hz)
    frames = min(max_frames, n)
    power = np.empty((n_freqs, frames))
    for row, freq in enumerate(freqs):
        scale = cycles / (2.0 * np.pi * freq)
        centre, half = freq * n / sample_rate_hz, MORLET_SUPPORT / scale * n / (2.0 * np.pi * sample_rate_hz)
        lo, hi = max(1, int(centre - half)), min(spectrum.size, int(np.ceil(centre + half)) + 1)
        length = min(n, sfft.next_fast_len(max(hi - lo, CWT_BINS_PER_FRAME * frames)))
        band = np.zeros(length, dtype=complex)
        band[: hi - lo] = spectrum[lo:hi] * np.exp(-0.5 * (scale * omega[lo:hi] - cycles) ** 2)
        coefficients = sfft.ifft(band) * (length / n)
        energy = coefficients.real**2 + coefficients.imag**2
        edges = np.linspace(0, length, frames + 1).astype(int)
        power[row] = np.add.reduceat(energy, edges[:-1]) / np.diff(edges)
    times = (np.arange(frames) + 0.5) * n / frames / sample_rate_hz
    power_db = DB_PER_DECADE * np.log10(power + DB_FLOOR)
    return Spectrogram(freqs, times, np.maximum(power_db, power_db.max() - CWT_RANGE_DB), n, "cwt")


def envelope_spectrum(y: np.ndarray, sample_rate_hz: float, band_hz: Sequence[float], max_hz: float,
                      order: int) -> Series:
    """Amplitude spectrum of the Hilbert envelope of the band-passed signal (band clipped below Nyquist)."""
    nyquist = sample_rate_hz / 2.0
    high = min(band_hz[1], nyquist * NYQUIST_MARGIN)
    low = min(band_hz[0], high / 2.0)
    sos = sps.butter(order, (low, high), btype="bandpass", fs=sample_rate_hz, output="sos")
    envelope = np.abs(sps.hilbert(sps.sosfiltfilt(sos, y)))
    envelope -= envelope.mean()
    amplitude = 2.0 * np.abs(np.fft.rfft(envelope)) / len(envelope)
    freqs = np.fft.rfftfreq(len(envelope), 1.0 / sample_rate_hz)
    keep = freqs <= max_hz
    return Series(freqs[keep], amplitude[keep])


def bearing_geometry(attrs: Mapping[str, Any]) -> tuple[BearingGeometry | None, str]:
    """The rolling-element geometry in a data set's attributes (``config`` of synthetic sets, or a
    ``bearing_geometry`` JSON attribute), or None and the reason."""
    explicit = attrs.get("bearing_geometry")
    if explicit:
        return _geometry(json.loads(explicit)), ""
    if not attrs.get("config"):
        return None, "No bearing geometry in this data set's attributes: BPFO/BPFI/BSF/FTF are not marked."
    config = json.loads(attrs["config"])
    if config.get("bearing") != ROLLING_BEARING:
        return None, "Journal-bearing data set: no rolling-element defect frequencies."
    return _geometry(config["rolling"]), ""


def _geometry(values: Mapping[str, Any]) -> BearingGeometry:
    return BearingGeometry(int(values["n_balls"]), float(values["ball_diameter"]), float(values["pitch_diameter"]),
                           float(values.get("contact_angle_deg", 0.0)))


def defect_orders(geometry: BearingGeometry) -> dict[str, float]:
    """BPFO, BPFI, BSF and FTF as multiples of the shaft frequency."""
    ratio = geometry.ball_diameter / geometry.pitch_diameter * np.cos(np.deg2rad(geometry.contact_angle_deg))
    half = geometry.n_balls / 2.0
    return {
        "BPFO": half * (1.0 - ratio),
        "BPFI": half * (1.0 + ratio),
        "BSF": geometry.pitch_diameter / (2.0 * geometry.ball_diameter) * (1.0 - ratio**2),
        "FTF": 0.5 * (1.0 - ratio),
    }


def markers(speed_hz: float | None, harmonic_orders: Sequence[int], subsync_orders: Sequence[float],
            geometry: BearingGeometry | None, geometry_note: str) -> Markers:
    """Marker frequencies of one record; without a speed there are none, and the note says so."""
    if speed_hz is None or not np.isfinite(speed_hz) or speed_hz <= 0:
        return Markers((), None, (), "No shaft speed for this record: no order markers.")
    harmonics = tuple(Marker(f"{order}X", order * speed_hz) for order in harmonic_orders)
    band = (subsync_orders[0] * speed_hz, subsync_orders[1] * speed_hz)
    if geometry is None:
        return Markers(harmonics, band, (), geometry_note)
    bearing = tuple(Marker(name, order * speed_hz) for name, order in defect_orders(geometry).items())
    return Markers(harmonics, band, bearing, "")


FEATURE_GROUPS: dict[str, tuple[str, ...]] = {  # group -> name prefixes (36 features of the data-set format)
    "time": ("rms", "kurtosis", "skewness", "crest", "shape", "impulse", "clearance"),
    "frequency": ("dominant", "spectral", "band_energy", "total_spectral", "harmonic"),
    "envelope": ("envelope", "modulation"),
    "wavelet": ("wavelet", "d1_", "d3_", "d5_", "cepstral", "quefrency"),
    "bispectrum": ("bispectrum", "phase_coupling", "nonlinearity"),
}
OTHER_GROUP = "other"


def group_features(features: Mapping[str, float]) -> dict[str, dict[str, float]]:
    """Features by group (name prefix), groups in display order, names in file order; unknown names: "other"."""
    groups: dict[str, dict[str, float]] = {name: {} for name in (*FEATURE_GROUPS, OTHER_GROUP)}
    for name, value in features.items():
        group = next((g for g, prefixes in FEATURE_GROUPS.items() if name.startswith(prefixes)), OTHER_GROUP)
        groups[group][name] = value
    return {name: values for name, values in groups.items() if values}
