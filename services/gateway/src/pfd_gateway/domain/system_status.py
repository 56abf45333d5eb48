"""The system status read model: latest report per service instance, expiring when silent."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from pfd_shared.events.system import ServiceStatusReported


@dataclass(frozen=True, slots=True)
class InstanceKey:
    service: str
    instance_id: str


@dataclass(frozen=True, slots=True)
class InstanceStatus:
    report: ServiceStatusReported
    seen_at: datetime


class StatusBoard:
    """Keeps the latest answer of every live service instance."""

    def __init__(self, ttl_s: float) -> None:
        self.ttl_s = ttl_s
        self._instances: dict[InstanceKey, InstanceStatus] = {}

    def apply(self, report: ServiceStatusReported, seen_at: datetime) -> bool:
        """Record a report; True when the instance is new."""
        key = InstanceKey(report.service, report.instance_id)
        is_new = key not in self._instances
        self._instances[key] = InstanceStatus(report, seen_at)
        return is_new

    def remove(self, service: str, instance_id: str) -> bool:
        """Forget an instance that announced its stop; True when it was known."""
        return self._instances.pop(InstanceKey(service, instance_id), None) is not None

    def expire(self, now: datetime) -> list[InstanceKey]:
        """Drop instances silent for longer than the TTL; returns them."""
        gone = [key for key, status in self._instances.items() if (now - status.seen_at).total_seconds() > self.ttl_s]
        for key in gone:
            del self._instances[key]
        return gone

    def snapshot(self) -> list[InstanceStatus]:
        """Live instances ordered by service then instance."""
        return [self._instances[key] for key in sorted(self._instances, key=lambda k: (k.service, k.instance_id))]

    def answered(self, request_id: object) -> list[InstanceStatus]:
        """Instances whose latest report answers the given status request."""
        return [status for status in self.snapshot() if status.report.request_id == request_id]
