"""The window to explain: window ``w`` (samples [w*L, (w+1)*L) for a model of window length L) of a data-set
record (ranged reads of the HDF5 object, never the whole file) or of an uploaded float32 .npy signal."""

from __future__ import annotations

import io

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter the signals are compressed with
import numpy as np

from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.ranged import RangedFile

SIGNALS_PATH = "signals"


class InputUnavailable(ValueError):
    """The record, window or uploaded signal does not exist or cannot be read."""


def _cut(signal: np.ndarray, window: int, length: int, what: str) -> np.ndarray:
    available = signal.shape[-1] // length
    if window >= available:
        raise InputUnavailable(f"{what} has {available} window(s) of {length} samples; window {window} does not exist")
    return np.ascontiguousarray(signal[..., window * length:(window + 1) * length], dtype=np.float32)


def dataset_window(store: ObjectStore, object_key: str, record: int, window: int, length: int,
                   block_bytes: int) -> np.ndarray:
    try:
        with RangedFile(store, object_key, block_bytes=block_bytes) as handle, h5py.File(handle, "r") as h5:
            signals = h5[SIGNALS_PATH]
            if record >= signals.shape[0]:
                raise InputUnavailable(f"the data set has {signals.shape[0]} records; record {record} does not exist")
            signal = signals[record]
    except (OSError, KeyError, StorageError) as exc:
        raise InputUnavailable(f"the data set cannot be read: {exc}") from exc
    return _cut(signal, window, length, f"record {record}")


def uploaded_window(store: ObjectStore, key: str, window: int, length: int) -> np.ndarray:
    try:
        signal = np.load(io.BytesIO(store.get_bytes(key)), allow_pickle=False)
    except (OSError, ValueError, StorageError) as exc:
        raise InputUnavailable(f"the uploaded signal cannot be read: {exc}") from exc
    if signal.ndim not in (1, 2) or not np.issubdtype(signal.dtype, np.number):
        raise InputUnavailable(f"the uploaded signal must be a 1-D or 2-D numeric array, not {signal.shape}")
    return _cut(signal, window, length, "the uploaded signal")
