"""Settings: env prefixes, nesting, and production refusing development secrets."""

import pytest
from pydantic import ValidationError
from pydantic_settings import SettingsConfigDict

from pfd_shared.settings import ServiceSettings


class DemoSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_DEMO_", env_nested_delimiter="__", extra="ignore")
    service_name: str = "demo"


def test_reads_prefixed_nested_variables(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PFD_DEMO_KAFKA__BOOTSTRAP_SERVERS", "kafka:9092")
    monkeypatch.setenv("PFD_DEMO_KAFKA__FETCH_MAX_WAIT_MS", "15")
    settings = DemoSettings()
    assert settings.kafka.bootstrap_servers == "kafka:9092"
    assert settings.kafka.fetch_max_wait_ms == 15


def test_embedded_default_database_is_a_sqlite_file_under_var(tmp_path) -> None:
    settings = DemoSettings(var_dir=tmp_path)
    assert settings.database_url() == f"sqlite+aiosqlite:///{tmp_path.resolve() / 'demo.db'}"


def test_production_refuses_development_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PFD_DEMO_ENVIRONMENT", "production")
    with pytest.raises(ValidationError, match="s3.secret_key"):
        DemoSettings()


def test_production_starts_with_real_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    for key, value in {"ENVIRONMENT": "production", "S3__ACCESS_KEY": "prod-user", "S3__SECRET_KEY": "x" * 32,
                       "DATABASE__URL": "postgresql+psycopg://pfd@db/pfd"}.items():
        monkeypatch.setenv(f"PFD_DEMO_{key}", value)
    settings = DemoSettings()
    assert settings.environment == "production"
    assert "x" * 32 not in repr(settings)


def test_invalid_values_name_the_field(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PFD_DEMO_KAFKA__FETCH_MAX_WAIT_MS", "0")
    with pytest.raises(ValidationError, match="fetch_max_wait_ms"):
        DemoSettings()


class NoStorageSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_NOSTORE_", env_nested_delimiter="__", extra="ignore")
    uses_database = False
    uses_object_store = False


def test_production_checks_only_what_the_service_uses(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PFD_NOSTORE_ENVIRONMENT", "production")
    assert NoStorageSettings().environment == "production"
