"""The one KafkaBroker factory every service uses, and the subscriber options that go with it."""

from __future__ import annotations

import logging
from typing import Any

from faststream.kafka import KafkaBroker
from faststream.kafka.opentelemetry import KafkaTelemetryMiddleware
from faststream.kafka.prometheus import KafkaPrometheusMiddleware
from faststream.middlewares import AckPolicy
from opentelemetry.sdk.trace import TracerProvider

from pfd_shared.messaging.dead_letter import DeadLetterSink, dead_letter_middleware
from pfd_shared.settings import KafkaSettings
from pfd_shared.telemetry.metrics import ServiceMetrics


def make_broker(
    kafka: KafkaSettings,
    *,
    service: str,
    metrics: ServiceMetrics,
    tracer_provider: TracerProvider | None = None,
) -> tuple[KafkaBroker, DeadLetterSink]:
    """A broker with tracing, Prometheus and dead-letter middlewares (outermost first)."""
    sink = DeadLetterSink(service=service, max_attempts=kafka.max_handler_attempts, metrics=metrics)
    middlewares: list[Any] = [
        KafkaTelemetryMiddleware(tracer_provider=tracer_provider),
        KafkaPrometheusMiddleware(registry=metrics.registry, app_name=service, metrics_prefix="pfd_faststream"),
        dead_letter_middleware(sink),
    ]
    broker = KafkaBroker(
        kafka.bootstrap_servers,
        client_id=service,
        middlewares=middlewares,
        graceful_timeout=kafka.graceful_timeout_s,
        logger=logging.getLogger(f"pfd.{service}.broker"),
        log_level=logging.DEBUG,
    )
    sink.broker = broker
    return broker, sink


def subscriber_options(kafka: KafkaSettings, *, group_id: str | None) -> dict[str, Any]:
    """Consumer settings from configuration (low latency on the local broker, defaults on Kafka).

    ``group_id`` None makes a broadcast subscriber: every instance receives every message
    from the latest offset, with no group coordination and no offset commits.
    """
    options: dict[str, Any] = {
        "fetch_max_wait_ms": kafka.fetch_max_wait_ms,
        "group_id": group_id,
    }
    if group_id is None:
        options.update(auto_offset_reset="latest", ack_policy=AckPolicy.ACK_FIRST)
    else:
        options.update(
            auto_offset_reset="earliest",
            ack_policy=AckPolicy.NACK_ON_ERROR,
            session_timeout_ms=kafka.session_timeout_ms,
            max_poll_interval_ms=kafka.max_poll_interval_ms,
            heartbeat_interval_ms=kafka.heartbeat_interval_ms,
        )
    return options
