"""Structured logs carry the correlation id; metrics expose the platform counters."""

import json
import logging

from prometheus_client import CollectorRegistry

from pfd_shared.telemetry.logging import JsonFormatter, correlation_id_var
from pfd_shared.telemetry.metrics import ServiceMetrics


def test_json_log_lines_carry_service_correlation_id_and_extras() -> None:
    token = correlation_id_var.set("c0ffee")
    try:
        record = logging.makeLogRecord({"name": "x", "levelname": "INFO", "levelno": 20, "msg": "hello %s",
                                        "args": ("world",), "dataset_id": "ds1"})
        line = json.loads(JsonFormatter("svc").format(record))
    finally:
        correlation_id_var.reset(token)
    assert line["msg"] == "hello world"
    assert line["service"] == "svc"
    assert line["correlation_id"] == "c0ffee"
    assert line["dataset_id"] == "ds1"


def test_metrics_count_dead_letters_and_handled_events() -> None:
    metrics = ServiceMetrics(CollectorRegistry())
    metrics.dead_lettered.labels("t", "invalid").inc(2)
    metrics.events_handled.labels("e").inc()
    assert metrics.dead_letter_count() == 2
    assert metrics.handled_count() == 1
    assert b"pfd_dead_lettered_total" in metrics.exposition()
