"""Public API models (XPublic / XCreate)."""

from __future__ import annotations

from collections import defaultdict
from datetime import datetime
from uuid import UUID

from pydantic import BaseModel, Field

from pfd_gateway.domain.system_status import InstanceStatus


class ConsumerLagPublic(BaseModel):
    group_id: str
    topic: str
    lag: int


class InstancePublic(BaseModel):
    instance_id: str
    version: str
    host: str
    pid: int
    started_at: datetime
    uptime_s: float
    ready: bool
    consumer_lag: list[ConsumerLagPublic]
    total_lag: int
    dlq_count: int
    handled_count: int
    last_seen_at: datetime


class ServicePublic(BaseModel):
    name: str
    ready: bool = Field(description="Every instance is ready.")
    instances: list[InstancePublic]
    total_lag: int
    dlq_count: int


class StatusRoundCreate(BaseModel):
    timeout_s: float = Field(default=2.0, gt=0, le=30, description="How long to wait for answers.")
    expected: int | None = Field(default=None, ge=1, le=1000, description="Return as soon as this many answered.")


class StatusRoundPublic(BaseModel):
    request_id: UUID
    answered: list[ServicePublic]


def instance_public(status: InstanceStatus) -> InstancePublic:
    report = status.report
    return InstancePublic(
        instance_id=report.instance_id, version=report.version, host=report.host, pid=report.pid,
        started_at=report.started_at, uptime_s=report.uptime_s, ready=report.ready,
        consumer_lag=[ConsumerLagPublic(group_id=i.group_id, topic=i.topic_name, lag=i.lag) for i in report.consumer_lag],
        total_lag=report.total_lag, dlq_count=report.dlq_count, handled_count=report.handled_count,
        last_seen_at=status.seen_at,
    )


def services_public(statuses: list[InstanceStatus]) -> list[ServicePublic]:
    """Group instances by service name."""
    grouped: dict[str, list[InstancePublic]] = defaultdict(list)
    for status in statuses:
        grouped[status.report.service].append(instance_public(status))
    return [
        ServicePublic(
            name=name, ready=all(i.ready for i in instances), instances=instances,
            total_lag=sum(i.total_lag for i in instances), dlq_count=sum(i.dlq_count for i in instances),
        )
        for name, instances in sorted(grouped.items())
    ]
