"""RangedFile: a seekable file over ranged GETs; h5py reads one record of a chunked, Blosc2 HDF5 in a few requests."""

import io

import h5py
import numpy as np
import pytest

from pfd_shared.testing.stores import RangedOnlyStore
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.storage.ranged import RangedFile
from pfd_shared.testing.hdf5_datasets import dataset_file_bytes, sample_signals

RECORDS, SAMPLES = 40, 16_384
KEY = "datasets/d1/dataset.h5"


@pytest.fixture(scope="module")
def signals() -> np.ndarray:
    return sample_signals(RECORDS, SAMPLES, 20_480.0)


@pytest.fixture
def store(signals) -> RangedOnlyStore:
    counting = RangedOnlyStore()
    counting.put_bytes(KEY, dataset_file_bytes(signals, 20_480.0))
    return counting


def test_reads_seeks_and_stops_at_the_end() -> None:
    store = InMemoryObjectStore()
    data = bytes(range(256)) * 1000
    store.put_bytes("k", data)
    handle = RangedFile(store, "k", block_bytes=1024, cache_blocks=4)
    assert handle.read(10) == data[:10]
    handle.seek(-5, io.SEEK_END)
    assert handle.read(100) == data[-5:] and handle.read(1) == b""
    handle.seek(3000)
    assert handle.read(2000) == data[3000:5000]  # larger than a block: one uncached request
    assert handle.pread(1020, 8) == data[1020:1028] and handle.tell() == 5000
    with pytest.raises(ValueError):
        handle.seek(-1)


def test_small_repeated_reads_come_from_the_block_cache() -> None:
    store = RangedOnlyStore()
    store.put_bytes("k", bytes(10_000))
    handle = RangedFile(store, "k", block_bytes=1000, cache_blocks=2)
    for _ in range(5):
        handle.pread(100, 50)
        handle.pread(990, 20)  # spans blocks 0 and 1: block 1 fetched once
    assert store.ranged == 2 == handle.requests
    handle.pread(5000, 10)  # evicts block 0 (least recently used)
    handle.pread(0, 10)
    assert store.ranged == 4


def test_h5py_reads_one_record_with_a_few_requests(store, signals) -> None:
    handle = RangedFile(store, KEY)
    with h5py.File(handle, "r") as h5:
        opened = handle.requests
        np.testing.assert_array_equal(h5["signals"][17], signals[17])
        first = handle.requests
        np.testing.assert_array_equal(h5["signals"][3], signals[3])
        assert int(h5["features"][17, 0]) == 17
    assert opened <= 2 and first - opened <= 3 and handle.requests - first <= 3, handle.requests
    assert handle.bytes_fetched < store.stat(KEY).size / 4
