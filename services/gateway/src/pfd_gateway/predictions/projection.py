"""Projection of the deploy service's Batch* events into the batch-prediction read model (one transaction per
batch of events; rows exist from the request, events about unknown batches are skipped)."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope

from pfd_gateway.predictions import states


async def apply(session: AsyncSession, views: Table, envelope: Envelope[Any]) -> None:
    event = envelope.payload
    row = (await session.execute(select(views.c.status, views.c.done).where(
        views.c.batch_id == event.batch_id))).mappings().first()
    if row is None:
        return
    values = states.changes(event, dict(row))
    if values:
        await session.execute(update(views).where(views.c.batch_id == event.batch_id).values(
            updated_at=datetime.now(UTC), **values))
