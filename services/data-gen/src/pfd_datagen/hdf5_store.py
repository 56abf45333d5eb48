"""The data-set file: one HDF5 with chunked, compressed float32 signals and everything derived from them."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import h5py
import hdf5plugin
import numpy as np

from pfd_datagen.domain.windows import Windows

FORMAT_VERSION = 1
CHUNK_TARGET_BYTES = 1 << 20
Compression = Literal["blosc2-zstd", "lzf", "gzip", "none"]


@dataclass
class DatasetArrays:
    """Everything one data set stores, row-aligned on records."""

    signals: np.ndarray  # (n, samples) float32
    labels: np.ndarray  # (n,) int
    class_names: tuple[str, ...]
    sample_rate_hz: float
    features: np.ndarray  # (n, 36) float32
    feature_names: tuple[str, ...]
    splits: dict[str, np.ndarray]  # train/val/test -> row indices
    severities: np.ndarray | None = None  # (n,) float32, synthetic only
    severity_levels: np.ndarray | None = None  # (n,) str
    operating: dict[str, np.ndarray] = field(default_factory=dict)  # speed_hz, load, temperature_c ...
    sources: np.ndarray | None = None  # (n,) str: file or record of origin
    robustness: dict[float, np.ndarray] = field(default_factory=dict)  # SNR dB -> test-split signals
    attrs: dict[str, Any] = field(default_factory=dict)
    windows: Windows | None = None  # per-window features, where windows are used

    def class_counts(self) -> tuple[int, ...]:
        return tuple(int(c) for c in np.bincount(self.labels, minlength=len(self.class_names)))


def _filter(compression: Compression, gzip_level: int) -> Any:
    """HDF5 filter options; Blosc2 (multi-threaded zstd + byte shuffle) needs ``import hdf5plugin`` to read."""
    if compression == "none":
        return {}
    if compression == "blosc2-zstd":
        return hdf5plugin.Blosc2(cname="zstd", clevel=1, filters=hdf5plugin.Blosc2.SHUFFLE)
    if compression == "gzip":
        return {"compression": "gzip", "compression_opts": gzip_level, "shuffle": True}
    return {"compression": "lzf", "shuffle": True}


def _signal_dataset(group: h5py.Group, name: str, data: np.ndarray, options: dict[str, Any]) -> None:
    rows = max(1, min(data.shape[0], CHUNK_TARGET_BYTES // max(1, data.shape[1] * 4)))
    group.create_dataset(name, data=data.astype(np.float32, copy=False), chunks=(rows, data.shape[1]), **options)


def write_signals(h5: h5py.File, name: str, data: np.ndarray, compression: Compression, gzip_level: int = 1,
                  attrs: dict[str, Any] | None = None) -> None:
    """One signal array (``signals`` or ``robustness/snr_Xdb/signals``), chunked by whole records."""
    group = h5.require_group(name.rpartition("/")[0]) if "/" in name else h5
    group.attrs.update(attrs or {})
    _signal_dataset(group, name.rpartition("/")[2], data, _filter(compression, gzip_level))


def robustness_name(snr_db: float) -> str:
    return f"robustness/snr_{snr_db:g}db/signals"


def robustness_attrs(snr_db: float) -> dict[str, Any]:
    return {"snr_db": snr_db, "split": "test"}


def write_tables(h5: h5py.File, arrays: DatasetArrays, compression: Compression, gzip_level: int = 1) -> None:
    """Everything but the signal arrays already in the file (those missing are written too)."""
    h5.attrs["pfd_format_version"] = FORMAT_VERSION
    h5.attrs["sample_rate_hz"] = arrays.sample_rate_hz
    h5.attrs["class_names"] = json.dumps(list(arrays.class_names))
    for key, value in arrays.attrs.items():
        h5.attrs[key] = value if isinstance(value, str | int | float) else json.dumps(value)
    if "signals" not in h5:
        write_signals(h5, "signals", arrays.signals, compression, gzip_level)
    h5.create_dataset("labels", data=arrays.labels.astype(np.int16))
    h5.create_dataset("features", data=arrays.features.astype(np.float32))
    h5["features"].attrs["names"] = json.dumps(list(arrays.feature_names))
    if arrays.severities is not None:
        h5.create_dataset("severities", data=arrays.severities.astype(np.float32))
    if arrays.severity_levels is not None:
        h5.create_dataset("severity_levels", data=np.asarray(arrays.severity_levels).astype("S16"))
    if arrays.sources is not None:
        h5.create_dataset("sources", data=np.asarray(arrays.sources).astype("S200"))
    operating = h5.create_group("operating")
    for name, values in arrays.operating.items():
        operating.create_dataset(name, data=np.asarray(values, dtype=np.float32))
    splits = h5.create_group("splits")
    for name, rows in arrays.splits.items():
        splits.create_dataset(name, data=np.asarray(rows, dtype=np.int32))
    h5.require_group("robustness")
    for snr_db, signals in arrays.robustness.items():
        if robustness_name(snr_db) not in h5:
            write_signals(h5, robustness_name(snr_db), signals, compression, gzip_level, robustness_attrs(snr_db))
    write_windows(h5, arrays)


def write_windows(h5: h5py.File, arrays: DatasetArrays) -> None:
    """``/windows``: record, start and features of every window (only when the data set uses windows)."""
    table = arrays.windows
    if table is None:
        return
    group = h5.create_group("windows")
    group.attrs["length_samples"] = table.length
    group.attrs["hop_samples"] = table.hop
    group.create_dataset("record", data=np.asarray(table.record, dtype=np.int32))
    group.create_dataset("start", data=np.asarray(table.start, dtype=np.int64))
    group.create_dataset("features", data=np.asarray(table.features, dtype=np.float32))
    group["features"].attrs["names"] = json.dumps(list(arrays.feature_names))


def write_dataset(path: Path, arrays: DatasetArrays, compression: Compression = "blosc2-zstd",
                  gzip_level: int = 1) -> None:
    """Write the file (signals chunked by whole records, so one record is one read)."""
    with h5py.File(path, "w") as h5:
        write_tables(h5, arrays, compression, gzip_level)


def read_summary(path: Path) -> dict[str, Any]:
    """Shape, classes, split sizes and attributes, without reading any signal."""
    with h5py.File(path, "r") as h5:
        signals = h5["signals"]
        return {
            "records": int(signals.shape[0]),
            "samples_per_record": int(signals.shape[1]),
            "sample_rate_hz": float(h5.attrs["sample_rate_hz"]),
            "class_names": json.loads(h5.attrs["class_names"]),
            "feature_names": json.loads(h5["features"].attrs["names"]),
            "splits": {name: int(ds.shape[0]) for name, ds in h5["splits"].items()},
            "robustness": sorted(float(g.attrs["snr_db"]) for g in h5["robustness"].values()),
            "windows": int(h5["windows/record"].shape[0]) if "windows" in h5 else 0,
        }
