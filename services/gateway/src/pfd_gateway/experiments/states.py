"""Run and experiment lifecycle as the gateway sees it (pure): which event may move a run where.

Training events travel on one topic per type, so they can arrive in any order and more than once. A run's status
only moves forward: an event older than the status it would replace is ignored, a run that finished
(``evaluated``) never changes again, and ``completed`` (trained, evaluation pending) only moves on to
``evaluated`` or ``failed`` (the evaluation failed).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import UTC, datetime

REQUESTED, QUEUED, RUNNING, COMPLETED, EVALUATED = "requested", "queued", "running", "completed", "evaluated"
FAILED, CANCELLING, CANCELLED, RESUMING = "failed", "cancelling", "cancelled", "resuming"
DELETING = "deleting"
# ``status_at`` holds the time of the worker event that set a run's status (statuses the gateway sets keep it),
# so an event's age is compared with the same worker clock; a new run has seen no event yet.
NO_EVENT_YET = datetime(1970, 1, 1, tzinfo=UTC)
PARTIAL = "partial"  # an experiment some of whose runs finished and others failed or were cancelled

RUN_STATES = (REQUESTED, QUEUED, RUNNING, COMPLETED, EVALUATED, FAILED, CANCELLING, CANCELLED, RESUMING)
EXPERIMENT_STATES = (*RUN_STATES, PARTIAL, DELETING)
ACTIVE = frozenset({REQUESTED, QUEUED, RUNNING, RESUMING, CANCELLING})
WAITING = frozenset({REQUESTED, QUEUED, RESUMING})
STOPPED = frozenset({FAILED, CANCELLED})
DONE = frozenset({EVALUATED})

# status -> the statuses an event may move it to
_NEXT: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({QUEUED, RUNNING, COMPLETED, EVALUATED, FAILED, CANCELLED}),
    QUEUED: frozenset({RUNNING, COMPLETED, EVALUATED, FAILED, CANCELLED}),
    RUNNING: frozenset({QUEUED, RUNNING, COMPLETED, EVALUATED, FAILED, CANCELLED}),  # re-queued after a crash
    RESUMING: frozenset({QUEUED, RUNNING, COMPLETED, EVALUATED, FAILED, CANCELLED}),
    CANCELLING: frozenset({COMPLETED, EVALUATED, FAILED, CANCELLED}),
    COMPLETED: frozenset({EVALUATED, FAILED}),
    FAILED: frozenset({EVALUATED}),
    CANCELLED: frozenset({EVALUATED}),
    EVALUATED: frozenset(),
}


def may_move(status: str, target: str) -> bool:
    """Whether an event may move a run from ``status`` to ``target`` (not counting its age)."""
    return target in _NEXT.get(status, frozenset())


def can_cancel(status: str) -> bool:
    return status in (REQUESTED, QUEUED, RUNNING, RESUMING)


def can_resume(status: str) -> bool:
    return status in STOPPED


def experiment_status(run_statuses: Iterable[str]) -> str:
    """One status for an experiment from its runs' statuses."""
    statuses = list(run_statuses)
    if not statuses:
        return REQUESTED
    unique = set(statuses)
    if len(unique) == 1:
        return statuses[0]
    for status in (RUNNING, CANCELLING, RESUMING, QUEUED, REQUESTED, COMPLETED):
        if status in unique:
            return status
    return PARTIAL if unique & DONE else (FAILED if FAILED in unique else CANCELLED)
