"""pytest plugin: ``infra`` (session-wide real infrastructure) and helpers for service processes."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from pfd_shared.localstack.processes import ManagedProcess, wait_for_http
from pfd_shared.localstack.stack import SERVICE_READY_TIMEOUT_S
from pfd_shared.messaging.topic_admin import ensure_topics
from pfd_shared.settings import KafkaSettings
from pfd_shared.testing.infra import Infra, fresh_postgres_database, real_infra

LOW_LATENCY = {"fetch_max_wait_ms": 10, "session_timeout_ms": 3000, "heartbeat_interval_ms": 500}


@pytest.fixture(scope="session")
def infra() -> Iterator[Infra]:
    """Real Kafka-protocol broker, PostgreSQL database and S3 for the whole session."""
    with real_infra() as running:
        asyncio.run(ensure_topics(running.kafka_bootstrap))
        yield running


@pytest.fixture
def fresh_database_url(infra: Infra) -> Iterator[str]:
    """A database of its own for one test (the session database belongs to the service processes)."""
    with fresh_postgres_database(infra.postgres_url) as url:
        yield url


@pytest.fixture
def kafka_settings(infra: Infra) -> KafkaSettings:
    """Consumer settings for fast tests on the real broker."""
    return KafkaSettings(bootstrap_servers=infra.kafka_bootstrap, **LOW_LATENCY)


@pytest.fixture
def unique() -> str:
    """A short unique suffix for group ids, service names and keys."""
    return uuid.uuid4().hex[:10]


def service_env(prefix: str, infra: Infra, *, port: int, var_dir: str, database_url: str | None = None) -> dict[str, str]:
    """Environment variables that point one service process at the session's infrastructure."""
    values = {
        "KAFKA__BOOTSTRAP_SERVERS": infra.kafka_bootstrap,
        "KAFKA__FETCH_MAX_WAIT_MS": str(LOW_LATENCY["fetch_max_wait_ms"]),
        "KAFKA__SESSION_TIMEOUT_MS": str(LOW_LATENCY["session_timeout_ms"]),
        "KAFKA__HEARTBEAT_INTERVAL_MS": str(LOW_LATENCY["heartbeat_interval_ms"]),
        "HTTP__PORT": str(port),
        "WORKERS": "1",  # one process per service in tests (a test of several workers sets its own count)
        "VAR_DIR": var_dir,
        "S3__ENDPOINT": infra.s3.endpoint,
        "S3__ACCESS_KEY": infra.s3.access_key,
        "S3__SECRET_KEY": infra.s3.secret_key.get_secret_value(),
        "S3__BUCKET": infra.s3.bucket,
    }
    if database_url:
        values["DATABASE__URL"] = database_url
    return {f"{prefix}{key}": value for key, value in values.items()}


def start_service(name: str, argv: list[str], env: dict[str, str], port: int, log_path: Path) -> ManagedProcess:
    """Start a service process and wait until its readiness endpoint answers 200."""
    proc = ManagedProcess(name, argv, env=env, log_path=log_path).start()
    try:
        wait_for_http(proc, f"http://127.0.0.1:{port}/health/ready", SERVICE_READY_TIMEOUT_S)
    except Exception:
        proc.kill()
        raise
    return proc


@pytest.fixture
def processes() -> Iterator[list[ManagedProcess]]:
    """Processes a test starts; all killed at teardown, whatever the outcome."""
    started: list[ManagedProcess] = []
    yield started
    for proc in started:
        proc.kill()
