"""Transactional outbox: events written with the business change, published by a relay afterwards."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.events.envelope import Envelope
from pfd_shared.events.serializer import encode_event
from pfd_shared.messaging.bus import event_headers

log = logging.getLogger(__name__)

RawPublish = Callable[[bytes, str, bytes, dict[str, str]], Awaitable[None]]


async def add_to_outbox(session: AsyncSession, outbox: Table, envelope: Envelope[Any]) -> None:
    """Stage an event in the caller's transaction."""
    await session.execute(
        insert(outbox).values(
            event_id=str(envelope.event_id),
            topic=envelope.payload.topic.name,
            message_key=envelope.key(),
            body=encode_event(envelope),
            headers=json.dumps(event_headers(envelope)),
            created_at=datetime.now(UTC),
        )
    )


class OutboxRelay:
    """Publishes pending outbox rows in order and marks them published (at-least-once)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table, publish: RawPublish,
                 *, batch_size: int, poll_interval_s: float) -> None:
        self.sessions = sessions
        self.outbox = outbox
        self.publish = publish
        self.batch_size = batch_size
        self.poll_interval_s = poll_interval_s
        self._wake = asyncio.Event()

    def notify(self) -> None:
        """Publish soon: a transaction with outbox rows just committed."""
        self._wake.set()

    async def relay_once(self) -> int:
        """Publish one batch; returns the number of rows published."""
        async with self.sessions() as session, session.begin():
            query = select(self.outbox).where(self.outbox.c.published_at.is_(None)).order_by(self.outbox.c.id)
            query = query.limit(self.batch_size)
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = (await session.execute(query)).all()
            for row in rows:
                await self.publish(row.body, row.topic, row.message_key, json.loads(row.headers))
            if rows:
                ids = [row.id for row in rows]
                await session.execute(
                    update(self.outbox).where(self.outbox.c.id.in_(ids)).values(published_at=datetime.now(UTC))
                )
            return len(rows)

    async def pending(self) -> int:
        async with self.sessions() as session:
            query = select(func.count()).select_from(self.outbox).where(self.outbox.c.published_at.is_(None))
            return int((await session.execute(query)).scalar_one())

    async def run(self) -> None:
        """Relay until cancelled; a failure is logged and retried on the next tick."""
        while True:
            try:
                while await self.relay_once() == self.batch_size:
                    pass
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the relay must survive broker or database hiccups
                log.exception("outbox relay failed; retrying in %.1fs", self.poll_interval_s)
            self._wake.clear()
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=self.poll_interval_s)
            except TimeoutError:
                pass
