"""Allocator tuning for large, short-lived numpy buffers (glibc only; a no-op elsewhere)."""

from __future__ import annotations

import ctypes
import sys
from functools import lru_cache

_M_TRIM_THRESHOLD, _M_MMAP_THRESHOLD = -1, -3  # glibc mallopt parameter ids
_MMAP_THRESHOLD_MAX = 32 * 1024 * 1024  # glibc's ceiling on 64-bit
_TRIM_THRESHOLD = 1024 * 1024 * 1024


@lru_cache(maxsize=1)
def tune_allocator() -> bool:
    """Keep freed record-sized buffers in the heap instead of mmap/munmap on every array.

    Every 0.1-10 MB temporary otherwise costs fresh zeroed pages (page faults, kernel time) and
    serialises worker threads on the address-space lock. Process-wide; returns True if applied.
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL("libc.so.6")
        ok = libc.mallopt(_M_MMAP_THRESHOLD, _MMAP_THRESHOLD_MAX) and libc.mallopt(_M_TRIM_THRESHOLD, _TRIM_THRESHOLD)
    except (OSError, AttributeError):
        return False
    return bool(ok)
