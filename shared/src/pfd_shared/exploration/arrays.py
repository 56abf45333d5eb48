"""The small arrays of a data-set file (labels, severities, operating conditions, features, splits, sources),
read through ranged GETs: the signals are never touched, so a data set of any size costs only its metadata."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import h5py
import numpy as np

from pfd_shared.exploration.models import OPERATING_NAMES, SPLIT_NAMES
from pfd_shared.storage.base import ObjectStore, StorageError
from pfd_shared.storage.ranged import DEFAULT_BLOCK_BYTES, DEFAULT_CACHE_BLOCKS, RangedFile

NO_SPLIT = -1
TEXT = "U"


class ArraysUnreadable(Exception):
    """The object is missing, unreachable or not a data-set file."""


@dataclass(frozen=True)
class ExplorerArrays:
    """Row-aligned arrays of one data set; ``split`` holds the index into ``SPLIT_NAMES`` (-1: none)."""

    labels: np.ndarray  # (n,) int16
    class_names: tuple[str, ...]
    features: np.ndarray  # (n, f) float32
    feature_names: tuple[str, ...]
    split: np.ndarray  # (n,) int8
    operating: dict[str, np.ndarray] = field(default_factory=dict)  # name -> (n,) float32
    severities: np.ndarray | None = None  # (n,) float32
    severity_levels: np.ndarray | None = None  # (n,) str
    sources: np.ndarray | None = None  # (n,) str
    attrs: dict[str, Any] = field(default_factory=dict)

    @property
    def records(self) -> int:
        return int(self.labels.shape[0])

    @property
    def nbytes(self) -> int:
        parts = [self.labels, self.features, self.split, *self.operating.values(), self.severities,
                 self.severity_levels, self.sources]
        return sum(int(part.nbytes) for part in parts if part is not None)

    def class_of(self, rows: np.ndarray) -> np.ndarray:
        """Class names of ``rows`` (a label outside ``class_names`` shows as its number)."""
        names = np.asarray([*self.class_names], dtype=object)
        labels = self.labels[rows].astype(np.int64)
        known = (labels >= 0) & (labels < len(names))
        out = np.asarray([str(label) for label in labels], dtype=object)
        out[known] = names[labels[known]]
        return out

    def split_of(self, rows: np.ndarray) -> np.ndarray:
        names = np.asarray([*SPLIT_NAMES, ""], dtype=object)
        return names[np.where(self.split[rows] >= 0, self.split[rows], len(SPLIT_NAMES))]


def _text(value: Any) -> Any:
    return value.decode() if isinstance(value, bytes) else value


def _strings(h5: h5py.File, path: str) -> np.ndarray | None:
    return np.char.decode(h5[path][()].astype("S"), "utf-8", "replace").astype(TEXT) if path in h5 else None


def _split(h5: h5py.File, records: int) -> np.ndarray:
    split = np.full(records, NO_SPLIT, dtype=np.int8)
    for number, name in enumerate(SPLIT_NAMES):
        path = f"splits/{name}"
        if path in h5:
            rows = h5[path][()].astype(np.int64)
            split[rows[(rows >= 0) & (rows < records)]] = number
    return split


def read_arrays(h5: h5py.File) -> ExplorerArrays:
    """Everything but ``/signals`` and ``/robustness`` of an open data-set file."""
    labels = h5["labels"][()].astype(np.int16)
    records = int(labels.shape[0])
    features = h5["features"][()].astype(np.float32)
    attrs = {key: _text(value) for key, value in h5.attrs.items()}
    operating = {name: h5[f"operating/{name}"][()].astype(np.float32) for name in OPERATING_NAMES
                 if f"operating/{name}" in h5}
    return ExplorerArrays(
        labels=labels, class_names=tuple(json.loads(attrs["class_names"])), features=features,
        feature_names=tuple(json.loads(_text(h5["features"].attrs["names"]))), split=_split(h5, records),
        operating=operating,
        severities=h5["severities"][()].astype(np.float32) if "severities" in h5 else None,
        severity_levels=_strings(h5, "severity_levels"), sources=_strings(h5, "sources"),
        attrs={key: attrs[key] for key in ("name", "kind", "sample_rate_hz") if key in attrs},
    )


def load_arrays(store: ObjectStore, key: str, *, block_bytes: int = DEFAULT_BLOCK_BYTES,
                cache_blocks: int = DEFAULT_CACHE_BLOCKS) -> ExplorerArrays:
    """Open ``key`` by ranged GETs, read the small arrays, close it (blocking: run it in a thread)."""
    try:
        with RangedFile(store, key, block_bytes=block_bytes, cache_blocks=cache_blocks) as handle, \
                h5py.File(handle, "r") as h5:
            return read_arrays(h5)
    except (StorageError, OSError, KeyError, ValueError) as exc:
        raise ArraysUnreadable(f"cannot read the arrays of data set object {key!r}: {exc}") from exc
