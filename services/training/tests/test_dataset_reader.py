"""The HDF5 data-set reader: arrays, splits and SNR copies into TrainingData; missing and foreign files."""

import io

import h5py
import numpy as np
import pytest

from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.testing.hdf5_datasets import training_dataset_bytes
from pfd_shared.testing.stores import RangedOnlyStore

from pfd_training.dataset_reader import DatasetMissing, DatasetUnreadable, load_training_data

KEY = "datasets/ds-1/dataset.h5"


def test_reads_every_array_over_ranged_reads_only() -> None:
    store = RangedOnlyStore()
    store.put_bytes(KEY, training_dataset_bytes(8, 512, 2000.0, snr_db=(20.0, 5.0)))
    data = load_training_data(store, "ds-1")
    assert data.signals.shape == (16, 512) and data.signals.dtype == np.float32
    assert data.class_names == ("healthy", "outer_race") and data.sample_rate_hz == 2000.0
    assert sorted(np.concatenate(list(data.splits.values())).tolist()) == list(range(16))
    assert data.features.shape == (16, 36) and len(data.feature_names) == 36
    assert set(data.robustness) == {"20dB", "5dB"}
    assert data.robustness["5dB"].shape == (data.splits["test"].size, 512)
    assert store.ranged > 0


def test_a_vanished_data_set_is_reported_as_missing() -> None:
    with pytest.raises(DatasetMissing, match="data set gone no longer exists"):
        load_training_data(InMemoryObjectStore(), "gone")


def _rewrite(edit) -> bytes:
    buffer = io.BytesIO(training_dataset_bytes(4, 256, 1000.0))
    with h5py.File(buffer, "r+") as h5:
        edit(h5)
    return buffer.getvalue()


@pytest.mark.parametrize("edit, problem", [
    (lambda h5: h5.attrs.__setitem__("pfd_format_version", 9), "format version 9"),
    (lambda h5: h5["splits"].__delitem__("val"), "lacks the splits"),
    (lambda h5: h5.__delitem__("labels"), "lacks"),
])
def test_a_foreign_file_is_refused_naming_the_problem(edit, problem) -> None:
    store = InMemoryObjectStore()
    store.put_bytes(KEY, _rewrite(edit))
    with pytest.raises(DatasetUnreadable, match=problem):
        load_training_data(store, "ds-1")


def test_bytes_that_are_no_hdf5_file_are_refused() -> None:
    store = InMemoryObjectStore()
    store.put_bytes(KEY, b"not an hdf5 file at all")
    with pytest.raises(DatasetUnreadable, match="not readable"):
        load_training_data(store, "ds-1")
