"""Gateway test harness: an app over TestKafkaBroker and a migrated SQLite copy, with users and clients.

Auth settings are cheap (fast argon2) and small (lockout after 3 failures) so every rule is quick to test.
"""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from faststream.kafka import TestKafkaBroker
from prometheus_client import CollectorRegistry
from sqlalchemy import select

from pfd_shared.db.migrate import upgrade
from pfd_shared.events import decode_event
from pfd_shared.localstack.processes import free_port
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics

from pfd_gateway.auth.credentials import CSRF_COOKIE
from pfd_gateway.bootstrap import Gateway, create_app
from pfd_gateway.db import MIGRATIONS
from pfd_gateway.domain.access import Role
from pfd_gateway.settings import AuthSettings, GatewaySettings

PASSWORD = "correct horse battery"
FAST_AUTH = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1, "lockout_failures": 3,
             "create_dev_admin": False}


@dataclass
class Harness:
    app: object
    gateway: Gateway
    base_url: str = "http://gw"
    password: str = PASSWORD
    now: datetime = field(default_factory=lambda: datetime.now(UTC))

    def advance(self, **delta: float) -> None:
        """Move the auth clock forward (expiry, lockout, TOTP steps)."""
        self.now += timedelta(**delta)

    def client(self, base_url: str | None = None, **kwargs: object) -> httpx.AsyncClient:
        return httpx.AsyncClient(transport=httpx.ASGITransport(app=self.app), base_url=base_url or self.base_url,
                                 **kwargs)  # type: ignore[arg-type]

    async def user(self, email: str, role: Role = Role.MEMBER) -> str:
        return (await self.gateway.auth.users.create(email, PASSWORD, role)).user.id

    async def login(self, email: str, password: str = PASSWORD, **body: str) -> httpx.AsyncClient:
        """A client holding the session cookies and sending the CSRF header."""
        client = self.client()
        response = await client.post("/api/v1/auth/login", json={"email": email, "password": password, **body})
        assert response.status_code == 200, response.text
        client.headers["X-CSRF-Token"] = client.cookies[CSRF_COOKIE]
        return client

    async def api_key(self, client: httpx.AsyncClient, scopes: list[str], **body: object) -> str:
        response = await client.post("/api/v1/api-keys", json={"name": "k", "scopes": scopes, **body})
        assert response.status_code == 201, response.text
        return str(response.json()["key"])


@pytest.fixture(scope="session")
def migrated_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("template") / "gateway.db"
    upgrade(MIGRATIONS, f"sqlite+aiosqlite:///{path}")
    return path


@pytest.fixture
async def harness(tmp_path: Path, migrated_template: Path) -> AsyncIterator[Harness]:
    shutil.copy(migrated_template, tmp_path / "gateway.db")
    settings = GatewaySettings(var_dir=tmp_path, instance_id="gw-test", auth=AuthSettings(**FAST_AUTH))
    app = create_app(settings, ServiceMetrics(CollectorRegistry()), InMemoryObjectStore())
    gateway: Gateway = app.state.gateway
    h = Harness(app, gateway)
    gateway.auth.ctx.clock = lambda: h.now
    async with TestKafkaBroker(gateway.runtime.broker):
        gateway.runtime.ready = True
        yield h
    assert gateway.runtime.database is not None
    await gateway.runtime.database.engine.dispose()


@pytest.fixture
async def admin(harness: Harness) -> httpx.AsyncClient:
    await harness.user("admin@pfd.test", Role.ADMIN)
    return await harness.login("admin@pfd.test")


@pytest.fixture
async def served(harness: Harness) -> AsyncIterator[str]:
    """The app under a real uvicorn server in this loop (for /ws); yields its ws:// base URL."""
    port = free_port()
    server = uvicorn.Server(uvicorn.Config(harness.app, host="127.0.0.1", port=port, lifespan="off", log_config=None))
    task = asyncio.create_task(server.serve())
    while not server.started:
        await asyncio.sleep(0.01)
    yield f"ws://127.0.0.1:{port}"
    server.should_exit = True
    await task


@pytest.fixture
async def member(harness: Harness) -> Callable[[str], Awaitable[httpx.AsyncClient]]:
    """``await member("alice")``: a signed-in member ``alice@pfd.test`` (modules may still define their own)."""

    async def sign_in(name: str) -> httpx.AsyncClient:
        await harness.user(f"{name}@pfd.test")
        return await harness.login(f"{name}@pfd.test")

    return sign_in


@pytest.fixture
def sent_events(harness: Harness) -> Callable[[], Awaitable[list[Any]]]:
    """``await sent_events()``: the events staged in the gateway's outbox, oldest first."""

    async def read() -> list[Any]:
        database = harness.gateway.runtime.database
        assert database is not None
        async with database.sessions() as session:
            rows = (await session.execute(select(database.outbox).order_by("id"))).all()
        return [decode_event(row.body) for row in rows]

    return read
