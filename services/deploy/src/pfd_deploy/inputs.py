"""The windows a deployment checks and calibrates on, read from the run's data set (datasets/{id}/dataset.h5,
docs/dataset-format.md) over ranged GETs: non-overlapping windows of evenly spread test records (parity check,
accuracy figures) and of training records (static INT8 calibration), at the model's sample rate."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter the signals are compressed with
import numpy as np

from pfd_shared.signals import resample, sliding_windows, windows_per_record
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.keys import dataset_key
from pfd_shared.storage.ranged import RangedFile
from pfd_shared.training.spec import ModelSpec

DATASET_FILE = "dataset.h5"
TEST_SPLIT, CALIBRATION_SPLIT = "test", "train"


class InputUnavailable(ValueError):
    """The run's data set cannot give the windows a deployment needs; the message says why."""


@dataclass(frozen=True)
class CheckWindows:
    """Test windows (n, channels, window_length) with their class indices, and calibration windows."""

    test: np.ndarray
    labels: np.ndarray
    calibration: np.ndarray


def spread(rows: np.ndarray, count: int) -> np.ndarray:
    """At most ``count`` of ``rows`` (sorted), evenly spread so every part of the split is represented."""
    rows = np.unique(np.asarray(rows, dtype=np.int64))
    if rows.size <= count:
        return rows
    return np.unique(rows[np.linspace(0, rows.size - 1, count).round().astype(np.int64)])


def _class_map(spec: ModelSpec, dataset_classes: list[str]) -> np.ndarray:
    missing = [name for name in dataset_classes if name not in spec.class_names]
    if missing:
        raise InputUnavailable(f"the data set's classes {missing} are not classes of the model {list(spec.class_names)}")
    return np.asarray([spec.class_names.index(name) for name in dataset_classes], dtype=np.int64)


def _windows(h5: h5py.File, rows: np.ndarray, spec: ModelSpec, rate_hz: float,
             max_windows: int) -> tuple[np.ndarray, np.ndarray]:
    signals = h5["signals"]
    if np.size(rows) == 0:
        return np.empty((0, spec.in_channels, spec.window_length), np.float32), np.empty(0, np.int64)
    samples = round(signals.shape[-1] * spec.sample_rate_hz / rate_hz)
    per_record = windows_per_record(samples, spec.window_length, spec.window_length)
    if per_record == 0:
        raise InputUnavailable(f"records of {samples} samples at {spec.sample_rate_hz:g} Hz are shorter than one "
                               f"window of {spec.window_length}")
    chosen = spread(rows, max(1, -(-max_windows // per_record)))
    x = np.asarray(signals[chosen], dtype=np.float64)
    x = x[:, None, :] if x.ndim == 2 else x
    if x.shape[1] != spec.in_channels:
        raise InputUnavailable(f"the data set has {x.shape[1]} channel(s), the model takes {spec.in_channels}")
    cut = sliding_windows(resample(x, rate_hz, spec.sample_rate_hz), spec.window_length, spec.window_length)
    windows = np.ascontiguousarray(cut.transpose(0, 2, 1, 3).reshape(-1, spec.in_channels, spec.window_length),
                                   dtype=np.float32)
    return windows[:max_windows], np.repeat(chosen, cut.shape[2])[:max_windows]


def _read(h5: h5py.File, spec: ModelSpec, max_test: int, max_calibration: int) -> CheckWindows:
    missing = [path for path in ("signals", "labels", f"splits/{TEST_SPLIT}", f"splits/{CALIBRATION_SPLIT}")
               if path not in h5]
    if missing:
        raise InputUnavailable(f"the data set lacks {missing}")
    rate_hz = float(h5.attrs["sample_rate_hz"])
    classes = _class_map(spec, _json(h5.attrs["class_names"]))
    labels = np.asarray(h5["labels"][...], dtype=np.int64)
    test_rows = np.asarray(h5["splits"][TEST_SPLIT][...])
    if test_rows.size == 0:
        raise InputUnavailable("the data set's test split is empty: nothing to check the export on")
    test, records = _windows(h5, test_rows, spec, rate_hz, max_test)
    calibration, _ = _windows(h5, np.asarray(h5["splits"][CALIBRATION_SPLIT][...]), spec, rate_hz, max_calibration)
    return CheckWindows(test, classes[labels[records]], calibration)


def read_check_windows(store: ObjectStore, dataset_id: str, spec: ModelSpec, *, max_test: int, max_calibration: int,
                       block_bytes: int) -> CheckWindows:
    """Blocking: the windows of data set ``dataset_id``; InputUnavailable when it cannot give them."""
    key = dataset_key(dataset_id, DATASET_FILE)
    try:
        with RangedFile(store, key, block_bytes=block_bytes) as handle, h5py.File(handle, "r") as h5:
            return _read(h5, spec, max_test, max_calibration)
    except (OSError, KeyError, ValueError, StorageError) as exc:
        if isinstance(exc, InputUnavailable):
            raise
        raise InputUnavailable(f"the data set {dataset_id!r} cannot be read: {exc}") from exc


def _json(value: Any) -> Any:
    return json.loads(value.decode() if isinstance(value, bytes) else value)
