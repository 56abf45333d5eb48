"""DigestService: composes a user's waiting digest items into one email (when due, or when an admin asks)."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope
from pfd_shared.events.notifications import DigestSendRequested, DigestSent

from pfd_notifier.db import digest_items, preferences
from pfd_notifier.domain.digests import digest_due
from pfd_notifier.domain.templates import Entry, digest_email
from pfd_notifier.records import add_delivery, new_id
from pfd_notifier.service import NotifierBase

log = logging.getLogger(__name__)
DIGEST_EVENT = "notifications.digest"
REQUESTED_FREQUENCY = "requested"  # the digest's name when an admin sends it early


class DigestService(NotifierBase):
    async def send_requested(self, envelope: Envelope[DigestSendRequested]) -> None:
        """Send now: one user's digest, or every waiting digest."""
        user_id = envelope.payload.user_id

        async def work(session: AsyncSession) -> int:
            users = [user_id] if user_id else [row[0] for row in (await session.execute(_waiting())).all()]
            sent = [await self._compose(session, user, datetime.now(UTC), envelope) for user in users]
            return sum(sent)

        await self.once(envelope, work)

    async def send_due(self, now: datetime) -> int:
        """Compose every digest that is due; returns how many."""
        async with self.sessions() as session, session.begin():
            waiting = (await session.execute(_waiting())).all()
            sent = 0
            for user_id, oldest in waiting:
                prefs = await _prefs(session, user_id)
                frequency = prefs["digest_frequency"] if prefs else "off"
                if digest_due(frequency, _aware(prefs["last_digest_at"]) if prefs else None, _aware(oldest), now):
                    sent += await self._compose(session, user_id, now, None)
        if sent:
            self.relay.notify()
            self.wake_dispatcher()
        return sent

    async def _compose(self, session: AsyncSession, user_id: str, now: datetime, cause: Envelope[Any] | None) -> bool:
        prefs = await _prefs(session, user_id)
        to = prefs["email"] if prefs else None
        if not to:
            log.warning("user %s has digest items but no email address; they keep waiting", user_id)
            return False
        query = select(digest_items).where(digest_items.c.user_id == user_id, digest_items.c.digest_id.is_(None))
        items = (await session.execute(query.order_by(digest_items.c.queued_at))).mappings().all()
        if not items:
            return False
        digest_id, ids = new_id(), [item["item_id"] for item in items]
        if not await _claim(session, ids, digest_id):
            return False
        frequency = prefs["digest_frequency"] if cause is None and prefs else REQUESTED_FREQUENCY
        email = digest_email([Entry(i["title"], i["body"], i["link"]) for i in items],
                             frequency if frequency != "off" else REQUESTED_FREQUENCY, self.settings.dashboard_url)
        await session.execute(update(preferences).where(preferences.c.user_id == user_id).values(last_digest_at=now))
        await add_delivery(session, channel="email", kind="digest", user_id=user_id, owner=user_id, target=to,
                           source_event_id=f"digest-{digest_id}", source_event_type=DIGEST_EVENT,
                           content=email.as_dict(), max_attempts=self.settings.email.max_attempts,
                           digest_id=digest_id)
        sent_frequency = prefs["digest_frequency"] if prefs else "off"
        await self.writer.publish(session, DigestSent(user_id=user_id, digest_id=digest_id, item_ids=tuple(ids), to=to,
                                                      frequency=sent_frequency, sent_at=now),
                                  owner=user_id, cause=cause)
        return True


async def _claim(session: AsyncSession, ids: list[str], digest_id: str) -> bool:
    """Take the items for this digest; False (and nothing taken) when another instance took some first."""
    c = digest_items.c
    taken = await session.execute(update(digest_items).where(c.item_id.in_(ids), c.digest_id.is_(None))
                                  .values(digest_id=digest_id))
    if taken.rowcount == len(ids):  # type: ignore[attr-defined]
        return True
    await session.execute(update(digest_items).where(c.digest_id == digest_id).values(digest_id=None))
    log.info("digest items of %s were taken by another notifier instance", ids[0])
    return False


def _waiting() -> Any:
    c = digest_items.c
    return select(c.user_id, func.min(c.queued_at)).where(c.digest_id.is_(None)).group_by(c.user_id)


async def _prefs(session: AsyncSession, user_id: str) -> Any:
    return (await session.execute(select(preferences).where(preferences.c.user_id == user_id))).mappings().first()


def _aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes (stored as UTC)."""
    return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value
