import numpy as np
import pytest

from pfd_datagen.domain.dataset import generate_batch, generate_dataset
from pfd_datagen.domain.noise import LAYERS, pink_gain, shaped_noise
from pfd_datagen.domain.record import generate_record, synthesize
from pfd_datagen.domain.severity import fixed_severity

SMALL = {"dataset": {"records_per_class": 2}}


def test_determinism_and_order_independence(make_cfg):
    cfg = make_cfg(SMALL, duration=0.5)
    ds1 = generate_dataset(cfg, seed=7, workers=1)
    ds2 = generate_dataset(cfg, seed=7, workers=2)
    assert ds1.signals.dtype == np.float32 and ds1.signals.shape == (cfg.n_records, cfg.n_samples)
    assert ds1.signals.tobytes() == ds2.signals.tobytes()
    order = np.random.default_rng(0).permutation(cfg.n_records)
    batch = generate_batch(cfg, order, seed=7)
    assert batch.signals.tobytes() == ds1.signals[order].tobytes()
    assert generate_record(cfg, 5, seed=7).signal.tobytes() == ds1.signals[5].tobytes()
    assert generate_record(cfg, 5, seed=8).signal.tobytes() != ds1.signals[5].tobytes()
    assert np.array_equal(ds1.labels, np.repeat(np.arange(11), 3))
    aug = ds1.metadata[2]
    assert aug.augmented and aug.source_index == 0 and ds1.source_indices[2] == 0


def test_process_executor_matches(make_cfg):
    cfg = make_cfg({"dataset": {"records_per_class": 1, "classes": [0, 5]}}, duration=0.25)
    a = generate_dataset(cfg, seed=1, workers=2, executor="process")
    assert a.signals.tobytes() == generate_dataset(cfg, seed=1, workers=1).signals.tobytes()


def test_balanced_severity_counts(make_cfg):
    cfg = make_cfg(
        {
            "dataset": {"records_per_class": 8, "balanced_severity": True, "classes": [0, 1]},
            "augmentation": {"fraction": 0.0},
        },
        duration=0.1,
    )
    ds = generate_dataset(cfg, seed=0)
    levels, counts = np.unique(ds.severity_levels[ds.labels == 1], return_counts=True)
    assert list(levels) == ["incipient", "mild", "moderate", "severe"] and set(counts) == {2}
    assert set(ds.severity_levels[ds.labels == 0]) == {"nominal"}


def _peak(f, p, lo, hi):
    sel = (f >= lo) & (f <= hi)
    return p[sel].max()


# (class id, orders that must be present, orders that must be absent), orders in X
EXPECT = {
    1: ([2.0, 3.0], [1.0]),
    2: ([1.0], [2.0, 3.0]),
    3: ([1.0, 2.0, "loose"], ["whirl"]),
    7: (["whirl"], ["loose", 1.0, 2.0]),
    0: ([], [1.0, 2.0, 3.0, "whirl", "loose"]),
}


@pytest.mark.parametrize("class_id", sorted(EXPECT))
def test_class_frequencies(class_id, psd, make_cfg):
    cfg = make_cfg(clean=True, duration=4.0)
    rec = synthesize(cfg, seed=3, index=11, class_id=class_id, severity=fixed_severity(0.8))
    f, p = psd(rec.signal, cfg.record.sample_rate_hz)
    sp = rec.meta.speed_hz
    floor = np.median(p[(f > 5) & (f < 400)])
    bands = {"loose": cfg.faults.looseness.sub_ratio, "whirl": cfg.faults.whirl.ratio}

    def level(order):
        lo, hi = bands[order] if isinstance(order, str) else (order * 0.99, order * 1.01)
        return _peak(f, p, lo * sp, hi * sp) / floor

    present, absent = EXPECT[class_id]
    strongest = max([level(o) for o in present], default=0.0)
    for o in present:
        assert level(o) > 1e3, (class_id, o)
    for o in absent:  # absent: near the floor, or >= 40 dB below the class's own lines
        assert level(o) < max(1e2, 1e-4 * strongest), (class_id, o)


@pytest.mark.parametrize("class_id", range(1, 11))
def test_severity_monotonic(class_id, make_cfg):
    cfg = make_cfg(clean=True, duration=1.0)
    energies = []
    for s in (0.25, 0.5, 0.75, 1.0):
        comps: dict[str, np.ndarray] = {}
        synthesize(cfg, seed=1, index=4, class_id=class_id, severity=fixed_severity(s), components=comps)
        energies.append(float(np.sum(comps["fault"] ** 2)))
    assert np.all(np.diff(energies) > 0), energies


@pytest.mark.parametrize("layer", list(LAYERS))
def test_noise_layer_switches_off(layer, make_cfg):
    over = {
        "noise": {
            "quantisation": {"enabled": layer == "quantisation"},
            "aliasing": {"probability": 1.0},
            "impulse": {"rate_hz": 40.0},
        }
    }
    on_cfg = make_cfg(over, duration=0.5)
    off_cfg = make_cfg({**over, "noise": {**over["noise"], layer: {"enabled": False}}}, duration=0.5)
    on_c: dict[str, np.ndarray] = {}
    off_c: dict[str, np.ndarray] = {}
    on = synthesize(on_cfg, 2, 9, 6, components=on_c).signal
    off = synthesize(off_cfg, 2, 9, 6, components=off_c).signal
    assert layer in on_c and np.any(on_c[layer] != 0) and layer not in off_c
    if layer == "quantisation":
        assert np.max(np.abs(on_c[layer])) <= on_cfg.noise.quantisation.step / 2 + 1e-12
    else:
        np.testing.assert_allclose(on - off, on_c[layer], atol=1e-6)


def test_pink_noise_slope(psd):
    fs, n = 20480.0, 204800
    x = shaped_noise(pink_gain(n, fs, 1.0), n, 0.02, np.random.default_rng(0))
    assert abs(x.std() - 0.02) < 1e-9
    from scipy.signal import welch

    f, p = welch(x, fs=fs, nperseg=16384)
    sel = (f >= 10) & (f <= 1000)
    slope = np.polyfit(np.log10(f[sel]), np.log10(p[sel]), 1)[0]
    assert -1.1 < slope < -0.9, slope


def test_speed_ramp_changes_instantaneous_frequency(make_cfg):
    over = {"transients": {"probability": 1.0, "kinds": ["speed_ramp"]}}
    noise_off = {name: {"enabled": False} for name in LAYERS}
    cfg = make_cfg({**over, "noise": noise_off}, duration=2.0)
    rec = synthesize(cfg, 0, 1, 2, severity=fixed_severity(1.0))
    assert rec.meta.transient == "speed_ramp"
    fs, n = cfg.record.sample_rate_hz, rec.signal.size
    q = n // 4

    def peak_hz(seg):
        spec = np.abs(np.fft.rfft(seg * np.hanning(seg.size), 16 * seg.size))
        return np.argmax(spec) * fs / (16 * seg.size)

    lo, hi = cfg.transients.speed_ramp
    nominal = rec.meta.speed_hz  # mean instantaneous speed = nominal x mean(lo..hi)
    start, end = peak_hz(rec.signal[:q]), peak_hz(rec.signal[-q:])
    assert abs(start / nominal - (lo + 0.125 * (hi - lo))) < 0.02
    assert abs(end / nominal - (lo + 0.875 * (hi - lo))) < 0.02
