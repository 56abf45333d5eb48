"""The catalogue of every event type: lookup by name and JSON Schema export."""

from __future__ import annotations

import json
from typing import Any

from pfd_shared.events import campaigns, datasets, deploy, monitoring, notifications, projections, system, training, xai
from pfd_shared.events.envelope import Envelope, EventPayload

_DOMAIN_MODULES = (system, datasets, training, notifications, projections, xai, deploy, campaigns, monitoring)


def _collect() -> dict[str, type[EventPayload]]:
    found: dict[str, type[EventPayload]] = {}
    for module in _DOMAIN_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, EventPayload) and "event_type" in vars(value):
                if value.event_type in found:
                    raise ValueError(f"event type {value.event_type!r} is defined twice")
                found[value.event_type] = value
    return found


EVENT_TYPES: dict[str, type[EventPayload]] = _collect()


def payload_class(event_type: str) -> type[EventPayload] | None:
    """The payload class of an event type, or None when the type is unknown."""
    return EVENT_TYPES.get(event_type)


def json_schemas() -> dict[str, Any]:
    """JSON Schema of each event's full envelope, keyed by event type (sorted, stable)."""
    return {
        name: {
            "topic": cls.topic.name,
            "schema_version": cls.schema_version,
            "description": (cls.__doc__ or "").strip(),
            "schema": Envelope[cls].model_json_schema(),  # type: ignore[valid-type]
        }
        for name, cls in sorted(EVENT_TYPES.items())
    }


def json_schemas_text() -> str:
    """The catalogue as canonical JSON text (what is checked in)."""
    return json.dumps(json_schemas(), indent=2, sort_keys=True) + "\n"
