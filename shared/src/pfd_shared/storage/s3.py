"""S3 object store through the minio SDK (MinIO, AWS S3, SeaweedFS)."""

from __future__ import annotations

import hashlib
import io
from collections.abc import Iterable, Iterator
from typing import BinaryIO

from minio import Minio
from minio.commonconfig import Tags
from minio.error import MinioException, S3Error
from urllib3.exceptions import HTTPError

from pfd_shared.settings import S3Settings
from pfd_shared.storage.base import (
    CHECKSUM_TAG,
    DEFAULT_CHUNK_BYTES,
    HashingReader,
    ObjectInfo,
    ObjectNotFound,
    StorageError,
    check_range,
)

_MISSING = {"NoSuchKey", "NoSuchObject", "NoSuchBucket"}
_PAST_END = "InvalidRange"  # a range starting at or after the object's end
_ERRORS = (MinioException, HTTPError, OSError)


class S3ObjectStore:
    def __init__(self, settings: S3Settings) -> None:
        self.bucket = settings.bucket
        self.part_size = settings.part_size_bytes
        self.parallel_uploads = settings.parallel_uploads
        self.client = Minio(
            settings.endpoint,
            access_key=settings.access_key,
            secret_key=settings.secret_key.get_secret_value(),
            secure=settings.secure,
            region=settings.region,
        )

    def ensure_bucket(self) -> None:
        try:
            if not self.client.bucket_exists(self.bucket):
                self.client.make_bucket(self.bucket)
        except _ERRORS as exc:
            raise StorageError(f"cannot reach bucket {self.bucket!r}: {exc}") from exc

    def _tag_checksum(self, key: str, digest: str) -> None:
        self.client.set_object_tags(self.bucket, key, _checksum_tags(digest))

    def put_stream(self, key: str, stream: BinaryIO, *, content_type: str = "application/octet-stream",
                   length: int | None = None) -> ObjectInfo:
        reader = HashingReader(stream)
        try:
            self.client.put_object(self.bucket, key, reader, length=-1 if length is None else length,  # type: ignore[arg-type]
                                   part_size=self.part_size, content_type=content_type,
                                   num_parallel_uploads=self.parallel_uploads)
            self._tag_checksum(key, reader.hexdigest)
        except _ERRORS as exc:
            raise StorageError(f"upload of {key!r} failed: {exc}") from exc
        return ObjectInfo(key, reader.size, reader.hexdigest, content_type)

    def put_bytes(self, key: str, data: bytes, *, content_type: str = "application/octet-stream") -> ObjectInfo:
        digest = hashlib.sha256(data).hexdigest()
        try:
            self.client.put_object(self.bucket, key, io.BytesIO(data), length=len(data), content_type=content_type,
                                   tags=_checksum_tags(digest))
        except _ERRORS as exc:
            raise StorageError(f"upload of {key!r} failed: {exc}") from exc
        return ObjectInfo(key, len(data), digest, content_type)

    def iter_chunks(self, key: str, chunk_bytes: int = DEFAULT_CHUNK_BYTES) -> Iterator[bytes]:
        response = self._call(key, self.client.get_object, self.bucket, key)
        try:
            yield from response.stream(chunk_bytes)
        finally:
            response.close()
            response.release_conn()

    def get_bytes(self, key: str) -> bytes:
        return b"".join(self.iter_chunks(key))

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        check_range(offset, length)
        try:
            response = self._call(key, self.client.get_object, self.bucket, key, offset, length)
        except StorageError as exc:
            if isinstance(exc.__cause__, S3Error) and exc.__cause__.code == _PAST_END:
                return b""
            raise
        try:
            return bytes(response.read())
        except _ERRORS as exc:
            raise StorageError(f"ranged read of {key!r} failed: {exc}") from exc
        finally:
            response.close()
            response.release_conn()

    def stat(self, key: str) -> ObjectInfo:
        stat = self._call(key, self.client.stat_object, self.bucket, key)
        tags = self._call(key, self.client.get_object_tags, self.bucket, key) or {}
        return ObjectInfo(key, int(stat.size or 0), tags.get(CHECKSUM_TAG), stat.content_type or "")

    def exists(self, key: str) -> bool:
        try:
            self.client.stat_object(self.bucket, key)
        except S3Error as exc:
            if exc.code in _MISSING:
                return False
            raise StorageError(str(exc)) from exc
        except _ERRORS as exc:
            raise StorageError(str(exc)) from exc
        return True

    def list(self, prefix: str) -> Iterable[ObjectInfo]:
        try:
            for obj in self.client.list_objects(self.bucket, prefix=prefix, recursive=True):
                yield ObjectInfo(obj.object_name or "", int(obj.size or 0), None, obj.content_type or "")
        except _ERRORS as exc:
            raise StorageError(f"listing {prefix!r} failed: {exc}") from exc

    def delete(self, key: str) -> None:
        self._call(key, self.client.remove_object, self.bucket, key)

    def delete_prefix(self, prefix: str) -> int:
        keys = [info.key for info in self.list(prefix)]
        for key in keys:
            self.delete(key)
        return len(keys)

    def ping(self) -> None:
        try:
            self.client.bucket_exists(self.bucket)
        except _ERRORS as exc:
            raise StorageError(f"object store unreachable: {exc}") from exc

    def _call(self, key, fn, *args):  # type: ignore[no-untyped-def]
        try:
            return fn(*args)
        except S3Error as exc:
            if exc.code in _MISSING:
                raise ObjectNotFound(key) from exc
            raise StorageError(f"{fn.__name__} {key!r} failed: {exc}") from exc
        except _ERRORS as exc:
            raise StorageError(f"{fn.__name__} {key!r} failed: {exc}") from exc


def _checksum_tags(digest: str) -> Tags:
    tags = Tags.new_object_tags()
    tags[CHECKSUM_TAG] = digest
    return tags
