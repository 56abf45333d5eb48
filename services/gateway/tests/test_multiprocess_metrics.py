"""Several gateway workers: /metrics and the API Monitoring page read the totals of every worker process.

Prometheus' multiprocess mode is chosen when prometheus_client is imported, so each worker is a real process here.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys

from prometheus_client import CollectorRegistry

from pfd_shared.telemetry.metrics import MULTIPROC_DIR_ENV, ServiceMetrics

WORKER = """
import sys
from prometheus_client import CollectorRegistry
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_gateway.api.http_metrics import HttpMetrics

http = HttpMetrics(ServiceMetrics(CollectorRegistry()).registry)
for _ in range(int(sys.argv[1])):
    http.observe("/api/v1/datasets", "GET", 200, 0.02)
http.observe("/api/v1/datasets", "GET", 500, 0.4)
http.observe_key("k1", 200)
"""

READER = """
import json
from prometheus_client import CollectorRegistry
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_gateway.api_monitor import ApiMonitor

metrics = ServiceMetrics(CollectorRegistry())
sample = ApiMonitor(metrics.totals(), interval_s=5, retention_s=60).sample()
counters = sample.endpoints[("GET", "/api/v1/datasets")]
print(json.dumps({"requests": counters.requests, "errors": counters.server_errors,
                  "buckets": dict(counters.latency_buckets), "keys": sample.key_requests,
                  "exposition": metrics.exposition().decode()}))
"""


def run(code: str, directory: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-c", code, *args], env=os.environ | {MULTIPROC_DIR_ENV: directory},
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_the_api_monitor_and_metrics_endpoint_sum_every_worker(tmp_path) -> None:
    for requests in ("3", "4"):  # two workers, and a third process reads
        run(WORKER, str(tmp_path), requests)
    totals = json.loads(run(READER, str(tmp_path)))
    assert totals["requests"] == 9 and totals["errors"] == 2
    assert totals["buckets"]["0.025"] == 7 and totals["buckets"]["0.5"] == 9
    assert totals["keys"] == {"pfd_k1_…": 2}
    assert 'http_requests_total{handler="/api/v1/datasets",method="GET",status="2xx"} 7.0' in totals["exposition"]


def test_one_process_reads_its_own_registry(monkeypatch) -> None:
    monkeypatch.delenv(MULTIPROC_DIR_ENV, raising=False)
    metrics = ServiceMetrics(CollectorRegistry())
    assert metrics.totals() is metrics.registry
