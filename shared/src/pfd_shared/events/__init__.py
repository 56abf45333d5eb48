"""The event contract: one envelope, frozen payloads grouped by domain, a serializer and a catalogue."""

from pfd_shared.events.envelope import Envelope, EventPayload, new_envelope
from pfd_shared.events.serializer import InvalidEvent, UnknownEventType, decode_event, encode_event

__all__ = [
    "Envelope",
    "EventPayload",
    "InvalidEvent",
    "UnknownEventType",
    "decode_event",
    "encode_event",
    "new_envelope",
]
