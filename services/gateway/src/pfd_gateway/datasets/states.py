"""Data-set lifecycle as the gateway sees it (pure): which event may change which state."""

from __future__ import annotations

REQUESTED, BUILDING, READY, FAILED, DELETING, DELETED = "requested", "building", "ready", "failed", "deleting", "deleted"
TERMINAL = frozenset({READY, FAILED, DELETED})


def accepts_progress(status: str) -> bool:
    """Progress can arrive after the outcome (other topic, no ordering): it never reopens a finished set."""
    return status in (REQUESTED, BUILDING)


def accepts_outcome(status: str) -> bool:
    """Ready/failed apply unless the set is already being deleted or gone."""
    return status not in (DELETING, DELETED)


def can_delete(status: str) -> bool:
    return status not in (DELETING, DELETED)
