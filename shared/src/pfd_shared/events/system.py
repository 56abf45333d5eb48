"""System events: the status round trip and service lifecycle."""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from pydantic import AwareDatetime, Field

from pfd_shared import topics
from pfd_shared.events.envelope import EventPayload


class ServiceStatusRequested(EventPayload):
    """Asks every running service instance to report its status."""

    event_type = "system.status_requested"
    topic = topics.SYSTEM_STATUS_REQUESTED

    request_id: UUID
    requested_by: str = Field(min_length=1)

    def key(self) -> str:
        """request_id"""
        return str(self.request_id)


class ConsumerLag(EventPayload):
    """Lag of one consumer group on one topic (messages not yet processed)."""

    group_id: str
    topic_name: str
    lag: int = Field(ge=0)


class WorkerCapacity(EventPayload):
    """Job slots of a worker instance (e.g. training): how many jobs it runs at once and which it runs now.

    An instance with ``slots`` 0 takes no new jobs (it is stopping); no live instance with free or busy slots
    means queued jobs wait for a worker.
    """

    slots: int = Field(ge=0)
    busy: int = Field(ge=0)
    jobs: tuple[str, ...] = ()


class ServiceStatusReported(EventPayload):
    """One service instance's answer to a status request (or its announcement on start)."""

    event_type = "system.status_reported"
    topic = topics.SYSTEM_STATUS_REPORTED

    request_id: UUID | None = None
    service: str = Field(min_length=1)
    instance_id: str = Field(min_length=1)
    version: str
    host: str
    pid: int
    started_at: AwareDatetime
    uptime_s: float = Field(ge=0)
    ready: bool
    consumer_lag: tuple[ConsumerLag, ...] = ()
    dlq_count: int = Field(ge=0)
    handled_count: int = Field(ge=0)
    capacity: WorkerCapacity | None = Field(default=None, description="Job slots; None: the service runs no jobs.")

    def key(self) -> str:
        """service"""
        return self.service

    @property
    def total_lag(self) -> int:
        return sum(item.lag for item in self.consumer_lag)


class ServiceStopped(EventPayload):
    """A service instance is shutting down gracefully."""

    event_type = "system.service_stopped"
    topic = topics.SYSTEM_SERVICE_STOPPED

    service: str = Field(min_length=1)
    instance_id: str = Field(min_length=1)
    stopped_at: datetime
    reason: str = "shutdown"

    def key(self) -> str:
        """service"""
        return self.service
