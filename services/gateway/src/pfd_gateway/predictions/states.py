"""Batch-prediction states and what each deploy event changes (pure: the projection and the page's pushed frames
apply the same rules, so a frame that overtakes its projection shows the same row)."""

from __future__ import annotations

from typing import Any

from pfd_shared.events.deploy import BatchPredictionCompleted, BatchPredictionFailed, BatchPredictionProgress

REQUESTED, RUNNING, COMPLETED, FAILED = "requested", "running", "completed", "failed"
OPEN = (REQUESTED, RUNNING)


def changes(event: Any, row: dict[str, Any]) -> dict[str, Any]:
    """The columns ``event`` sets on ``row`` (empty: nothing changes). Idempotent and order-tolerant: progress
    never moves back and never reopens a finished batch; the first outcome wins."""
    status = row["status"]
    if isinstance(event, BatchPredictionProgress):
        if status not in OPEN or event.done < (row.get("done") or 0):
            return {}
        return {"status": RUNNING, "done": event.done, "total": event.total}
    if isinstance(event, BatchPredictionCompleted):
        if status not in OPEN:
            return {}
        return {"status": COMPLETED, "done": event.rows, "total": event.rows, "served_version": event.version,
                "results_key": event.results_key, "rows": event.rows, "summary": event.summary,
                "seconds": event.seconds, "error": None}
    if isinstance(event, BatchPredictionFailed):
        return {"status": FAILED, "error": event.reason} if status in OPEN else {}
    return {}


def fraction(row: dict[str, Any]) -> float:
    """How far the batch has come, 0..1 (1 once completed)."""
    if row["status"] == COMPLETED:
        return 1.0
    total = row.get("total") or 0
    return min((row.get("done") or 0) / total, 1.0) if total else 0.0
