"""Projection of the notifier's facts into the gateway's notification read models (idempotent: rows keyed by the
fact's own ids, state set rather than incremented)."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Table, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope
from pfd_shared.events.notifications import (
    DigestItemQueued,
    DigestSent,
    EmailFailed,
    EmailSent,
    NotificationCreated,
    NotificationsRead,
    PreferencesUpdated,
    SmtpConfigUpdated,
    WebhookDelivered,
    WebhookDeleted,
    WebhookDeliveryFailed,
    WebhookDisabled,
    WebhookSaved,
)

from pfd_gateway.notifications.tables import NotificationTables

SAVED, SAVING, DELETING = "saved", "saving", "deleting"
EMAIL_SENT, EMAIL_FAILED, EMAIL_PENDING = "sent", "failed", "pending"
Apply = Callable[[AsyncSession, NotificationTables, Any], Awaitable[None]]


async def upsert(session: AsyncSession, table: Table, key: dict[str, Any], values: dict[str, Any]) -> None:
    clause = [table.c[name] == value for name, value in key.items()]
    if (await session.execute(select(*[table.c[name] for name in key]).where(*clause))).first() is None:
        await session.execute(insert(table).values(**key, **values))
    else:
        await session.execute(update(table).where(*clause).values(**values))


async def _created(session: AsyncSession, t: NotificationTables, e: NotificationCreated) -> None:
    await upsert(session, t.notifications, {"notification_id": e.notification_id}, {
        "user_id": e.user_id, "source_event_type": e.source_event_type, "title": e.title, "body": e.body,
        "level": e.level, "link": e.link, "created_at": e.created_at})


async def _read(session: AsyncSession, t: NotificationTables, e: NotificationsRead) -> None:
    c = t.notifications.c
    query = update(t.notifications).where(c.user_id == e.user_id, c.read_at.is_(None), c.created_at <= e.read_at)
    if e.notification_ids:
        query = query.where(c.notification_id.in_(e.notification_ids))
    await session.execute(query.values(read_at=e.read_at))


async def _preferences(session: AsyncSession, t: NotificationTables, e: PreferencesUpdated) -> None:
    await upsert(session, t.preferences, {"user_id": e.user_id}, {
        "email": e.email, "digest_frequency": e.digest_frequency, "status": SAVED, "updated_at": datetime.now(UTC),
        "rules": [rule.model_dump(mode="json") for rule in e.rules]})


async def _webhook_saved(session: AsyncSession, t: NotificationTables, e: WebhookSaved) -> None:
    now = datetime.now(UTC)
    await upsert(session, t.webhooks, {"webhook_id": e.webhook_id}, {
        "user_id": e.user_id, "name": e.name, "url": e.url, "event_types": list(e.event_types), "enabled": e.enabled,
        "status": SAVED, "secret_prefix": e.secret_prefix, "consecutive_failures": e.consecutive_failures,
        "updated_at": now} | ({"disabled_reason": None} if e.enabled else {}))
    await session.execute(update(t.webhooks).where(t.webhooks.c.webhook_id == e.webhook_id,
                                                   t.webhooks.c.created_at.is_(None)).values(created_at=now))


async def _webhook_deleted(session: AsyncSession, t: NotificationTables, e: WebhookDeleted) -> None:
    await session.execute(delete(t.deliveries).where(t.deliveries.c.webhook_id == e.webhook_id))
    await session.execute(delete(t.webhooks).where(t.webhooks.c.webhook_id == e.webhook_id))


async def _webhook_disabled(session: AsyncSession, t: NotificationTables, e: WebhookDisabled) -> None:
    await session.execute(update(t.webhooks).where(t.webhooks.c.webhook_id == e.webhook_id).values(
        enabled=False, disabled_reason=e.reason, consecutive_failures=e.consecutive_failures))


async def _attempt(session: AsyncSession, t: NotificationTables, e: WebhookDelivered | WebhookDeliveryFailed) -> None:
    failed = isinstance(e, WebhookDeliveryFailed)
    await upsert(session, t.deliveries, {"attempt_id": f"{e.delivery_id}:{e.attempt}"}, {
        "delivery_id": e.delivery_id, "webhook_id": e.webhook_id, "user_id": e.user_id,
        "source_event_type": e.source_event_type, "attempt": e.attempt, "ok": not failed,
        "status_code": e.status_code, "latency_ms": e.latency_ms, "error": e.error if failed else None,
        "next_attempt_at": e.next_attempt_at if failed else None, "test": e.test, "at": e.at})


async def _smtp(session: AsyncSession, t: NotificationTables, e: SmtpConfigUpdated) -> None:
    await upsert(session, t.smtp, {"config_id": e.key()}, {
        "host": e.host, "port": e.port, "tls_mode": e.tls_mode, "username": e.username,
        "password_set": e.password_set, "from_address": e.from_address, "status": SAVED,
        "updated_at": datetime.now(UTC)})


async def _email(session: AsyncSession, t: NotificationTables, e: EmailSent | EmailFailed) -> None:
    failed = isinstance(e, EmailFailed)
    await upsert(session, t.emails, {"attempt_id": f"{e.email_id}:{e.attempt}"}, {
        "email_id": e.email_id, "user_id": e.user_id, "to": e.to, "subject": e.subject, "kind": e.kind,
        "digest_id": e.digest_id, "attempt": e.attempt, "ok": not failed, "error": e.error if failed else None,
        "next_attempt_at": e.next_attempt_at if failed else None, "at": e.at})
    if e.digest_id:
        status = EMAIL_SENT if not failed else EMAIL_PENDING if e.next_attempt_at else EMAIL_FAILED
        await session.execute(update(t.digests).where(t.digests.c.digest_id == e.digest_id).values(
            email_status=status, email_error=e.error if failed else None))


async def _queued(session: AsyncSession, t: NotificationTables, e: DigestItemQueued) -> None:
    await upsert(session, t.digest_queue, {"item_id": e.item_id}, {
        "user_id": e.user_id, "source_event_type": e.source_event_type, "title": e.title, "queued_at": e.queued_at})


async def _digest(session: AsyncSession, t: NotificationTables, e: DigestSent) -> None:
    await session.execute(delete(t.digest_queue).where(t.digest_queue.c.item_id.in_(e.item_ids)))
    known = select(t.digests.c.digest_id).where(t.digests.c.digest_id == e.digest_id)
    existing = (await session.execute(known)).first()
    if existing is not None:
        return
    emails = t.emails.c  # the email's outcome may have been projected first (another topic)
    last = (await session.execute(select(emails.ok, emails.error, emails.next_attempt_at).where(
        emails.digest_id == e.digest_id).order_by(emails.attempt.desc()).limit(1))).first()
    status = EMAIL_PENDING if last is None else EMAIL_SENT if last.ok else \
        EMAIL_PENDING if last.next_attempt_at else EMAIL_FAILED
    await session.execute(insert(t.digests).values(
        digest_id=e.digest_id, user_id=e.user_id, to=e.to, frequency=e.frequency, item_count=len(e.item_ids),
        sent_at=e.sent_at, email_status=status, email_error=None if last is None else last.error))


APPLY: dict[type[Any], Apply] = {
    NotificationCreated: _created, NotificationsRead: _read, PreferencesUpdated: _preferences,
    WebhookSaved: _webhook_saved, WebhookDeleted: _webhook_deleted, WebhookDisabled: _webhook_disabled,
    WebhookDelivered: _attempt, WebhookDeliveryFailed: _attempt, SmtpConfigUpdated: _smtp, EmailSent: _email,
    EmailFailed: _email, DigestItemQueued: _queued, DigestSent: _digest,
}
FACTS = tuple(APPLY)


async def apply(session: AsyncSession, tables: NotificationTables, envelope: Envelope[Any]) -> None:
    await APPLY[type(envelope.payload)](session, tables, envelope.payload)
