"""Bytes on the wire <-> typed envelopes."""

from __future__ import annotations

import json
from typing import Any

from pydantic import ValidationError

from pfd_shared.events.envelope import Envelope


class InvalidEvent(ValueError):
    """The bytes are not a valid event (bad JSON, missing fields, wrong types)."""


class UnknownEventType(InvalidEvent):
    """The event's type is not in the catalogue."""


def encode_event(envelope: Envelope[Any]) -> bytes:
    """Serialize an envelope to UTF-8 JSON."""
    return envelope.model_dump_json().encode()


def decode_event(data: bytes | str) -> Envelope[Any]:
    """Parse and validate bytes into the envelope of the right payload type."""
    from pfd_shared.events.catalogue import payload_class

    try:
        raw = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InvalidEvent(f"not JSON: {exc}") from exc
    if not isinstance(raw, dict):
        raise InvalidEvent("an event must be a JSON object")
    event_type = raw.get("type")
    cls = payload_class(event_type) if isinstance(event_type, str) else None
    if cls is None:
        raise UnknownEventType(f"unknown event type {event_type!r}")
    try:
        return Envelope[cls].model_validate(raw)  # type: ignore[valid-type]
    except ValidationError as exc:
        raise InvalidEvent(f"invalid {event_type}: {exc.error_count()} error(s): {exc.errors()[0]['msg']}") from exc
