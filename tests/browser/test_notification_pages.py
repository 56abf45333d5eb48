"""The notification pages in a real browser: a real gateway and a real notifier process on the real broker and
PostgreSQL, a local SMTP server (aiosmtpd) and a local webhook receiver. The bell updates live."""

from __future__ import annotations

import re
import sys
import threading
import uuid
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from aiosmtpd.controller import Controller

from pfd_shared.testing.publishing import publish_events as publish
from pfd_shared.events.datasets import DatasetFailed, DatasetReady
from pfd_shared.localstack.processes import free_port
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect
PREFERENCES_POLLS, POLL_MS = 240, 250  # up to a minute on a busy machine
MEMBER_PASSWORD = "notify-member-password-42"  # noqa: S105 - a throwaway account in a throwaway database


class Inbox:
    def __init__(self) -> None:
        self.messages: list[object] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


class Hook(BaseHTTPRequestHandler):
    received: list[bytes] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's hook name
        Hook.received.append(self.rfile.read(int(self.headers["Content-Length"])))
        self.send_response(204)
        self.end_headers()

    def log_message(self, *_: object) -> None:
        pass


@pytest.fixture(scope="module")
def smtp_server() -> Iterator[tuple[Inbox, int]]:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture(scope="module")
def receiver() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/hook"
    server.shutdown()


@pytest.fixture(scope="module")
def notifier(infra, gateway, tmp_path_factory) -> Iterator[None]:
    var_dir, port = tmp_path_factory.mktemp("browser-notifier"), free_port()
    with fresh_postgres_database(infra.postgres_url) as database_url:
        env = service_env("PFD_NOTIFIER_", infra, port=port, var_dir=str(var_dir), database_url=database_url)
        env |= {"PFD_NOTIFIER_WEBHOOKS__ALLOWED_NETWORKS": '["127.0.0.0/8"]',
                "PFD_NOTIFIER_DISPATCH__POLL_INTERVAL_S": "0.2", "PFD_NOTIFIER_TELEMETRY__LOG_FORMAT": "console"}
        proc = start_service("notifier", [sys.executable, "-m", "pfd_notifier"], env, port, var_dir / "n.log")
        try:
            yield None
        finally:
            proc.stop()


def csrf(page) -> dict[str, str]:
    token = next(c["value"] for c in page.context.cookies() if c["name"] == "pfd_csrf")
    return {"X-CSRF-Token": token}


@pytest.fixture
def member(browser, gateway, signed_in, notifier):
    """A tab signed in as a fresh member (events published for them reach nobody else)."""
    email = f"notify-{uuid.uuid4().hex[:8]}@pfd.test"
    created = signed_in.request.post("/api/v1/users", data={"email": email, "password": MEMBER_PASSWORD},
                                     headers=csrf(signed_in))
    assert created.status == 201, created.text()
    context = browser.new_context(base_url=gateway.url, viewport={"width": 1400, "height": 900})
    tab = context.new_page()
    assert tab.request.post("/api/v1/auth/login", data={"email": email, "password": MEMBER_PASSWORD}).ok
    yield tab
    context.close()


def user_id(page) -> str:
    return page.request.get("/api/v1/auth/me").json()["user"]["id"]


def no_error_shown(page) -> None:
    """No callback failed on the way (the error boundary's alert never appeared)."""
    expect(page.locator("#shell-error-alert")).to_have_count(0)


def ready(name: str) -> DatasetReady:
    return DatasetReady(dataset_id=uuid.uuid4().hex[:12], name=name, kind="synthetic", object_key="k", size_bytes=1,
                        sha256="0", records=6, samples_per_record=10, sample_rate_hz=1000, class_names=("a", "b"),
                        class_counts=(3, 3), feature_names=("rms",), split_counts={"train": 6}, seconds=0.1)


WAITING_COLUMN = 3  # User, Address, Frequency, Waiting, Oldest


def test_the_bell_updates_live_and_the_notifications_page_marks_read(member, infra, shoot) -> None:
    page = member
    page.goto("/")
    bell = page.locator("#shell-bell-count")
    expect(bell).to_be_hidden()
    publish(infra.kafka_bootstrap, ready("live bell set"), owner=user_id(page))
    expect(bell).to_have_text("1")  # pushed: no reload
    page.click("#shell-bell")
    expect(page.locator(".pfd-bell-items")).to_contain_text("Data set “live bell set” is ready")
    shoot(page, "notifications-bell")
    page.goto("/notifications")
    item = page.locator(".pfd-notification", has_text="live bell set")
    expect(item).to_contain_text("6 records of 2 classes")
    expect(item).to_have_class(re.compile(r"\bpfd-unread\b"))
    item.get_by_role("button", name="Mark read").click()
    expect(item).not_to_have_class(re.compile(r"\bpfd-unread\b"))
    expect(bell).to_be_hidden()
    publish(infra.kafka_bootstrap, DatasetFailed(dataset_id="x1", reason="the file is empty"),
            ready("second set"), owner=user_id(page))
    expect(bell).to_have_text("2")
    expect(page.locator(".pfd-notification", has_text="the file is empty")).to_be_visible()
    shoot(page, "notifications")
    page.click("#notifications-read-all")
    expect(bell).to_be_hidden()
    expect(page.locator(".pfd-unread")).to_have_count(0)
    page.click("#notifications-unread-only")
    expect(page.locator("#notifications-list")).to_contain_text("No notifications")
    no_error_shown(page)


def test_preferences_are_validated_saved_and_confirmed(member, shoot) -> None:
    page = member
    page.goto("/notifications/preferences")
    failed = page.locator("#notification-preferences-table tr", has_text="Data set failed")
    expect(failed).to_be_visible()
    failed.get_by_label("Email").check()
    page.fill("#notification-preferences-email", "")
    page.click("#notification-preferences-save")
    feedback = page.locator("#notification-preferences-email-feedback")
    expect(feedback).to_have_text("Email notifications need an address.")
    page.fill("#notification-preferences-email", "member@example.com")
    failed.locator("select").select_option("digest")
    page.select_option("#notification-preferences-frequency", "weekly")
    page.click("#notification-preferences-save")
    expect(page.locator("#notification-preferences-alert")).to_contain_text("Saved")
    expect(page.locator("#notification-preferences-status")).to_have_text("saved")  # the notifier confirmed
    saved = page.request.get("/api/v1/notifications/preferences").json()
    rule = next(r for r in saved["rules"] if r["event_type"] == "datasets.failed")
    assert saved["digest_frequency"] == "weekly" and "email" in rule["channels"] and rule["mode"] == "digest"
    no_error_shown(page)
    shoot(page, "notification-preferences")


def test_webhooks_create_test_log_edit_and_delete(member, receiver, shoot) -> None:
    page = member
    page.goto("/webhooks")
    expect(page.locator("#webhooks-list")).to_contain_text("No webhooks yet")
    no_error_shown(page)
    page.fill("#webhooks-name", "local receiver")
    page.fill("#webhooks-url", "ftp://example.com/x")
    page.click("#webhooks-save")
    expect(page.locator("#webhooks-url-feedback")).to_contain_text("http:// or https://")
    page.fill("#webhooks-url", receiver)
    page.click("#webhooks-save")
    expect(page.locator("#webhooks-secret")).to_have_text(re.compile(r"^whsec_"))
    row = page.locator("#webhooks-table tbody tr", has_text="local receiver")
    expect(row).to_contain_text("enabled")
    expect(row).not_to_contain_text("saving")  # the notifier confirmed
    before = len(Hook.received)
    row.locator("button[title='Send a test delivery']").click()
    log = page.locator("#webhooks-log-table")
    expect(log).to_contain_text("delivered")
    expect(log).to_contain_text("204")
    expect(log).to_contain_text("(test)")
    assert len(Hook.received) == before + 1
    shoot(page, "webhooks")
    row.locator("button[title='Edit']").click()
    expect(page.locator("#webhooks-name")).to_have_value("local receiver")
    page.fill("#webhooks-name", "renamed receiver")
    page.click("#webhooks-save")
    renamed = page.locator("#webhooks-table tbody tr", has_text="renamed receiver")
    expect(renamed).to_be_visible()
    expect(page.locator("#webhooks-alert")).not_to_contain_text("whsec_")  # no new secret without rotation
    renamed.locator("button[title='Delete']").click()
    expect(page.locator("#webhooks-delete-modal")).to_contain_text("renamed receiver")
    page.click("#webhooks-delete-confirm")
    expect(page.locator("#webhooks-list")).to_contain_text("No webhooks yet")
    no_error_shown(page)


def test_email_configuration_saves_and_sends_a_test_email(signed_in, notifier, smtp_server, shoot) -> None:
    inbox, port = smtp_server
    page = signed_in
    page.goto("/admin/email")
    expect(page.locator("#shell-sidebar")).to_contain_text("Email")
    page.fill("#email-settings-host", "127.0.0.1")
    page.fill("#email-settings-port", str(port))
    page.select_option("#email-settings-tls_mode", "none")
    page.fill("#email-settings-from_address", "not an address")
    page.click("#email-settings-save")
    expect(page.locator("#email-settings-from_address-feedback")).to_have_text("Not a valid email address.")
    page.fill("#email-settings-from_address", "pfd@example.com")
    page.fill("#email-settings-password", "never-shown-back")
    page.click("#email-settings-save")
    current = page.locator("#email-settings-current")
    expect(current).to_contain_text(f"127.0.0.1:{port}")
    expect(current).to_contain_text("a password is set")
    expect(current.locator(".pfd-status")).to_have_text("saved")
    expect(page.locator("#email-settings-password")).to_have_value("")
    assert "never-shown-back" not in page.content()
    page.fill("#email-settings-to", "ops@example.com")
    page.click("#email-settings-test")
    expect(page.locator("#email-settings-log-table")).to_contain_text("ops@example.com")
    expect(page.locator("#email-settings-log-table")).to_contain_text("delivered")
    assert any(m.rcpt_tos == ["ops@example.com"] for m in inbox.messages)
    no_error_shown(page)
    shoot(page, "email-settings")


def test_digest_queue_and_send_now(member, signed_in, infra, smtp_server, shoot) -> None:
    inbox, port = smtp_server
    address = f"digest-{uuid.uuid4().hex[:6]}@example.com"
    prefs = {"email": address, "digest_frequency": "weekly",
             "rules": [{"event_type": "datasets.ready", "channels": ["email"], "mode": "digest"}]}
    assert member.request.put("/api/v1/notifications/preferences", data=prefs, headers=csrf(member)).ok
    smtp = {"host": "127.0.0.1", "port": port, "tls_mode": "none", "from_address": "pfd@example.com"}
    assert signed_in.request.put("/api/v1/admin/email", data=smtp, headers=csrf(signed_in)).ok
    owner = user_id(member)
    page = signed_in
    page.goto("/admin/digests")
    status = None
    for _ in range(PREFERENCES_POLLS):  # the notifier must have stored the preferences before the events arrive
        status = member.request.get("/api/v1/notifications/preferences").json()["status"]
        if status == "saved":
            break
        page.wait_for_timeout(POLL_MS)
    assert status == "saved", "the notifier never confirmed the preferences"
    publish(infra.kafka_bootstrap, ready("digest one"), ready("digest two"), owner=owner)
    row = page.locator("#digests-queue-table tbody tr", has_text=address)
    expect(row.locator("td").nth(WAITING_COLUMN)).to_have_text("2")  # both queued (the date holds a "2" too)
    shoot(page, "digests-queue")
    row.get_by_role("button", name="Send now").click()
    expect(page.locator("#digests-alert")).to_contain_text("this user's digest")
    history = page.locator("#digests-history-table tbody tr", has_text=address)
    expect(history).to_contain_text("sent")
    expect(page.locator("#digests-queue")).not_to_contain_text(address)
    assert any(m.rcpt_tos == [address] for m in inbox.messages)
    no_error_shown(page)
    shoot(page, "digests")
