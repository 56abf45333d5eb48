"""What every auth service part shares: the database, the settings, the password hasher and a clock."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import overload
from uuid import uuid4

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_gateway.auth.passwords import Passwords
from pfd_gateway.auth.session_cache import RevocationSignal, SessionCache
from pfd_gateway.settings import AuthSettings


def utc_now() -> datetime:
    return datetime.now(UTC)


@overload
def as_utc(value: datetime) -> datetime: ...


@overload
def as_utc(value: datetime | None) -> datetime | None: ...


def as_utc(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; everything stored is UTC."""
    if value is None or value.tzinfo is not None:
        return value
    return value.replace(tzinfo=UTC)


def new_id() -> str:
    return str(uuid4())


@dataclass
class AuthContext:
    db: async_sessionmaker[AsyncSession]
    settings: AuthSettings
    passwords: Passwords
    clock: Callable[[], datetime] = field(default=utc_now)
    revocations: RevocationSignal | None = None  # shared by the gateway processes of a host
    session_cache: SessionCache = field(init=False)

    def __post_init__(self) -> None:
        self.session_cache = SessionCache(self.settings.session_cache_s, self.settings.session_cache_size,
                                          self.revocations)

    def now(self) -> datetime:
        return self.clock()
