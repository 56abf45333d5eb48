"""Webhooks: signed bodies, scheduled retries with backoff, disabling after consecutive failures, tests."""

from __future__ import annotations

from pfd_shared.events.notifications import WebhookDeleteRequested, WebhookSaveRequested, WebhookTestRequested
from pfd_shared.sealing import seal

from pfd_notifier.db import deliveries, notifications, webhooks
from pfd_notifier.webhook_sender import Outcome

SECRET = "whsec_test-secret"


async def save_hook(harness, *, event_types: tuple[str, ...] = (), enabled: bool = True, key=None) -> None:
    sealed = seal(key or harness.notifier.settings.seal_key, SECRET)
    request = WebhookSaveRequested(webhook_id="wh1", user_id=harness.owner, name="ops", url="https://hooks.example/x",
                                   event_types=event_types, enabled=enabled, secret_sealed=sealed,
                                   secret_prefix=SECRET[:8])
    await harness.notifier.configuration.save_webhook(harness.envelope(request))


async def test_an_event_is_delivered_signed_with_the_unsealed_secret(harness) -> None:
    await save_hook(harness)
    saved = (await harness.facts("notifications.webhook_saved"))[0].payload
    assert saved.secret_prefix == SECRET[:8] and "secret" not in saved.model_dump_json().replace("secret_prefix", "")
    await harness.notifier.notifications.notify(harness.envelope(harness.ready()))
    assert await harness.notifier.dispatcher.run_once() == 1
    sent = harness.sender.sent[0]
    assert sent["secret"] == SECRET and sent["url"] == "https://hooks.example/x"
    assert b'"type":"datasets.ready"' in sent["body"] and b'"title":"Data set' in sent["body"]
    delivered = (await harness.facts("notifications.webhook_delivered"))[0].payload
    assert delivered.status_code == 200 and delivered.latency_ms == 3.0 and delivered.attempt == 1


async def test_the_event_filter_selects_webhooks(harness) -> None:
    await save_hook(harness, event_types=("training.completed",))
    await harness.notifier.notifications.notify(harness.envelope(harness.ready()))
    assert await harness.rows(deliveries) == []


async def test_failures_are_retried_on_schedule_then_the_webhook_is_disabled(harness) -> None:
    await save_hook(harness)
    harness.sender.outcomes = [Outcome(False, 503, 5.0, "HTTP 503 Service Unavailable")] * 3
    await harness.notifier.notifications.notify(harness.envelope(harness.ready()))
    dispatcher = harness.notifier.dispatcher
    assert await dispatcher.run_once() == 1
    failed = (await harness.facts("notifications.webhook_delivery_failed"))[0].payload
    assert failed.status_code == 503 and failed.next_attempt_at is not None
    assert 9 <= (failed.next_attempt_at - failed.at).total_seconds() <= 11  # backoff_initial_s
    assert await dispatcher.run_once() == 0  # not due yet: nothing sleeps, nothing is sent
    harness.advance(seconds=11)
    assert await dispatcher.run_once() == 1
    second = (await harness.facts("notifications.webhook_delivery_failed"))[1].payload
    assert 19 <= (second.next_attempt_at - second.at).total_seconds() <= 21  # doubled
    harness.advance(seconds=21)
    assert await dispatcher.run_once() == 1  # third consecutive failure: disable_after = 3
    hook = (await harness.rows(webhooks))[0]
    assert hook["enabled"] is False and "3 consecutive failed deliveries" in hook["disabled_reason"]
    assert (await harness.rows(deliveries))[0]["status"] == "cancelled"
    disabled = (await harness.facts("notifications.webhook_disabled"))[0]
    assert disabled.owner == harness.owner and disabled.payload.consecutive_failures == 3
    note = [n for n in await harness.rows(notifications) if n["source_event_type"] == "notifications.webhook_disabled"]
    assert note and note[0]["title"] == "Webhook “ops” disabled" and note[0]["link"] == "/webhooks"
    harness.advance(seconds=100)
    assert await dispatcher.run_once() == 0


async def test_a_permanent_failure_is_not_retried_and_success_resets_the_count(harness) -> None:
    await save_hook(harness)
    harness.sender.outcomes = [Outcome(False, 410, 1.0, "HTTP 410 Gone", permanent=True)]
    await harness.notifier.notifications.notify(harness.envelope(harness.ready("one")))
    await harness.notifier.dispatcher.run_once()
    assert (await harness.facts("notifications.webhook_delivery_failed"))[0].payload.next_attempt_at is None
    assert (await harness.rows(webhooks))[0]["consecutive_failures"] == 1
    await harness.notifier.notifications.notify(harness.envelope(harness.ready("two")))
    await harness.notifier.dispatcher.run_once()
    assert (await harness.rows(webhooks))[0]["consecutive_failures"] == 0


async def test_the_test_button_sends_once_even_when_disabled_and_never_counts(harness) -> None:
    await save_hook(harness, enabled=False)
    harness.sender.outcomes = [Outcome(False, None, 2.0, "timed out after 10s")]
    await harness.notifier.configuration.test_webhook(harness.envelope(WebhookTestRequested(
        webhook_id="wh1", user_id=harness.owner)))
    assert await harness.notifier.dispatcher.run_once() == 1
    failed = (await harness.facts("notifications.webhook_delivery_failed"))[0].payload
    assert failed.test is True and failed.next_attempt_at is None and failed.error == "timed out after 10s"
    assert b'"type":"notifications.webhook_test_requested"' in harness.sender.sent[0]["body"]
    assert (await harness.rows(webhooks))[0]["consecutive_failures"] == 0


async def test_another_users_webhook_cannot_be_changed_or_deleted(harness) -> None:
    await save_hook(harness)
    theft = WebhookSaveRequested(webhook_id="wh1", user_id="intruder", name="x", url="https://evil.example/")
    await harness.notifier.configuration.save_webhook(harness.envelope(theft, owner="intruder"))
    await harness.notifier.configuration.delete_webhook(harness.envelope(
        WebhookDeleteRequested(webhook_id="wh1", user_id="intruder"), owner="intruder"))
    rows = await harness.rows(webhooks)
    assert len(rows) == 1 and rows[0]["url"] == "https://hooks.example/x"


async def test_a_secret_sealed_with_another_key_is_refused_with_a_notification(harness) -> None:
    from pydantic import SecretStr

    await save_hook(harness, key=SecretStr("a-completely-different-seal-key-0123456789"))
    assert await harness.rows(webhooks) == []
    note = (await harness.rows(notifications))[0]
    assert "seal_key" in note["body"] and note["level"] == "danger"


async def test_deleting_drops_pending_deliveries(harness) -> None:
    await save_hook(harness)
    await harness.notifier.notifications.notify(harness.envelope(harness.ready()))
    await harness.notifier.configuration.delete_webhook(harness.envelope(
        WebhookDeleteRequested(webhook_id="wh1", user_id=harness.owner)))
    assert await harness.notifier.dispatcher.run_once() == 0
    assert (await harness.rows(deliveries))[0]["status"] == "cancelled"
    assert harness.sender.sent == []
