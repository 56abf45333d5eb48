"""Requests about webhooks and the SMTP server: save, delete, test. Secrets arrive sealed and are stored sealed."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events import Envelope
from pfd_shared.events.notifications import (
    SMTP_CONFIG_KEY,
    SmtpConfigUpdated,
    SmtpConfigUpdateRequested,
    TestEmailRequested,
    WebhookDeleted,
    WebhookDeleteRequested,
    WebhookSaved,
    WebhookSaveRequested,
    WebhookTestRequested,
)
from pfd_shared.sealing import SealError, unseal
from pfd_shared.notification_rules import Message

from pfd_notifier.db import deliveries, smtp_config, webhooks
from pfd_notifier.domain.templates import test_email
from pfd_notifier.records import CANCELLED, PENDING, add_delivery, new_id
from pfd_notifier.service import NotifierBase, webhook_body

log = logging.getLogger(__name__)
WEBHOOK_TEST_EVENT = "notifications.webhook_test"
TEST_MESSAGE = Message("Test delivery", "This is a test delivery from PFD.", "info", None)


class ConfigurationService(NotifierBase):
    async def save_webhook(self, envelope: Envelope[WebhookSaveRequested]) -> None:
        request = envelope.payload

        async def work(session: AsyncSession) -> None:
            row = await _webhook(session, request.webhook_id)
            if row is not None and row["user_id"] != request.user_id:
                log.warning("webhook %s belongs to another user; save refused", request.webhook_id)
                return
            if request.secret_sealed is not None and not self._readable(request.secret_sealed):
                await self._seal_problem(session, envelope, request.user_id, f"webhook “{request.name}”")
                return
            now = datetime.now(UTC)
            values: dict[str, Any] = {"name": request.name, "url": request.url, "enabled": request.enabled,
                                      "event_types": list(request.event_types), "updated_at": now}
            if request.secret_sealed is not None:
                values |= {"secret_sealed": request.secret_sealed, "secret_prefix": request.secret_prefix}
            if request.enabled:
                values |= {"consecutive_failures": 0, "disabled_reason": None}
            if row is None:
                await session.execute(insert(webhooks).values(webhook_id=request.webhook_id, user_id=request.user_id,
                                                              created_at=now, **{"consecutive_failures": 0} | values))
            else:
                await session.execute(update(webhooks).where(webhooks.c.webhook_id == request.webhook_id)
                                      .values(**values))
            stored = await _webhook(session, request.webhook_id)
            assert stored is not None
            await self.writer.publish(session, saved_event(stored), owner=request.user_id, cause=envelope)

        await self.once(envelope, work)

    async def delete_webhook(self, envelope: Envelope[WebhookDeleteRequested]) -> None:
        request = envelope.payload

        async def work(session: AsyncSession) -> None:
            row = await _webhook(session, request.webhook_id)
            if row is None or row["user_id"] != request.user_id:
                return
            await session.execute(update(deliveries).where(deliveries.c.webhook_id == request.webhook_id,
                                                           deliveries.c.status == PENDING)
                                  .values(status=CANCELLED, next_attempt_at=None, updated_at=datetime.now(UTC)))
            await session.execute(delete(webhooks).where(webhooks.c.webhook_id == request.webhook_id))
            await self.writer.publish(session, WebhookDeleted(webhook_id=request.webhook_id, user_id=request.user_id),
                                      owner=request.user_id, cause=envelope)

        await self.once(envelope, work)

    async def test_webhook(self, envelope: Envelope[WebhookTestRequested]) -> None:
        """One signed test delivery, due now, never retried."""
        request = envelope.payload

        async def work(session: AsyncSession) -> None:
            row = await _webhook(session, request.webhook_id)
            if row is None or row["user_id"] != request.user_id:
                return
            delivery_id = new_id()
            await add_delivery(session, channel="webhook", kind="test", user_id=request.user_id,
                               owner=request.user_id, target=request.webhook_id, webhook_id=request.webhook_id,
                               source_event_id=str(envelope.event_id), source_event_type=WEBHOOK_TEST_EVENT,
                               content={"body": webhook_body(delivery_id, envelope, TEST_MESSAGE)}, max_attempts=1,
                               delivery_id=delivery_id)

        await self.once(envelope, work)

    async def save_smtp(self, envelope: Envelope[SmtpConfigUpdateRequested]) -> None:
        request = envelope.payload

        async def work(session: AsyncSession) -> None:
            if request.password_sealed is not None and not self._readable(request.password_sealed):
                await self._seal_problem(session, envelope, envelope.owner, "SMTP password")
                return
            current = (await session.execute(select(smtp_config))).mappings().first()
            password = None if request.clear_password else (
                request.password_sealed or (current["password_sealed"] if current else None))
            values = {"host": request.host, "port": request.port, "tls_mode": request.tls_mode,
                      "username": request.username, "password_sealed": password,
                      "from_address": request.from_address, "updated_at": datetime.now(UTC)}
            if current is None:
                await session.execute(insert(smtp_config).values(config_id=SMTP_CONFIG_KEY, **values))
            else:
                await session.execute(update(smtp_config).values(**values))
            await self.writer.publish(session, SmtpConfigUpdated(
                host=request.host, port=request.port, tls_mode=request.tls_mode, username=request.username,
                password_set=password is not None, from_address=request.from_address),
                owner=envelope.owner, cause=envelope)

        await self.once(envelope, work)

    async def send_test_email(self, envelope: Envelope[TestEmailRequested]) -> None:
        """One test email to the given address, due now, never retried."""
        request = envelope.payload

        async def work(session: AsyncSession) -> None:
            await add_delivery(session, channel="email", kind="test", user_id=None, owner=envelope.owner,
                               target=request.to, source_event_id=str(envelope.event_id),
                               source_event_type=envelope.type,
                               content=test_email(self.settings.dashboard_url).as_dict(), max_attempts=1)

        await self.once(envelope, work)

    def _readable(self, sealed: str) -> bool:
        try:
            unseal(self.settings.seal_key, sealed)
        except SealError:
            return False
        return True

    async def _seal_problem(self, session: AsyncSession, envelope: Envelope[Any], user_id: str | None,
                            what: str) -> None:
        """A sealed secret this notifier cannot open: nothing is stored, and the requester is told why."""
        log.error("the %s could not be unsealed: the gateway and notifier seal keys differ", what)
        if user_id is None:
            return
        message = Message(f"Could not save the {what}", "The notifier cannot read the secret: the gateway's "
                          "notifications.seal_key and the notifier's seal_key differ. Ask an admin.", "danger", None)
        await self.writer.in_app(session, user_id, str(envelope.event_id), envelope.type, message, envelope)


async def _webhook(session: AsyncSession, webhook_id: str) -> dict[str, Any] | None:
    row = (await session.execute(select(webhooks).where(webhooks.c.webhook_id == webhook_id))).mappings().first()
    return None if row is None else dict(row)


def saved_event(row: dict[str, Any]) -> WebhookSaved:
    return WebhookSaved(webhook_id=row["webhook_id"], user_id=row["user_id"], name=row["name"], url=row["url"],
                        event_types=tuple(row["event_types"]), enabled=row["enabled"],
                        secret_prefix=row["secret_prefix"], consecutive_failures=row["consecutive_failures"])
