"""ServiceRuntime: what every service process runs besides its own domain handlers."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import MetaData, Table
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker

from pfd_shared.db.engine import make_engine, make_session_factory
from pfd_shared.db.messaging_tables import MessagingTables
from pfd_shared.db.migrate import upgrade
from pfd_shared.db.outbox import OutboxRelay
from pfd_shared.events.envelope import new_envelope
from pfd_shared.events.system import ServiceStatusReported, ServiceStopped, WorkerCapacity
from pfd_shared.messaging.broker import make_broker
from pfd_shared.messaging.bus import EventBus
from pfd_shared.runtime.status import build_report, register_status_responder
from pfd_shared.settings import ServiceSettings
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.telemetry.tracing import make_tracer_provider

log = logging.getLogger(__name__)


@dataclass
class Database:
    """A service's own database: engine, sessions, its messaging tables and migrations."""

    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    tables: MessagingTables
    migrations: Path

    @property
    def outbox(self) -> Table:
        return self.tables.outbox


class ServiceRuntime:
    """Composes broker, bus, database, outbox relay and status responder for one service process."""

    def __init__(self, settings: ServiceSettings, *, version: str, metrics: ServiceMetrics | None = None,
                 metadata: MetaData | None = None, tables: MessagingTables | None = None,
                 migrations: Path | None = None) -> None:
        self.settings = settings
        self.service = settings.service_name
        self.version = version
        self.metrics = metrics or ServiceMetrics()
        self.tracer_provider = make_tracer_provider(self.service, version, settings.telemetry)
        self.broker, self.dead_letters = make_broker(
            settings.kafka, service=self.service, metrics=self.metrics, tracer_provider=self.tracer_provider
        )
        self.bus = EventBus(self.broker, settings.kafka, service=self.service, metrics=self.metrics,
                            dead_letters=self.dead_letters)
        self.started_at = datetime.now(UTC)
        self.ready = False
        self.connected = asyncio.Event()
        self.capacity: Callable[[], WorkerCapacity] | None = None  # job slots, for workers (status reports)
        self.database: Database | None = None
        self.outbox_relay: OutboxRelay | None = None
        if metadata is not None and tables is not None and migrations is not None:
            engine = make_engine(settings.database_url(), settings.database)
            self.database = Database(engine, make_session_factory(engine), tables, migrations)
            self.outbox_relay = OutboxRelay(
                self.database.sessions, tables.outbox, self._publish_raw,
                batch_size=settings.outbox.batch_size, poll_interval_s=settings.outbox.poll_interval_s,
            )
        self._tasks: list[asyncio.Task[None]] = []
        register_status_responder(self)
        self.bus.documents(ServiceStatusReported)
        self.bus.documents(ServiceStopped)

    async def _publish_raw(self, body: bytes, topic: str, key: bytes, headers: dict[str, str]) -> None:
        await self.broker.publish(body, topic=topic, key=key, headers=headers)

    def migrate(self) -> None:
        """Upgrade this service's database to the latest migration."""
        if self.database is not None:
            upgrade(self.database.migrations, self.settings.database_url())

    async def start(self) -> None:
        """Migrate if allowed, then connect in the background (not ready until connected)."""
        self.metrics.ready.set(0)
        if self.database is not None and self.settings.database.migrate_on_start:
            await asyncio.to_thread(self.migrate)
        self._tasks.append(asyncio.create_task(self._connect(), name=f"{self.service}-connect"))

    async def _connect(self) -> None:
        delay = self.settings.kafka.connect_backoff_initial_s
        while True:
            try:
                await self.broker.start()
                break
            except Exception as exc:  # noqa: BLE001 - any connection failure: back off and retry
                log.warning("broker %s unreachable (%s); retrying in %.1fs",
                            self.settings.kafka.bootstrap_servers, exc, delay)
                with contextlib.suppress(Exception):
                    await self.broker.stop()
                await asyncio.sleep(delay)
                delay = min(delay * 2, self.settings.kafka.connect_backoff_max_s)
        self.ready = True
        self.connected.set()
        self.metrics.ready.set(1)
        log.info("%s %s connected to %s", self.service, self.version, self.settings.kafka.bootstrap_servers)
        await self.bus.publish(new_envelope(await build_report(self, None), producer=self.service))
        if self.outbox_relay is not None:
            self._tasks.append(asyncio.create_task(self.outbox_relay.run(), name=f"{self.service}-outbox"))

    async def stop(self) -> None:
        """Announce the stop, cancel background work, close broker and database."""
        if self.ready:
            stopped = ServiceStopped(service=self.service, instance_id=self.settings.instance_id,
                                     stopped_at=datetime.now(UTC))
            with contextlib.suppress(Exception):
                await asyncio.wait_for(self.bus.publish(new_envelope(stopped, producer=self.service)), timeout=2)
        self.ready = False
        self.metrics.ready.set(0)
        for task in self._tasks:
            task.cancel()
        for task in self._tasks:
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await task
        self._tasks.clear()
        await self.broker.stop()
        if self.database is not None:
            await self.database.engine.dispose()
        self.tracer_provider.shutdown()

    async def is_ready(self) -> bool:
        """Connected to the broker (and the database answers, when there is one)."""
        if not self.ready:
            return False
        if self.database is not None:
            from sqlalchemy import text

            try:
                async with self.database.engine.connect() as connection:
                    await connection.execute(text("SELECT 1"))
            except Exception:  # noqa: BLE001 - readiness reports, it does not raise
                return False
        return True
