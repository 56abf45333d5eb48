"""The behaviour every ObjectStore must have; run by the tests of each implementation."""

from __future__ import annotations

import hashlib
import io

from pfd_shared.storage.base import ObjectNotFound, ObjectStore

CONTRACT_PAYLOAD_BYTES = 3 * 1024 * 1024 + 17


def check_object_store_contract(store: ObjectStore, prefix: str, payload_bytes: int = CONTRACT_PAYLOAD_BYTES) -> None:
    """Put, stat, stream, list, delete and not-found behaviour, with checksums."""
    data = bytes(range(256)) * (payload_bytes // 256) + b"tail"
    key = f"{prefix}big.bin"
    info = store.put_stream(key, io.BytesIO(data))
    assert info.size == len(data)
    assert info.sha256 == hashlib.sha256(data).hexdigest()
    assert store.stat(key).sha256 == info.sha256
    assert store.stat(key).size == len(data)
    assert b"".join(store.iter_chunks(key, chunk_bytes=64 * 1024)) == data
    check_ranged_reads(store, key, data)
    small = store.put_bytes(f"{prefix}small.txt", b"hello", content_type="text/plain")
    assert small.sha256 == hashlib.sha256(b"hello").hexdigest()
    assert store.get_bytes(f"{prefix}small.txt") == b"hello"
    assert store.exists(key) and not store.exists(f"{prefix}missing")
    assert sorted(i.key for i in store.list(prefix)) == [key, f"{prefix}small.txt"]
    try:
        store.get_bytes(f"{prefix}missing")
    except ObjectNotFound:
        pass
    else:
        raise AssertionError("reading a missing object must raise ObjectNotFound")
    store.delete(f"{prefix}small.txt")
    assert not store.exists(f"{prefix}small.txt")
    assert store.delete_prefix(prefix) == 1
    assert list(store.list(prefix)) == []


def check_ranged_reads(store: ObjectStore, key: str, data: bytes) -> None:
    """Ranged GETs: inside, across the end, past the end, of a missing object and with a bad range."""
    middle = len(data) // 3
    assert store.read_range(key, 0, 1) == data[:1]
    assert store.read_range(key, middle, 4096) == data[middle : middle + 4096]
    assert store.read_range(key, len(data) - 3, 100) == data[-3:]
    assert store.read_range(key, len(data), 10) == b""
    for offset, length in ((-1, 1), (0, 0)):
        try:
            store.read_range(key, offset, length)
        except ValueError:
            pass
        else:
            raise AssertionError(f"range ({offset}, {length}) must raise ValueError")
    try:
        store.read_range(f"{key}.missing", 0, 1)
    except ObjectNotFound:
        pass
    else:
        raise AssertionError("a ranged read of a missing object must raise ObjectNotFound")
