"""The object-store contract on real S3 (SeaweedFS locally, MinIO under testcontainers)."""

import io

import pytest

from pfd_shared.storage import ObjectNotFound, StorageError
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.storage_contract import check_object_store_contract

pytestmark = pytest.mark.integration


def test_s3_store_honours_the_contract(infra, unique) -> None:
    store = S3ObjectStore(infra.s3)
    store.ensure_bucket()
    check_object_store_contract(store, prefix=f"contract-{unique}/")


def test_large_objects_stream_in_parts_with_a_checksum(infra, unique) -> None:
    store = S3ObjectStore(infra.s3.model_copy(update={"part_size_bytes": 5 * 1024 * 1024}))
    size = 23 * 1024 * 1024 + 5

    class Generated(io.RawIOBase):
        """Produces bytes on demand: the upload never holds the whole object."""

        def __init__(self) -> None:
            self.left = size

        def readable(self) -> bool:
            return True

        def read(self, n: int = -1) -> bytes:
            n = self.left if n < 0 else min(n, self.left)
            self.left -= n
            return b"\x5a" * n

    info = store.put_stream(f"datasets/{unique}/big.bin", Generated())
    assert info.size == size
    assert store.stat(info.key).sha256 == info.sha256
    assert sum(len(c) for c in store.iter_chunks(info.key)) == size
    store.delete(info.key)
    with pytest.raises(ObjectNotFound):
        store.stat(info.key)


def test_wrong_credentials_are_a_storage_error(infra) -> None:
    from pydantic import SecretStr

    store = S3ObjectStore(infra.s3.model_copy(update={"secret_key": SecretStr("wrong")}))
    with pytest.raises(StorageError):
        store.put_bytes("x/y", b"1")
