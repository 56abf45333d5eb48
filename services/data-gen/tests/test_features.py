import numpy as np
import pytest
import scipy.stats as st
from scipy.signal import hilbert, welch

from pfd_shared.generation.config import FeatureConfig
from pfd_datagen.domain.features import FEATURE_NAMES, compute_features
from pfd_datagen.domain.windows import compute_window_features
from pfd_datagen.domain.wavelet import wavedec

FS = 20480.0
N = 20480
T = np.arange(N) / FS


@pytest.fixture(scope="module")
def batch():
    rng = np.random.default_rng(0)
    tones = np.sin(2 * np.pi * 60 * T) + 0.5 * np.sin(2 * np.pi * 120 * T) + 0.2 * np.sin(2 * np.pi * 180 * T)
    impulsive = rng.standard_normal(N) * 0.1
    impulsive[::512] += 3.0
    am = (1 + 0.8 * np.sin(2 * np.pi * 37 * T)) * np.sin(2 * np.pi * 3000 * T)
    x = np.stack([tones + 0.05 * rng.standard_normal(N), impulsive, am, rng.standard_normal(N) + 0.3]).astype(
        np.float32
    )
    return x, compute_features(x, FS, np.full(4, 60.0), workers=2)


def col(name):
    return FEATURE_NAMES.index(name)


def test_names_shape_dtype(batch):
    x, f = batch
    assert len(FEATURE_NAMES) == 36 == len(set(FEATURE_NAMES))
    assert f.shape == (4, 36) and f.dtype == np.float32 and np.isfinite(f).all()


def test_time_domain_matches_scipy(batch):
    x, f = batch
    x64 = x.astype(np.float64)
    rms = np.sqrt(np.mean(x64**2, axis=1))
    peak, mean_abs = np.abs(x64).max(axis=1), np.abs(x64).mean(axis=1)
    expected = {
        "rms": rms,
        "kurtosis": st.kurtosis(x64, axis=1),
        "skewness": st.skew(x64, axis=1),
        "crest_factor": peak / rms,
        "shape_factor": rms / mean_abs,
        "impulse_factor": peak / mean_abs,
        "clearance_factor": peak / np.mean(np.sqrt(np.abs(x64)), axis=1) ** 2,
    }
    for name, ref in expected.items():
        np.testing.assert_allclose(f[:, col(name)], ref, rtol=1e-4, atol=1e-6, err_msg=name)


def test_spectral_against_welch(batch):
    x, f = batch
    fw, p = welch(x.astype(np.float64), fs=FS, nperseg=8192, axis=-1)
    tonal = [0, 2]  # the dominant bin of broadband rows is a coin toss for any estimator
    dominant = fw[np.argmax(p[:, 1:], axis=1) + 1]
    np.testing.assert_allclose(f[tonal, col("dominant_freq")], dominant[tonal], atol=3.0)
    centroid = (p * fw).sum(axis=1) / p.sum(axis=1)
    np.testing.assert_allclose(f[:, col("spectral_centroid")], centroid, rtol=0.05)
    power = f[:, col("total_spectral_power")]
    np.testing.assert_allclose(power, np.var(x.astype(np.float64), axis=1), rtol=0.02)
    bands = f[:, [col(n) for n in FEATURE_NAMES if n.startswith("band_energy")]]
    assert np.all(bands.sum(axis=1) <= 1.0 + 1e-5)
    assert f[0, col("band_energy_0_500")] > 0.99
    assert f[2, col("band_energy_2k_5k")] > 0.99
    np.testing.assert_allclose(f[0, col("harmonic_2x_1x")], 0.5, rtol=0.05)
    np.testing.assert_allclose(f[0, col("harmonic_3x_1x")], 0.2, rtol=0.05)
    assert f[0, col("spectral_peakiness")] > 100 * f[3, col("spectral_peakiness")]
    assert f[3, col("spectral_entropy")] > 0.9 > f[0, col("spectral_entropy")]


def test_envelope_against_scipy_hilbert(batch):
    x, f = batch
    env = np.abs(hilbert(x.astype(np.float64), axis=-1))
    np.testing.assert_allclose(f[:, col("envelope_rms")], np.sqrt(np.mean(env**2, axis=1)), rtol=1e-4)
    np.testing.assert_allclose(f[:, col("envelope_peak")], env.max(axis=1), rtol=1e-3)
    np.testing.assert_allclose(f[:, col("envelope_kurtosis")], st.kurtosis(env, axis=1), rtol=1e-3, atol=1e-3)
    assert f[2, col("modulation_freq")] == pytest.approx(37.0, abs=1.0)


def test_wavelet_energies():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((2, 4096))
    approx, details = wavedec(x, 5)
    energy = (approx**2).sum(axis=1) + sum((d**2).sum(axis=1) for d in details)
    np.testing.assert_allclose(energy, (x**2).sum(axis=1), rtol=1e-10)  # orthogonal transform
    pywt = pytest.importorskip("pywt")
    ref = pywt.wavedec(x, "db4", mode="periodization", level=5, axis=-1)
    np.testing.assert_allclose(approx, ref[0], atol=1e-10)
    for d, r in zip(details, ref[:0:-1]):
        np.testing.assert_allclose(d, r, atol=1e-10)


def test_wavelet_cepstrum_bispectrum_behave(batch):
    x, f = batch
    e = f[:, [col("d1_energy"), col("d3_energy"), col("d5_energy")]]
    assert np.all((e >= 0) & (e <= 1))
    assert f[2, col("wavelet_energy_ratio")] > 0.99  # 3 kHz content is all detail
    assert f[1, col("wavelet_kurtosis")] > 10 * abs(f[3, col("wavelet_kurtosis")])
    assert f[1, col("cepstral_peak_ratio")] > f[3, col("cepstral_peak_ratio")]  # 40 Hz impulse train
    rng = np.random.default_rng(2)
    coupled, free = [], []
    for _ in range(2):
        a, b = rng.uniform(0, 2 * np.pi, 2)
        base = np.cos(2 * np.pi * 110 * T + a) + np.cos(2 * np.pi * 170 * T + b)
        coupled.append(base + np.cos(2 * np.pi * 280 * T + a + b) + 0.1 * rng.standard_normal(N))
    for _ in range(2):
        a, b, c = rng.uniform(0, 2 * np.pi, 3)
        free.append(np.cos(2 * np.pi * 110 * T + a) + np.cos(2 * np.pi * 170 * T + b) + 0.1 * rng.standard_normal(N))
    g = compute_features(np.array(coupled + free), FS, 60.0)
    assert g[:2, col("phase_coupling")].min() > 0.95
    assert g[:2, col("phase_coupling")].min() > 1.5 * g[2:, col("phase_coupling")].max()


def test_windowed_equals_per_window(batch):
    x, _ = batch
    cfg = FeatureConfig(window_s=0.25)
    w = compute_window_features(x, FS, np.full(4, 60.0), cfg)
    assert w.shape == (4, 4, 36)
    direct = compute_features(x[:, 5120:10240], FS, np.full(4, 60.0), cfg)
    np.testing.assert_allclose(w[:, 1], direct, rtol=1e-6)
