"""Prometheus metrics common to every service (FastStream's middleware adds per-message ones).

A service run as several worker processes (the gateway's ``workers``) sets ``PROMETHEUS_MULTIPROC_DIR`` before
its workers start: every process then writes its values to files there, and ``totals()`` reads all of them
(counters and histograms summed; gauges per process, labelled with its pid).
"""

from __future__ import annotations

import os

from prometheus_client import REGISTRY, CollectorRegistry, Counter, Gauge, Histogram, generate_latest
from prometheus_client.multiprocess import MultiProcessCollector

MULTIPROC_DIR_ENV = "PROMETHEUS_MULTIPROC_DIR"


def multiprocess_dir() -> str | None:
    """The shared metrics directory when this process is one of several workers, else None."""
    return os.environ.get(MULTIPROC_DIR_ENV) or None


class ServiceMetrics:
    """The platform's own metrics, on a registry (the process default unless a test passes one)."""

    def __init__(self, registry: CollectorRegistry = REGISTRY) -> None:
        self.registry = registry
        self._totals: CollectorRegistry | None = None
        self.dead_lettered = Counter(
            "pfd_dead_lettered_total", "Messages sent to the dead-letter topic.", ["topic", "reason"], registry=registry
        )
        self.handler_retries = Counter(
            "pfd_handler_retries_total", "Handler failures that led to a redelivery.", ["topic"], registry=registry
        )
        self.events_handled = Counter(
            "pfd_events_handled_total", "Events handled successfully by a typed handler.", ["event_type"],
            registry=registry,
        )
        self.handler_seconds = Histogram(
            "pfd_handler_seconds", "Time spent in typed event handlers.", ["event_type"], registry=registry,
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30),
        )
        self.consumer_lag = Gauge(
            "pfd_consumer_lag", "Messages not yet consumed, per consumer group and topic.", ["group", "topic"],
            registry=registry,
        )
        self.events_published = Counter(
            "pfd_events_published_total", "Events published.", ["event_type"], registry=registry
        )
        self.outbox_pending = Gauge("pfd_outbox_pending", "Outbox rows not yet published.", registry=registry)
        self.ready = Gauge("pfd_ready", "1 when the service is connected and ready.", registry=registry)

    def dead_letter_count(self) -> int:
        """Total messages this process dead-lettered."""
        return int(sum(sample.value for metric in self.dead_lettered.collect()
                       for sample in metric.samples if sample.name.endswith("_total")))

    def handled_count(self) -> int:
        """Total events this process handled."""
        return int(sum(sample.value for metric in self.events_handled.collect()
                       for sample in metric.samples if sample.name.endswith("_total")))

    def totals(self) -> CollectorRegistry:
        """What to read the service's figures from: the registry, or every worker's values in multiprocess mode."""
        directory = multiprocess_dir()
        if directory is None:
            return self.registry
        if self._totals is None:
            self._totals = CollectorRegistry()
            MultiProcessCollector(self._totals, path=directory)
        return self._totals

    def exposition(self) -> bytes:
        """The text exposition format of ``totals()``."""
        return generate_latest(self.totals())
