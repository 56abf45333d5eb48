"""When a user's digest is due."""

from __future__ import annotations

from datetime import datetime, timedelta

from pfd_shared.events.notifications import DigestFrequency

PERIODS: dict[str, timedelta] = {"daily": timedelta(days=1), "weekly": timedelta(weeks=1)}


def digest_due(frequency: DigestFrequency, last_sent: datetime | None, oldest_item: datetime | None,
               now: datetime) -> bool:
    """Due one period after the last digest (or, before the first one, after the oldest waiting item); with
    digests switched off, what still waits goes out at once."""
    if oldest_item is None:
        return False
    if frequency not in PERIODS:
        return True
    start = last_sent or oldest_item
    return now >= start + PERIODS[frequency]
