"""Projection of data-gen's events into the data-set read model (idempotent: state, not increments)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope
from pfd_shared.events.datasets import DatasetDeleted, DatasetFailed, DatasetProgress, DatasetReady

from pfd_gateway.datasets import states


async def apply(session: AsyncSession, views: Table, envelope: Envelope[Any]) -> None:
    event = envelope.payload
    current = (await session.execute(select(views.c.status).where(views.c.dataset_id == event.dataset_id))).first()
    now = datetime.now(UTC)
    if current is None:
        if isinstance(event, DatasetReady | DatasetFailed) and envelope.owner:  # requested elsewhere (API key, other system)
            await session.execute(insert(views).values(
                dataset_id=event.dataset_id, owner_id=envelope.owner, name=getattr(event, "name", event.dataset_id),
                kind=getattr(event, "kind", "synthetic"), status=states.REQUESTED, cached=False, created_at=now,
                updated_at=now))
            current = (states.REQUESTED,)
        else:
            return
    status = current[0]
    values = changes(event, status)
    if values:
        await session.execute(update(views).where(views.c.dataset_id == event.dataset_id).values(updated_at=now,
                                                                                               **values))


def changes(event: Any, status: str) -> dict[str, Any]:
    """The read-model columns an event sets on a data set in ``status`` (empty: the event changes nothing)."""
    if isinstance(event, DatasetProgress):
        if not states.accepts_progress(status):
            return {}
        return {"status": states.BUILDING, "stage": event.stage, "done": event.done, "total": event.total}
    if isinstance(event, DatasetReady):
        if not states.accepts_outcome(status):
            return {}
        return {"status": states.READY, "stage": None, "records": event.records,
                "samples_per_record": event.samples_per_record, "sample_rate_hz": event.sample_rate_hz,
                "class_names": list(event.class_names), "class_counts": list(event.class_counts),
                "split_counts": event.split_counts, "feature_names": list(event.feature_names),
                "size_bytes": event.size_bytes, "object_key": event.object_key, "cached": event.cached, "error": None}
    if isinstance(event, DatasetFailed):
        return {"status": states.FAILED, "error": event.reason} if states.accepts_outcome(status) else {}
    if isinstance(event, DatasetDeleted):
        return {"status": states.DELETED}
    return {}
