"""Reading the small arrays of a data-set file through ranged GETs: the signals (and robustness copies) are never
touched, so a data set of any size costs only its metadata and these arrays."""

from __future__ import annotations

import json
from typing import Any

import h5py
import numpy as np

from pfd_shared.exploration.arrays import NO_SPLIT, ExplorerArrays
from pfd_shared.exploration.models import OPERATING_NAMES, SPLIT_NAMES
from pfd_shared.storage.base import ObjectStore, StorageError
from pfd_shared.storage.ranged import DEFAULT_BLOCK_BYTES, DEFAULT_CACHE_BLOCKS, RangedFile

TEXT = "U"


class ArraysUnreadable(Exception):
    """The object is missing, unreachable or not a data-set file."""


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
