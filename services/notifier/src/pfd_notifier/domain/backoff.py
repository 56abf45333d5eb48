"""Exponential backoff of failed deliveries (scheduled as a due time, never slept)."""

from __future__ import annotations

from datetime import datetime, timedelta


def retry_delay_s(attempts: int, initial_s: float, max_s: float) -> float:
    """Delay after the ``attempts``-th failure: initial, 2x, 4x, ... capped at ``max_s``."""
    return float(min(initial_s * 2 ** max(attempts - 1, 0), max_s))


def next_attempt(now: datetime, attempts: int, max_attempts: int, initial_s: float, max_s: float,
                 *, permanent: bool = False) -> datetime | None:
    """When to try again after a failure, or None when the delivery is given up."""
    if permanent or attempts >= max_attempts:
        return None
    return now + timedelta(seconds=retry_delay_s(attempts, initial_s, max_s))
