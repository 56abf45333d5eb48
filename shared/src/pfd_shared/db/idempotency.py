"""Exactly-once effects over at-least-once delivery: record the event id in the same transaction."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import Table, insert
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.events.envelope import Envelope

T = TypeVar("T")


async def handle_once(
    sessions: async_sessionmaker[AsyncSession],
    processed_events: Table,
    consumer_group: str,
    envelope: Envelope[Any],
    work: Callable[[AsyncSession], Awaitable[T]],
) -> T | None:
    """Run ``work`` and commit, unless this group already processed the event (returns None then).

    The processed-event row and the work's writes (including outbox rows) commit together;
    the caller acks the Kafka message only after this returns.
    """
    async with sessions() as session:
        try:
            async with session.begin():
                await session.execute(
                    insert(processed_events).values(
                        consumer_group=consumer_group,
                        event_id=str(envelope.event_id),
                        processed_at=datetime.now(UTC),
                    )
                )
                return await work(session)
        except IntegrityError as exc:
            if "processed_events" in str(exc.orig).lower() or "uq_processed_events" in str(exc.orig).lower():
                return None
            raise
