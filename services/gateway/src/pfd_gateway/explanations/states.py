"""Explanation and embedding lifecycle as the gateway sees it (pure).

The xai service's events travel on one topic per type, so they arrive in any order and more than once: a finished
explanation (ready, failed, cancelled) keeps its status and outcome, progress only moves forward (a report that
arrives after the outcome still counts its stage).
"""

from __future__ import annotations

REQUESTED, RUNNING, CANCELLING = "requested", "running", "cancelling"
READY, FAILED, CANCELLED = "ready", "failed", "cancelled"

STATES = (REQUESTED, RUNNING, CANCELLING, READY, FAILED, CANCELLED)
ACTIVE = frozenset({REQUESTED, RUNNING, CANCELLING})
FINISHED = frozenset({READY, FAILED, CANCELLED})


def can_cancel(status: str) -> bool:
    return status in (REQUESTED, RUNNING)


def progressed(status: str, done: int, known_done: int) -> str | None:
    """The status an explanation has after a progress report (None: the report is older and changes nothing)."""
    if done < known_done:
        return None
    return RUNNING if status == REQUESTED else status
