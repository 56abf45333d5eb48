"""Composition root of the notifier: runtime, services, the dispatcher task and the thin subscribers."""

from __future__ import annotations

import asyncio
import contextlib
from dataclasses import dataclass, field
from typing import Any

from pfd_shared.events import Envelope
from pfd_shared.events.notifications import (
    DigestItemQueued,
    DigestSendRequested,
    DigestSent,
    EmailFailed,
    EmailSent,
    NotificationCreated,
    NotificationsMarkReadRequested,
    NotificationsRead,
    PreferencesUpdated,
    PreferencesUpdateRequested,
    SmtpConfigUpdated,
    SmtpConfigUpdateRequested,
    TestEmailRequested,
    WebhookDelivered,
    WebhookDeleted,
    WebhookDeleteRequested,
    WebhookDeliveryFailed,
    WebhookDisabled,
    WebhookSaved,
    WebhookSaveRequested,
    WebhookTestRequested,
)
from pfd_shared.runtime import ServiceRuntime
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.notification_rules import RULES

from pfd_notifier import __version__
from pfd_notifier.config import ConfigurationService
from pfd_notifier.db import MIGRATIONS, messaging_tables, metadata
from pfd_notifier.digests import DigestService
from pfd_notifier.dispatcher import Dispatcher, MailFn
from pfd_notifier.mailer import send_email
from pfd_notifier.service import CONSUMER_GROUP, NotificationService
from pfd_notifier.settings import NotifierSettings
from pfd_notifier.webhook_sender import WebhookSender

PUBLISHED = (NotificationCreated, NotificationsRead, PreferencesUpdated, WebhookSaved, WebhookDeleted,
             WebhookDelivered, WebhookDeliveryFailed, WebhookDisabled, SmtpConfigUpdated, EmailSent, EmailFailed,
             DigestItemQueued, DigestSent)


@dataclass
class Notifier:
    """The process: the shared runtime plus the dispatcher task (what HealthApp starts and stops)."""

    settings: NotifierSettings
    runtime: ServiceRuntime
    notifications: NotificationService
    configuration: ConfigurationService
    digests: DigestService
    dispatcher: Dispatcher
    tasks: list[asyncio.Task[None]] = field(default_factory=list)

    @property
    def service(self) -> str:
        return self.runtime.service

    @property
    def metrics(self) -> ServiceMetrics:
        return self.runtime.metrics

    async def start(self) -> None:
        await self.runtime.start()
        self.tasks.append(asyncio.create_task(self.dispatcher.run(), name="notifier-dispatcher"))

    async def stop(self) -> None:
        for task in self.tasks:
            task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self.tasks.clear()
        await self.runtime.stop()

    async def is_ready(self) -> bool:
        return await self.runtime.is_ready()

    def migrate(self) -> None:
        self.runtime.migrate()


def build_notifier(settings: NotifierSettings, *, metrics: ServiceMetrics | None = None,
                   mail: MailFn = send_email) -> Notifier:
    runtime = ServiceRuntime(settings, version=__version__, metrics=metrics, metadata=metadata,
                             tables=messaging_tables, migrations=MIGRATIONS)
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("the notifier needs its database and outbox relay")
    common: tuple[Any, ...] = (runtime.database, runtime.outbox_relay, settings)
    notifications = NotificationService(*common, wake_dispatcher=lambda: dispatcher.notify())
    configuration = ConfigurationService(*common, wake_dispatcher=lambda: dispatcher.notify())
    digests = DigestService(*common, wake_dispatcher=lambda: dispatcher.notify())
    dispatcher = Dispatcher(*common, sender=WebhookSender(settings.webhooks), digests=digests, mail=mail)
    subscribe_rules(runtime, notifications)
    subscribe_requests(runtime, notifications, configuration, digests)
    for published in PUBLISHED:
        runtime.bus.documents(published)
    return Notifier(settings, runtime, notifications, configuration, digests, dispatcher)


def subscribe_rules(runtime: ServiceRuntime, notifications: NotificationService) -> None:
    """One ``on_<event>`` subscriber per entry of the rule table (domain/rules.py)."""
    for rule in RULES:
        async def on_domain_event(envelope: Envelope[Any]) -> None:
            await notifications.notify(envelope)

        on_domain_event.__doc__ = f"Notify the owner: {rule.label} (in-app, email or digest, webhooks)."
        runtime.bus.subscribe(rule.event, group_id=CONSUMER_GROUP)(on_domain_event)


def subscribe_requests(runtime: ServiceRuntime, notifications: NotificationService,
                       configuration: ConfigurationService, digests: DigestService) -> None:
    bus = runtime.bus

    @bus.subscribe(PreferencesUpdateRequested, group_id=CONSUMER_GROUP)
    async def on_preferences_update_requested(envelope: Envelope[PreferencesUpdateRequested]) -> None:
        """Store the user's notification preferences."""
        await notifications.update_preferences(envelope)

    @bus.subscribe(NotificationsMarkReadRequested, group_id=CONSUMER_GROUP)
    async def on_mark_read_requested(envelope: Envelope[NotificationsMarkReadRequested]) -> None:
        """Mark the user's notifications read."""
        await notifications.mark_read(envelope)

    @bus.subscribe(WebhookSaveRequested, group_id=CONSUMER_GROUP)
    async def on_webhook_save_requested(envelope: Envelope[WebhookSaveRequested]) -> None:
        """Create or edit a webhook (its sealed secret stored sealed)."""
        await configuration.save_webhook(envelope)

    @bus.subscribe(WebhookDeleteRequested, group_id=CONSUMER_GROUP)
    async def on_webhook_delete_requested(envelope: Envelope[WebhookDeleteRequested]) -> None:
        """Delete a webhook and drop its pending deliveries."""
        await configuration.delete_webhook(envelope)

    @bus.subscribe(WebhookTestRequested, group_id=CONSUMER_GROUP)
    async def on_webhook_test_requested(envelope: Envelope[WebhookTestRequested]) -> None:
        """Schedule one signed test delivery."""
        await configuration.test_webhook(envelope)

    @bus.subscribe(SmtpConfigUpdateRequested, group_id=CONSUMER_GROUP)
    async def on_smtp_config_update_requested(envelope: Envelope[SmtpConfigUpdateRequested]) -> None:
        """Store the SMTP configuration (the password stays sealed)."""
        await configuration.save_smtp(envelope)

    @bus.subscribe(TestEmailRequested, group_id=CONSUMER_GROUP)
    async def on_test_email_requested(envelope: Envelope[TestEmailRequested]) -> None:
        """Schedule one test email."""
        await configuration.send_test_email(envelope)

    @bus.subscribe(DigestSendRequested, group_id=CONSUMER_GROUP)
    async def on_digest_send_requested(envelope: Envelope[DigestSendRequested]) -> None:
        """Compose and send waiting digests now."""
        await digests.send_requested(envelope)
