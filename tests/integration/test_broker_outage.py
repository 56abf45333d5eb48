"""Broker down at start: the service reports not-ready, retries with backoff, and works once the broker is up."""

import asyncio

import pytest
from prometheus_client import CollectorRegistry

from pfd_shared.localstack.infra import start_tansu
from pfd_shared.localstack.processes import free_port
from pfd_shared.messaging.topic_admin import ensure_topics
from pfd_shared.runtime.cli import RuntimeSettings
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.settings import KafkaSettings
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.testing.plugin import LOW_LATENCY

pytestmark = pytest.mark.integration


async def test_service_becomes_ready_when_the_broker_arrives(tmp_path) -> None:
    port = free_port()
    kafka = KafkaSettings(bootstrap_servers=f"127.0.0.1:{port}", connect_backoff_initial_s=0.2,
                          connect_backoff_max_s=1.0, **LOW_LATENCY)
    runtime = ServiceRuntime(RuntimeSettings(kafka=kafka, var_dir=tmp_path, service_name="late"),
                             version="test", metrics=ServiceMetrics(CollectorRegistry()))
    await runtime.start()
    broker = None
    try:
        await asyncio.sleep(1.5)
        assert not await runtime.is_ready()
        broker = start_tansu(port, tmp_path / "tansu.log")
        await ensure_topics(kafka.bootstrap_servers)
        await asyncio.wait_for(runtime.connected.wait(), timeout=20)
        assert await runtime.is_ready()
    finally:
        await runtime.stop()
        if broker is not None:
            broker.kill()
