"""Deployment and model-version lifecycle as the gateway sees it, and the registry's rules (pure).

Deploy events travel on one topic per type, so a deployment's progress, outcome and failure can arrive in any order
and more than once: a deployment's status only moves forward, and a finished one (exported, failed, cancelled)
never changes again, except that an export that beat a late cancellation still counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

REQUESTED, RUNNING, CANCELLING = "requested", "running", "cancelling"
EXPORTED, FAILED, CANCELLED = "exported", "failed", "cancelled"
DEPLOYMENT_STATES = (REQUESTED, RUNNING, CANCELLING, EXPORTED, FAILED, CANCELLED)
ACTIVE = frozenset({REQUESTED, RUNNING, CANCELLING})
FINISHED = frozenset({EXPORTED, FAILED, CANCELLED})

READY, BROKEN, DELETING, DELETED = "ready", "broken", "deleting", "deleted"
VERSION_STATES = (READY, BROKEN, DELETING, DELETED)
SERVABLE = frozenset({READY})  # what an alias may point at
GONE = frozenset({DELETED})
RESERVED_NAMES = frozenset({"catalogue"})  # /api/v1/models/catalogue is the training catalogue

_NEXT: dict[str, frozenset[str]] = {
    REQUESTED: frozenset({RUNNING, EXPORTED, FAILED, CANCELLED}),
    RUNNING: frozenset({RUNNING, EXPORTED, FAILED, CANCELLED}),
    CANCELLING: frozenset({EXPORTED, FAILED, CANCELLED}),
    EXPORTED: frozenset(),
    FAILED: frozenset(),
    CANCELLED: frozenset(),
}


def may_move(status: str, target: str) -> bool:
    """Whether an event may move a deployment from ``status`` to ``target``."""
    return target in _NEXT.get(status, frozenset())


def can_cancel(status: str) -> bool:
    return status in (REQUESTED, RUNNING)


def failure_status(cancelled: bool) -> str:
    return CANCELLED if cancelled else FAILED


@dataclass(frozen=True)
class AliasChange:
    """One line of an alias's history (newest first when listed)."""

    alias: str
    from_version: int | None
    to_version: int | None


def rollback_target(history: Sequence[AliasChange], alias: str, current: int | None,
                    usable: Iterable[int]) -> int | None:
    """The version ``alias`` pointed at before its last change that can still be served (walking further back past
    deleted or broken versions); None when there is none. ``history`` is newest first."""
    allowed = set(usable)
    for change in history:
        if change.alias != alias:
            continue
        previous = change.from_version
        if previous is not None and previous != current and previous in allowed:
            return previous
    return None


def best_run(runs: Sequence[tuple[str, float]]) -> str | None:
    """The run with the highest record accuracy (the first of equals: the lowest run index)."""
    best: tuple[str, float] | None = None
    for run_id, accuracy in runs:
        if best is None or accuracy > best[1]:
            best = (run_id, accuracy)
    return best[0] if best else None


def actor_of(email: str, user_id: str, limit: int) -> str:
    """Who the registry's history names: the email, or the user id when the email is too long for the event."""
    return email if len(email) <= limit else user_id[:limit]
