"""Notifications: inbox and bell count, preferences, webhooks (with delivery log), and the admin's email and
digest pages. Every change is a request to the notifier (202: applied when its confirmation arrives)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, status

from pfd_gateway.api.deps import API_PREFIX, CurrentPrincipal, GatewayDep, RequireAdmin, RequireWrite
from pfd_gateway.api.notification_models import (
    DeliveryPublic, DigestPublic, DigestQueuePublic, DigestSendCreate, EmailPublic, NotificationPublic,
    PreferencesPublic, PreferencesUpdate, SmtpPublic, SmtpUpdate, TestEmailCreate, UnreadPublic, WebhookCreate,
    WebhookPublic, WebhookUpdate, WebhookWithSecret,
)
from pfd_gateway.notifications.center import NotificationCenter

router = APIRouter(prefix=API_PREFIX, tags=["notifications"])
ACCEPTED = {"status_code": status.HTTP_202_ACCEPTED}


def get_center(gateway: GatewayDep) -> NotificationCenter:
    return gateway.notifications


CenterDep = Annotated[NotificationCenter, Depends(get_center)]
Limit = Annotated[int, Query(ge=1, le=1000)]


@router.get("/notifications")
async def list_notifications(principal: CurrentPrincipal, center: CenterDep, limit: Limit = 100,
                             unread: bool = False) -> list[NotificationPublic]:
    rows = await center.inbox.list(principal, limit, unread_only=unread)
    return [NotificationPublic.model_validate(row) for row in rows]


@router.get("/notifications/unread-count")
async def unread_count(principal: CurrentPrincipal, center: CenterDep) -> UnreadPublic:
    return UnreadPublic(unread=await center.inbox.unread_count(principal))


@router.post("/notifications/{notification_id}/read", **ACCEPTED)
async def mark_read(notification_id: str, principal: RequireWrite, center: CenterDep) -> UnreadPublic:
    await center.inbox.mark_read(principal, notification_id)
    return UnreadPublic(unread=await center.inbox.unread_count(principal))


@router.post("/notifications/read-all", **ACCEPTED)
async def mark_all_read(principal: RequireWrite, center: CenterDep) -> UnreadPublic:
    await center.inbox.mark_all_read(principal)
    return UnreadPublic(unread=0)


@router.get("/notifications/preferences")
async def get_preferences(principal: CurrentPrincipal, center: CenterDep) -> PreferencesPublic:
    return PreferencesPublic.model_validate(await center.preferences.get(principal))


@router.put("/notifications/preferences", **ACCEPTED)
async def save_preferences(body: PreferencesUpdate, principal: RequireWrite, center: CenterDep) -> PreferencesPublic:
    rules = [rule.model_dump(exclude={"label"}) for rule in body.rules]
    saved = await center.preferences.save(principal, body.email, body.digest_frequency, rules)
    return PreferencesPublic.model_validate(saved)


@router.get("/webhooks")
async def list_webhooks(principal: CurrentPrincipal, center: CenterDep) -> list[WebhookPublic]:
    return [WebhookPublic.model_validate(row) for row in await center.webhooks.list(principal)]


@router.post("/webhooks", status_code=status.HTTP_201_CREATED)
async def create_webhook(body: WebhookCreate, principal: RequireWrite, center: CenterDep) -> WebhookWithSecret:
    """Create a webhook; the response carries its signing secret, shown this once."""
    row, secret = await center.webhooks.create(principal, body.name, body.url, body.event_types, body.enabled)
    return WebhookWithSecret.model_validate(row | {"secret": secret})


@router.put("/webhooks/{webhook_id}", **ACCEPTED)
async def update_webhook(webhook_id: str, body: WebhookUpdate, principal: RequireWrite,
                         center: CenterDep) -> WebhookWithSecret:
    row, secret = await center.webhooks.update(principal, webhook_id, body.name, body.url, body.event_types,
                                               body.enabled, body.rotate_secret)
    return WebhookWithSecret.model_validate(row | {"secret": secret})


@router.delete("/webhooks/{webhook_id}", **ACCEPTED)
async def delete_webhook(webhook_id: str, principal: RequireWrite, center: CenterDep) -> dict[str, str]:
    await center.webhooks.delete(principal, webhook_id)
    return {"status": "deleting"}


@router.post("/webhooks/{webhook_id}/test", **ACCEPTED)
async def test_webhook(webhook_id: str, principal: RequireWrite, center: CenterDep) -> dict[str, str]:
    """Send one signed test delivery; its outcome appears in the delivery log."""
    await center.webhooks.test(principal, webhook_id)
    return {"status": "requested"}


@router.get("/webhooks/{webhook_id}/deliveries")
async def webhook_deliveries(webhook_id: str, principal: CurrentPrincipal, center: CenterDep,
                             limit: Limit = 50) -> list[DeliveryPublic]:
    rows = await center.webhooks.deliveries(principal, webhook_id, limit)
    return [DeliveryPublic.model_validate(row) for row in rows]


@router.get("/admin/email")
async def get_email_config(principal: RequireAdmin, center: CenterDep) -> SmtpPublic | None:
    row = await center.email.config(principal)
    return None if row is None else SmtpPublic.model_validate(row)


@router.put("/admin/email", **ACCEPTED)
async def save_email_config(body: SmtpUpdate, principal: RequireAdmin, center: CenterDep) -> SmtpPublic | None:
    row = await center.email.save(principal, **body.model_dump())
    return None if row is None else SmtpPublic.model_validate(row)


@router.post("/admin/email/test", **ACCEPTED)
async def send_test_email(body: TestEmailCreate, principal: RequireAdmin, center: CenterDep) -> dict[str, str]:
    await center.email.send_test(principal, body.to)
    return {"status": "requested"}


@router.get("/admin/email/log")
async def email_log(principal: RequireAdmin, center: CenterDep, limit: Limit = 50) -> list[EmailPublic]:
    return [EmailPublic.model_validate(row) for row in await center.email.emails(principal, limit)]


@router.get("/admin/digests/queue")
async def digest_queue(principal: RequireAdmin, center: CenterDep) -> list[DigestQueuePublic]:
    return [DigestQueuePublic.model_validate(row) for row in await center.digests.queue(principal)]


@router.get("/admin/digests")
async def digest_history(principal: RequireAdmin, center: CenterDep, limit: Limit = 50) -> list[DigestPublic]:
    return [DigestPublic.model_validate(row) for row in await center.digests.history(principal, limit)]


@router.post("/admin/digests/send", **ACCEPTED)
async def send_digests(body: DigestSendCreate, principal: RequireAdmin, center: CenterDep) -> dict[str, str]:
    await center.digests.send_now(principal, body.user_id)
    return {"status": "requested"}
