"""Sends one signed webhook request to a checked address and reports status code and latency."""

from __future__ import annotations

import time
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

import httpx

from pfd_notifier import __version__
from pfd_notifier.domain import signing
from pfd_notifier.settings import WebhookSettings
from pfd_notifier.ssrf import Address, TargetRefused, resolve_checked

DEFAULT_PORTS = {"http": 80, "https": 443}
RETRIED_CLIENT_ERRORS = frozenset({408, 425, 429})
SUCCESS = range(200, 300)


@dataclass(frozen=True)
class Outcome:
    """One attempt: ``ok``; ``permanent`` failures are not retried."""

    ok: bool
    status_code: int | None = None
    latency_ms: float | None = None
    error: str | None = None
    permanent: bool = False


def _pinned_url(url: str, address: Address) -> str:
    parts = urlsplit(url)
    host = f"[{address}]" if address.version == 6 else str(address)
    port = parts.port or DEFAULT_PORTS[parts.scheme]
    return urlunsplit((parts.scheme, f"{host}:{port}", parts.path or "/", parts.query, ""))


def classify(status_code: int, reason: str, excerpt: str) -> Outcome:
    if status_code in SUCCESS:
        return Outcome(True, status_code)
    detail = f"HTTP {status_code} {reason}".strip() + (f": {excerpt}" if excerpt else "")
    if 300 <= status_code < 400:
        return Outcome(False, status_code, error=f"{detail} (redirects are not followed)", permanent=True)
    permanent = 400 <= status_code < 500 and status_code not in RETRIED_CLIENT_ERRORS
    return Outcome(False, status_code, error=detail, permanent=permanent)


class WebhookSender:
    def __init__(self, settings: WebhookSettings) -> None:
        self.settings = settings

    async def send(self, url: str, secret: str, body: bytes, event_type: str, delivery_id: str) -> Outcome:
        parts = urlsplit(url)
        host = parts.hostname or ""
        try:
            addresses = await resolve_checked(host, parts.port or DEFAULT_PORTS[parts.scheme],
                                              self.settings.allowed_networks)
        except TargetRefused as exc:
            return Outcome(False, error=str(exc), permanent=True)
        timestamp = int(time.time())
        headers = {"Content-Type": "application/json", "User-Agent": f"PFD-Notifier/{__version__}",
                   "Host": parts.netloc.rsplit("@", 1)[-1], signing.EVENT_HEADER: event_type,
                   signing.DELIVERY_HEADER: delivery_id, signing.TIMESTAMP_HEADER: str(timestamp),
                   signing.SIGNATURE_HEADER: signing.signature(secret, timestamp, body)}
        extensions = {"sni_hostname": host} if parts.scheme == "https" else {}
        started = time.perf_counter()
        try:
            async with httpx.AsyncClient(timeout=self.settings.timeout_s, follow_redirects=False,
                                         trust_env=False) as client:
                response = await client.post(_pinned_url(url, addresses[0]), content=body, headers=headers,
                                             extensions=extensions)
        except httpx.TimeoutException:
            return Outcome(False, latency_ms=_ms(started), error=f"timed out after {self.settings.timeout_s:g}s")
        except httpx.HTTPError as exc:
            return Outcome(False, latency_ms=_ms(started), error=f"{host} unreachable: {exc or type(exc).__name__}")
        excerpt = response.text[: self.settings.error_excerpt_chars].strip()
        outcome = classify(response.status_code, response.reason_phrase, excerpt)
        return Outcome(outcome.ok, outcome.status_code, _ms(started), outcome.error, outcome.permanent)


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 2)
