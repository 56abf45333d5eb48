"""NotificationService: turns a domain event into what its owner asked for, and applies their requests about
preferences and read state. Every handler runs once per event (handle_once) and stages its facts in the outbox;
nothing here sends anything over the network (the dispatcher does, from the scheduled deliveries)."""

from __future__ import annotations

import json
import logging
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.db.idempotency import handle_once
from pfd_shared.db.outbox import OutboxRelay
from pfd_shared.events import Envelope
from pfd_shared.events.notifications import (
    DigestItemQueued,
    NotificationsMarkReadRequested,
    NotificationsRead,
    PreferenceRule,
    PreferencesUpdated,
    PreferencesUpdateRequested,
)
from pfd_shared.runtime.service import Database
from pfd_shared.notification_rules import Message, rule_for

from pfd_notifier.db import digest_items, notifications, preferences, webhooks
from pfd_notifier.domain.preferences import route, webhook_wants
from pfd_notifier.domain.templates import Entry, notification_email
from pfd_notifier.records import Writer, add_delivery, new_id
from pfd_notifier.settings import NotifierSettings

log = logging.getLogger(__name__)
CONSUMER_GROUP = "notifier"
T = TypeVar("T")


class NotifierBase:
    """What every use case needs: sessions, the outbox writer and a way to wake the relay and dispatcher."""

    def __init__(self, database: Database, relay: OutboxRelay, settings: NotifierSettings,
                 wake_dispatcher: Callable[[], None]) -> None:
        self.sessions = database.sessions
        self.processed = database.tables.processed_events
        self.writer = Writer(database.outbox, settings.service_name)
        self.relay = relay
        self.settings = settings
        self.wake_dispatcher = wake_dispatcher

    async def once(self, envelope: Envelope[Any], work: Callable[[AsyncSession], Awaitable[T]]) -> T | None:
        result = await handle_once(self.sessions, self.processed, CONSUMER_GROUP, envelope, work)
        self.relay.notify()
        self.wake_dispatcher()
        return result


class NotificationService(NotifierBase):
    async def notify(self, envelope: Envelope[Any]) -> None:
        """Fan a domain event out to its owner's channels (in-app, email now or in the digest, webhooks)."""
        rule, owner = rule_for(envelope.type), envelope.owner
        if rule is None or owner is None:
            log.info("%s %s has no owner to notify", envelope.type, envelope.event_id)
            return
        message = rule.message(envelope.payload)

        async def work(session: AsyncSession) -> None:
            query = select(preferences).where(preferences.c.user_id == owner)
            prefs = (await session.execute(query)).mappings().first()
            rules = [PreferenceRule.model_validate(r) for r in prefs["rules"]] if prefs else None
            email = prefs["email"] if prefs else None
            chosen = route(rules, envelope.type, frequency=prefs["digest_frequency"] if prefs else "off",
                           has_email=bool(email))
            source = str(envelope.event_id)
            if chosen.in_app:
                await self.writer.in_app(session, owner, source, envelope.type, message, envelope)
            if chosen.email_now and email:
                content = notification_email(Entry(message.title, message.body, message.link),
                                             self.settings.dashboard_url).as_dict()
                await add_delivery(session, channel="email", kind="notification", user_id=owner, owner=owner,
                                   target=email, source_event_id=source, source_event_type=envelope.type,
                                   content=content, max_attempts=self.settings.email.max_attempts)
            if chosen.email_digest:
                await self._queue_digest_item(session, owner, envelope, message)
            if chosen.webhook:
                await self._schedule_webhooks(session, owner, envelope, message)

        await self.once(envelope, work)

    async def _queue_digest_item(self, session: AsyncSession, owner: str, envelope: Envelope[Any],
                                 message: Message) -> None:
        now, item_id = datetime.now(UTC), new_id()
        taken = select(digest_items.c.item_id).where(digest_items.c.source_event_id == str(envelope.event_id),
                                                     digest_items.c.user_id == owner)
        if (await session.execute(taken)).first() is not None:
            return
        await session.execute(insert(digest_items).values(
            item_id=item_id, user_id=owner, source_event_id=str(envelope.event_id), source_event_type=envelope.type,
            title=message.title, body=message.body, link=message.link, queued_at=now, digest_id=None))
        await self.writer.publish(session, DigestItemQueued(user_id=owner, item_id=item_id,
                                                            source_event_type=envelope.type, title=message.title,
                                                            queued_at=now), owner=owner, cause=envelope)

    async def _schedule_webhooks(self, session: AsyncSession, owner: str, envelope: Envelope[Any],
                                 message: Message) -> None:
        query = select(webhooks).where(webhooks.c.user_id == owner, webhooks.c.enabled.is_(True))
        for hook in (await session.execute(query)).mappings().all():
            if not webhook_wants(hook["event_types"], envelope.type):
                continue
            delivery_id = new_id()
            body = webhook_body(delivery_id, envelope, message)
            await add_delivery(session, channel="webhook", kind="event", user_id=owner, owner=owner,
                               target=hook["webhook_id"], webhook_id=hook["webhook_id"],
                               source_event_id=str(envelope.event_id), source_event_type=envelope.type,
                               content={"body": body}, max_attempts=self.settings.webhooks.max_attempts,
                               delivery_id=delivery_id)

    async def update_preferences(self, envelope: Envelope[PreferencesUpdateRequested]) -> None:
        """Store a user's preferences (keeping when their last digest went out) and announce them."""
        request = envelope.payload

        async def work(session: AsyncSession) -> None:
            now, key = datetime.now(UTC), preferences.c.user_id == request.user_id
            values = {"email": request.email, "digest_frequency": request.digest_frequency,
                      "rules": [rule.model_dump(mode="json") for rule in request.rules], "updated_at": now}
            if (await session.execute(select(preferences.c.user_id).where(key))).first() is None:
                await session.execute(insert(preferences).values(user_id=request.user_id, **values))
            else:
                await session.execute(update(preferences).where(key).values(**values))
            await self.writer.publish(session, PreferencesUpdated(
                user_id=request.user_id, email=request.email, digest_frequency=request.digest_frequency,
                rules=request.rules), owner=request.user_id, cause=envelope)

        await self.once(envelope, work)

    async def mark_read(self, envelope: Envelope[NotificationsMarkReadRequested]) -> None:
        """Mark the given (or all unread) notifications of the user read, and announce it."""
        request = envelope.payload

        async def work(session: AsyncSession) -> None:
            c = notifications.c
            query = update(notifications).where(c.user_id == request.user_id, c.read_at.is_(None),
                                                c.created_at <= request.read_at)
            if request.notification_ids:
                query = query.where(c.notification_id.in_(request.notification_ids))
            await session.execute(query.values(read_at=request.read_at))
            await self.writer.publish(session, NotificationsRead(
                user_id=request.user_id, notification_ids=request.notification_ids, read_at=request.read_at),
                owner=request.user_id, cause=envelope)

        await self.once(envelope, work)


def webhook_body(delivery_id: str, envelope: Envelope[Any], message: Message | None) -> str:
    """The JSON a webhook receives (the same bytes on every retry; the signature is over them)."""
    document = {
        "id": delivery_id, "type": envelope.type, "event_id": str(envelope.event_id),
        "occurred_at": envelope.occurred_at.isoformat(), "owner": envelope.owner,
        "notification": None if message is None else {"title": message.title, "body": message.body,
                                                       "level": message.level, "link": message.link},
        "data": envelope.payload.model_dump(mode="json"),
    }
    return json.dumps(document, sort_keys=True, separators=(",", ":"))
