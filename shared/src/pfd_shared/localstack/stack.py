"""The whole platform on its embedded defaults: S3, broker and every installed service, one var directory."""

from __future__ import annotations

import asyncio
import signal
import sys
import threading
import time
from dataclasses import dataclass, field
from importlib.metadata import entry_points
from pathlib import Path
from typing import IO


from pfd_shared.localstack.infra import SeaweedPorts, ensure_buckets, start_seaweed, start_tansu
from pfd_shared.localstack.processes import ManagedProcess, wait_for_http
from pfd_shared.messaging.topic_admin import ensure_topics
from pfd_shared.settings import S3Settings

SERVICE_ENTRY_POINTS = "pfd.services"
BROKER_BUCKET = "pfd-broker"
SERVICE_READY_TIMEOUT_S = 180.0  # a gateway joins a consumer group per read model, one after another
SERVICE_STOP_S = 2.5
INFRA_STOP_S = 1.0
COLORS = ("\033[36m", "\033[35m", "\033[33m", "\033[32m", "\033[34m", "\033[31m", "\033[96m", "\033[95m")
RESET = "\033[0m"


@dataclass(frozen=True)
class StackPorts:
    gateway: int = 8000
    broker: int = 29092
    s3: SeaweedPorts = SeaweedPorts(master=29333, volume=28080, filer=28888, s3=28333)
    first_service: int = 8100


@dataclass(frozen=True)
class ServiceSpec:
    name: str
    module: str


def installed_services() -> list[ServiceSpec]:
    """Services installed in this environment (entry point group ``pfd.services``), gateway last."""
    specs = [ServiceSpec(ep.name, ep.value) for ep in entry_points(group=SERVICE_ENTRY_POINTS)]
    return sorted(specs, key=lambda s: (s.name == "gateway", s.name))


def service_env(name: str, *, var_dir: Path, port: int, broker: str, s3: S3Settings) -> dict[str, str]:
    """Environment for one service on the local stack (its own prefix, low-latency consumer settings).

    The consumer wait stays at its default: Tansu answers a waiting fetch as soon as a record arrives (measured:
    p95 16.6 ms at 500 ms against 11.3 ms at 10 ms), while 10 ms polling cost each process 0.2 cores when idle.
    """
    prefix = f"PFD_{name.upper().replace('-', '_')}_"
    values = {
        "VAR_DIR": str(var_dir), "HTTP__PORT": str(port), "TELEMETRY__LOG_FORMAT": "console",
        "KAFKA__BOOTSTRAP_SERVERS": broker,
        "KAFKA__SESSION_TIMEOUT_MS": "3000", "KAFKA__HEARTBEAT_INTERVAL_MS": "500",
        "S3__ENDPOINT": s3.endpoint, "S3__ACCESS_KEY": s3.access_key,
        "S3__SECRET_KEY": s3.secret_key.get_secret_value(), "S3__BUCKET": s3.bucket,
    }
    return {prefix + key: value for key, value in values.items()}


def _pump(stream: IO[bytes], label: str, out: IO[str]) -> None:
    for raw in iter(stream.readline, b""):
        out.write(f"{label} {raw.decode(errors='replace').rstrip()}\n")
        out.flush()


@dataclass
class LocalStack:
    var_dir: Path
    ports: StackPorts = StackPorts()
    infra: list[ManagedProcess] = field(default_factory=list)
    services: list[ManagedProcess] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.var_dir = self.var_dir.resolve()
        self.s3 = S3Settings(endpoint=f"127.0.0.1:{self.ports.s3.s3}")
        self.broker = f"127.0.0.1:{self.ports.broker}"

    def start_infra(self) -> None:
        logs = self.var_dir / "logs"
        self.infra.append(start_seaweed(self.var_dir / "s3", self.ports.s3, self.s3, logs / "seaweedfs.log"))
        ensure_buckets(self.s3, self.s3.bucket, BROKER_BUCKET)
        self.infra.append(start_tansu(self.ports.broker, logs / "tansu.log", s3=self.s3, bucket=BROKER_BUCKET))
        asyncio.run(ensure_topics(self.broker))

    def start_services(self, out: IO[str]) -> None:
        specs = installed_services()
        for index, spec in enumerate(specs):
            port = self.ports.gateway if spec.name == "gateway" else self.ports.first_service + index
            env = service_env(spec.name, var_dir=self.var_dir, port=port, broker=self.broker, s3=self.s3)
            proc = ManagedProcess(spec.name, [sys.executable, "-m", spec.module], env=env).start(pipe=True)
            label = f"{COLORS[index % len(COLORS)]}{spec.name:>10} |{RESET}"
            threading.Thread(target=_pump, args=(proc.process.stdout, label, out), daemon=True).start()  # type: ignore[union-attr]
            self.services.append(proc)
            wait_for_http(proc, f"http://127.0.0.1:{port}/health/ready", SERVICE_READY_TIMEOUT_S)

    def stop(self) -> None:
        """Services first (they announce their stop), then broker and S3; bounded to a few seconds."""
        _stop_group(self.services, SERVICE_STOP_S)
        _stop_group(self.infra, INFRA_STOP_S)


def _stop_group(procs: list[ManagedProcess], timeout_s: float) -> None:
    for proc in procs:
        proc.signal(signal.SIGTERM)
    deadline = time.monotonic() + timeout_s
    for proc in procs:
        if proc.process is None:
            continue
        try:
            proc.process.wait(timeout=max(0.01, deadline - time.monotonic()))
        except Exception:  # noqa: BLE001 - anything still running is killed below
            proc.kill()
    procs.clear()
