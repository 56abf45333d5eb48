"""The notifier through the real broker and PostgreSQL: domain events reach a real SMTP server (aiosmtpd) and a
real webhook receiver that verifies the signature; retries, disabling, dedupe on redelivery, SMTP login."""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from typing import Any
from uuid import uuid4

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword
from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import SecretStr

from pfd_shared.events import decode_event, encode_event, new_envelope
from pfd_shared.events.datasets import DatasetFailed, DatasetReady
from pfd_shared.events.notifications import (
    PreferenceRule,
    PreferencesUpdateRequested,
    SmtpConfigUpdateRequested,
    TestEmailRequested,
    WebhookSaveRequested,
)
from pfd_shared.localstack.processes import free_port
from pfd_shared.sealing import DEV_SEAL_KEY, seal
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared.topics import ALL_TOPICS

pytestmark = pytest.mark.integration
SEAL_KEY = SecretStr(DEV_SEAL_KEY)
SECRET = "whsec_integration-secret"
SMTP_USER, SMTP_PASSWORD = "pfd-bot", "smtp-pass-42"  # noqa: S105 - a throwaway local SMTP server
FACT_TOPICS = [t.name for t in ALL_TOPICS if t.name.startswith("pfd.notifications.") and "requested" not in t.name]
TIMEOUT_S = 60


class Inbox:
    """aiosmtpd handler: keeps every message and who logged in."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.logins: list[str] = []

    async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd's hook name
        self.messages.append(envelope)
        return "250 OK"

    def authenticate(self, server, session, envelope, mechanism, auth_data):
        ok = isinstance(auth_data, LoginPassword) and (auth_data.login, auth_data.password) == (
            SMTP_USER.encode(), SMTP_PASSWORD.encode())
        if ok:
            self.logins.append(auth_data.login.decode())
        return AuthResult(success=ok)


def verify(timestamp: str, body: bytes, signature: str) -> bool:
    """What a receiver does (docs/webhooks.md): HMAC-SHA256 over "<timestamp>.<body>", fresh timestamps only."""
    expected = "sha256=" + hmac.new(SECRET.encode(), timestamp.encode() + b"." + body, hashlib.sha256).hexdigest()
    return abs(time.time() - int(timestamp)) < 300 and hmac.compare_digest(expected, signature)


@dataclass
class Receiver:
    """A webhook endpoint: verifies every signature; paths in ``failing`` answer 500."""

    failing: set[str] = field(default_factory=set)
    verified: dict[str, list[dict[str, Any]]] = field(default_factory=lambda: defaultdict(list))
    bad_signatures: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = (await reader.readuntil(b"\r\n\r\n")).decode()
        path = head.split(" ", 2)[1]
        lines = [line.split(":", 1) for line in head.split("\r\n")[1:] if ":" in line]
        headers = {k.lower(): v.strip() for k, v in lines}
        body = await reader.readexactly(int(headers["content-length"]))
        if verify(headers["x-pfd-timestamp"], body, headers["x-pfd-signature"]):
            self.verified[path].append(json.loads(body))
        else:
            self.bad_signatures += 1
        status = "500 Internal Server Error" if path in self.failing else "204 No Content"
        writer.write(f"HTTP/1.1 {status}\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".encode())
        await writer.drain()
        writer.close()


@pytest.fixture
def smtp() -> Any:
    inbox, port = Inbox(), free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, authenticator=inbox.authenticate,
                            auth_require_tls=False)
    controller.start()
    yield inbox, port
    controller.stop()


@pytest.fixture
def notifier(infra, processes, tmp_path, fresh_database_url, smtp):
    port = free_port()
    env = service_env("PFD_NOTIFIER_", infra, port=port, var_dir=str(tmp_path), database_url=fresh_database_url)
    env |= {"PFD_NOTIFIER_WEBHOOKS__ALLOWED_NETWORKS": '["127.0.0.0/8"]', "PFD_NOTIFIER_WEBHOOKS__TIMEOUT_S": "3",
            "PFD_NOTIFIER_WEBHOOKS__BACKOFF_INITIAL_S": "0.5", "PFD_NOTIFIER_WEBHOOKS__BACKOFF_MAX_S": "2",
            "PFD_NOTIFIER_WEBHOOKS__DISABLE_AFTER": "3", "PFD_NOTIFIER_WEBHOOKS__MAX_ATTEMPTS": "6",
            "PFD_NOTIFIER_DISPATCH__POLL_INTERVAL_S": "0.2", "PFD_NOTIFIER_SMTP__HOST": "127.0.0.1",
            "PFD_NOTIFIER_SMTP__PORT": str(smtp[1]), "PFD_NOTIFIER_SMTP__TLS_MODE": "none",
            "PFD_NOTIFIER_TELEMETRY__LOG_FORMAT": "console"}
    processes.append(start_service("notifier", [sys.executable, "-m", "pfd_notifier"], env, port, tmp_path / "n.log"))
    return tmp_path / "n.log"


class Facts:
    """Collects the notifier's facts from the real broker."""

    def __init__(self, bootstrap: str) -> None:
        self.broker = KafkaBroker(bootstrap)
        self.seen: list[Any] = []

        @self.broker.subscriber(*FACT_TOPICS, fetch_max_wait_ms=10, auto_offset_reset="latest")
        async def collect(message: KafkaMessage) -> None:
            self.seen.append(decode_event(message.body))

    def of(self, event_type: str, **match: Any) -> list[Any]:
        return [e for e in self.seen if e.type == event_type
                and all(getattr(e.payload, k) == v for k, v in match.items())]

    async def wait(self, event_type: str, count: int = 1, **match: Any) -> list[Any]:
        deadline = time.monotonic() + TIMEOUT_S
        while len(self.of(event_type, **match)) < count:
            assert time.monotonic() < deadline, f"waited for {count} {event_type} {match}; saw {self.seen}"
            await asyncio.sleep(0.1)
        return self.of(event_type, **match)

    async def publish(self, payload: Any, owner: str | None, envelope: Any = None) -> Any:
        envelope = envelope or new_envelope(payload, producer="it", owner=owner)
        await self.broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key())
        return envelope


async def until(condition, what: str) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await asyncio.sleep(0.1)


def hook(webhook_id: str, user: str, url: str) -> WebhookSaveRequested:
    return WebhookSaveRequested(webhook_id=webhook_id, user_id=user, name=webhook_id, url=url,
                                secret_sealed=seal(SEAL_KEY, SECRET), secret_prefix=SECRET[:12])


def ready(dataset_id: str) -> DatasetReady:
    return DatasetReady(dataset_id=dataset_id, name="it set", kind="synthetic", object_key="k", size_bytes=1,
                        sha256="0", records=8, samples_per_record=10, sample_rate_hz=1000, class_names=("a", "b"),
                        class_counts=(4, 4), feature_names=("rms",), split_counts={"train": 8}, seconds=0.1)


async def run(coro_fn, *args: Any) -> None:
    facts_ = Facts(args[0])
    await facts_.broker.start()
    try:
        await asyncio.sleep(1)
        await coro_fn(facts_, *args[1:])
    finally:
        await facts_.broker.stop()


def test_an_event_reaches_in_app_email_and_a_verifying_webhook_once(infra, notifier, smtp, unique) -> None:
    inbox, _ = smtp
    receiver, user = Receiver(), f"u-{unique}"

    async def scenario(facts: Facts) -> None:
        server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/hook"
        rule = PreferenceRule(event_type="datasets.ready", channels=("in_app", "email", "webhook"))
        await facts.publish(PreferencesUpdateRequested(user_id=user, email="owner@example.com", rules=(rule,)), user)
        await facts.publish(hook(f"w{unique}", user, url), user)
        await facts.wait("notifications.preferences_updated", user_id=user)
        await facts.wait("notifications.webhook_saved", user_id=user)
        event = await facts.publish(ready(f"d{unique}"), user)
        await facts.publish(None, user, envelope=event)  # redelivery of the very same event
        await facts.wait("notifications.webhook_delivered", user_id=user)
        await facts.wait("notifications.email_sent", user_id=user)
        await asyncio.sleep(2)  # time for any duplicate to show up
        server.close()
        assert len(facts.of("notifications.created", user_id=user)) == 1
        assert len(receiver.verified["/hook"]) == 1 and receiver.bad_signatures == 0
        body = receiver.verified["/hook"][0]
        assert body["type"] == "datasets.ready" and body["event_id"] == str(event.event_id) and body["owner"] == user
        assert body["data"]["dataset_id"] == f"d{unique}" and body["notification"]["level"] == "success"
        delivered = facts.of("notifications.webhook_delivered", user_id=user)[0]
        assert delivered.payload.status_code == 204 and delivered.payload.latency_ms is not None

    asyncio.run(run(scenario, infra.kafka_bootstrap))
    mails = [m for m in inbox.messages if m.rcpt_tos == ["owner@example.com"]]
    assert len(mails) == 1
    parsed = message_from_bytes(mails[0].content, policy=policy.default)
    assert parsed["Subject"] == "[PFD] Data set “it set” is ready"
    assert {part.get_content_type() for part in parsed.walk()} >= {"text/plain", "text/html"}


def test_failing_endpoint_is_retried_with_backoff_then_disabled_and_the_owner_told(infra, notifier, unique) -> None:
    receiver, user = Receiver(failing={"/flaky"}), f"u-{unique}"

    async def scenario(facts: Facts) -> None:
        server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0)
        url = f"http://127.0.0.1:{server.sockets[0].getsockname()[1]}/flaky"
        await facts.publish(hook(f"f{unique}", user, url), user)
        await facts.wait("notifications.webhook_saved", user_id=user)
        await facts.publish(DatasetFailed(dataset_id=f"d{unique}", reason="bad config"), user)
        disabled = (await facts.wait("notifications.webhook_disabled", user_id=user))[0]
        assert disabled.payload.consecutive_failures == 3 and "HTTP 500" in disabled.payload.reason
        failures = facts.of("notifications.webhook_delivery_failed", user_id=user)
        assert [f.payload.attempt for f in failures] == [1, 2, 3]
        assert all(f.payload.status_code == 500 for f in failures)
        gaps = [(f.payload.next_attempt_at - f.payload.at).total_seconds() for f in failures[:2]]
        assert gaps == pytest.approx([0.5, 1.0], abs=0.05)  # exponential backoff, scheduled
        notes = await facts.wait("notifications.created", 2, user_id=user)  # the event, then the disabling
        assert any(n.payload.title == f"Webhook “f{unique}” disabled" for n in notes)
        await asyncio.sleep(2.5)
        server.close()
        assert len(receiver.verified["/flaky"]) == 3 and receiver.bad_signatures == 0  # nothing after disabling

    asyncio.run(run(scenario, infra.kafka_bootstrap))


def test_admin_smtp_config_with_sealed_password_and_test_emails(infra, notifier, smtp, unique) -> None:
    inbox, smtp_port = smtp
    admin = f"admin-{unique}"

    async def scenario(facts: Facts) -> None:
        closed = SmtpConfigUpdateRequested(host="127.0.0.1", port=free_port(), tls_mode="none",
                                           from_address="pfd@example.com")
        await facts.publish(closed, admin)
        await facts.wait("notifications.smtp_config_updated", port=closed.port)
        await facts.publish(TestEmailRequested(to=f"first-{unique}@example.com"), admin)
        failed = (await facts.wait("notifications.email_failed", to=f"first-{unique}@example.com"))[0]
        assert "unreachable" in failed.payload.error and failed.payload.next_attempt_at is None
        assert failed.owner == admin
        good = SmtpConfigUpdateRequested(host="127.0.0.1", port=smtp_port, tls_mode="none", username=SMTP_USER,
                                         password_sealed=seal(SEAL_KEY, SMTP_PASSWORD), from_address="pfd@example.com")
        await facts.publish(good, admin)
        saved = (await facts.wait("notifications.smtp_config_updated", port=smtp_port))[0]
        assert saved.payload.password_set and SMTP_PASSWORD not in saved.model_dump_json()
        await facts.publish(TestEmailRequested(to=f"second-{unique}@example.com"), admin)
        sent = (await facts.wait("notifications.email_sent", to=f"second-{unique}@example.com"))[0]
        assert sent.payload.kind == "test"

    asyncio.run(run(scenario, infra.kafka_bootstrap))
    assert SMTP_USER in inbox.logins
    assert any(m.rcpt_tos == [f"second-{unique}@example.com"] for m in inbox.messages)

