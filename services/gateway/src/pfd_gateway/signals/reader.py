"""Reads single records of data-set HDF5 objects through ranged GETs (never the whole object).

Open files are kept in a small LRU per object key: HDF5 metadata and the chunk cache stay warm between records.
"""

from __future__ import annotations

import json
import threading
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter the signals are compressed with
import numpy as np

from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.ranged import RangedFile

from pfd_gateway.settings import SignalViewerSettings
from pfd_gateway.signals.analysis import BearingGeometry, bearing_geometry

SPEED_PATH = "operating/speed_hz"


class DatasetUnreadable(Exception):
    """The data-set object is missing, unreachable or not in the expected format."""


@dataclass(frozen=True)
class DatasetInfo:
    records: int
    samples: int
    sample_rate_hz: float
    class_names: tuple[str, ...]
    feature_names: tuple[str, ...]
    geometry: BearingGeometry | None
    geometry_note: str


@dataclass(frozen=True)
class Record:
    index: int
    signal: np.ndarray  # float32
    label: int
    class_name: str
    speed_hz: float | None
    features: dict[str, float]  # in the file's feature order


class _OpenFile:
    def __init__(self, store: ObjectStore, key: str, settings: SignalViewerSettings) -> None:
        self.handle = RangedFile(store, key, block_bytes=settings.block_bytes, cache_blocks=settings.cache_blocks)
        self.h5 = h5py.File(self.handle, "r", rdcc_nbytes=settings.chunk_cache_bytes)
        self.info = _describe(self.h5)

    def close(self) -> None:
        self.h5.close()
        self.handle.close()


def _describe(h5: h5py.File) -> DatasetInfo:
    records, samples = (int(n) for n in h5["signals"].shape)
    attrs = {key: _text(value) for key, value in h5.attrs.items()}
    geometry, note = bearing_geometry(attrs)
    return DatasetInfo(records, samples, float(h5.attrs["sample_rate_hz"]), tuple(json.loads(attrs["class_names"])),
                       tuple(json.loads(_text(h5["features"].attrs["names"]))), geometry, note)


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


class DatasetReader:
    """Thread-safe: the LRU is locked; h5py serialises its own calls."""

    def __init__(self, store: ObjectStore, settings: SignalViewerSettings) -> None:
        self.store, self.settings = store, settings
        self._files: OrderedDict[str, _OpenFile] = OrderedDict()
        self._lock = threading.Lock()

    def _open(self, key: str) -> _OpenFile:
        with self._lock:
            opened = self._files.get(key)
            if opened is not None:
                self._files.move_to_end(key)
                return opened
            try:
                opened = _OpenFile(self.store, key, self.settings)
            except (StorageError, OSError, KeyError, ValueError) as exc:
                raise DatasetUnreadable(f"cannot open data set object {key!r}: {exc}") from exc
            self._files[key] = opened
            while len(self._files) > self.settings.open_files:
                self._files.popitem(last=False)[1].close()
            return opened

    def info(self, key: str) -> DatasetInfo:
        return self._open(key).info

    def record(self, key: str, index: int) -> Record:
        opened = self._open(key)
        h5, info = opened.h5, opened.info
        try:
            label = int(h5["labels"][index])
            speed = float(h5[SPEED_PATH][index]) if SPEED_PATH in h5 else None
            values = h5["features"][index].astype(float)
            signal = np.asarray(h5["signals"][index], dtype=np.float32)
        except (StorageError, OSError, KeyError) as exc:
            raise DatasetUnreadable(f"cannot read record {index} of {key!r}: {exc}") from exc
        name = info.class_names[label] if 0 <= label < len(info.class_names) else str(label)
        return Record(index, signal, label, name, speed, dict(zip(info.feature_names, values.tolist(), strict=False)))

    def window(self, key: str, index: int, start: int, stop: int) -> np.ndarray:
        """Samples ``start:stop`` of one record (served from the HDF5 chunk cache once the record was read)."""
        try:
            return np.asarray(self._open(key).h5["signals"][index, start:stop], dtype=np.float32)
        except (StorageError, OSError, KeyError) as exc:
            raise DatasetUnreadable(f"cannot read record {index} of {key!r}: {exc}") from exc

    def close(self) -> None:
        with self._lock:
            files, self._files = list(self._files.values()), OrderedDict()
        for opened in files:
            opened.close()
