"""Signal Viewer analysis: downsampling keeps peaks, PSD and envelope find known tones, markers follow geometry."""

import json

import numpy as np
import pytest

from pfd_gateway.signals import analysis

FS = 20_480.0


def test_minmax_downsampling_keeps_every_bucket_extreme_in_time_order() -> None:
    y = np.random.default_rng(1).standard_normal(102_400).astype(np.float32)
    y[12_345], y[99_999] = 50.0, -60.0
    shown = analysis.minmax_downsample(y, 1_000, FS)
    assert len(shown.y) <= 2_000 and shown.y.max() == 50.0 and shown.y.min() == -60.0
    assert np.all(np.diff(shown.x) >= 0) and shown.x[-1] < len(y) / FS
    assert analysis.minmax_downsample(y[:100], 1_000, FS, start=10).x[0] == pytest.approx(10 / FS)


def test_welch_psd_peaks_at_a_test_tone() -> None:
    t = np.arange(int(FS)) / FS
    psd = analysis.welch_psd(np.sin(2 * np.pi * 1_234.0 * t), FS, 4_096)
    assert psd.x[np.argmax(psd.y)] == pytest.approx(1_234.0, abs=FS / 4_096)


def test_spectrogram_uses_the_window_and_caps_frames() -> None:
    y = np.random.default_rng(2).standard_normal(102_400)
    spec = analysis.spectrogram(y, FS, 512, 0.5, 100)
    assert spec.window == 512 and spec.power_db.shape == (257, len(spec.times_s)) and len(spec.times_s) <= 100


def test_envelope_spectrum_finds_the_modulation_frequency() -> None:
    t = np.arange(int(FS)) / FS
    am = (1 + 0.8 * np.cos(2 * np.pi * 37.0 * t)) * np.sin(2 * np.pi * 3_000.0 * t)
    spectrum = analysis.envelope_spectrum(am, FS, (1_000.0, 8_000.0), 500.0, 4)
    assert spectrum.x[np.argmax(spectrum.y)] == pytest.approx(37.0, abs=1.0) and spectrum.x[-1] <= 500.0


def rolling_config() -> dict[str, str]:
    rolling = {"n_balls": 9, "ball_diameter": 0.3126, "pitch_diameter": 1.537, "contact_angle_deg": 0.0}
    return {"config": json.dumps({"bearing": "rolling", "rolling": rolling})}


def test_markers_harmonics_subsync_and_bearing_frequencies_from_geometry() -> None:
    geometry, note = analysis.bearing_geometry(rolling_config())
    shown = analysis.markers(29.95, [1, 2, 3], (0.42, 0.48), geometry, note)
    assert [m.label for m in shown.harmonics] == ["1X", "2X", "3X"]
    assert shown.harmonics[2].freq_hz == pytest.approx(89.85)
    assert shown.subsync_hz == pytest.approx((0.42 * 29.95, 0.48 * 29.95))
    bearing = {m.label: m.freq_hz for m in shown.bearing}
    assert bearing["BPFO"] == pytest.approx(107.36, abs=0.1) and bearing["BPFI"] == pytest.approx(162.19, abs=0.1)
    assert set(bearing) == {"BPFO", "BPFI", "BSF", "FTF"} and shown.note == ""


@pytest.mark.parametrize("attrs, reason", [
    ({}, "No bearing geometry"),
    ({"config": json.dumps({"bearing": "journal"})}, "Journal-bearing"),
])
def test_no_bearing_markers_without_geometry_and_the_reason_is_given(attrs, reason) -> None:
    geometry, note = analysis.bearing_geometry(attrs)
    shown = analysis.markers(30.0, [1], (0.42, 0.48), geometry, note)
    assert geometry is None and shown.bearing == () and reason in shown.note and shown.harmonics


def test_no_speed_means_no_order_markers() -> None:
    shown = analysis.markers(None, [1, 2], (0.42, 0.48), None, "")
    assert shown.harmonics == () and shown.subsync_hz is None and "speed" in shown.note


def test_features_grouped_by_name_prefix() -> None:
    names = ["rms", "kurtosis", "spectral_entropy", "band_energy_0_500", "envelope_kurtosis", "modulation_freq",
             "wavelet_kurtosis", "d3_energy", "bispectrum_peak", "phase_coupling", "mystery"]
    groups = analysis.group_features({name: 1.0 for name in names})
    assert list(groups) == ["time", "frequency", "envelope", "wavelet", "bispectrum", "other"]
    assert list(groups["time"]) == ["rms", "kurtosis"] and "envelope_kurtosis" in groups["envelope"]


def test_cwt_scalogram_finds_a_tone_and_localises_a_burst_like_pywavelets() -> None:
    from pfd_gateway.signals.analysis import cwt_scalogram

    fs = 20_480.0
    t = np.arange(40_960) / fs
    y = np.sin(2 * np.pi * 300 * t) + 4 * (np.abs(t - 1.2) < 0.005) * np.sin(2 * np.pi * 5_000 * t)
    scalogram = cwt_scalogram(y, fs, n_freqs=48, min_hz=20.0, cycles=6.0, max_frames=200, max_samples=100_000)
    assert scalogram.power_db.shape == (48, 200) and scalogram.method == "cwt" and scalogram.window == y.size
    ridge = scalogram.freqs_hz[np.median(scalogram.power_db, axis=1).argmax()]
    assert abs(np.log(ridge / 300)) < np.log(scalogram.freqs_hz[1] / scalogram.freqs_hz[0])  # nearest row
    burst_row = np.abs(scalogram.freqs_hz - 5_000).argmin()
    assert abs(scalogram.times_s[scalogram.power_db[burst_row].argmax()] - 1.2) < 0.02
    pywt = pytest.importorskip("pywt")  # an independent CWT (complex Morlet) puts the tone at the same frequency
    coefficients, freqs = pywt.cwt(y[:8192], np.geomspace(4, 400, 40), "cmor1.5-1.0", sampling_period=1 / fs)
    independent = freqs[np.abs(coefficients).mean(axis=1).argmax()]
    assert abs(np.log(independent / ridge)) < 0.15


def test_cwt_of_a_long_signal_analyses_its_first_samples() -> None:
    from pfd_gateway.signals.analysis import cwt_scalogram

    scalogram = cwt_scalogram(np.random.default_rng(0).standard_normal(50_000), 10_000.0, 16, 5.0, 6.0, 100, 8_192)
    assert scalogram.window == 8_192 and scalogram.times_s[-1] < 8_192 / 10_000.0
