"""Notifications through the gateway: requests go to the notifier as owned commands through the outbox (secrets
sealed), the notifier's facts come back into the read models, and every user sees only their own."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.notifications import (
    DigestItemQueued,
    DigestSent,
    NotificationCreated,
    NotificationsRead,
    PreferencesUpdated,
    SmtpConfigUpdated,
    WebhookDeliveryFailed,
    WebhookDisabled,
    WebhookSaved,
)
from pfd_shared.sealing import unseal

from pfd_gateway.domain.access import Role


async def outbox(harness):
    database = harness.gateway.runtime.database
    async with database.sessions() as session:
        rows = (await session.execute(select(database.outbox).order_by("id"))).all()
    return [decode_event(row.body) for row in rows]


async def project(harness, *payloads, owner):
    batch = [(new_envelope(p, producer="notifier", owner=owner), b"") for p in payloads]
    await harness.gateway.notifications.project(batch)


async def me(client) -> str:
    return (await client.get("/api/v1/auth/me")).json()["user"]["id"]


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def bob(harness):
    await harness.user("bob@pfd.test")
    return await harness.login("bob@pfd.test")


def created(user_id: str, notification_id: str, minutes_ago: int = 0) -> NotificationCreated:
    return NotificationCreated(user_id=user_id, notification_id=notification_id, source_event_type="datasets.ready",
                               source_event_id=notification_id, title=f"title {notification_id}", body="b",
                               level="success", link="/datasets",
                               created_at=datetime.now(UTC) - timedelta(minutes=minutes_ago))


async def test_inbox_counts_marks_read_and_hides_other_users(harness, alice, bob) -> None:
    alice_id = await me(alice)
    await project(harness, created(alice_id, "n1", 2), created(alice_id, "n2", 1), created(alice_id, "n2", 1),
                  owner=alice_id)
    assert (await alice.get("/api/v1/notifications/unread-count")).json() == {"unread": 2}
    assert [n["notification_id"] for n in (await alice.get("/api/v1/notifications")).json()] == ["n2", "n1"]
    assert (await bob.get("/api/v1/notifications")).json() == []
    assert (await bob.post("/api/v1/notifications/n1/read")).status_code == 404
    response = await alice.post("/api/v1/notifications/n1/read")
    assert response.status_code == 202 and response.json() == {"unread": 1}
    sent = (await outbox(harness))[-1]
    assert sent.type == "notifications.mark_read_requested" and sent.owner == alice_id
    assert sent.payload.notification_ids == ("n1",)
    assert (await alice.post("/api/v1/notifications/read-all")).json() == {"unread": 0}
    assert (await outbox(harness))[-1].payload.notification_ids == ()
    await project(harness, NotificationsRead(user_id=alice_id, read_at=datetime.now(UTC)), owner=alice_id)
    assert (await alice.get("/api/v1/notifications?unread=true")).json() == []


async def test_preferences_default_save_and_validation(harness, alice) -> None:
    alice_id = await me(alice)
    prefs = (await alice.get("/api/v1/notifications/preferences")).json()
    assert prefs["status"] == "default" and prefs["email"] == "alice@pfd.test"
    ready = next(r for r in prefs["rules"] if r["event_type"] == "datasets.ready")
    assert ready["channels"] == ["in_app", "webhook"] and ready["label"] == "Data set ready"
    bad = {"email": None, "rules": [{"event_type": "datasets.ready", "channels": ["email"]}]}
    response = await alice.put("/api/v1/notifications/preferences", json=bad)
    assert response.status_code == 422 and response.json()["detail"][0]["loc"] == ["body", "email"]
    unknown = {"rules": [{"event_type": "nope.nothing", "channels": ["in_app"]}]}
    assert (await alice.put("/api/v1/notifications/preferences", json=unknown)).status_code == 422
    body = {"email": "a@example.com", "digest_frequency": "weekly",
            "rules": [{"event_type": "datasets.ready", "channels": ["email"], "mode": "digest"}]}
    response = await alice.put("/api/v1/notifications/preferences", json=body)
    assert response.status_code == 202 and response.json()["status"] == "saving"
    sent = (await outbox(harness))[-1]
    assert sent.type == "notifications.preferences_update_requested" and sent.owner == alice_id
    assert sent.payload.rules[0].mode == "digest" and sent.payload.digest_frequency == "weekly"
    await project(harness, PreferencesUpdated(user_id=alice_id, email="a@example.com", digest_frequency="weekly",
                                              rules=sent.payload.rules), owner=alice_id)
    saved = (await alice.get("/api/v1/notifications/preferences")).json()
    assert saved["status"] == "saved" and saved["rules"][0]["channels"] == ["email"]


async def test_webhook_secret_is_shown_once_and_travels_sealed(harness, alice, bob) -> None:
    alice_id = await me(alice)
    response = await alice.post("/api/v1/webhooks", json={"name": "ops", "url": "https://hooks.example/pfd",
                                                          "event_types": ["datasets.ready"]})
    assert response.status_code == 201, response.text
    hook = response.json()
    secret = hook["secret"]
    assert secret.startswith("whsec_") and hook["secret_prefix"] == secret[:12] and hook["status"] == "saving"
    sent = (await outbox(harness))[-1]
    assert sent.type == "notifications.webhook_save_requested" and sent.owner == alice_id
    assert secret not in sent.model_dump_json()
    assert unseal(harness.gateway.settings.notifications.seal_key, sent.payload.secret_sealed) == secret
    listed = (await alice.get("/api/v1/webhooks")).json()
    assert [h["webhook_id"] for h in listed] == [hook["webhook_id"]] and "secret" not in listed[0]
    assert (await bob.get("/api/v1/webhooks")).json() == []
    url = f"/api/v1/webhooks/{hook['webhook_id']}"
    assert (await bob.post(f"{url}/test")).status_code == 404
    assert (await bob.delete(url)).status_code == 404
    edit = {"name": "ops", "url": "https://hooks.example/v2", "event_types": [], "enabled": False}
    edited = (await alice.put(url, json=edit)).json()
    assert edited["secret"] is None and edited["url"].endswith("/v2")
    assert (await outbox(harness))[-1].payload.secret_sealed is None
    assert (await alice.post(f"{url}/test")).status_code == 202
    assert (await outbox(harness))[-1].type == "notifications.webhook_test_requested"
    assert (await alice.delete(url)).status_code == 202
    assert (await alice.post(f"{url}/test")).status_code == 409


@pytest.mark.parametrize(("url", "message"), [
    ("ftp://files.example/x", "http:// or https://"), ("https://user:pw@hooks.example/", "credentials"),
    ("https:///path", "no host"), ("not a url", "http:// or https://"),
])
async def test_invalid_webhook_urls_are_refused_with_the_reason(alice, url, message) -> None:
    response = await alice.post("/api/v1/webhooks", json={"name": "x", "url": url})
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["loc"] == ["body", "url"] and message in detail["msg"]


async def test_delivery_log_and_disabling_come_from_the_notifier(harness, alice) -> None:
    alice_id = await me(alice)
    hook = (await alice.post("/api/v1/webhooks", json={"name": "ops", "url": "https://hooks.example/"})).json()
    wid = hook["webhook_id"]
    await project(harness, WebhookSaved(webhook_id=wid, user_id=alice_id, name="ops", url="https://hooks.example/",
                                        event_types=(), enabled=True, secret_prefix=hook["secret_prefix"]),
                  owner=alice_id)
    now = datetime.now(UTC)
    failure = WebhookDeliveryFailed(webhook_id=wid, user_id=alice_id, delivery_id="d1", source_event_type="x",
                                    attempt=1, latency_ms=12.5, at=now, status_code=503, error="HTTP 503",
                                    next_attempt_at=now + timedelta(seconds=30))
    await project(harness, failure, failure, WebhookDisabled(webhook_id=wid, user_id=alice_id,
                                                             consecutive_failures=5, reason="5 failures"),
                  owner=alice_id)
    log = (await alice.get(f"/api/v1/webhooks/{wid}/deliveries")).json()
    assert len(log) == 1 and log[0]["status_code"] == 503 and log[0]["latency_ms"] == 12.5
    shown = (await alice.get("/api/v1/webhooks")).json()[0]
    assert shown["enabled"] is False and shown["disabled_reason"] == "5 failures" and shown["status"] == "saved"


async def test_email_configuration_is_admin_only_and_never_shows_the_password(harness, admin, alice) -> None:
    body = {"host": "smtp.example", "port": 587, "tls_mode": "starttls", "username": "bot", "password": "hunter2!",
            "from_address": "pfd@example.com"}
    assert (await alice.put("/api/v1/admin/email", json=body)).status_code == 403
    assert (await alice.get("/api/v1/admin/email")).status_code == 403
    response = await admin.put("/api/v1/admin/email", json=body)
    assert response.status_code == 202 and response.json()["password_set"] is True
    assert "hunter2" not in response.text
    sent = (await outbox(harness))[-1]
    assert sent.type == "notifications.smtp_config_update_requested" and "hunter2" not in sent.model_dump_json()
    assert unseal(harness.gateway.settings.notifications.seal_key, sent.payload.password_sealed) == "hunter2!"
    await project(harness, SmtpConfigUpdated(host="smtp.example", port=587, tls_mode="starttls", username="bot",
                                             password_set=True, from_address="pfd@example.com"), owner=None)
    assert (await admin.get("/api/v1/admin/email")).json()["status"] == "saved"
    bad = await admin.put("/api/v1/admin/email", json=body | {"from_address": "nobody"})
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["body", "from_address"]
    assert (await admin.post("/api/v1/admin/email/test", json={"to": "not-an-address"})).status_code == 422
    assert (await admin.post("/api/v1/admin/email/test", json={"to": "ops@example.com"})).status_code == 202
    assert (await outbox(harness))[-1].payload.to == "ops@example.com"


async def test_digest_queue_history_and_send_now(harness, admin, alice) -> None:
    alice_id = await me(alice)
    now = datetime.now(UTC)
    await project(harness, *[DigestItemQueued(user_id=alice_id, item_id=f"i{n}", source_event_type="datasets.ready",
                                              title=f"t{n}", queued_at=now) for n in range(3)], owner=alice_id)
    queue = (await admin.get("/api/v1/admin/digests/queue")).json()
    assert queue == [queue[0]] and queue[0]["items"] == 3 and queue[0]["account"] == "alice@pfd.test"
    assert (await alice.get("/api/v1/admin/digests/queue")).status_code == 403
    assert (await admin.post("/api/v1/admin/digests/send", json={"user_id": alice_id})).status_code == 202
    sent = (await outbox(harness))[-1]
    assert sent.type == "notifications.digest_send_requested" and sent.payload.user_id == alice_id
    await project(harness, DigestSent(user_id=alice_id, digest_id="g1", item_ids=("i0", "i1", "i2"), to="a@x.org",
                                      frequency="daily", sent_at=now), owner=alice_id)
    assert (await admin.get("/api/v1/admin/digests/queue")).json() == []
    history = (await admin.get("/api/v1/admin/digests")).json()
    assert history[0]["item_count"] == 3 and history[0]["email_status"] == "pending"


async def test_the_admin_role_is_needed_not_just_a_session(harness) -> None:
    await harness.user("root@pfd.test", Role.ADMIN)
    root = await harness.login("root@pfd.test")
    assert (await root.get("/api/v1/admin/digests")).status_code == 200
