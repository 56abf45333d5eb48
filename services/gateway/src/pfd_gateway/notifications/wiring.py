"""Wiring of the notifications slice into the gateway: the center and its subscribers (called by bootstrap)."""

from __future__ import annotations

from typing import Any

from pfd_shared.events.envelope import Envelope
from pfd_shared.events.notifications import (
    DigestSendRequested,
    NotificationsMarkReadRequested,
    PreferencesUpdateRequested,
    SmtpConfigUpdateRequested,
    TestEmailRequested,
    WebhookDeleteRequested,
    WebhookSaveRequested,
    WebhookTestRequested,
)
from pfd_shared.runtime.service import ServiceRuntime

from pfd_gateway.db import notification_tables
from pfd_gateway.live.hub import LiveHub
from pfd_gateway.notifications.center import NotificationCenter, build_center
from pfd_gateway.notifications.projection import FACTS
from pfd_gateway.settings import GatewaySettings

COMMANDS = (PreferencesUpdateRequested, NotificationsMarkReadRequested, WebhookSaveRequested, WebhookDeleteRequested,
            WebhookTestRequested, SmtpConfigUpdateRequested, TestEmailRequested, DigestSendRequested)


def build_notifications(settings: GatewaySettings, runtime: ServiceRuntime, hub: LiveHub) -> NotificationCenter:
    if runtime.database is None or runtime.outbox_relay is None:
        raise ValueError("the notification read models need the gateway's database and outbox relay")
    center = build_center(runtime.database.sessions, notification_tables, runtime.database.outbox,
                          runtime.outbox_relay, producer=settings.service_name,
                          seal_key=settings.notifications.seal_key)

    @runtime.bus.subscribe_batch(*FACTS, group_id=settings.service_name, name="notification_views",
                                 max_records=settings.projection_batch_size)
    async def on_notifier_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Project the notifier's facts into the notification read models (once per gateway deployment)."""
        await center.project(batch)

    @runtime.bus.subscribe_batch(*FACTS, group_id=None, name="notification_push",
                                 max_records=settings.projection_batch_size)
    async def push_notifier_events(batch: list[tuple[Envelope[Any], bytes]]) -> None:
        """Push the notifier's facts (the bell, deliveries, digests) to their owners' browsers (every instance)."""
        hub.push_events(batch)

    for published in COMMANDS:
        runtime.bus.documents(published)
    return center
