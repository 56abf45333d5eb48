"""``pfd-runtime``: the bare service runtime as its own process (status, health, metrics, DLQ).

Useful to check a deployment's plumbing, and used by the integration tests as a second
service until the domain services exist.
"""

from __future__ import annotations

import argparse
from typing import ClassVar

from pydantic_settings import SettingsConfigDict

from pfd_shared import __version__
from pfd_shared.runtime.health import HealthApp
from pfd_shared.runtime.server import serve
from pfd_shared.runtime.service import ServiceRuntime
from pfd_shared.settings import ServiceSettings


class RuntimeSettings(ServiceSettings):
    model_config = SettingsConfigDict(env_prefix="PFD_RUNTIME_", env_nested_delimiter="__", extra="ignore")

    uses_database: ClassVar[bool] = False
    uses_object_store: ClassVar[bool] = False

    service_name: str = "runtime"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Run the bare PFD service runtime.")
    parser.add_argument("--name", help="service name to report (default: PFD_RUNTIME_SERVICE_NAME or 'runtime')")
    args = parser.parse_args(argv)
    settings = RuntimeSettings()
    if args.name:
        settings = settings.model_copy(update={"service_name": args.name})
    serve(HealthApp(ServiceRuntime(settings, version=__version__)), settings)
