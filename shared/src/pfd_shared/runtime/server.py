"""Run an ASGI app under uvicorn with the service's HTTP settings and a bounded graceful shutdown."""

from __future__ import annotations

from typing import Any

import uvicorn
from uvicorn.supervisors import Multiprocess

from pfd_shared.settings import ServiceSettings
from pfd_shared.telemetry.logging import configure_logging

WS_PING_INTERVAL_S = 20.0


def uvicorn_config(app: Any, settings: ServiceSettings, **options: Any) -> uvicorn.Config:
    """The service's uvicorn configuration; ``options`` adds e.g. ``workers`` and ``factory``."""
    return uvicorn.Config(
        app,
        host=settings.http.host,
        port=settings.http.port,
        lifespan="on",
        log_config=None,
        access_log=False,
        timeout_graceful_shutdown=settings.http.graceful_shutdown_s,
        ws_ping_interval=WS_PING_INTERVAL_S,
        **options,
    )


def serve(app: Any, settings: ServiceSettings) -> None:
    """Blocks until SIGINT/SIGTERM; shutdown never waits more than ``http.graceful_shutdown_s``."""
    configure_logging(settings.service_name, settings.telemetry)
    uvicorn.Server(uvicorn_config(app, settings)).run()


def serve_workers(app_factory: str, settings: ServiceSettings, workers: int) -> None:
    """``workers`` processes on one listening socket, each building its own app by calling ``app_factory``
    ("module:function", imported in the worker); uvicorn's supervisor replaces a worker that dies. Blocks until
    SIGINT/SIGTERM, which every worker gets for its own graceful shutdown."""
    configure_logging(settings.service_name, settings.telemetry)
    config = uvicorn_config(app_factory, settings, factory=True, workers=workers)
    Multiprocess(config, sockets=[config.bind_socket()]).run()
