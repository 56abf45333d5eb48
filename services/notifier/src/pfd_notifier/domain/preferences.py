"""Which channels one event reaches for one user, from their saved rules (or the defaults)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from pfd_shared.events.notifications import DeliveryMode, DigestFrequency, PreferenceRule
from pfd_shared.notification_rules import DEFAULT_CHANNELS


@dataclass(frozen=True)
class Route:
    in_app: bool
    email_now: bool
    email_digest: bool
    webhook: bool


def route(rules: Iterable[PreferenceRule] | None, event_type: str, *, frequency: DigestFrequency,
          has_email: bool) -> Route:
    """The user's rule for ``event_type`` (defaults when they saved none). Email needs an address; the digest
    needs a frequency (with digests off, a digest rule mails at once)."""
    chosen = next((rule for rule in rules or () if rule.event_type == event_type), None)
    channels = DEFAULT_CHANNELS if chosen is None else chosen.channels
    mode: DeliveryMode = "immediate" if chosen is None else chosen.mode
    email = has_email and "email" in channels
    digest = email and mode == "digest" and frequency != "off"
    return Route("in_app" in channels, email and not digest, digest, "webhook" in channels)


def webhook_wants(event_types: Iterable[str], event_type: str) -> bool:
    """A webhook's event filter: empty means every event."""
    wanted = tuple(event_types)
    return not wanted or event_type in wanted
