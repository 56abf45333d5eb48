"""Pure parts behind the notification pages: pushed frames applied to what the read model returned, the badge."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from pfd_shared.events import encode_event, new_envelope
from pfd_shared.events.notifications import NotificationCreated, NotificationsRead

from pfd_gateway.dashboard.components.notification_admin import deliveries_table, webhooks_table
from pfd_gateway.dashboard.components.notifications import badge_text, bell_items, inbox_list
from pfd_gateway.notifications.inbox import unread_with_pushed, with_pushed
from pfd_gateway.notifications.preferences import effective_rules

NOW = datetime.now(UTC)


def frame(payload) -> dict:
    return json.loads(encode_event(new_envelope(payload, producer="notifier", owner="u1")))


def row(notification_id: str, read: bool = False) -> dict:
    return {"notification_id": notification_id, "user_id": "u1", "source_event_type": "datasets.ready",
            "title": f"t {notification_id}", "body": "b", "level": "info", "link": None,
            "created_at": NOW - timedelta(minutes=1), "read_at": NOW if read else None}


def created(notification_id: str) -> dict:
    return frame(NotificationCreated(user_id="u1", notification_id=notification_id, source_event_type="x",
                                     source_event_id="e", title="pushed", created_at=NOW))


def test_a_pushed_notification_that_overtook_its_projection_is_shown_and_counted() -> None:
    rows = [row("a")]
    assert [r["notification_id"] for r in with_pushed(rows, created("b"))] == ["b", "a"]
    assert unread_with_pushed(1, rows, created("b")) == 2
    assert with_pushed(rows, created("a")) == rows and unread_with_pushed(1, rows, created("a")) == 1
    assert with_pushed(rows, None) == rows and with_pushed(rows, {"type": "nope"}) == rows


def test_a_pushed_read_marks_the_rows_it_names_or_all() -> None:
    rows = [row("a"), row("b")]
    one = with_pushed(rows, frame(NotificationsRead(user_id="u1", notification_ids=("a",), read_at=NOW)))
    assert [r["read_at"] is not None for r in one] == [True, False]
    every = with_pushed(rows, frame(NotificationsRead(user_id="u1", read_at=NOW)))
    assert all(r["read_at"] is not None for r in every)


def test_badge_hides_at_zero_and_caps() -> None:
    assert badge_text(0) == ("", "pfd-bell-count d-none")
    assert badge_text(3) == ("3", "pfd-bell-count") and badge_text(250)[0] == "99+"


def test_lists_render_empty_states_and_rows() -> None:
    assert "No notifications" in str(inbox_list([]))
    assert "Mark read" in str(inbox_list([row("a")])) and "Mark read" not in str(inbox_list([row("a", read=True)]))
    assert "Nothing new." in str(bell_items([]))
    assert "No webhooks yet" in str(webhooks_table([], {}))
    hook = {"webhook_id": "w", "name": "ops", "url": "https://x.example/", "event_types": ["datasets.ready"],
            "enabled": False, "status": "saved", "secret_prefix": "whsec_abc", "disabled_reason": "3 failures"}
    rendered = str(webhooks_table([hook], {"datasets.ready": "Data set ready"}))
    assert "Data set ready" in rendered and "disabled" in rendered and "3 failures" in rendered
    attempt = {"at": NOW, "source_event_type": "datasets.ready", "test": False, "attempt": 2, "ok": False,
               "status_code": 503, "latency_ms": 12.0, "error": "HTTP 503", "next_attempt_at": NOW}
    assert "retrying" in str(deliveries_table([attempt])) and "503" in str(deliveries_table([attempt]))


def test_effective_rules_cover_every_notifiable_event_with_defaults() -> None:
    rules = effective_rules([{"event_type": "datasets.ready", "channels": ["email"], "mode": "digest"}])
    by_type = {r["event_type"]: r for r in rules}
    assert by_type["datasets.ready"]["channels"] == ["email"] and by_type["datasets.ready"]["mode"] == "digest"
    assert by_type["training.failed"]["channels"] == ["in_app", "webhook"]
