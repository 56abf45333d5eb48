"""NotificationCenter: the gateway's notification use cases over one set of read models, and their projection."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pydantic import SecretStr
from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay
from pfd_shared.events import Envelope

from pfd_gateway.notifications import projection
from pfd_gateway.notifications.admin import DigestAdmin, EmailAdmin
from pfd_gateway.notifications.commands import Commands
from pfd_gateway.notifications.inbox import NotificationInbox
from pfd_gateway.notifications.preferences import PreferencesService
from pfd_gateway.notifications.tables import NotificationTables
from pfd_gateway.notifications.webhooks import WebhookService


@dataclass
class NotificationCenter:
    commands: Commands
    inbox: NotificationInbox
    preferences: PreferencesService
    webhooks: WebhookService
    email: EmailAdmin
    digests: DigestAdmin

    async def project(self, batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Apply the notifier's facts to the read models, one transaction per batch."""
        async with self.commands.sessions() as session, session.begin():
            for envelope, _ in batch:
                await projection.apply(session, self.commands.tables, envelope)


def build_center(sessions: async_sessionmaker[AsyncSession], tables: NotificationTables, outbox: Table,
                 relay: OutboxRelay, *, producer: str, seal_key: SecretStr) -> NotificationCenter:
    commands = Commands(sessions, tables, outbox, relay, producer=producer)
    return NotificationCenter(commands, NotificationInbox(commands), PreferencesService(commands),
                              WebhookService(commands, seal_key), EmailAdmin(commands, seal_key),
                              DigestAdmin(commands))
