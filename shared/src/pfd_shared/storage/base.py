"""The object-store interface every service codes against."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import BinaryIO, Protocol

CHECKSUM_TAG = "sha256"
DEFAULT_CHUNK_BYTES = 1024 * 1024


class StorageError(Exception):
    """The object store failed or refused the operation."""


class ObjectNotFound(StorageError):
    """No object under that key."""


@dataclass(frozen=True, slots=True)
class ObjectInfo:
    key: str
    size: int
    sha256: str | None
    content_type: str


class ObjectStore(Protocol):
    """Streaming object storage. Keys follow ``pfd_shared.storage.keys``."""

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str = "application/octet-stream",
                   length: int | None = None) -> ObjectInfo:
        """Upload from a readable stream without buffering it whole; records its SHA-256.

        A known ``length`` lets the upload send several parts at once.
        """
        ...

    def put_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> ObjectInfo:
        ...

    def iter_chunks(self, key: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[bytes]:
        """Stream an object's content."""
        ...

    def get_bytes(self, key: str) -> bytes:
        ...

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes from ``offset`` (one ranged GET); fewer at the end, ``b""`` past it."""
        ...

    def stat(self, key: str) -> ObjectInfo:
        ...

    def exists(self, key: str) -> bool:
        ...

    def list(self, prefix: str) -> Iterable[ObjectInfo]:
        ...

    def delete(self, key: str) -> None:
        ...

    def delete_prefix(self, prefix: str) -> int:
        ...

    def ping(self) -> None:
        """Raise StorageError when the store is unreachable."""
        ...


def check_range(offset: int, length: int) -> None:
    """A ranged read starts at or after 0 and asks for at least one byte."""
    if offset < 0 or length <= 0:
        raise ValueError(f"invalid byte range: offset {offset}, length {length}")


class HashingReader:
    """Wraps a binary stream and hashes what is read through it."""

    def __init__(self, stream: BinaryIO) -> None:
        self._stream = stream
        self._hash = hashlib.sha256()
        self.size = 0

    def read(self, size: int = -1) -> bytes:
        data = self._stream.read(size)
        self._hash.update(data)
        self.size += len(data)
        return data

    @property
    def hexdigest(self) -> str:
        return self._hash.hexdigest()
