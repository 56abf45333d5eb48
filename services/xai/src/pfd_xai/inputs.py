"""The windows to explain or embed: window ``w`` (samples [w*L, (w+1)*L) for a model of window length L) of a
data-set record (ranged reads of the HDF5 object, never the whole file) or of an uploaded float32 .npy signal."""

from __future__ import annotations

import contextlib
import io
import json
from collections.abc import Iterator

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter the signals are compressed with
import numpy as np

from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.ranged import RangedFile

SIGNALS_PATH = "signals"
LABELS_PATH = "labels"
CLASS_NAMES_ATTR = "class_names"


class InputUnavailable(ValueError):
    """The record, window or uploaded signal does not exist or cannot be read."""


def _cut(signal: np.ndarray, window: int, length: int, what: str) -> np.ndarray:
    available = signal.shape[-1] // length
    if window >= available:
        raise InputUnavailable(f"{what} has {available} window(s) of {length} samples; window {window} does not exist")
    return np.ascontiguousarray(signal[..., window * length:(window + 1) * length], dtype=np.float32)


class DatasetFile:
    """An open data-set object (ranged reads): its labels, class names and record windows. Every read error is
    an InputUnavailable."""

    def __init__(self, store: ObjectStore, object_key: str, block_bytes: int) -> None:
        self._stack = contextlib.ExitStack()
        try:
            handle = self._stack.enter_context(RangedFile(store, object_key, block_bytes=block_bytes))
            self._h5 = self._stack.enter_context(h5py.File(handle, "r"))
            self.signals = self._h5[SIGNALS_PATH]
        except (OSError, KeyError, StorageError) as exc:
            self._stack.close()
            raise InputUnavailable(f"the data set cannot be read: {exc}") from exc

    def __enter__(self) -> DatasetFile:
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stack.close()

    @property
    def samples_per_record(self) -> int:
        return int(self.signals.shape[-1])

    def labels_and_classes(self) -> tuple[np.ndarray, tuple[str, ...]]:
        """Class id of every record and the class names they index; InputUnavailable when they do not fit."""
        with _readable():
            labels = np.asarray(self._h5[LABELS_PATH][:], dtype=np.int64)
            names = tuple(str(name) for name in json.loads(self._h5.attrs[CLASS_NAMES_ATTR]))
        if labels.size and (labels.min() < 0 or labels.max() >= len(names)):
            raise InputUnavailable(f"the data set's labels do not index its {len(names)} class names")
        return labels, names

    def record(self, record: int) -> np.ndarray:
        if record >= self.signals.shape[0]:
            raise InputUnavailable(f"the data set has {self.signals.shape[0]} records; record {record} does not exist")
        with _readable():
            return np.asarray(self.signals[record])

    def windows(self, records: np.ndarray, windows: np.ndarray, length: int) -> Iterator[np.ndarray]:
        """The chosen windows, record by record ((k, samples) per record), in the order given (grouped by record)."""
        starts = np.flatnonzero(np.diff(records, prepend=-1)) if records.size else np.zeros(0, dtype=np.int64)
        for first, last in zip(starts, [*starts[1:], records.size]):
            signal = self.record(int(records[first]))
            yield np.stack([_cut(signal, int(w), length, f"record {records[first]}") for w in windows[first:last]])


@contextlib.contextmanager
def _readable() -> Iterator[None]:
    try:
        yield
    except (OSError, KeyError, ValueError, StorageError) as exc:
        raise InputUnavailable(f"the data set cannot be read: {exc}") from exc


def dataset_window(store: ObjectStore, object_key: str, record: int, window: int, length: int,
                   block_bytes: int) -> np.ndarray:
    with DatasetFile(store, object_key, block_bytes) as data:
        return _cut(data.record(record), window, length, f"record {record}")


def uploaded_window(store: ObjectStore, key: str, window: int, length: int) -> np.ndarray:
    try:
        signal = np.load(io.BytesIO(store.get_bytes(key)), allow_pickle=False)
    except (OSError, ValueError, StorageError) as exc:
        raise InputUnavailable(f"the uploaded signal cannot be read: {exc}") from exc
    if signal.ndim not in (1, 2) or not np.issubdtype(signal.dtype, np.number):
        raise InputUnavailable(f"the uploaded signal must be a 1-D or 2-D numeric array, not {signal.shape}")
    return _cut(signal, window, length, "the uploaded signal")
