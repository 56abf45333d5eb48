"""Notifier harness: the real services on a migrated SQLite file, a controllable clock, fake SMTP and HTTP."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from pfd_shared.events import Envelope, decode_event, new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.events.notifications import PreferenceRule, PreferencesUpdateRequested
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_notifier.bootstrap import Notifier, build_notifier
from pfd_notifier.domain.templates import Email
from pfd_notifier.mailer import SmtpFailure, SmtpServer
from pfd_notifier.settings import DispatchSettings, NotifierSettings, SmtpSettings, WebhookSettings
from pfd_notifier.webhook_sender import Outcome

OWNER = "user-1"


def dataset_ready(name: str = "bearing set") -> DatasetReady:
    return DatasetReady(dataset_id="ds1", name=name, kind="synthetic", object_key="datasets/ds1/dataset.h5",
                        size_bytes=10, sha256="00", records=24, samples_per_record=1000, sample_rate_hz=12_000,
                        class_names=("healthy", "inner"), class_counts=(12, 12), feature_names=("rms",),
                        split_counts={"train": 24}, seconds=1.0)


@dataclass
class FakeSender:
    """Answers with the queued outcomes (then success) and records what it was asked to send."""

    outcomes: list[Outcome] = field(default_factory=list)
    sent: list[dict[str, Any]] = field(default_factory=list)

    async def send(self, url: str, secret: str, body: bytes, event_type: str, delivery_id: str) -> Outcome:
        self.sent.append({"url": url, "secret": secret, "body": body, "event_type": event_type, "id": delivery_id})
        return self.outcomes.pop(0) if self.outcomes else Outcome(True, 200, 3.0)


@dataclass
class FakeMail:
    failures: list[SmtpFailure] = field(default_factory=list)
    sent: list[tuple[SmtpServer, Email, str]] = field(default_factory=list)

    async def __call__(self, server: SmtpServer, email: Email, to: str) -> None:
        if self.failures:
            raise self.failures.pop(0)
        self.sent.append((server, email, to))


@dataclass
class Harness:
    notifier: Notifier
    sender: FakeSender
    mail: FakeMail
    offset: timedelta = timedelta()
    owner: str = OWNER
    ready = staticmethod(dataset_ready)

    def now(self) -> datetime:
        """The dispatcher's clock: real time moved forward by ``advance``."""
        return datetime.now(UTC) + self.offset

    def advance(self, **delta: float) -> None:
        self.offset += timedelta(**delta)

    def envelope(self, payload: Any, owner: str | None = OWNER) -> Envelope[Any]:
        return new_envelope(payload, producer="test", owner=owner)

    async def save_prefs(self, *rules: PreferenceRule, email: str | None = "owner@example.com",
                         frequency: str = "off") -> None:
        request = PreferencesUpdateRequested(user_id=OWNER, email=email, rules=rules,
                                             digest_frequency=frequency)  # type: ignore[arg-type]
        await self.notifier.notifications.update_preferences(self.envelope(request))

    async def facts(self, event_type: str | None = None) -> list[Envelope[Any]]:
        """Events the notifier staged in its outbox, oldest first."""
        outbox = self.notifier.runtime.database.outbox  # type: ignore[union-attr]
        async with self.notifier.runtime.database.sessions() as session:  # type: ignore[union-attr]
            rows = (await session.execute(select(outbox.c.body).order_by(outbox.c.id))).scalars().all()
        events = [decode_event(body) for body in rows]
        return [e for e in events if event_type is None or e.type == event_type]

    async def rows(self, table: Any) -> list[dict[str, Any]]:
        async with self.notifier.runtime.database.sessions() as session:  # type: ignore[union-attr]
            return [dict(r) for r in (await session.execute(select(table))).mappings().all()]


@pytest.fixture
async def harness(tmp_path: Path) -> AsyncIterator[Harness]:
    settings = NotifierSettings(
        var_dir=tmp_path, instance_id="notifier-test", dashboard_url="https://pfd.example",
        smtp=SmtpSettings(host="smtp.example", port=2525, tls_mode="none"),
        webhooks=WebhookSettings(backoff_initial_s=10, backoff_max_s=60, max_attempts=5, disable_after=3),
        dispatch=DispatchSettings(poll_interval_s=0.05))
    mail, sender = FakeMail(), FakeSender()
    notifier = build_notifier(settings, metrics=ServiceMetrics(CollectorRegistry()), mail=mail)
    notifier.migrate()
    h = Harness(notifier, sender, mail)
    notifier.dispatcher.sender = sender  # type: ignore[assignment]
    notifier.dispatcher.clock = h.now
    yield h
    await notifier.runtime.database.engine.dispose()  # type: ignore[union-attr]
