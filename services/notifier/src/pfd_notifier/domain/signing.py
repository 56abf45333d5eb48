"""Webhook signatures: HMAC-SHA256 over "<timestamp>.<body>" with the webhook's secret (docs/webhooks.md)."""

from __future__ import annotations

import hashlib
import hmac

SIGNATURE_HEADER = "X-PFD-Signature"
TIMESTAMP_HEADER = "X-PFD-Timestamp"
EVENT_HEADER = "X-PFD-Event"
DELIVERY_HEADER = "X-PFD-Delivery"
SCHEME = "sha256="
DEFAULT_TOLERANCE_S = 300


def signature(secret: str, timestamp: int, body: bytes) -> str:
    """The value of the X-PFD-Signature header."""
    mac = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256)
    return SCHEME + mac.hexdigest()


def verify(secret: str, timestamp: str, body: bytes, header: str, *, now: float,
           tolerance_s: int = DEFAULT_TOLERANCE_S) -> bool:
    """What a receiver does: recompute, compare in constant time, refuse stale timestamps (replays)."""
    try:
        sent = int(timestamp)
    except ValueError:
        return False
    if abs(now - sent) > tolerance_s:
        return False
    return hmac.compare_digest(signature(secret, sent, body), header)
