"""The status responder: every service instance answers status requests, the runtime does it for them."""

from __future__ import annotations

import os
import socket
from datetime import UTC, datetime
from typing import TYPE_CHECKING
from uuid import UUID

from pfd_shared.events.envelope import Envelope, new_envelope
from pfd_shared.events.system import ConsumerLag, ServiceStatusReported, ServiceStatusRequested

if TYPE_CHECKING:
    from pfd_shared.runtime.service import ServiceRuntime


async def build_report(runtime: ServiceRuntime, request_id: UUID | None) -> ServiceStatusReported:
    """This instance's status right now."""
    now = datetime.now(UTC)
    lags = tuple(ConsumerLag(group_id=group, topic_name=topic, lag=lag)
                 for (group, topic), lag in sorted((await runtime.bus.consumer_lag()).items()))
    for item in lags:
        runtime.metrics.consumer_lag.labels(item.group_id, item.topic_name).set(item.lag)
    return ServiceStatusReported(
        request_id=request_id,
        service=runtime.service,
        instance_id=runtime.settings.instance_id,
        version=runtime.version,
        host=socket.gethostname(),
        pid=os.getpid(),
        started_at=runtime.started_at,
        uptime_s=(now - runtime.started_at).total_seconds(),
        ready=runtime.ready,
        consumer_lag=lags,
        dlq_count=runtime.metrics.dead_letter_count(),
        handled_count=runtime.metrics.handled_count(),
        capacity=runtime.capacity() if runtime.capacity is not None else None,
    )


def register_status_responder(runtime: ServiceRuntime) -> None:
    """Answer every status request (broadcast: each instance answers for itself)."""

    @runtime.bus.subscribe(ServiceStatusRequested, group_id=None)
    async def on_status_requested(envelope: Envelope[ServiceStatusRequested]) -> None:
        """Reply with this instance's name, version, uptime, consumer lag and DLQ count."""
        report = await build_report(runtime, envelope.payload.request_id)
        await runtime.bus.publish(new_envelope(report, producer=runtime.service, cause=envelope))
