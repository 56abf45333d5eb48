"""Connectivity checks of the gateway's dependencies: broker, database, object store."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from faststream.kafka import KafkaBroker
from sqlalchemy import text
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncEngine

from pfd_shared.storage.base import StorageError
from pfd_shared.storage.s3 import S3ObjectStore


@dataclass(frozen=True, slots=True)
class CheckResult:
    name: str
    target: str
    ok: bool
    latency_ms: float
    detail: str


class ConnectivityChecks:
    """Each check returns a result (never raises for an unreachable dependency)."""

    def __init__(self, *, broker: KafkaBroker, bootstrap_servers: str, engine: AsyncEngine | None,
                 database_target: str, store: S3ObjectStore, store_target: str, timeout_s: float) -> None:
        self.broker = broker
        self.bootstrap_servers = bootstrap_servers
        self.engine = engine
        self.database_target = database_target
        self.store = store
        self.store_target = store_target
        self.timeout_s = timeout_s

    async def check_broker(self) -> CheckResult:
        async def ping() -> str:
            if not await self.broker.ping(self.timeout_s):
                raise ConnectionError("no answer to describe-cluster")
            return "describe-cluster answered"

        return await self._timed("broker", self.bootstrap_servers, ping)

    async def check_database(self) -> CheckResult:
        engine = self.engine

        async def select_one() -> str:
            if engine is None:
                raise ConnectionError("the gateway has no database configured")
            async with engine.connect() as connection:
                await connection.execute(text("SELECT 1"))
            return "SELECT 1 answered"

        return await self._timed("database", self.database_target, select_one)

    async def check_object_store(self) -> CheckResult:
        async def bucket() -> str:
            await asyncio.to_thread(self.store.ping)
            return f"bucket {self.store.bucket!r} reachable"

        return await self._timed("object store", self.store_target, bucket)

    async def check_all(self) -> list[CheckResult]:
        return list(await asyncio.gather(self.check_broker(), self.check_database(), self.check_object_store()))

    async def _timed(self, name: str, target: str, probe: Callable[[], Awaitable[str]]) -> CheckResult:
        started = time.perf_counter()
        try:
            detail = await asyncio.wait_for(probe(), self.timeout_s)
            ok = True
        except TimeoutError:
            detail, ok = f"no answer within {self.timeout_s:g}s", False
        except (ConnectionError, OSError, SQLAlchemyError, StorageError) as exc:
            detail, ok = f"{type(exc).__name__}: {exc}", False
        return CheckResult(name, target, ok, (time.perf_counter() - started) * 1000, detail)
