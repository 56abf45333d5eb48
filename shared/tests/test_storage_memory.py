"""The object-store contract, on the in-memory fake (the S3 implementation runs the same checks)."""

import io

import pytest

from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.testing.storage_contract import check_object_store_contract
from pfd_shared.storage.keys import dataset_key, model_key, upload_key


def test_in_memory_store_honours_the_contract() -> None:
    check_object_store_contract(InMemoryObjectStore(), prefix="contract/")


def test_key_layout() -> None:
    assert dataset_key("ds1", "signals.h5") == "datasets/ds1/signals.h5"
    assert model_key("exp-1", "model.onnx") == "models/exp-1/model.onnx"
    assert upload_key("user-7", "x.mat") == "uploads/user-7/x.mat"


@pytest.mark.parametrize("bad", ["../etc", "a/b", "", ".hidden", "x" * 300])
def test_unsafe_key_parts_are_refused(bad: str) -> None:
    with pytest.raises(ValueError):
        dataset_key(bad, "f")


def test_put_stream_reads_in_chunks() -> None:
    reads = []

    class Spy(io.BytesIO):
        def read(self, size: int = -1) -> bytes:
            reads.append(size)
            return super().read(size)

    InMemoryObjectStore().put_stream("k", Spy(b"x" * (3 * 1024 * 1024)))
    assert all(size > 0 for size in reads)
