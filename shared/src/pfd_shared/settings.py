"""Settings shared by every service; each service subclasses ``ServiceSettings`` with its own env prefix.

Environment variables use the service prefix and ``__`` for nesting, e.g.
``PFD_GATEWAY_KAFKA__BOOTSTRAP_SERVERS``. Defaults are the embedded (local) defaults;
``environment=production`` refuses to start while any development secret is still in place.
"""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import ClassVar, Literal

from pydantic import BaseModel, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

DEV_S3_ACCESS_KEY = "pfd-dev"
DEV_S3_SECRET_KEY = "pfd-dev-secret-not-for-production"  # noqa: S105 - refused in production


class KafkaSettings(BaseModel):
    """Broker connection and consumer tuning. Production Kafka keeps the library defaults."""

    bootstrap_servers: str = "127.0.0.1:9092"
    fetch_max_wait_ms: int = Field(default=500, ge=1)
    session_timeout_ms: int = Field(default=10_000, ge=1_000)
    heartbeat_interval_ms: int = Field(default=3_000, ge=100)
    max_poll_interval_ms: int = Field(default=900_000, ge=10_000, description="Longest a handler may run.")
    max_handler_attempts: int = Field(default=3, ge=1, description="Handler failures before dead-lettering.")
    connect_backoff_initial_s: float = Field(default=0.5, gt=0)
    connect_backoff_max_s: float = Field(default=10.0, gt=0)
    graceful_timeout_s: float = Field(default=5.0, gt=0)


class DatabaseSettings(BaseModel):
    """The service's own database. ``url`` None means a SQLite file under the var directory."""

    url: str | None = None
    migrate_on_start: bool = True
    echo: bool = False
    pool_size: int = Field(default=5, ge=1)


class S3Settings(BaseModel):
    """Object store (MinIO / S3 / SeaweedFS) reached through the minio SDK."""

    endpoint: str = "127.0.0.1:8333"
    access_key: str = DEV_S3_ACCESS_KEY
    secret_key: SecretStr = SecretStr(DEV_S3_SECRET_KEY)
    secure: bool = False
    bucket: str = "pfd"
    region: str = "us-east-1"
    part_size_bytes: int = Field(default=16 * 1024 * 1024, ge=5 * 1024 * 1024)
    parallel_uploads: int = Field(default=4, ge=1, description="Parts uploaded at once when the size is known.")


class TelemetrySettings(BaseModel):
    """Logs, metrics and traces."""

    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "json"
    otlp_endpoint: str | None = None


class HttpSettings(BaseModel):
    """Where the service's HTTP endpoints (health, metrics, API) listen."""

    host: str = "127.0.0.1"
    port: int = Field(default=8080, ge=0, le=65535)
    graceful_shutdown_s: float = Field(default=2.0, gt=0)


class OutboxSettings(BaseModel):
    """Transactional outbox relay."""

    poll_interval_s: float = Field(default=1.0, gt=0)
    batch_size: int = Field(default=200, ge=1)


class ServiceSettings(BaseSettings):
    """Common settings; subclasses set ``model_config`` with their own ``env_prefix``."""

    model_config = SettingsConfigDict(env_prefix="PFD_", env_nested_delimiter="__", extra="ignore")

    uses_database: ClassVar[bool] = True
    uses_object_store: ClassVar[bool] = True

    service_name: str = "service"
    environment: Literal["development", "production"] = "development"
    instance_id: str = Field(default_factory=lambda: f"{socket.gethostname()}-{os.getpid()}",
                             description="default: <hostname>-<pid>")
    var_dir: Path = Path("var")
    kafka: KafkaSettings = KafkaSettings()
    database: DatabaseSettings = DatabaseSettings()
    s3: S3Settings = S3Settings()
    telemetry: TelemetrySettings = TelemetrySettings()
    http: HttpSettings = HttpSettings()
    outbox: OutboxSettings = OutboxSettings()

    @model_validator(mode="after")
    def _refuse_development_secrets_in_production(self) -> ServiceSettings:
        if self.environment != "production":
            return self
        problems = self.development_secrets_in_use()
        if problems:
            raise ValueError("production refuses development secrets: " + "; ".join(problems))
        return self

    def development_secrets_in_use(self) -> list[str]:
        """Names of settings that still hold a development default. Subclasses extend it."""
        problems = []
        if self.uses_object_store and self.s3.secret_key.get_secret_value() == DEV_S3_SECRET_KEY:
            problems.append("s3.secret_key is the development default")
        if self.uses_object_store and self.s3.access_key == DEV_S3_ACCESS_KEY:
            problems.append("s3.access_key is the development default")
        if self.uses_database and self.database.url is None:
            problems.append("database.url is not set (SQLite is for the embedded default only)")
        return problems

    def database_url(self) -> str:
        """The configured URL, or the embedded SQLite file of this service."""
        if self.database.url:
            return self.database.url
        return f"sqlite+aiosqlite:///{(self.var_dir / f'{self.service_name}.db').resolve()}"
