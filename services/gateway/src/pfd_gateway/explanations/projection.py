"""Projection of the xai service's events into the explanation read model.

Idempotent and order-tolerant: a finished explanation or embedding keeps its outcome (a redelivered outcome finds
it finished), progress only moves forward (and still counts when it arrives after the outcome), and an event for an id the gateway never requested is ignored.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope
from pfd_shared.events.training import ExperimentDeleted
from pfd_shared.events.xai import (
    EmbeddingFailed,
    EmbeddingReady,
    ExplanationFailed,
    ExplanationProgress,
    ExplanationReady,
)

from pfd_gateway.explanations import states
from pfd_gateway.explanations.tables import ExplanationTables

OUTCOMES = (ExplanationProgress, ExplanationReady, ExplanationFailed, EmbeddingReady, EmbeddingFailed)
PROJECTED = (*OUTCOMES, ExperimentDeleted)


async def apply(session: AsyncSession, tables: ExplanationTables, envelope: Envelope[Any]) -> None:
    event, at = envelope.payload, envelope.occurred_at
    if isinstance(event, ExplanationProgress):
        await _progress(session, tables.explanations, event)
    elif isinstance(event, ExplanationReady | ExplanationFailed):
        await _finish(session, tables.explanations, "explanation_id", event.explanation_id,
                      explanation_outcome(event, at))
    elif isinstance(event, EmbeddingReady | EmbeddingFailed):
        await _finish(session, tables.embeddings, "embedding_id", event.embedding_id, embedding_outcome(event, at))
    elif isinstance(event, ExperimentDeleted):  # its model is gone: so are the explanations of its runs
        for table in (tables.explanations, tables.embeddings):
            await session.execute(delete(table).where(table.c.experiment_id == event.experiment_id))


def explanation_outcome(event: ExplanationReady | ExplanationFailed, at: datetime) -> dict[str, Any]:
    """The columns an explanation's outcome sets."""
    if isinstance(event, ExplanationFailed):
        return {"status": states.CANCELLED if event.cancelled else states.FAILED, "error": event.reason,
                "finished_at": at}
    return {"status": states.READY, "summary": event.summary, "cache_key": event.cache_key,
            "attributions_key": event.attributions_key, "summary_key": event.summary_key, "cached": event.cached,
            "seconds": event.seconds, "error": None, "finished_at": at}


def embedding_outcome(event: EmbeddingReady | EmbeddingFailed, at: datetime) -> dict[str, Any]:
    """The columns an embedding's outcome sets."""
    if isinstance(event, EmbeddingFailed):
        return {"status": states.FAILED, "error": event.reason, "finished_at": at}
    return {"status": states.READY, "points": event.points, "embedding_dim": event.embedding_dim,
            "class_names": list(event.class_names), "points_key": event.points_key, "cached": event.cached,
            "seconds": event.seconds, "error": None, "finished_at": at}


async def _progress(session: AsyncSession, table: Table, event: ExplanationProgress) -> None:
    row = (await session.execute(select(table.c.status, table.c.done).where(
        table.c.explanation_id == event.explanation_id).with_for_update())).mappings().first()
    if row is None:
        return
    status = states.progressed(row["status"], event.done, row["done"])
    if status is None:
        return
    await session.execute(update(table).where(table.c.explanation_id == event.explanation_id).values(
        status=status, stage=event.stage, done=event.done, total=event.total, updated_at=datetime.now(UTC)))


async def _finish(session: AsyncSession, table: Table, id_column: str, aggregate_id: str,
                  values: dict[str, Any]) -> None:
    column = table.c[id_column]
    status = (await session.execute(select(table.c.status).where(column == aggregate_id).with_for_update())).scalar()
    if status is None or status in states.FINISHED:
        return  # unknown (requested elsewhere, or deleted) or already finished: a redelivery changes nothing
    await session.execute(update(table).where(column == aggregate_id).values(updated_at=datetime.now(UTC), **values))
