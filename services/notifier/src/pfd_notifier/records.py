"""Rows the notifier writes in the caller's transaction: in-app notifications, deliveries, outbox events."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.db.outbox import add_to_outbox
from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.notifications import NotificationCreated
from pfd_shared.notification_rules import Message

from pfd_notifier.db import deliveries, notifications

PENDING, DELIVERED, FAILED, CANCELLED = "pending", "delivered", "failed", "cancelled"


def new_id() -> str:
    return uuid.uuid4().hex


@dataclass
class Writer:
    """Stages outbox events with the notifier as producer."""

    outbox: Table
    producer: str

    async def publish(self, session: AsyncSession, payload: EventPayload, *, owner: str | None,
                      cause: Envelope[Any] | None) -> None:
        await add_to_outbox(session, self.outbox, new_envelope(payload, producer=self.producer, owner=owner,
                                                               cause=cause))

    async def in_app(self, session: AsyncSession, user_id: str, source_event_id: str, source_event_type: str,
                     message: Message, cause: Envelope[Any] | None) -> bool:
        """Persist and announce a notification; False when this event already notified this user."""
        taken = select(notifications.c.notification_id).where(notifications.c.source_event_id == source_event_id,
                                                              notifications.c.user_id == user_id)
        if (await session.execute(taken)).first() is not None:
            return False
        now, notification_id = datetime.now(UTC), new_id()
        await session.execute(insert(notifications).values(
            notification_id=notification_id, user_id=user_id, source_event_id=source_event_id,
            source_event_type=source_event_type, title=message.title, body=message.body, level=message.level,
            link=message.link, created_at=now, read_at=None))
        created = NotificationCreated(user_id=user_id, notification_id=notification_id,
                                      source_event_type=source_event_type, source_event_id=source_event_id,
                                      title=message.title, body=message.body, level=message.level,
                                      link=message.link, created_at=now)
        await self.publish(session, created, owner=user_id, cause=cause)
        return True


async def add_delivery(session: AsyncSession, *, channel: str, kind: str, user_id: str | None, owner: str | None,
                       target: str, source_event_id: str, source_event_type: str, content: dict[str, Any],
                       max_attempts: int, webhook_id: str | None = None, digest_id: str | None = None,
                       delivery_id: str | None = None) -> str | None:
    """Schedule a delivery due now; None when this event already has one for this user, channel and target."""
    c = deliveries.c
    same_user = c.user_id.is_(None) if user_id is None else c.user_id == user_id
    taken = select(c.delivery_id).where(c.source_event_id == source_event_id, same_user, c.channel == channel,
                                        c.target == target)
    if (await session.execute(taken)).first() is not None:
        return None
    now, delivery_id = datetime.now(UTC), delivery_id or new_id()
    await session.execute(insert(deliveries).values(
        delivery_id=delivery_id, channel=channel, kind=kind, user_id=user_id, owner=owner, target=target,
        webhook_id=webhook_id, digest_id=digest_id, source_event_id=source_event_id,
        source_event_type=source_event_type, content=content, status=PENDING, attempts=0, max_attempts=max_attempts,
        next_attempt_at=now, created_at=now, updated_at=now))
    return delivery_id
