"""Login throttling decisions as pure functions of recorded attempts and the policy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class LockoutPolicy:
    failures: int
    window: timedelta
    duration: timedelta

    @property
    def lookback(self) -> timedelta:
        """How far back attempts can still matter for a lock that is active now."""
        return self.window + self.duration


def locked_until(failures: Iterable[datetime], now: datetime, policy: LockoutPolicy) -> datetime | None:
    """When the account unlocks, or None when it is not locked now.

    ``failures`` are the counted failures since the last successful login, oldest first. ``policy.failures``
    of them within ``policy.window`` lock the account for ``policy.duration`` from the last one; failures
    that arrive while locked (possible with several gateway processes) do not extend the lock, and the
    count starts again once a lock has ended.
    """
    window: list[datetime] = []
    lock_end: datetime | None = None
    for at in failures:
        if lock_end is not None:
            if at < lock_end:
                continue
            lock_end = None
        window = [t for t in window if at - t < policy.window] + [at]
        if len(window) >= policy.failures:
            lock_end, window = at + policy.duration, []
    return lock_end if lock_end is not None and lock_end > now else None


def address_throttled(recent_failures: int, limit: int) -> bool:
    """An address with ``limit`` failed logins inside its window is refused until they age out."""
    return recent_failures >= limit
