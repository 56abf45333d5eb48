"""The envelope, payloads, serializer and catalogue."""

import json
from datetime import UTC, datetime
from uuid import uuid4

import pytest
from pydantic import ValidationError

from pfd_shared.events import Envelope, InvalidEvent, UnknownEventType, decode_event, encode_event, new_envelope
from pfd_shared.events.catalogue import EVENT_TYPES, json_schemas
from pfd_shared.events.system import ServiceStatusReported, ServiceStatusRequested


def _request() -> ServiceStatusRequested:
    return ServiceStatusRequested(request_id=uuid4(), requested_by="test")


def test_envelope_carries_metadata_and_is_frozen() -> None:
    envelope = new_envelope(_request(), producer="gateway", owner="user-1")
    assert envelope.type == "system.status_requested"
    assert envelope.schema_version == 1
    assert envelope.occurred_at.tzinfo is not None
    assert envelope.causation_id is None
    with pytest.raises(ValidationError):
        envelope.producer = "other"  # type: ignore[misc]
    with pytest.raises(ValidationError):
        envelope.payload.requested_by = "other"  # type: ignore[misc]


def test_caused_event_inherits_correlation_and_owner() -> None:
    cause = new_envelope(_request(), producer="gateway", owner="user-1")
    report = ServiceStatusReported(service="svc", instance_id="i", version="1", host="h", pid=1,
                                   started_at=datetime.now(UTC), uptime_s=0, ready=True, dlq_count=0, handled_count=0)
    effect = new_envelope(report, producer="svc", cause=cause)
    assert effect.correlation_id == cause.correlation_id
    assert effect.causation_id == cause.event_id
    assert effect.owner == "user-1"
    assert effect.key() == b"svc"


def test_round_trip_through_bytes() -> None:
    envelope = new_envelope(_request(), producer="gateway")
    decoded = decode_event(encode_event(envelope))
    assert decoded == envelope
    assert isinstance(decoded.payload, ServiceStatusRequested)


def test_naive_timestamps_are_refused() -> None:
    raw = new_envelope(_request(), producer="gateway").model_dump(mode="json")
    raw["occurred_at"] = "2026-01-01T00:00:00"
    with pytest.raises(ValidationError):
        Envelope[ServiceStatusRequested].model_validate(raw)
    with pytest.raises(InvalidEvent):
        decode_event(json.dumps(raw))


@pytest.mark.parametrize("data, error", [
    (b"not json", InvalidEvent),
    (b"[1, 2]", InvalidEvent),
    (b'{"type": "nope.unknown"}', UnknownEventType),
    (b'{"type": "system.status_requested", "payload": {}}', InvalidEvent),
])
def test_bad_bytes_are_rejected_with_a_reason(data: bytes, error: type[Exception]) -> None:
    with pytest.raises(error):
        decode_event(data)


def test_type_must_match_payload() -> None:
    envelope = new_envelope(_request(), producer="gateway")
    raw = envelope.model_dump(mode="json") | {"type": "system.status_reported"}
    with pytest.raises(ValidationError, match="does not match"):
        Envelope[ServiceStatusRequested].model_validate(raw)


def test_additive_changes_are_tolerated() -> None:
    envelope = new_envelope(_request(), producer="gateway")
    raw = envelope.model_dump(mode="json")
    raw["payload"]["added_later"] = 1
    raw["added_later"] = True
    assert decode_event(json.dumps(raw)).payload == envelope.payload


def test_catalogue_exports_a_schema_per_event() -> None:
    schemas = json_schemas()
    assert set(schemas) == set(EVENT_TYPES)
    for name, entry in schemas.items():
        assert entry["topic"].startswith("pfd.")
        assert "payload" in entry["schema"]["properties"], name
