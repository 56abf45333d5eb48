"""Domain events reach their owner's channels as the preferences say, once per event."""

from __future__ import annotations

from datetime import timedelta

from pfd_shared.events.datasets import DatasetFailed
from pfd_shared.events.notifications import NotificationsMarkReadRequested, PreferenceRule

from pfd_notifier.db import deliveries, digest_items, notifications



async def test_default_is_in_app_only_and_a_redelivered_event_notifies_once(harness) -> None:
    envelope = harness.envelope(harness.ready())
    await harness.notifier.notifications.notify(envelope)
    await harness.notifier.notifications.notify(envelope)  # at-least-once: the same event again
    rows = await harness.rows(notifications)
    assert len(rows) == 1 and rows[0]["user_id"] == harness.owner
    assert rows[0]["title"] == "Data set “bearing set” is ready" and rows[0]["link"] == "/datasets"
    created = await harness.facts("notifications.created")
    assert len(created) == 1 and created[0].owner == harness.owner and created[0].causation_id == envelope.event_id
    assert await harness.rows(deliveries) == []  # no address, no webhook: nothing else


async def test_an_event_without_owner_or_rule_notifies_nobody(harness) -> None:
    await harness.notifier.notifications.notify(harness.envelope(harness.ready(), owner=None))
    assert await harness.rows(notifications) == []


async def test_email_now_is_scheduled_and_sent_with_text_and_html(harness) -> None:
    await harness.save_prefs(PreferenceRule(event_type="datasets.failed", channels=("email",)))
    await harness.notifier.notifications.notify(harness.envelope(DatasetFailed(dataset_id="d9", reason="<bad> file")))
    assert await harness.rows(notifications) == []  # in-app not chosen for this event
    assert await harness.notifier.dispatcher.run_once() == 1
    server, email, to = harness.mail.sent[0]
    assert to == "owner@example.com" and server.host == "smtp.example"
    assert email.subject == "[PFD] Data set d9 failed"
    assert "&lt;bad&gt; file" in email.html and "<bad> file" in email.text
    assert "https://pfd.example/datasets" in email.text
    sent = await harness.facts("notifications.email_sent")
    assert sent[0].payload.to == "owner@example.com" and sent[0].payload.kind == "notification"


async def test_digest_items_wait_until_due_then_go_out_in_one_email(harness) -> None:
    rule = PreferenceRule(event_type="datasets.ready", channels=("in_app", "email"), mode="digest")
    await harness.save_prefs(rule, frequency="daily")
    for name in ("first", "second"):
        await harness.notifier.notifications.notify(harness.envelope(harness.ready(name)))
    assert len(await harness.facts("notifications.digest_item_queued")) == 2
    assert len(await harness.rows(notifications)) == 2  # in-app stays immediate
    assert await harness.notifier.digests.send_due(harness.now()) == 0
    assert await harness.notifier.digests.send_due(harness.now() + timedelta(days=1, seconds=1)) == 1
    await harness.notifier.dispatcher.run_once()
    _, email, _ = harness.mail.sent[0]
    assert email.subject == "[PFD] Your daily digest: 2 events"
    assert "first" in email.text and "second" in email.text
    items = await harness.rows(digest_items)
    digest = (await harness.facts("notifications.digest_sent"))[0].payload
    assert {i["digest_id"] for i in items} == {digest.digest_id} and len(digest.item_ids) == 2
    assert (await harness.facts("notifications.email_sent"))[0].payload.digest_id == digest.digest_id


async def test_mark_read_one_then_all(harness) -> None:
    for name in ("a", "b", "c"):
        await harness.notifier.notifications.notify(harness.envelope(harness.ready(name)))
    rows = await harness.rows(notifications)
    now = harness.now()
    first = (rows[0]["notification_id"],)
    one = NotificationsMarkReadRequested(user_id=harness.owner, notification_ids=first, read_at=now)
    await harness.notifier.notifications.mark_read(harness.envelope(one))
    assert sum(r["read_at"] is not None for r in await harness.rows(notifications)) == 1
    await harness.notifier.notifications.mark_read(harness.envelope(NotificationsMarkReadRequested(
        user_id=harness.owner, read_at=now)))
    assert all(r["read_at"] is not None for r in await harness.rows(notifications))
    assert len(await harness.facts("notifications.read")) == 2
