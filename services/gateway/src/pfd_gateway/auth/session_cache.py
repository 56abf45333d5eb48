"""Resolved browser sessions reused for a short time, so a page load does not query the database per request.

A dashboard page load is 4-6 requests with the same cookie; each used to join ``sessions`` and ``users``.
An entry is reused until the earliest of: ``auth.session_cache_s`` after it was resolved, the session's
expiry, its idle deadline, or the next last-seen write (so "last used" keeps its interval). Every revocation
made by this process (logout, logout everywhere, revoking one session, a password change, deactivating or
changing the role of a user) drops the matching entries at once, and tells the other worker processes of the
host through the ``RevocationSignal`` file, so they forget their cached sessions before their next request.
A gateway on another host (another pod) reuses an entry for at most ``session_cache_s``. API keys are never
cached: their revocation is effective on the next request on every process.
"""

from __future__ import annotations

import mmap
import os
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from pfd_gateway.domain.access import Principal

SESSIONS_SIGNAL_FILE = "gateway-sessions.signal"  # under the var directory the host's workers share


@dataclass(frozen=True, slots=True)
class CachedSession:
    principal: Principal
    valid_until: datetime


class RevocationSignal:
    """A random token in a small file shared by the gateway processes of one host (memory-mapped: reading it
    costs no system call). A process that revokes writes a new token; the others see it change."""

    SIZE = 16

    def __init__(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
        try:
            if os.fstat(fd).st_size < self.SIZE:
                os.ftruncate(fd, self.SIZE)
            self._map = mmap.mmap(fd, self.SIZE)
        finally:
            os.close(fd)
        self._seen = self._map[:self.SIZE]

    def changed(self) -> bool:
        """Whether another process (or this one) announced since the last call."""
        current = self._map[:self.SIZE]
        if current == self._seen:
            return False
        self._seen = current
        return True

    def announce(self) -> None:
        token = os.urandom(self.SIZE)
        self._map[:self.SIZE] = token
        self._seen = token

    def close(self) -> None:
        self._map.close()


class SessionCache:
    """Token digest -> principal; bounded (least recently used goes first), all times from the auth clock."""

    def __init__(self, ttl_s: float, max_entries: int, signal: RevocationSignal | None = None) -> None:
        self.ttl = timedelta(seconds=ttl_s)
        self.max_entries = max_entries
        self.signal = signal  # None: one process only (tests, the CLI)
        self._entries: OrderedDict[str, CachedSession] = OrderedDict()
        self.generation = 0  # bumped by every drop: a lookup that started before a revocation is not cached

    @property
    def enabled(self) -> bool:
        return self.ttl > timedelta(0)

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, token_digest: str, now: datetime) -> Principal | None:
        if self.signal is not None and self.signal.changed():  # another process revoked something
            self._entries.clear()
            self.generation += 1
            return None
        entry = self._entries.get(token_digest)
        if entry is None:
            return None
        if now >= entry.valid_until:
            del self._entries[token_digest]
            return None
        self._entries.move_to_end(token_digest)
        return entry.principal

    def put(self, token_digest: str, principal: Principal, now: datetime, *deadlines: datetime,
            generation: int) -> None:
        """Keep ``principal`` until ``now + ttl`` or the earliest of ``deadlines`` (expiry, idle, next write),
        unless something was dropped since the lookup began (``generation`` read then)."""
        if not self.enabled or generation != self.generation:
            return
        valid_until = min((now + self.ttl, *deadlines))
        if valid_until <= now:
            return
        self._entries[token_digest] = CachedSession(principal, valid_until)
        self._entries.move_to_end(token_digest)
        while len(self._entries) > self.max_entries:
            self._entries.popitem(last=False)

    def drop_session(self, session_id: str) -> None:
        self._drop(lambda p: p.session_id == session_id)

    def drop_user(self, user_id: str) -> None:
        self._drop(lambda p: p.user_id == user_id)

    def _drop(self, matches: Callable[[Principal], bool]) -> None:
        self.generation += 1
        stale = [key for key, entry in self._entries.items() if matches(entry.principal)]
        for key in stale:
            del self._entries[key]
        if self.signal is not None:
            self.signal.announce()
