"""Object storage: one interface (``ObjectStore``), an S3 implementation and an in-memory fake."""

from pfd_shared.storage.base import ObjectInfo, ObjectNotFound, ObjectStore, StorageError
from pfd_shared.storage.memory import InMemoryObjectStore

__all__ = ["InMemoryObjectStore", "ObjectInfo", "ObjectNotFound", "ObjectStore", "StorageError"]
