"""Reads a data set (the HDF5 object at datasets/{id}/dataset.h5, docs/dataset-format.md) into TrainingData.

The object is opened over ranged GETs (``RangedFile``): HDF5 metadata comes from a small block cache and each
compressed chunk of signals (many whole records) is one request — no temporary file, no per-record Python work.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import h5py
import hdf5plugin  # noqa: F401 - registers the Blosc2 filter the signals are compressed with
import numpy as np

from pfd_shared.storage import ObjectNotFound, ObjectStore
from pfd_shared.storage.keys import dataset_key
from pfd_shared.storage.ranged import RangedFile

if TYPE_CHECKING:
    from pfd_training.domain.data import TrainingData

DATASET_FILE = "dataset.h5"
FORMAT_VERSION = 1
ROBUSTNESS_GROUP = "robustness"


class DatasetMissing(Exception):
    """The run's data set is no longer in the object store (deleted after the run was requested)."""


class DatasetUnreadable(ValueError):
    """The data-set object is not a readable data-set file; the message names what is wrong."""


def load_training_data(store: ObjectStore, dataset_id: str) -> TrainingData:
    """Every array a run needs, read in whole compressed chunks."""
    key = dataset_key(dataset_id, DATASET_FILE)
    try:
        handle = RangedFile(store, key)
    except ObjectNotFound:
        raise DatasetMissing(f"data set {dataset_id} no longer exists (its file {key} is gone)") from None
    try:
        with h5py.File(handle, "r") as h5:
            return _read(h5, key)
    except ObjectNotFound:
        raise DatasetMissing(f"data set {dataset_id} disappeared while it was being read ({key})") from None
    except (OSError, KeyError, json.JSONDecodeError) as exc:
        raise DatasetUnreadable(f"data set file {key} is not readable: {exc}") from exc


def _read(h5: h5py.File, key: str) -> TrainingData:
    from pfd_training.domain.data import SPLITS, TrainingData  # the domain package brings torch: first run only

    version = int(h5.attrs.get("pfd_format_version", 0))
    if version != FORMAT_VERSION:
        raise DatasetUnreadable(f"{key} has format version {version}; this worker reads version {FORMAT_VERSION}")
    missing = [path for path in ("signals", "labels", "features", "splits") if path not in h5]
    if missing:
        raise DatasetUnreadable(f"{key} lacks {missing}")
    absent = [name for name in SPLITS if name not in h5["splits"]]
    if absent:
        raise DatasetUnreadable(f"{key} lacks the splits {absent}")
    features = h5["features"]
    return TrainingData(
        signals=np.asarray(h5["signals"][...], dtype=np.float32),
        labels=np.asarray(h5["labels"][...], dtype=np.int64),
        features=np.asarray(features[...], dtype=np.float32),
        feature_names=tuple(_json(features.attrs.get("names", "[]"))),
        class_names=tuple(_json(h5.attrs["class_names"])),
        splits={name: np.asarray(h5["splits"][name][...], dtype=np.int64) for name in SPLITS},
        sample_rate_hz=float(h5.attrs["sample_rate_hz"]),
        robustness=_robustness(h5),
    )


def _robustness(h5: h5py.File) -> dict[str, np.ndarray]:
    """Noisy copies of the test split by label, e.g. "20dB" (synthetic sets that asked for them)."""
    if ROBUSTNESS_GROUP not in h5:
        return {}
    copies = {}
    for name, group in h5[ROBUSTNESS_GROUP].items():
        snr_db = float(group.attrs.get("snr_db", name.removeprefix("snr_").removesuffix("db")))
        copies[f"{snr_db:g}dB"] = np.asarray(group["signals"][...], dtype=np.float32)
    return copies


def _json(value: Any) -> Any:
    return json.loads(value.decode() if isinstance(value, bytes) else value)
