"""API monitoring service: histogram percentiles, windows over samples, per-key usage."""

import time

import pytest
from prometheus_client import CollectorRegistry, Counter

from pfd_gateway.api.http_metrics import HttpMetrics
from pfd_gateway.api_monitor import (ApiMonitor, LabelKeyUsage, endpoint_stats, histogram_quantile, rate_series,
                                     read_sample, window_bounds)


def test_histogram_quantile_interpolates_like_prometheus() -> None:
    buckets = [(0.1, 50.0), (0.5, 90.0), (1.0, 100.0), (float("inf"), 100.0)]
    assert histogram_quantile(0.5, buckets) == pytest.approx(0.1)
    assert histogram_quantile(0.7, buckets) == pytest.approx(0.3)
    assert histogram_quantile(0.95, buckets) == pytest.approx(0.75)
    assert histogram_quantile(0.5, [(0.1, 0.0), (float("inf"), 0.0)]) is None


def test_observations_beyond_the_last_bucket_report_its_bound() -> None:
    assert histogram_quantile(0.99, [(1.0, 1.0), (float("inf"), 10.0)]) == 1.0


def test_window_figures_are_differences_between_samples() -> None:
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry)
    keys = LabelKeyUsage(registry)
    first = read_sample(registry, keys, at=100.0)
    for _ in range(8):
        metrics.observe("/api/v1/x", "GET", 200, 0.02)
    metrics.observe("/api/v1/x", "GET", 500, 0.4)
    metrics.observe("/api/v1/x", "GET", 404, 0.01)
    last = read_sample(registry, keys, at=110.0)
    (stats,) = endpoint_stats(first, last)
    assert (stats.method, stats.handler, stats.requests) == ("GET", "/api/v1/x", 10)
    assert stats.rate_per_s == pytest.approx(1.0)
    assert stats.error_rate == pytest.approx(0.1) and stats.client_error_rate == pytest.approx(0.1)
    assert stats.p50_s is not None and 0.01 <= stats.p50_s <= 0.025
    assert stats.p99_s is not None and stats.p99_s > stats.p50_s
    assert rate_series([first, last]) == [(110.0, {"GET /api/v1/x": pytest.approx(1.0)})]


def test_window_start_is_the_newest_sample_old_enough() -> None:
    registry = CollectorRegistry()
    samples = [read_sample(registry, LabelKeyUsage(registry), at=t) for t in (0.0, 100.0, 200.0, 300.0)]
    assert window_bounds(samples, 150.0) == (samples[1], samples[3])
    assert window_bounds(samples, 1000.0) == (samples[0], samples[3])


def test_per_key_usage_is_none_until_a_key_label_exists() -> None:
    registry = CollectorRegistry()
    HttpMetrics(registry).observe("/x", "GET", 200, 0.01)
    assert LabelKeyUsage(registry).read() is None
    keyed = Counter("http_keyed_requests_total", "per key", ["api_key"], registry=registry)
    keyed.labels("pfd_ab12").inc(3)
    assert LabelKeyUsage(registry, family="http_keyed_requests").read() == {"pfd_ab12": 3.0}


def test_monitor_keeps_a_bounded_series_and_reports_coverage() -> None:
    registry = CollectorRegistry()
    metrics = HttpMetrics(registry)
    monitor = ApiMonitor(registry, interval_s=5, retention_s=20)
    for n in range(10):
        metrics.observe("/y", "POST", 201, 0.05)
        monitor.sample(at=time.time() - 5 * (9 - n))
    assert len(monitor._samples) == 6
    overview = monitor.overview(window_s=10)
    assert overview.keys is None
    assert sum(s.requests for s in overview.endpoints) == 2
    assert overview.covered_s == pytest.approx(10, abs=0.5)
