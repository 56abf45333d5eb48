"""Object-store fakes for tests that must prove a reader never downloads a whole object."""

from __future__ import annotations

from collections.abc import Iterator

from pfd_shared.storage import InMemoryObjectStore


class RangedOnlyStore(InMemoryObjectStore):
    """Counts ranged reads and refuses whole-object reads."""

    def __init__(self) -> None:
        super().__init__()
        self.ranged = 0

    def read_range(self, key: str, offset: int, length: int) -> bytes:
        self.ranged += 1
        return super().read_range(key, offset, length)

    def get_bytes(self, key: str) -> bytes:
        raise AssertionError("whole-object read")

    def iter_chunks(self, key: str, chunk_bytes: int = 0) -> Iterator[bytes]:
        raise AssertionError("whole-object read")
