"""Every Kafka topic of the platform, named in this one module.

One topic per event type keeps subscribers typed and the AsyncAPI documents exact.
The Kafka key of every message is the aggregate id of its event (see ``EventPayload.key``).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class TopicSpec:
    """A topic and how it is created."""

    name: str
    partitions: int
    description: str
    retention_ms: int | None = None  # None: the broker's default


HOUR_MS = 3_600_000
WEEK_MS = 7 * 24 * HOUR_MS

SYSTEM_STATUS_REQUESTED = TopicSpec(
    "pfd.system.status-requested", 1, "A status round is requested from every running service.", HOUR_MS
)
SYSTEM_STATUS_REPORTED = TopicSpec(
    "pfd.system.status-reported", 1, "A service instance reports its name, version, uptime, lag and DLQ count.", HOUR_MS
)
SYSTEM_SERVICE_STOPPED = TopicSpec(
    "pfd.system.service-stopped", 1, "A service instance is shutting down gracefully.", HOUR_MS
)
DEAD_LETTER = TopicSpec(
    "pfd.dead-letter", 1, "Messages no consumer could process, with the reason in headers.", 4 * WEEK_MS
)

ALL_TOPICS: tuple[TopicSpec, ...] = (
    SYSTEM_STATUS_REQUESTED,
    SYSTEM_STATUS_REPORTED,
    SYSTEM_SERVICE_STOPPED,
    DEAD_LETTER,
)


def topic_names() -> list[str]:
    """Names of every topic, in declaration order."""
    return [spec.name for spec in ALL_TOPICS]
