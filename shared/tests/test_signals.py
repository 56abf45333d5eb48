"""pfd_shared.signals: resampling, records and windows (one implementation for import and inference)."""

from __future__ import annotations

import numpy as np
import pytest

from pfd_shared.signals import cut_records, resample, sliding_windows, windows_per_record


def test_resampling_keeps_a_tone_and_changes_the_length() -> None:
    t = np.arange(12_000) / 12_000
    out = resample(np.sin(2 * np.pi * 50 * t), 12_000, 10_000)
    assert out.shape == (10_000,)
    reference = np.sin(2 * np.pi * 50 * np.arange(10_000) / 10_000)
    assert np.max(np.abs(out[100:-100] - reference[100:-100])) < 1e-2


def test_equal_rates_are_a_no_op_and_channels_resample_along_time() -> None:
    x = np.random.default_rng(0).normal(size=(2, 900))
    np.testing.assert_array_equal(resample(x, 1000.0, 1000.0), x)
    both = resample(x, 900.0, 1200.0)
    assert both.shape == (2, 1200)
    np.testing.assert_allclose(both[1], resample(x[1], 900.0, 1200.0))


def test_records_drop_the_tail() -> None:
    assert cut_records(np.arange(10), 3).tolist() == [[0, 1, 2], [3, 4, 5], [6, 7, 8]]


def test_windows_start_every_hop_and_count_like_training() -> None:
    x = np.arange(20.0)
    windows = sliding_windows(x, 6, 4)
    assert windows[:, 0].tolist() == [0, 4, 8, 12]
    assert windows.shape[0] == windows_per_record(20, 6, 4)
    assert sliding_windows(np.stack([x, -x]), 6, 4).shape == (2, 4, 6)


def test_bad_windows_are_refused() -> None:
    with pytest.raises(ValueError, match="shorter than one window"):
        sliding_windows(np.zeros(5), 6, 1)
    with pytest.raises(ValueError, match="must be >= 1"):
        sliding_windows(np.zeros(5), 2, 0)
