"""Messaging on the real broker: retries then dead letters, idempotency with PostgreSQL, outbox, traces."""

import asyncio
from uuid import uuid4

import pytest
from faststream.kafka import KafkaMessage
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter
from prometheus_client import CollectorRegistry
from sqlalchemy import MetaData

from pfd_shared import topics
from pfd_shared.db.engine import make_engine, make_session_factory
from pfd_shared.db.idempotency import handle_once
from pfd_shared.db.messaging_tables import add_messaging_tables
from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, new_envelope
from pfd_shared.events.system import ServiceStatusRequested
from pfd_shared.messaging.broker import make_broker
from pfd_shared.messaging.bus import EventBus
from pfd_shared.settings import DatabaseSettings
from pfd_shared.telemetry.metrics import ServiceMetrics

pytestmark = pytest.mark.integration
WAIT_S = 15


async def wait_until(predicate, timeout_s: float = WAIT_S) -> None:
    deadline = asyncio.get_running_loop().time() + timeout_s
    while not predicate():
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError("condition not met in time")
        await asyncio.sleep(0.02)


def _bus(kafka_settings, tracer_provider=None) -> EventBus:
    metrics = ServiceMetrics(CollectorRegistry())
    broker, sink = make_broker(kafka_settings, service="itest", metrics=metrics, tracer_provider=tracer_provider)
    return EventBus(broker, kafka_settings, service="itest", metrics=metrics, dead_letters=sink)


def _request(tag: str) -> Envelope[ServiceStatusRequested]:
    return new_envelope(ServiceStatusRequested(request_id=uuid4(), requested_by=tag), producer="itest")


async def test_failures_are_retried_then_dead_lettered_and_consumption_goes_on(kafka_settings, unique) -> None:
    bus = _bus(kafka_settings)
    attempts: dict[str, int] = {}
    handled: list[str] = []
    dead: list[KafkaMessage] = []

    @bus.subscribe(ServiceStatusRequested, group_id=f"itest-{unique}")
    async def handle(envelope: Envelope[ServiceStatusRequested]) -> None:
        tag = envelope.payload.requested_by
        if not tag.endswith(unique):
            return  # earlier tests' status requests on the session's broker
        attempts[tag] = attempts.get(tag, 0) + 1
        if tag.startswith("flaky") and attempts[tag] < 2:
            raise ConnectionError("transient")
        if tag.startswith("always"):
            raise RuntimeError("bug")
        handled.append(tag)

    @bus.broker.subscriber(topics.DEAD_LETTER.name, fetch_max_wait_ms=10, auto_offset_reset="latest")
    async def on_dead_letter(message: KafkaMessage) -> None:
        if message.raw_message.key == unique.encode() or unique.encode() in message.body:
            dead.append(message)

    await bus.broker.start()
    try:
        await asyncio.sleep(1.5)  # group join on the local broker
        await bus.broker.publish(b"\x00garbage", topic=topics.SYSTEM_STATUS_REQUESTED.name, key=unique.encode())
        for tag in (f"flaky-{unique}", f"always-{unique}", f"fine-{unique}"):
            await bus.publish(_request(tag))
        await wait_until(lambda: f"fine-{unique}" in handled and len(dead) >= 2)
    finally:
        await bus.broker.stop()
    assert handled == [f"flaky-{unique}", f"fine-{unique}"]
    assert attempts[f"always-{unique}"] == kafka_settings.max_handler_attempts
    reasons = sorted(dict(m.headers)["pfd-dlq-reason"] for m in dead)
    assert reasons == ["handler failed 3 times", "invalid"]
    assert bus.metrics.dead_letter_count() >= 2


async def test_idempotent_handling_and_outbox_on_postgresql(fresh_database_url, kafka_settings, unique) -> None:
    metadata = MetaData()
    tables = add_messaging_tables(metadata)
    engine = make_engine(fresh_database_url, DatabaseSettings())
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    sessions = make_session_factory(engine)
    bus = _bus(kafka_settings)
    received: list[Envelope[ServiceStatusRequested]] = []

    @bus.subscribe(ServiceStatusRequested, group_id=None)
    async def collect(envelope: Envelope[ServiceStatusRequested]) -> None:
        if envelope.payload.requested_by == unique:
            received.append(envelope)

    relay = OutboxRelay(sessions, tables.outbox,
                        lambda body, topic, key, headers: bus.broker.publish(body, topic=topic, key=key, headers=headers),
                        batch_size=50, poll_interval_s=0.05)
    cause = _request("cause")
    effect = _request(unique)

    async def work(session) -> str:
        await add_to_outbox(session, tables.outbox, effect)
        return "done"

    await bus.broker.start()
    try:
        await asyncio.sleep(0.5)
        assert await handle_once(sessions, tables.processed_events, "g", cause, work) == "done"
        assert await handle_once(sessions, tables.processed_events, "g", cause, work) is None  # redelivery
        assert await relay.pending() == 1
        assert await relay.relay_once() == 1
        await wait_until(lambda: len(received) == 1)
    finally:
        await bus.broker.stop()
        await engine.dispose()
    assert received[0].event_id == effect.event_id


async def test_trace_context_travels_in_kafka_headers(kafka_settings, unique) -> None:
    exporter = InMemorySpanExporter()
    provider = TracerProvider()
    provider.add_span_processor(SimpleSpanProcessor(exporter))
    bus = _bus(kafka_settings, tracer_provider=provider)
    seen = asyncio.Event()

    @bus.subscribe(ServiceStatusRequested, group_id=None)
    async def handle(envelope: Envelope[ServiceStatusRequested]) -> None:
        if envelope.payload.requested_by == unique:
            seen.set()

    await bus.broker.start()
    try:
        await asyncio.sleep(0.5)
        tracer = provider.get_tracer("itest")
        with tracer.start_as_current_span("api request") as root:
            await bus.publish(_request(unique))
        await asyncio.wait_for(seen.wait(), WAIT_S)
        await asyncio.sleep(0.2)
    finally:
        await bus.broker.stop()
    trace_ids = {span.context.trace_id for span in exporter.get_finished_spans()
                 if span.name.startswith(topics.SYSTEM_STATUS_REQUESTED.name)}
    assert trace_ids == {root.get_span_context().trace_id}
