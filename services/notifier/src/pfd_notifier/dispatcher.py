"""The dispatcher: a background task that sends due deliveries (webhooks, email) and composes due digests.

Consumers only schedule deliveries (a row with a due time); this loop claims due rows with a lease, sends
them concurrently (one slow or failing endpoint never holds up another), and records each attempt with its
fact in the outbox. A failure is rescheduled with exponential backoff — a due time, never a sleep — until
``max_attempts``; a webhook failing ``disable_after`` attempts in a row is disabled and its owner told.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events.notifications import (
    EmailFailed,
    EmailSent,
    WebhookDelivered,
    WebhookDeliveryFailed,
    WebhookDisabled,
)
from pfd_shared.sealing import SealError, unseal
from pfd_shared.notification_rules import Message

from pfd_notifier.config import saved_event
from pfd_notifier.db import deliveries, smtp_config, webhooks
from pfd_notifier.digests import DigestService
from pfd_notifier.domain.backoff import next_attempt
from pfd_notifier.domain.templates import Email
from pfd_notifier.mailer import SmtpFailure, SmtpServer, send_email
from pfd_notifier.records import CANCELLED, DELIVERED, FAILED, PENDING
from pfd_notifier.service import NotifierBase
from pfd_notifier.webhook_sender import Outcome, WebhookSender

log = logging.getLogger(__name__)
MailFn = Callable[[SmtpServer, Email, str], Awaitable[None]]
NOT_CONFIGURED = ("SMTP is not configured: an admin sets it on the Email configuration page "
                  "(or PFD_NOTIFIER_SMTP__HOST)")


class Dispatcher(NotifierBase):
    def __init__(self, *args: Any, sender: WebhookSender, digests: DigestService, mail: MailFn = send_email,
                 clock: Callable[[], datetime] = lambda: datetime.now(UTC), **kwargs: Any) -> None:
        super().__init__(*args, wake_dispatcher=self.notify, **kwargs)
        self.sender, self.digests, self.mail, self.clock = sender, digests, mail, clock
        self._wake = asyncio.Event()
        self._next_digest_check = 0.0

    def notify(self) -> None:
        """Look for due work now (a delivery was just scheduled)."""
        self._wake.set()

    async def run(self) -> None:
        """Dispatch until cancelled; a failure is logged and the loop goes on at the next tick."""
        settings = self.settings.dispatch
        while True:
            self._wake.clear()
            try:
                while await self.run_once() == settings.batch_size:
                    pass
                if time.monotonic() >= self._next_digest_check:
                    self._next_digest_check = time.monotonic() + settings.digest_check_interval_s
                    await self.digests.send_due(self.clock())
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - the dispatcher must survive database hiccups
                log.exception("dispatcher tick failed; retrying in %.1fs", settings.poll_interval_s)
            try:
                await asyncio.wait_for(self._wake.wait(), timeout=settings.poll_interval_s)
            except TimeoutError:
                pass

    async def run_once(self) -> int:
        """Claim due deliveries and send them concurrently; returns how many were claimed."""
        rows = await self._claim()
        limit = asyncio.Semaphore(self.settings.dispatch.concurrency)
        await asyncio.gather(*(self._guarded(row, limit) for row in rows))
        return len(rows)

    async def _claim(self) -> list[dict[str, Any]]:
        now, c = self.clock(), deliveries.c
        async with self.sessions() as session, session.begin():
            query = select(deliveries).where(c.status == PENDING, c.next_attempt_at <= now)
            query = query.order_by(c.next_attempt_at).limit(self.settings.dispatch.batch_size)
            if session.bind.dialect.name == "postgresql":
                query = query.with_for_update(skip_locked=True)
            rows = [dict(row) for row in (await session.execute(query)).mappings().all()]
            if rows:
                lease = now + timedelta(seconds=self.settings.dispatch.lease_s)
                await session.execute(update(deliveries).where(c.delivery_id.in_([r["delivery_id"] for r in rows]))
                                      .values(next_attempt_at=lease))
        return rows

    async def _guarded(self, row: dict[str, Any], limit: asyncio.Semaphore) -> None:
        async with limit:
            try:
                await self._deliver(row)
            except Exception:  # noqa: BLE001 - one delivery's bug must not stop the others; the lease retries it
                log.exception("delivery %s failed unexpectedly; retried when its lease ends", row["delivery_id"])

    async def _deliver(self, row: dict[str, Any]) -> None:
        if row["channel"] == "webhook":
            hook = await self._webhook(row["webhook_id"])
            if hook is None or (not hook["enabled"] and row["kind"] != "test"):
                await self._cancel(row)
                return
            outcome = await self._send_webhook(row, hook)
        else:
            outcome = await self._send_email(row)
        level = logging.INFO if outcome.ok else logging.WARNING
        log.log(level, "%s delivery %s attempt %d: %s", row["channel"], row["delivery_id"], row["attempts"] + 1,
                "delivered" if outcome.ok else outcome.error)
        await self._record(row, outcome)

    async def _send_webhook(self, row: dict[str, Any], hook: dict[str, Any]) -> Outcome:
        try:
            secret = unseal(self.settings.seal_key, hook["secret_sealed"] or "")
        except SealError:
            return Outcome(False, error="the webhook has no readable signing secret: rotate it", permanent=True)
        return await self.sender.send(hook["url"], secret, row["content"]["body"].encode(), row["source_event_type"],
                                      row["delivery_id"])

    async def _send_email(self, row: dict[str, Any]) -> Outcome:
        try:
            server = await self.smtp_server()
        except SealError:
            return Outcome(False, error="the stored SMTP password cannot be read (the seal key changed): save it again")
        if server is None:
            return Outcome(False, error=NOT_CONFIGURED)
        started = time.perf_counter()
        try:
            await self.mail(server, Email(**row["content"]), row["target"])
        except SmtpFailure as exc:
            return Outcome(False, latency_ms=_ms(started), error=str(exc), permanent=exc.permanent)
        return Outcome(True, latency_ms=_ms(started))

    async def smtp_server(self) -> SmtpServer | None:
        """The configuration saved by an admin, else the settings' (None: email is not configured)."""
        smtp = self.settings.smtp
        async with self.sessions() as session:
            saved = (await session.execute(select(smtp_config))).mappings().first()
        if saved is not None:
            password = unseal(self.settings.seal_key, saved["password_sealed"]) if saved["password_sealed"] else None
            return SmtpServer(saved["host"], saved["port"], saved["tls_mode"], saved["username"], password,
                              saved["from_address"], smtp.timeout_s, smtp.validate_certs)
        if smtp.host is None:
            return None
        password = smtp.password.get_secret_value() if smtp.password else None
        return SmtpServer(smtp.host, smtp.port, smtp.tls_mode, smtp.username, password, smtp.from_address,
                          smtp.timeout_s, smtp.validate_certs)

    async def _record(self, row: dict[str, Any], outcome: Outcome) -> None:
        now, attempts, webhook = self.clock(), row["attempts"] + 1, row["channel"] == "webhook"
        policy = self.settings.webhooks if webhook else self.settings.email
        retry_at = None if outcome.ok else next_attempt(now, attempts, row["max_attempts"], policy.backoff_initial_s,
                                                        policy.backoff_max_s, permanent=outcome.permanent)
        status = DELIVERED if outcome.ok else PENDING if retry_at else FAILED
        async with self.sessions() as session, session.begin():
            await session.execute(update(deliveries).where(deliveries.c.delivery_id == row["delivery_id"]).values(
                attempts=attempts, status=status, next_attempt_at=retry_at, last_status_code=outcome.status_code,
                last_error=outcome.error, last_latency_ms=outcome.latency_ms, updated_at=now))
            fact = _webhook_fact(row, outcome, attempts, now, retry_at) if webhook else \
                _email_fact(row, outcome, attempts, now, retry_at)
            await self.writer.publish(session, fact, owner=row["owner"], cause=None)
            if webhook and row["kind"] != "test":
                await self._count_failures(session, row, outcome, now)
        self.relay.notify()

    async def _count_failures(self, session: AsyncSession, row: dict[str, Any], outcome: Outcome,
                              now: datetime) -> None:
        key = webhooks.c.webhook_id == row["webhook_id"]
        if outcome.ok:
            await session.execute(update(webhooks).where(key).values(consecutive_failures=0))
            return
        await session.execute(update(webhooks).where(key).values(
            consecutive_failures=webhooks.c.consecutive_failures + 1, updated_at=now))
        hook = (await session.execute(select(webhooks).where(key))).mappings().first()
        limit = self.settings.webhooks.disable_after
        if hook is None or not hook["enabled"] or hook["consecutive_failures"] < limit:
            return
        reason = f"{hook['consecutive_failures']} consecutive failed deliveries; last: {outcome.error}"
        await session.execute(update(webhooks).where(key).values(enabled=False, disabled_reason=reason))
        await session.execute(update(deliveries).where(deliveries.c.webhook_id == row["webhook_id"],
                                                       deliveries.c.status == PENDING)
                              .values(status=CANCELLED, next_attempt_at=None, updated_at=now))
        owner = hook["user_id"]
        await self.writer.publish(session, WebhookDisabled(webhook_id=hook["webhook_id"], user_id=owner,
                                                           consecutive_failures=hook["consecutive_failures"],
                                                           reason=reason), owner=owner, cause=None)
        await self.writer.publish(session, saved_event(dict(hook) | {"enabled": False}), owner=owner, cause=None)
        message = Message(f"Webhook “{hook['name']}” disabled", f"After {reason}. Fix the endpoint, then enable the "
                          "webhook again on the Webhooks page.", "warning", "/webhooks")
        await self.writer.in_app(session, owner, f"webhook-disabled-{row['delivery_id']}", WebhookDisabled.event_type,
                                 message, None)

    async def _cancel(self, row: dict[str, Any]) -> None:
        async with self.sessions() as session, session.begin():
            await session.execute(update(deliveries).where(deliveries.c.delivery_id == row["delivery_id"])
                                  .values(status=CANCELLED, next_attempt_at=None, updated_at=self.clock()))

    async def _webhook(self, webhook_id: str | None) -> dict[str, Any] | None:
        async with self.sessions() as session:
            query = select(webhooks).where(webhooks.c.webhook_id == webhook_id)
            row = (await session.execute(query)).mappings().first()
        return None if row is None else dict(row)


def _webhook_fact(row: dict[str, Any], outcome: Outcome, attempt: int, now: datetime,
                  retry_at: datetime | None) -> WebhookDelivered | WebhookDeliveryFailed:
    common = {"webhook_id": row["webhook_id"], "user_id": row["user_id"], "delivery_id": row["delivery_id"],
              "source_event_type": row["source_event_type"], "attempt": attempt, "latency_ms": outcome.latency_ms,
              "test": row["kind"] == "test", "at": now}
    if outcome.ok:
        return WebhookDelivered(status_code=outcome.status_code or 0, **common)
    return WebhookDeliveryFailed(status_code=outcome.status_code, error=outcome.error or "failed",
                                 next_attempt_at=retry_at, **common)


def _email_fact(row: dict[str, Any], outcome: Outcome, attempt: int, now: datetime,
                retry_at: datetime | None) -> EmailSent | EmailFailed:
    common = {"email_id": row["delivery_id"], "user_id": row["user_id"], "to": row["target"],
              "subject": row["content"]["subject"], "kind": row["kind"], "digest_id": row["digest_id"],
              "attempt": attempt, "at": now}
    if outcome.ok:
        return EmailSent(**common)
    return EmailFailed(error=outcome.error or "failed", next_attempt_at=retry_at, **common)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
