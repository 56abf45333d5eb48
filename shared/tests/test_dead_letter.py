"""Dead-lettering with FastStream's TestKafkaBroker: poison messages go to the DLQ, the consumer goes on."""

from uuid import uuid4

import pytest
from faststream.kafka import KafkaMessage, TestKafkaBroker
from prometheus_client import CollectorRegistry

from pfd_shared import topics
from pfd_shared.events import Envelope, new_envelope
from pfd_shared.events.system import ServiceStatusRequested
from pfd_shared.messaging.broker import make_broker
from pfd_shared.messaging.bus import EventBus
from pfd_shared.messaging.dead_letter import PermanentHandlerError, classify
from pfd_shared.settings import KafkaSettings
from pfd_shared.telemetry.metrics import ServiceMetrics


def _bus() -> tuple[EventBus, ServiceMetrics]:
    metrics = ServiceMetrics(CollectorRegistry())
    kafka = KafkaSettings()
    broker, sink = make_broker(kafka, service="unit", metrics=metrics)
    return EventBus(broker, kafka, service="unit", metrics=metrics, dead_letters=sink), metrics


async def test_invalid_messages_are_dead_lettered_and_valid_ones_handled() -> None:
    bus, metrics = _bus()
    handled: list[Envelope[ServiceStatusRequested]] = []
    dead: list[KafkaMessage] = []

    @bus.subscribe(ServiceStatusRequested, group_id="unit-group")
    async def handle(envelope: Envelope[ServiceStatusRequested]) -> None:
        handled.append(envelope)

    @bus.broker.subscriber(topics.DEAD_LETTER.name)
    async def on_dead_letter(message: KafkaMessage) -> None:
        dead.append(message)

    async with TestKafkaBroker(bus.broker):
        await bus.broker.publish(b"{broken", topic=topics.SYSTEM_STATUS_REQUESTED.name)
        await bus.broker.publish(b'{"type": "system.unknown"}', topic=topics.SYSTEM_STATUS_REQUESTED.name)
        good = new_envelope(ServiceStatusRequested(request_id=uuid4(), requested_by="t"), producer="unit")
        await bus.publish(good)

    assert [e.event_id for e in handled] == [good.event_id]
    assert len(dead) == 2
    headers = dict(dead[0].headers)
    assert headers["pfd-dlq-reason"] == "invalid"
    assert headers["pfd-dlq-source-topic"] == topics.SYSTEM_STATUS_REQUESTED.name
    assert dead[0].body == b"{broken"
    assert metrics.dead_letter_count() == 2
    assert metrics.handled_count() == 1


async def test_permanent_handler_errors_skip_retries() -> None:
    bus, metrics = _bus()
    dead: list[KafkaMessage] = []

    @bus.subscribe(ServiceStatusRequested, group_id="unit-group")
    async def handle(envelope: Envelope[ServiceStatusRequested]) -> None:
        raise PermanentHandlerError("this request can never be served")

    @bus.broker.subscriber(topics.DEAD_LETTER.name)
    async def on_dead_letter(message: KafkaMessage) -> None:
        dead.append(message)

    async with TestKafkaBroker(bus.broker):
        await bus.publish(new_envelope(ServiceStatusRequested(request_id=uuid4(), requested_by="t"), producer="unit"))

    assert dict(dead[0].headers)["pfd-dlq-reason"] == "permanent"
    assert "never be served" in dict(dead[0].headers)["pfd-dlq-error"]


@pytest.mark.parametrize("error, expected", [
    (ValueError("x"), None), (PermanentHandlerError("x"), "permanent"), (RuntimeError("x"), None),
])
def test_classification(error: Exception, expected: str | None) -> None:
    assert classify(error) == expected


async def test_a_poison_record_in_a_batch_is_dead_lettered_alone() -> None:
    bus, metrics = _bus()
    batches: list[list] = []
    dead: list[KafkaMessage] = []

    @bus.subscribe_batch(ServiceStatusRequested, group_id="unit-batch", max_records=100)
    async def project(batch) -> None:
        batches.append(batch)

    @bus.broker.subscriber(topics.DEAD_LETTER.name)
    async def on_dead_letter(message: KafkaMessage) -> None:
        dead.append(message)

    good = new_envelope(ServiceStatusRequested(request_id=uuid4(), requested_by="t"), producer="unit")
    async with TestKafkaBroker(bus.broker):
        await bus.broker.publish_batch(b"{poison", good.model_dump_json().encode(),
                                       topic=topics.SYSTEM_STATUS_REQUESTED.name)

    assert [[envelope.event_id for envelope, _ in batch] for batch in batches] == [[good.event_id]]
    assert batches[0][0][1] == good.model_dump_json().encode()
    assert [m.body for m in dead] == [b"{poison"]
    assert metrics.handled_count() == 1
