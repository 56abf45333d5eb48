"""``pfd-gateway serve`` as several worker processes on one host (``workers``, default: the usable CPU cores).

One gateway process is bound to one core (the GIL), and a dashboard page load costs a few ms of CPU per
request, so a busy dashboard needs more processes. What each worker runs for itself and what must happen once:

- once, in the supervisor, before any worker starts: the migrations (when ``database.migrate_on_start``) and the
  development first admin (its password printed once); workers are started with both switched off;
- Prometheus multiprocess mode: every worker writes its values under one directory (``PROMETHEUS_MULTIPROC_DIR``
  when set, else ``<var_dir>/gateway-metrics-<port>``, emptied at start); ``/metrics`` and the API Monitoring page read
  the totals of every worker;
- per worker: the broadcast consumers (status board, live push to the worker's own WebSocket clients), its
  status rounds and answers as its own instance (``<host>-<pid>``); projections are consumer groups, so one worker
  of the group writes each event; login lockout and sessions are in the database (cached sessions are forgotten
  on every worker of the host when one revokes, see ``auth/session_cache.py``).
"""

from __future__ import annotations

import asyncio
import os
import shutil
from pathlib import Path

from fastapi import FastAPI

from pfd_shared.db.migrate import upgrade
from pfd_shared.runtime.server import serve_workers
from pfd_shared.telemetry.logging import configure_logging
from pfd_shared.telemetry.metrics import MULTIPROC_DIR_ENV

from pfd_gateway.db import MIGRATIONS
from pfd_gateway.settings import GatewaySettings

WORKER_APP = "pfd_gateway.workers:worker_app"
METRICS_DIR = "gateway-metrics-{port}"  # under the var directory, unless PROMETHEUS_MULTIPROC_DIR names one
DONE_ONCE = {"PFD_GATEWAY_DATABASE__MIGRATE_ON_START": "false", "PFD_GATEWAY_AUTH__CREATE_DEV_ADMIN": "false"}


def usable_cores() -> int:
    """CPU cores this process may run on (its affinity mask, e.g. a container's cpuset)."""
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # platforms without sched_getaffinity
        return os.cpu_count() or 1


def worker_count(settings: GatewaySettings) -> int:
    return settings.workers or usable_cores()


def prepare_once(settings: GatewaySettings) -> None:
    """What no two workers may do at the same time: migrate, create the development first admin."""
    migrate = settings.database.migrate_on_start
    if settings.environment == "development" and settings.auth.create_dev_admin:
        from pfd_gateway.auth.provisioning import with_auth

        asyncio.run(with_auth(settings, lambda auth: auth.first_start(settings.environment), migrate=migrate))
    elif migrate:
        upgrade(MIGRATIONS, settings.database_url())


def fresh_metrics_dir(settings: GatewaySettings) -> Path:
    """The multiprocess metrics directory, emptied (values of a previous run would be counted again)."""
    named = os.environ.get(MULTIPROC_DIR_ENV)
    directory = Path(named) if named else settings.var_dir / METRICS_DIR.format(port=settings.http.port)
    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    return directory


def serve_gateway_workers(settings: GatewaySettings, workers: int) -> None:
    """Prepare once, then run ``workers`` gateway processes until SIGINT/SIGTERM."""
    configure_logging(settings.service_name, settings.telemetry)
    prepare_once(settings)
    os.environ[MULTIPROC_DIR_ENV] = str(fresh_metrics_dir(settings))  # inherited by the workers it spawns
    os.environ.update(DONE_ONCE)
    serve_workers(WORKER_APP, settings, workers)


def worker_app() -> FastAPI:
    """The app of one worker (called by uvicorn in the worker process; settings from its environment)."""
    from pfd_gateway.bootstrap import create_app

    settings = GatewaySettings()
    configure_logging(settings.service_name, settings.telemetry)
    return create_app(settings)
