"""Backbone benchmarks on the real local broker (Tansu) with real service processes.

1. Round trip: publish a status request -> the probe service's handler -> its reply event ->
   gateway projection -> WebSocket frame received by a client. p50/p95 over N events (target p95 <= 100 ms).
2. Gateway projection throughput on a burst of 20,000 events (target >= 5,000 events/s): the burst is
   queued while the gateway is paused (SIGSTOP), then timed from SIGCONT until the gateway's handled
   counter shows every event projected.

Run: .venv/bin/python benchmarks/bench_event_flow.py [--events 1000] [--burst 20000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import re
import signal
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path
from uuid import uuid4

import httpx
import websockets
from faststream.kafka import KafkaBroker

from pfd_shared.events import encode_event, new_envelope
from pfd_shared.events.system import ServiceStatusReported, ServiceStatusRequested
from pfd_shared.localstack.infra import SeaweedPorts, start_tansu
from pfd_shared.localstack.processes import free_port
from pfd_shared.messaging.topic_admin import ensure_topics
from pfd_shared.settings import S3Settings
from pfd_shared.testing.infra import Infra
from pfd_shared.testing.plugin import service_env, start_service

from pfd_gateway.auth.provisioning import provision_api_key
from pfd_gateway.settings import GatewaySettings

HANDLED = re.compile(r'^pfd_events_handled_total\{event_type="system.status_reported"\} (\S+)$', re.M)


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(q * (len(ordered) - 1))))]


async def round_trip(gateway: str, bootstrap: str, probe: str, events: int, api_key: str) -> list[float]:
    broker = KafkaBroker(bootstrap)
    await broker.start()
    latencies = []
    async with websockets.connect(gateway.replace("http", "ws") + f"/ws?api_key={api_key}", max_size=None) as ws:
        await ws.recv()  # snapshot
        for _ in range(events):
            envelope = new_envelope(ServiceStatusRequested(request_id=uuid4(), requested_by="bench"), producer="bench")
            wanted = str(envelope.payload.request_id)
            started = time.perf_counter()
            await broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key())
            while True:
                frame = json.loads(await asyncio.wait_for(ws.recv(), 10))
                data = frame["data"]
                if (frame["type"] == "system.status_reported" and data["producer"] == probe
                        and data["payload"]["request_id"] == wanted):
                    latencies.append((time.perf_counter() - started) * 1000)
                    break
    await broker.stop()
    return latencies


def handled(gateway: str) -> float:
    match = HANDLED.search(httpx.get(f"{gateway}/metrics", timeout=10).text)
    return float(match.group(1)) if match else 0.0


async def publish_burst(bootstrap: str, count: int) -> None:
    broker = KafkaBroker(bootstrap, linger_ms=5, max_batch_size=1024 * 1024, max_request_size=4 * 1024 * 1024)
    await broker.start()
    now = datetime.now(UTC)
    for start in range(0, count, 200):
        bodies = []
        for index in range(start, min(count, start + 200)):
            report = ServiceStatusReported(service="burst", instance_id=f"b{index % 50}", version="1", host="h",
                                           pid=index, started_at=now, uptime_s=1, ready=True, dlq_count=0,
                                           handled_count=index)
            bodies.append(encode_event(new_envelope(report, producer="bench")))
        await broker.publish_batch(*bodies, topic=ServiceStatusReported.topic.name)
    await broker.stop()


def throughput(gateway_proc, gateway: str, bootstrap: str, burst: int) -> float:
    before = handled(gateway)
    gateway_proc.signal(signal.SIGSTOP)
    try:
        asyncio.run(publish_burst(bootstrap, burst))
    finally:
        gateway_proc.signal(signal.SIGCONT)
    started = time.perf_counter()
    while handled(gateway) < before + burst:
        time.sleep(0.02)
    return burst / (time.perf_counter() - started)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=1000)
    parser.add_argument("--burst", type=int, default=20_000)
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pfd-bench-"))
    broker_port = free_port()
    tansu = start_tansu(broker_port, work / "tansu.log")
    procs = [tansu]
    try:
        bootstrap = f"127.0.0.1:{broker_port}"
        asyncio.run(ensure_topics(bootstrap))
        infra = Infra("local", bootstrap, "", S3Settings(endpoint=f"127.0.0.1:{SeaweedPorts.pick().s3}"), work)
        api_key = provision_api_key(GatewaySettings(var_dir=work), "bench@pfd.local")
        gw_port, probe_port = free_port(), free_port()
        gw_env = service_env("PFD_GATEWAY_", infra, port=gw_port, var_dir=str(work)) | {
            "PFD_GATEWAY_WS_QUEUE_SIZE": str(args.burst + 1000), "PFD_GATEWAY_TELEMETRY__LOG_LEVEL": "WARNING"}
        gateway_proc = start_service("gateway", [sys.executable, "-m", "pfd_gateway"], gw_env, gw_port, work / "gw.log")
        procs.append(gateway_proc)
        probe_env = service_env("PFD_RUNTIME_", infra, port=probe_port, var_dir=str(work))
        procs.append(start_service("probe", [sys.executable, "-m", "pfd_shared.runtime", "--name", "probe"],
                                   probe_env, probe_port, work / "probe.log"))
        gateway = f"http://127.0.0.1:{gw_port}"
        time.sleep(2)
        latencies = asyncio.run(round_trip(gateway, bootstrap, "probe", args.events, api_key))
        print(f"round trip publish->handler->reply->projection->WebSocket over {len(latencies)} events: "
              f"p50 {statistics.median(latencies):.1f} ms, p95 {percentile(latencies, 0.95):.1f} ms, "
              f"max {max(latencies):.1f} ms (target p95 <= 100 ms; ratio {percentile(latencies, 0.95) / 100:.2f})")
        rate = throughput(gateway_proc, gateway, bootstrap, args.burst)
        print(f"gateway projection throughput on a burst of {args.burst} events: {rate:,.0f} events/s "
              f"(target >= 5,000; ratio {rate / 5000:.2f})")
    finally:
        for proc in reversed(procs):
            proc.kill()


if __name__ == "__main__":
    main()
