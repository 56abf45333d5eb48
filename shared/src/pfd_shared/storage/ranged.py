"""A read-only, seekable file over one stored object, read by ranged GETs through a small block cache.

``h5py.File(RangedFile(store, key), "r")`` opens an HDF5 object without downloading it: HDF5's metadata reads
are tiny and repeated, so they are served from cached blocks (adjacent missing blocks are fetched in one
request); a read larger than a block (a compressed chunk of signals) goes out as one ranged GET, uncached.
"""

from __future__ import annotations

import io
import os
from collections import OrderedDict

from pfd_shared.storage.base import ObjectStore

DEFAULT_BLOCK_BYTES = 64 * 1024
DEFAULT_CACHE_BLOCKS = 64
MIN_CACHE_BLOCKS = 2  # a read of up to one block spans at most two


class RangedFile(io.RawIOBase):
    """``read``/``readinto``/``seek``/``tell`` over ``store.read_range``; ``requests`` counts the GETs made."""

    def __init__(self, store: ObjectStore, key: str, *, size: int | None = None,
                 block_bytes: int = DEFAULT_BLOCK_BYTES, cache_blocks: int = DEFAULT_CACHE_BLOCKS) -> None:
        super().__init__()
        if block_bytes <= 0 or cache_blocks < MIN_CACHE_BLOCKS:
            raise ValueError(f"block_bytes must be positive and cache_blocks at least {MIN_CACHE_BLOCKS}")
        self.store, self.key = store, key
        self.size = store.stat(key).size if size is None else size
        self.block_bytes, self.cache_blocks = block_bytes, cache_blocks
        self.requests = 0
        self.bytes_fetched = 0
        self._blocks: OrderedDict[int, bytes] = OrderedDict()
        self._position = 0

    # io.RawIOBase -------------------------------------------------------------------------------------------
    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def tell(self) -> int:
        return self._position

    def seek(self, offset: int, whence: int = os.SEEK_SET) -> int:
        bases = {os.SEEK_SET: 0, os.SEEK_CUR: self._position, os.SEEK_END: self.size}
        if whence not in bases:
            raise ValueError(f"invalid whence {whence}")
        position = bases[whence] + offset
        if position < 0:
            raise ValueError(f"negative seek position {position}")
        self._position = position
        return position

    def readinto(self, buffer: bytearray | memoryview) -> int:  # type: ignore[override]
        view = memoryview(buffer).cast("B")
        data = self.pread(self._position, len(view))
        view[: len(data)] = data
        self._position += len(data)
        return len(data)

    # reads --------------------------------------------------------------------------------------------------
    def pread(self, offset: int, length: int) -> bytes:
        """Up to ``length`` bytes at ``offset`` (fewer at the end of the object), without moving the position."""
        length = max(0, min(length, self.size - offset))
        if length == 0:
            return b""
        if length > self.block_bytes:
            return self._fetch(offset, length)
        first, last = offset // self.block_bytes, (offset + length - 1) // self.block_bytes
        self._load_blocks(first, last)
        data = b"".join(self._blocks[index] for index in range(first, last + 1))
        start = offset - first * self.block_bytes
        return data[start : start + length]

    def _fetch(self, offset: int, length: int) -> bytes:
        self.requests += 1
        data = self.store.read_range(self.key, offset, length)
        self.bytes_fetched += len(data)
        return data

    def _load_blocks(self, first: int, last: int) -> None:
        """Cache blocks ``first..last``; each run of missing blocks is one request."""
        index = first
        while index <= last:
            if index in self._blocks:
                self._blocks.move_to_end(index)
                index += 1
                continue
            end = index
            while end + 1 <= last and end + 1 not in self._blocks:
                end += 1
            data = self._fetch(index * self.block_bytes, (end - index + 1) * self.block_bytes)
            for number in range(index, end + 1):
                start = (number - index) * self.block_bytes
                self._remember(number, data[start : start + self.block_bytes])
            index = end + 1

    def _remember(self, index: int, block: bytes) -> None:
        self._blocks[index] = block
        self._blocks.move_to_end(index)
        while len(self._blocks) > self.cache_blocks:
            self._blocks.popitem(last=False)
