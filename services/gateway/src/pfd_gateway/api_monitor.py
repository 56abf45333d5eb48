"""API monitoring: samples the gateway's own HTTP Prometheus metrics into a bounded series, and reads windows of it.

The sampler stores cumulative counters every few seconds; a window's figures are the difference between the
newest sample and the sample at the window's start, so "last 5/15/60 min" are real. Per-API-key usage comes
from a pluggable ``KeyUsageSource``: by default ``http_requests_by_api_key_total{api_key_prefix}`` (counted by the
request middleware), shown as ``pfd_<prefix>_…`` like the Settings page lists keys.
"""

from __future__ import annotations

import math
import time
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Protocol

from prometheus_client import CollectorRegistry

from pfd_gateway.api.http_metrics import KEY_PREFIX_LABEL, KEY_REQUESTS_NAME

REQUESTS_FAMILY = "http_requests"  # prometheus_client names the counter family without "_total"
LATENCY_FAMILY = "http_request_duration_seconds"
KEY_LABEL = "api_key"
KEY_REQUESTS_FAMILY = KEY_REQUESTS_NAME.removesuffix("_total")
KEY_DISPLAY = "pfd_{prefix}_…"
QUANTILES = (0.5, 0.95, 0.99)


@dataclass(frozen=True, slots=True)
class EndpointCounters:
    """Cumulative counters of one (method, handler)."""

    requests: float = 0.0
    server_errors: float = 0.0
    client_errors: float = 0.0
    latency_buckets: tuple[tuple[float, float], ...] = ()  # (upper bound, cumulative count), ascending


@dataclass(frozen=True, slots=True)
class MetricsSample:
    at: float  # seconds since the epoch
    endpoints: dict[tuple[str, str], EndpointCounters]
    key_requests: dict[str, float] | None = None  # None: per-key usage is not instrumented


@dataclass(frozen=True, slots=True)
class EndpointStats:
    method: str
    handler: str
    requests: int
    rate_per_s: float
    error_rate: float  # 5xx share of requests
    client_error_rate: float  # 4xx share
    p50_s: float | None
    p95_s: float | None
    p99_s: float | None


@dataclass(frozen=True, slots=True)
class KeyUsage:
    key: str
    requests: int
    rate_per_s: float


@dataclass(frozen=True, slots=True)
class ApiOverview:
    window_s: float
    covered_s: float  # how much of the window the samples actually cover
    endpoints: list[EndpointStats]
    rate_series: list[tuple[float, dict[str, float]]]  # (time, requests/s per endpoint) between samples
    keys: list[KeyUsage] | None  # None: per-key usage is not instrumented
    samples: int = field(default=0)


class KeyUsageSource(Protocol):
    def read(self) -> dict[str, float] | None:
        """Cumulative requests per API key, or None when no per-key counter exists."""


class LabelKeyUsage:
    """Per-key counts from a ``api_key`` label on ``http_requests_total`` (None while the label does not exist)."""

    def __init__(self, registry: CollectorRegistry, family: str = REQUESTS_FAMILY, label: str = KEY_LABEL) -> None:
        self.registry = registry
        self.family = family
        self.label = label

    def read(self) -> dict[str, float] | None:
        counts: dict[str, float] = {}
        labelled = False
        for metric in self.registry.collect():
            if metric.name != self.family:
                continue
            for sample in metric.samples:
                if sample.name.endswith("_total") and self.label in sample.labels:
                    labelled = True
                    key = sample.labels[self.label]
                    if key:
                        counts[key] = counts.get(key, 0.0) + sample.value
        return counts if labelled else None


class ApiKeyPrefixUsage(LabelKeyUsage):
    """Per-key counts of the middleware's per-key counter, keyed by the key as users see it (None until used)."""

    def __init__(self, registry: CollectorRegistry) -> None:
        super().__init__(registry, family=KEY_REQUESTS_FAMILY, label=KEY_PREFIX_LABEL)

    def read(self) -> dict[str, float] | None:
        counts = super().read()
        return None if counts is None else {KEY_DISPLAY.format(prefix=k): v for k, v in counts.items()}


def read_sample(registry: CollectorRegistry, keys: KeyUsageSource, at: float | None = None) -> MetricsSample:
    """The current cumulative HTTP counters of every endpoint."""
    requests: dict[tuple[str, str], list[float]] = {}
    buckets: dict[tuple[str, str], list[tuple[float, float]]] = {}
    for metric in registry.collect():
        if metric.name == REQUESTS_FAMILY:
            for sample in metric.samples:
                if sample.name.endswith("_total"):
                    row = requests.setdefault((sample.labels["method"], sample.labels["handler"]), [0.0, 0.0, 0.0])
                    row[0] += sample.value
                    status = sample.labels.get("status", "")
                    row[1] += sample.value if status.startswith("5") else 0.0
                    row[2] += sample.value if status.startswith("4") else 0.0
        elif metric.name == LATENCY_FAMILY:
            for sample in metric.samples:
                if sample.name.endswith("_bucket"):
                    endpoint = (sample.labels["method"], sample.labels["handler"])
                    buckets.setdefault(endpoint, []).append((float(sample.labels["le"]), sample.value))
    endpoints = {
        endpoint: EndpointCounters(row[0], row[1], row[2], tuple(sorted(buckets.get(endpoint, []))))
        for endpoint, row in requests.items()
    }
    return MetricsSample(time.time() if at is None else at, endpoints, keys.read())


def histogram_quantile(q: float, buckets: Iterable[tuple[float, float]]) -> float | None:
    """Prometheus' histogram_quantile over cumulative (upper bound, count) buckets; None without observations."""
    ordered = sorted(buckets)
    if not ordered or ordered[-1][1] <= 0:
        return None
    rank = q * ordered[-1][1]
    lower_bound, lower_count = 0.0, 0.0
    for upper, count in ordered:
        if count >= rank:
            if math.isinf(upper):
                return lower_bound  # beyond the last finite bucket: its bound is the best estimate
            if count == lower_count:
                return upper
            return lower_bound + (upper - lower_bound) * (rank - lower_count) / (count - lower_count)
        lower_bound, lower_count = upper, count
    return lower_bound


def _delta_buckets(new: EndpointCounters, old: EndpointCounters | None) -> list[tuple[float, float]]:
    before = dict(old.latency_buckets) if old else {}
    return [(upper, count - before.get(upper, 0.0)) for upper, count in new.latency_buckets]


def handler_name(handler: str) -> str:
    """Routes by their template; what the "/" mount serves (dashboard, assets) carries no route: one name for it."""
    return "dashboard and other paths" if handler in ("unmatched", "") else handler


def endpoint_label(method: str, handler: str) -> str:
    return f"{method} {handler_name(handler)}"


def window_bounds(samples: list[MetricsSample], window_s: float) -> tuple[MetricsSample, MetricsSample]:
    """The newest sample and the newest one at least ``window_s`` older (or the oldest kept)."""
    last = samples[-1]
    start = samples[0]
    for sample in samples:
        if sample.at <= last.at - window_s:
            start = sample
        else:
            break
    return start, last


def endpoint_stats(first: MetricsSample, last: MetricsSample) -> list[EndpointStats]:
    """Per-endpoint figures between two samples, busiest first; endpoints without traffic are left out."""
    elapsed = max(last.at - first.at, 1e-9)
    stats = []
    for (method, handler), now in last.endpoints.items():
        before = first.endpoints.get((method, handler))
        count = now.requests - (before.requests if before else 0.0)
        if count <= 0:
            continue
        deltas = _delta_buckets(now, before)
        p50, p95, p99 = (histogram_quantile(q, deltas) for q in QUANTILES)
        stats.append(EndpointStats(
            method, handler, int(count), count / elapsed,
            (now.server_errors - (before.server_errors if before else 0.0)) / count,
            (now.client_errors - (before.client_errors if before else 0.0)) / count, p50, p95, p99,
        ))
    return sorted(stats, key=lambda s: (-s.requests, s.handler, s.method))


def rate_series(samples: list[MetricsSample]) -> list[tuple[float, dict[str, float]]]:
    """Requests per second of each endpoint between consecutive samples."""
    series = []
    for before, after in zip(samples, samples[1:], strict=False):
        elapsed = max(after.at - before.at, 1e-9)
        rates = {}
        for endpoint, now in after.endpoints.items():
            old = before.endpoints.get(endpoint)
            rates[endpoint_label(*endpoint)] = (now.requests - (old.requests if old else 0.0)) / elapsed
        series.append((after.at, rates))
    return series


def key_usage(first: MetricsSample, last: MetricsSample) -> list[KeyUsage] | None:
    if last.key_requests is None:
        return None
    elapsed = max(last.at - first.at, 1e-9)
    before = first.key_requests or {}
    usage = [KeyUsage(key, int(count - before.get(key, 0.0)), (count - before.get(key, 0.0)) / elapsed)
             for key, count in last.key_requests.items() if count - before.get(key, 0.0) > 0]
    return sorted(usage, key=lambda u: (-u.requests, u.key))


class ApiMonitor:
    """Bounded series of HTTP metric samples, taken by ``sample()`` every ``interval_s`` (Monitoring's task)."""

    def __init__(self, registry: CollectorRegistry, *, interval_s: float, retention_s: float,
                 keys: KeyUsageSource | None = None) -> None:
        self.registry = registry
        self.keys = keys or ApiKeyPrefixUsage(registry)
        self.interval_s = interval_s
        self._samples: deque[MetricsSample] = deque(maxlen=int(retention_s / interval_s) + 2)

    def sample(self, at: float | None = None) -> MetricsSample:
        taken = read_sample(self.registry, self.keys, at)
        self._samples.append(taken)
        return taken

    def overview(self, window_s: float) -> ApiOverview:
        """Figures over the last ``window_s`` seconds (as far as samples reach back)."""
        samples = list(self._samples)
        if not samples or samples[-1].at < time.time() - self.interval_s:
            samples.append(read_sample(self.registry, self.keys))  # include traffic since the last tick
        first, last = window_bounds(samples, window_s)
        in_window = [s for s in samples if s.at >= first.at]
        return ApiOverview(window_s, last.at - first.at, endpoint_stats(first, last), rate_series(in_window),
                           key_usage(first, last), len(in_window))
