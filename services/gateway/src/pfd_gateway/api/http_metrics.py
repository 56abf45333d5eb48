"""Per-endpoint HTTP metrics (names follow the common FastAPI instrumentator convention), and requests per API key."""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.2, 0.3, 0.5, 1, 2.5, 5, 10)
KEY_REQUESTS_NAME = "http_requests_by_api_key_total"
KEY_PREFIX_LABEL = "api_key_prefix"  # the key's visible prefix (``pfd_<prefix>_…``), never its secret


class HttpMetrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.requests = Counter("http_requests_total", "HTTP requests.", ["handler", "method", "status"],
                                registry=registry)
        self.latency = Histogram("http_request_duration_seconds", "HTTP request latency.", ["handler", "method"],
                                 registry=registry, buckets=LATENCY_BUCKETS)
        self.key_requests = Counter(KEY_REQUESTS_NAME, "HTTP requests authenticated with an API key.",
                                    [KEY_PREFIX_LABEL, "status"], registry=registry)

    def observe(self, handler: str, method: str, status: int, seconds: float) -> None:
        self.requests.labels(handler, method, _status_class(status)).inc()
        self.latency.labels(handler, method).observe(seconds)

    def observe_key(self, key_prefix: str, status: int) -> None:
        self.key_requests.labels(key_prefix, _status_class(status)).inc()


def _status_class(status: int) -> str:
    return f"{status // 100}xx"
