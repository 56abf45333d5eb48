"""EventBus: publish typed envelopes and register typed handlers (``on_<event>`` subscribers)."""

from __future__ import annotations

import logging
import time
from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from faststream.kafka import KafkaBroker, KafkaMessage
from pydantic import ValidationError

from pfd_shared.events.envelope import Envelope, EventPayload
from pfd_shared.events.serializer import InvalidEvent, decode_event, encode_event
from pfd_shared.messaging.broker import subscriber_options
from pfd_shared.messaging.dead_letter import DeadLetterSink
from pfd_shared.settings import KafkaSettings
from pfd_shared.telemetry.logging import correlation_id_var
from pfd_shared.telemetry.metrics import ServiceMetrics

log = logging.getLogger(__name__)

P = TypeVar("P", bound=EventPayload)
Handler = Callable[[Envelope[P]], Awaitable[None]]
BatchHandler = Callable[[list[tuple[Envelope[P], bytes]]], Awaitable[None]]


def _batch_parser(payload_classes: tuple[type[EventPayload], ...]) -> Callable[[bytes], Envelope[Any]]:
    """Fast single-type validation, or catalogue decoding restricted to the given types."""
    if len(payload_classes) == 1:
        return Envelope[payload_classes[0]].model_validate_json  # type: ignore[valid-type]
    allowed = tuple(payload_classes)

    def parse(raw: bytes) -> Envelope[Any]:
        envelope = decode_event(raw)
        if not isinstance(envelope.payload, allowed):
            raise InvalidEvent(f"{envelope.type} is not expected on this subscriber")
        return envelope

    return parse


def event_headers(envelope: Envelope[Any]) -> dict[str, str]:
    """Kafka headers that let tools route and trace without parsing the body."""
    return {
        "content-type": "application/json",
        "pfd-event-type": envelope.type,
        "pfd-schema-version": str(envelope.schema_version),
        "pfd-producer": envelope.producer,
    }


class EventBus:
    """A service's messaging facade over one KafkaBroker."""

    def __init__(self, broker: KafkaBroker, kafka: KafkaSettings, *, service: str, metrics: ServiceMetrics,
                 dead_letters: DeadLetterSink) -> None:
        self.broker = broker
        self.dead_letters = dead_letters
        self.kafka = kafka
        self.service = service
        self.metrics = metrics
        self.group_subscribers: list[tuple[str, Any]] = []

    async def publish(self, envelope: Envelope[Any]) -> None:
        """Publish one envelope on its payload's topic, keyed by its aggregate id."""
        await self.broker.publish(
            encode_event(envelope),
            topic=envelope.payload.topic.name,
            key=envelope.key(),
            headers=event_headers(envelope),
            correlation_id=str(envelope.correlation_id),
        )
        self.metrics.events_published.labels(envelope.type).inc()

    def subscribe(self, payload_cls: type[P], *, group_id: str | None) -> Callable[[Handler[P]], Handler[P]]:
        """Register ``handler(envelope)`` for one event type.

        ``group_id`` names the service's consumer group (one delivery per group; each handler gets
        its own group ``<group_id>.<event type>`` so handlers never rebalance each other); None
        broadcasts to every instance. The handler must be idempotent; the message is acked after it returns.
        """
        group_id = self._handler_group(group_id, payload_cls)

        def register(handler: Handler[P]) -> Handler[P]:
            metrics = self.metrics
            event_type = payload_cls.event_type

            async def subscriber(envelope: Envelope[payload_cls]) -> None:  # type: ignore[valid-type]
                token = correlation_id_var.set(str(envelope.correlation_id))
                started = time.perf_counter()
                try:
                    await handler(envelope)
                finally:
                    correlation_id_var.reset(token)
                metrics.handler_seconds.labels(event_type).observe(time.perf_counter() - started)
                metrics.events_handled.labels(event_type).inc()

            subscriber.__annotations__["envelope"] = Envelope[payload_cls]  # type: ignore[valid-type]
            subscriber.__name__ = f"on_{event_type.replace('.', '_')}"
            subscriber.__qualname__ = subscriber.__name__
            registered = self.broker.subscriber(
                payload_cls.topic.name,
                title=f"{self.service}:{subscriber.__name__}",
                description=(handler.__doc__ or payload_cls.__doc__ or "").strip(),
                **subscriber_options(self.kafka, group_id=group_id),
            )
            registered(subscriber)
            if group_id is not None:
                self.group_subscribers.append((group_id, registered))
            return handler

        return register

    def subscribe_batch(self, *payload_classes: type[P], group_id: str | None, max_records: int,
                        name: str | None = None) -> Callable[[BatchHandler[P]], BatchHandler[P]]:
        """Register ``handler([(envelope, raw_json), ...])`` over one or more event types (projections).

        One consumer reads every topic of ``payload_classes``; records are validated one by one:
        an invalid record is dead-lettered alone and the rest of the batch is handled. The handler
        gets the raw JSON too, to forward it unparsed. ``name`` names the handler (and its group)
        when it takes several event types.
        """
        label = name or "_".join(cls.event_type for cls in payload_classes)
        group_id = None if group_id is None else f"{group_id}.{label}"
        parse = _batch_parser(payload_classes)

        def register(handler: BatchHandler[P]) -> BatchHandler[P]:
            metrics, sink = self.metrics, self.dead_letters

            async def subscriber(message: KafkaMessage) -> None:
                started = time.perf_counter()
                valid: list[tuple[Envelope[P], bytes]] = []
                for record in message.raw_message:  # type: ignore[union-attr]
                    try:
                        valid.append((parse(record.value), record.value))
                    except (ValidationError, InvalidEvent) as exc:
                        await sink.send(record, "invalid", exc, 1)
                await handler(valid)
                metrics.handler_seconds.labels(label).observe(time.perf_counter() - started)
                for envelope, _ in valid:
                    metrics.events_handled.labels(envelope.type).inc()

            subscriber.__name__ = f"on_{label.replace('.', '_')}_batch"
            subscriber.__qualname__ = subscriber.__name__
            registered = self.broker.subscriber(
                *(cls.topic.name for cls in payload_classes),
                batch=True,
                max_records=max_records,
                title=f"{self.service}:{subscriber.__name__}",
                description=(handler.__doc__ or payload_classes[0].__doc__ or "").strip(),
                **subscriber_options(self.kafka, group_id=group_id),
            )
            registered(subscriber)
            if group_id is not None:
                self.group_subscribers.append((group_id, registered))
            return handler

        return register

    @staticmethod
    def _handler_group(group_id: str | None, payload_cls: type[EventPayload]) -> str | None:
        return None if group_id is None else f"{group_id}.{payload_cls.event_type}"

    async def consumer_lag(self) -> dict[tuple[str, str], int]:
        """Messages not yet consumed per (group, topic): high watermark minus position."""
        lags: dict[tuple[str, str], int] = {}
        for group_id, subscriber in self.group_subscribers:
            consumer = getattr(subscriber, "consumer", None)
            if consumer is None:
                continue
            for partition in consumer.assignment():
                highwater = consumer.highwater(partition)
                if highwater is None:
                    continue
                position = await consumer.position(partition)
                key = (group_id, partition.topic)
                lags[key] = lags.get(key, 0) + max(0, highwater - position)
        return lags

    def documents(self, payload_cls: type[EventPayload]) -> None:
        """Declare in the AsyncAPI document that this service publishes ``payload_cls``."""
        self.broker.publisher(
            payload_cls.topic.name,
            title=f"{self.service}:publishes:{payload_cls.event_type}",
            description=(payload_cls.__doc__ or "").strip(),
            schema=Envelope[payload_cls],  # type: ignore[valid-type]
        )
