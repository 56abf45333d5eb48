"""Run an ASGI app under uvicorn with the service's HTTP settings and a bounded graceful shutdown."""

from __future__ import annotations

from typing import Any

import uvicorn

from pfd_shared.settings import ServiceSettings
from pfd_shared.telemetry.logging import configure_logging


def serve(app: Any, settings: ServiceSettings) -> None:
    """Blocks until SIGINT/SIGTERM; shutdown never waits more than ``http.graceful_shutdown_s``."""
    configure_logging(settings.service_name, settings.telemetry)
    config = uvicorn.Config(
        app,
        host=settings.http.host,
        port=settings.http.port,
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=settings.http.graceful_shutdown_s,
        ws_ping_interval=20,
    )
    uvicorn.Server(config).run()
