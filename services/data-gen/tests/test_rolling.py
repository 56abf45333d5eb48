import numpy as np
import pytest
from scipy.signal import butter, hilbert, sosfiltfilt

from pfd_datagen.domain.record import synthesize
from pfd_datagen.domain.rolling import characteristic_frequencies, defect_orders
from pfd_datagen.domain.severity import fixed_severity


def test_cwru_orders():
    from pfd_shared.generation.sections import RollingElementConfig

    o = defect_orders(RollingElementConfig())
    assert o["bpfo"] == pytest.approx(3.5848, rel=1e-3) and o["bpfi"] == pytest.approx(5.4152, rel=1e-3)
    assert o["bsf"] == pytest.approx(2.3568, rel=1e-3) and o["ftf"] == pytest.approx(0.3983, rel=1e-3)


def _envelope_spectrum(x, fs):
    sos = butter(4, [1500.0, 6000.0], btype="bandpass", fs=fs, output="sos")
    env = np.abs(hilbert(sosfiltfilt(sos, x.astype(np.float64))))
    spec = np.abs(np.fft.rfft(env - env.mean()))
    return np.fft.rfftfreq(env.size, 1 / fs), spec


@pytest.mark.parametrize(("class_id", "key"), [(1, "bpfo"), (2, "bpfi")])
def test_envelope_peaks_at_defect_frequency(class_id, key, make_cfg):
    cfg = make_cfg({"bearing": "rolling", "transients": {"probability": 0.0}}, duration=2.0)
    rec = synthesize(cfg, seed=5, index=3, class_id=class_id, severity=fixed_severity(0.8))
    f, spec = _envelope_spectrum(rec.signal, cfg.record.sample_rate_hz)
    target = characteristic_frequencies(cfg.rolling, rec.meta.speed_hz)[key]
    band = (f > 0.8 * target) & (f < 1.2 * target)
    peak = f[band][np.argmax(spec[band])]
    assert abs(peak / target - 1) < 0.02
    assert spec[band].max() > 10 * np.median(spec[(f > 10) & (f < 1000)])
    if key == "bpfo":
        search = (f > 10) & (f < 1.5 * target)
        assert abs(f[search][np.argmax(spec[search])] / target - 1) < 0.02


def test_rolling_healthy_has_no_defect_line(make_cfg):
    cfg = make_cfg({"bearing": "rolling", "transients": {"probability": 0.0}}, duration=2.0)
    rec = synthesize(cfg, seed=5, index=3, class_id=0)
    f, spec = _envelope_spectrum(rec.signal, cfg.record.sample_rate_hz)
    target = characteristic_frequencies(cfg.rolling, rec.meta.speed_hz)["bpfo"]
    band = (f > 0.98 * target) & (f < 1.02 * target)
    assert spec[band].max() < 10 * np.median(spec[(f > 10) & (f < 1000)])
