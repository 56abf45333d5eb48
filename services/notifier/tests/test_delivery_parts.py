"""The parts deliveries are made of: SSRF guard, signatures, backoff, routing, templates, and the real
webhook sender and mailer against servers started in the test (loopback allowed for them)."""

from __future__ import annotations

import asyncio
import time
from datetime import UTC, datetime, timedelta
from ipaddress import ip_address, ip_network

import pytest
from aiosmtpd.controller import Controller

from pfd_shared.events.notifications import PreferenceRule, SmtpConfigUpdateRequested
from pfd_shared.localstack.processes import free_port
from pfd_shared.sealing import seal

from pfd_notifier.domain import signing
from pfd_notifier.domain.backoff import next_attempt, retry_delay_s
from pfd_notifier.domain.digests import digest_due
from pfd_notifier.domain.preferences import route
from pfd_notifier.domain.templates import Entry, notification_email
from pfd_notifier.mailer import SmtpFailure, SmtpServer, send_email
from pfd_notifier.settings import WebhookSettings
from pfd_notifier.ssrf import TargetRefused, check_addresses, refused_kind, resolve_checked
from pfd_notifier.webhook_sender import WebhookSender


@pytest.mark.parametrize(("address", "kind"), [
    ("127.0.0.1", "loopback"), ("::1", "loopback"), ("10.1.2.3", "private"), ("192.168.0.9", "private"),
    ("169.254.169.254", "link-local"), ("fe80::1", "link-local"), ("224.0.0.1", "multicast"),
    ("0.0.0.0", "unspecified"), ("::ffff:127.0.0.1", "loopback"), ("100.64.0.1", "non-public"),
    ("93.184.216.34", None), ("2606:4700::1111", None),
])
def test_refused_kinds(address: str, kind: str | None) -> None:
    assert refused_kind(ip_address(address)) == kind


def test_every_address_is_checked_and_the_allow_list_permits() -> None:
    public, private = ip_address("93.184.216.34"), ip_address("10.0.0.5")
    with pytest.raises(TargetRefused, match="10.0.0.5, a private address"):
        check_addresses("mixed.example", [public, private], [])
    check_addresses("mixed.example", [public, private], [ip_network("10.0.0.0/24")])
    with pytest.raises(TargetRefused, match="does not resolve"):
        check_addresses("none.example", [], [])


async def test_names_are_resolved_before_the_check() -> None:
    with pytest.raises(TargetRefused, match="loopback"):
        await resolve_checked("localhost", 80, [])
    with pytest.raises(TargetRefused, match="does not resolve"):
        await resolve_checked("no-such-host.invalid", 80, [])


def test_signature_verifies_and_refuses_tampering_and_replays() -> None:
    body, now = b'{"a":1}', time.time()
    header = signing.signature("s3cret", int(now), body)
    assert header.startswith("sha256=") and signing.verify("s3cret", str(int(now)), body, header, now=now)
    assert not signing.verify("s3cret", str(int(now)), b'{"a":2}', header, now=now)
    assert not signing.verify("other", str(int(now)), body, header, now=now)
    assert not signing.verify("s3cret", str(int(now)), body, header, now=now + 301)


def test_backoff_doubles_up_to_the_cap_and_gives_up() -> None:
    assert [retry_delay_s(n, 30, 100) for n in (1, 2, 3, 4)] == [30, 60, 100, 100]
    now = datetime.now(UTC)
    assert next_attempt(now, 2, 5, 30, 600) == now + timedelta(seconds=60)
    assert next_attempt(now, 5, 5, 30, 600) is None and next_attempt(now, 1, 5, 30, 600, permanent=True) is None


def test_routing_defaults_and_digest_rules() -> None:
    default = route(None, "datasets.ready", frequency="off", has_email=True)
    assert (default.in_app, default.email_now, default.webhook) == (True, False, True)
    rule = PreferenceRule(event_type="datasets.ready", channels=("email",), mode="digest")
    assert route([rule], "datasets.ready", frequency="weekly", has_email=True).email_digest
    assert route([rule], "datasets.ready", frequency="off", has_email=True).email_now  # digests off: at once
    assert not route([rule], "datasets.ready", frequency="weekly", has_email=False).email_digest


def test_digest_timing() -> None:
    now = datetime.now(UTC)
    assert not digest_due("daily", None, None, now)
    assert not digest_due("daily", None, now - timedelta(hours=23), now)
    assert digest_due("daily", None, now - timedelta(hours=25), now)
    assert not digest_due("weekly", now - timedelta(days=6), now - timedelta(days=10), now)
    assert digest_due("off", None, now, now)


def test_templates_escape_html() -> None:
    email = notification_email(Entry("<script>x</script>", "a & b", "/datasets"), "https://pfd.example/")
    assert "<script>x" not in email.html and "&lt;script&gt;" in email.html and "a &amp; b" in email.html
    assert "https://pfd.example/datasets" in email.text


async def serve_http(statuses: list[int], seen: list[tuple[dict[str, str], bytes]]) -> tuple[asyncio.Server, int]:
    """A tiny HTTP/1.1 receiver answering the given statuses in turn."""

    async def handle(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        lines = head.decode().split("\r\n")
        headers = {k.lower(): v.strip() for k, v in (line.split(":", 1) for line in lines[1:] if ":" in line)}
        body = await reader.readexactly(int(headers.get("content-length", "0")))
        seen.append((headers, body))
        status = statuses.pop(0) if statuses else 200
        writer.write(f"HTTP/1.1 {status} X\r\nContent-Length: 4\r\nConnection: close\r\n\r\nnope".encode())
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(handle, "127.0.0.1", 0)
    return server, server.sockets[0].getsockname()[1]


async def test_the_sender_signs_pins_the_checked_address_and_reports() -> None:
    seen: list[tuple[dict[str, str], bytes]] = []
    server, port = await serve_http([503], seen)
    url = f"http://localhost:{port}/hook?x=1"
    guarded = WebhookSender(WebhookSettings(timeout_s=2))
    refused = await guarded.send(url, "k", b"{}", "datasets.ready", "d1")
    assert not refused.ok and refused.permanent and "loopback" in (refused.error or "") and not seen
    sender = WebhookSender(WebhookSettings(timeout_s=2, allowed_networks=[ip_network("127.0.0.0/8")]))
    failed = await sender.send(url, "k", b'{"a":1}', "datasets.ready", "d1")
    assert not failed.ok and not failed.permanent and failed.status_code == 503 and "nope" in (failed.error or "")
    ok = await sender.send(url, "k", b'{"a":1}', "datasets.ready", "d1")
    server.close()
    assert ok.ok and ok.status_code == 200 and ok.latency_ms is not None
    headers, body = seen[-1]
    assert headers["host"] == f"localhost:{port}" and headers["x-pfd-event"] == "datasets.ready"
    assert signing.verify("k", headers["x-pfd-timestamp"], body, headers["x-pfd-signature"], now=time.time())


async def test_a_silent_endpoint_times_out() -> None:
    async def never(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await asyncio.sleep(5)

    server = await asyncio.start_server(never, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    sender = WebhookSender(WebhookSettings(timeout_s=0.3, allowed_networks=[ip_network("127.0.0.1/32")]))
    outcome = await sender.send(f"http://127.0.0.1:{port}/", "k", b"{}", "t", "d")
    server.close()
    assert not outcome.ok and not outcome.permanent and outcome.error == "timed out after 0.3s"


class Inbox:
    def __init__(self) -> None:
        self.messages: list[object] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"


async def test_the_mailer_talks_to_a_real_smtp_server_and_explains_failures() -> None:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        server = SmtpServer("127.0.0.1", port, "none", None, None, "pfd@example.com", 5)
        await send_email(server, notification_email(Entry("Hello", "World"), "http://x"), "to@example.com")
    finally:
        controller.stop()
    message = inbox.messages[0]
    assert message.rcpt_tos == ["to@example.com"] and b"Subject: [PFD] Hello" in message.content
    assert b"text/html" in message.content and b"text/plain" in message.content
    with pytest.raises(SmtpFailure, match=f"127.0.0.1:{port} unreachable") as failure:
        await send_email(server, notification_email(Entry("Hello", "World"), "http://x"), "to@example.com")
    assert not failure.value.permanent and "password" not in repr(server)


async def test_a_saved_smtp_configuration_wins_and_keeps_its_password(harness) -> None:
    key = harness.notifier.settings.seal_key
    first = SmtpConfigUpdateRequested(host="mail.example", port=465, tls_mode="tls", username="bot",
                                      password_sealed=seal(key, "pw-1"), from_address="pfd@example.com")
    await harness.notifier.configuration.save_smtp(harness.envelope(first))
    server = await harness.notifier.dispatcher.smtp_server()
    assert (server.host, server.port, server.tls_mode, server.password) == ("mail.example", 465, "tls", "pw-1")
    second = first.model_copy(update={"password_sealed": None, "port": 587, "tls_mode": "starttls"})
    await harness.notifier.configuration.save_smtp(harness.envelope(second))
    server = await harness.notifier.dispatcher.smtp_server()
    assert (server.port, server.password) == (587, "pw-1")
    facts = await harness.facts("notifications.smtp_config_updated")
    assert [f.payload.password_set for f in facts] == [True, True]
    assert all("pw-1" not in f.model_dump_json() for f in await harness.facts())
