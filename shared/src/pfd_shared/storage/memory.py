"""In-memory object store for unit tests (same contract as the S3 one)."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from pfd_shared.storage.base import DEFAULT_CHUNK_BYTES, HashingReader, ObjectInfo, ObjectNotFound, check_range


class InMemoryObjectStore:
    def __init__(self) -> None:
        self._objects: dict[str, tuple[bytes, ObjectInfo]] = {}

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str = "application/octet-stream",
                   length: int | None = None) -> ObjectInfo:
        reader = HashingReader(stream)
        chunks = []
        while chunk := reader.read(DEFAULT_CHUNK_BYTES):
            chunks.append(chunk)
        info = ObjectInfo(key, reader.size, reader.hexdigest, content_type)
        self._objects[key] = (b"".join(chunks), info)
        return info

    def put_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> ObjectInfo:
        info = ObjectInfo(key, len(data), hashlib.sha256(data).hexdigest(), content_type)
        self._objects[key] = (bytes(data), info)
        return info

    def _get(self, key: str) -> tuple[bytes, ObjectInfo]:
        try:
            return self._objects[key]
        except KeyError:
            raise ObjectNotFound(key) from None

    def iter_chunks(self, key: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[bytes]:
        data = self._get(key)[0]
        for start in range(0, len(data), chunk_bytes):
            yield data[start : start + chunk_bytes]

    def get_bytes(self, key: str) -> bytes:
        return self._get(key)[0]

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        check_range(offset, length)
        return self._get(key)[0][offset : offset + length]

    def stat(self, key: str) -> ObjectInfo:
        return self._get(key)[1]

    def exists(self, key: str) -> bool:
        return key in self._objects

    def list(self, prefix: str) -> Iterable[ObjectInfo]:
        return [info for key, (_, info) in sorted(self._objects.items()) if key.startswith(prefix)]

    def delete(self, key: str) -> None:
        self._objects.pop(key, None)

    def delete_prefix(self, prefix: str) -> int:
        keys = [key for key in self._objects if key.startswith(prefix)]
        for key in keys:
            del self._objects[key]
        return len(keys)

    def ping(self) -> None:
        return None
