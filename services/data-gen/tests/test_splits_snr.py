import numpy as np

from pfd_datagen.domain.snr import add_noise_snr
from pfd_datagen.domain.splits import stratified_split


def test_record_level_stratified_split():
    labels = np.repeat(np.arange(4), 40)
    levels = np.tile(np.array(["mild", "severe"]), 80)
    groups = np.arange(160) // 2 * 2  # pairs (source + augmented copy)
    s = stratified_split(labels, levels, seed=3, groups=groups)
    all_rows = np.concatenate([s.train, s.val, s.test])
    assert np.array_equal(np.sort(all_rows), np.arange(160))
    for a, b in ((s.train, s.val), (s.train, s.test), (s.val, s.test)):
        assert not set(groups[a]) & set(groups[b])
    assert abs(s.train.size / 160 - 0.70) < 0.05 and abs(s.test.size / 160 - 0.15) < 0.05
    for c in range(4):
        assert np.sum(labels[s.test] == c) > 0
    again = stratified_split(labels, levels, seed=3, groups=groups)
    assert np.array_equal(again.train, s.train)


def test_snr_levels():
    t = np.arange(20480) / 20480.0
    x = np.stack([np.sin(2 * np.pi * 50 * t), 3 * np.sin(2 * np.pi * 80 * t)]).astype(np.float32)
    for snr in (20.0, 10.0, 5.0):
        y = add_noise_snr(x, snr, seed=1)
        noise = y.astype(np.float64) - x
        measured = 10 * np.log10(np.mean(x.astype(np.float64) ** 2, axis=1) / np.mean(noise**2, axis=1))
        assert y.dtype == np.float32
        np.testing.assert_allclose(measured, snr, atol=0.2)
    np.testing.assert_array_equal(add_noise_snr(x, 10.0, seed=1), add_noise_snr(x, 10.0, seed=1))
