"""System status service: projects status events, runs status rounds, serves the read model."""

from __future__ import annotations

import asyncio
import logging
from datetime import UTC, datetime
from uuid import UUID, uuid4

from pfd_shared.events.envelope import Envelope, new_envelope
from pfd_shared.events.system import ServiceStatusReported, ServiceStatusRequested, ServiceStopped
from pfd_shared.messaging.bus import EventBus

from pfd_gateway.domain.system_status import InstanceStatus, StatusBoard
from pfd_gateway.live.hub import LiveHub

log = logging.getLogger(__name__)

FRAME_STATUS = "system.status_reported"
FRAME_GONE = "system.service_gone"


class SystemStatusService:
    def __init__(self, board: StatusBoard, hub: LiveHub, bus: EventBus, *, producer: str) -> None:
        self.board = board
        self.hub = hub
        self.bus = bus
        self.producer = producer
        self._answers = asyncio.Condition()

    async def project_reports(self, batch: list[tuple[Envelope[ServiceStatusReported], bytes]]) -> None:
        """Keep the latest answer of each instance and push every report to the browsers."""
        now = datetime.now(UTC)
        for envelope, raw in batch:
            report = envelope.payload
            if self.board.apply(report, now):
                log.info("service instance up: %s/%s", report.service, report.instance_id)
            self.hub.publish_raw(FRAME_STATUS, raw)
        if any(envelope.payload.request_id is not None for envelope, _ in batch):
            async with self._answers:
                self._answers.notify_all()

    async def project_stop(self, envelope: Envelope[ServiceStopped]) -> None:
        stopped = envelope.payload
        if self.board.remove(stopped.service, stopped.instance_id):
            self._push_gone(stopped.service, stopped.instance_id, stopped.reason)

    def expire(self) -> None:
        for key in self.board.expire(datetime.now(UTC)):
            self._push_gone(key.service, key.instance_id, "no answer within the status TTL")

    def _push_gone(self, service: str, instance_id: str, reason: str) -> None:
        log.info("service instance gone: %s/%s (%s)", service, instance_id, reason)
        self.hub.publish(FRAME_GONE, {"service": service, "instance_id": instance_id, "reason": reason})

    async def request_round(self, requested_by: str, correlation_id: UUID | None = None) -> UUID:
        """Ask every service instance for its status; returns the request id."""
        request_id = uuid4()
        payload = ServiceStatusRequested(request_id=request_id, requested_by=requested_by)
        await self.bus.publish(new_envelope(payload, producer=self.producer, correlation_id=correlation_id))
        return request_id

    async def wait_for_answers(self, request_id: UUID, timeout_s: float, expected: int) -> list[InstanceStatus]:
        """Answers to one round, returning early once ``expected`` instances answered."""

        def enough() -> bool:
            return len(self.board.answered(request_id)) >= expected

        async with self._answers:
            try:
                await asyncio.wait_for(self._answers.wait_for(enough), timeout=timeout_s)
            except TimeoutError:
                pass
        return self.board.answered(request_id)

    def services(self) -> list[InstanceStatus]:
        return self.board.snapshot()

    async def run_rounds(self, interval_s: float, sweep_s: float) -> None:
        """Request a round every ``interval_s`` and expire silent instances every ``sweep_s``, until cancelled."""
        loop = asyncio.get_running_loop()
        next_round = loop.time()
        while True:
            if loop.time() >= next_round:
                next_round = loop.time() + interval_s
                try:
                    await self.request_round(self.producer)
                except Exception as exc:  # noqa: BLE001 - the broker may be down; keep expiring
                    log.warning("status round not sent: %s", exc)
            self.expire()
            await asyncio.sleep(min(sweep_s, max(0.0, next_round - loop.time())))
