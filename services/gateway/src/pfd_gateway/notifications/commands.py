"""Requests to the notifier: a command event with the caller as owner, staged in the outbox with the read model's
optimistic change (one transaction); the notifier's facts then confirm it."""

from __future__ import annotations

import uuid
from collections.abc import Awaitable, Callable

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import EventPayload, new_envelope
from pfd_shared.telemetry.logging import correlation_id_var

from pfd_gateway.domain.access import Principal
from pfd_gateway.notifications.tables import NotificationTables

Change = Callable[[AsyncSession], Awaitable[None]]


class Commands:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: NotificationTables, outbox: Table,
                 relay: OutboxRelay, *, producer: str) -> None:
        self.sessions, self.tables, self.outbox, self.relay, self.producer = sessions, tables, outbox, relay, producer

    async def send(self, principal: Principal, command: EventPayload, change: Change | None = None) -> None:
        correlation = correlation_id_var.get()
        envelope = new_envelope(command, producer=self.producer, owner=principal.user_id,
                                correlation_id=uuid.UUID(correlation) if correlation else None)
        async with self.sessions() as session, session.begin():
            if change is not None:
                await change(session)
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()
