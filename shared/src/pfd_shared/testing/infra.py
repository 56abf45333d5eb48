"""Real infrastructure for integration tests: local processes (Tansu, SeaweedFS, PostgreSQL) or testcontainers.

``PFD_TEST_INFRA`` = ``local`` | ``containers`` | ``auto`` (default: containers when a Docker
engine answers, local otherwise).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from pfd_shared.localstack.infra import SeaweedPorts, start_seaweed, start_tansu
from pfd_shared.localstack.processes import free_port
from pfd_shared.localstack.infra import ensure_buckets
from pfd_shared.settings import S3Settings

INFRA_ENV = "PFD_TEST_INFRA"
POSTGRES_ADMIN_ENV = "PFD_TEST_POSTGRES_ADMIN_URL"
DEFAULT_POSTGRES_ADMIN_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"
TEST_BUCKET = "pfd-test"


@dataclass(frozen=True)
class Infra:
    """Endpoints of the real infrastructure a test session uses."""

    kind: str
    kafka_bootstrap: str
    postgres_url: str
    s3: S3Settings
    work_dir: Path


def docker_available() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
    except Exception:  # noqa: BLE001 - any failure means no usable engine
        return False
    return True


def chosen_kind() -> str:
    kind = os.environ.get(INFRA_ENV, "auto").lower()
    if kind not in {"auto", "local", "containers"}:
        raise ValueError(f"{INFRA_ENV} must be local, containers or auto, not {kind!r}")
    if kind == "auto":
        return "containers" if docker_available() else "local"
    return kind


@contextlib.contextmanager
def fresh_postgres_database(admin_url: str) -> Iterator[str]:
    """Create a uniquely named database, yield its URL, drop it afterwards."""
    name = f"pfd_test_{uuid.uuid4().hex[:12]}"
    admin = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield make_url(admin_url).set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


@contextlib.contextmanager
def local_infra() -> Iterator[Infra]:
    """Tansu (in memory), SeaweedFS in a temp dir and a fresh database on the local PostgreSQL."""
    work_dir = Path(tempfile.mkdtemp(prefix="pfd-test-"))
    s3_ports = SeaweedPorts.pick()
    s3 = S3Settings(endpoint=f"127.0.0.1:{s3_ports.s3}", bucket=TEST_BUCKET)
    broker_port = free_port()
    processes = []
    try:
        processes.append(start_seaweed(work_dir / "s3", s3_ports, s3, work_dir / "seaweedfs.log"))
        processes.append(start_tansu(broker_port, work_dir / "tansu.log"))
        ensure_buckets(s3, s3.bucket)
        admin_url = os.environ.get(POSTGRES_ADMIN_ENV, DEFAULT_POSTGRES_ADMIN_URL)
        with fresh_postgres_database(admin_url) as postgres_url:
            yield Infra("local", f"127.0.0.1:{broker_port}", postgres_url, s3, work_dir)
    finally:
        for proc in processes:
            proc.kill()
        shutil.rmtree(work_dir, ignore_errors=True)


@contextlib.contextmanager
def container_infra() -> Iterator[Infra]:
    """Kafka, PostgreSQL and MinIO through testcontainers (when a Docker engine is reachable)."""
    from testcontainers.community.kafka import KafkaContainer
    from testcontainers.community.minio import MinioContainer
    from testcontainers.community.postgres import PostgresContainer

    work_dir = Path(tempfile.mkdtemp(prefix="pfd-test-"))
    with KafkaContainer() as kafka, PostgresContainer("postgres:16", driver="psycopg") as postgres, \
            MinioContainer() as minio:
        config = minio.get_config()
        s3 = S3Settings(endpoint=config["endpoint"], access_key=config["access_key"],
                        secret_key=config["secret_key"], bucket=TEST_BUCKET)
        ensure_buckets(s3, s3.bucket)
        with fresh_postgres_database(postgres.get_connection_url()) as postgres_url:
            yield Infra("containers", kafka.get_bootstrap_server(), postgres_url, s3, work_dir)
    shutil.rmtree(work_dir, ignore_errors=True)


@contextlib.contextmanager
def real_infra() -> Iterator[Infra]:
    with (container_infra() if chosen_kind() == "containers" else local_infra()) as infra:
        yield infra
