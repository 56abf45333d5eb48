"""RegistryStore: the model registry on deploy's database. It implements RegistryReader for serving (resolve,
mark_broken) and offers the reads the service and its tests need; every change publishes through the outbox in
the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from sqlalchemy import Table
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import EventPayload, new_envelope
from pfd_shared.events.deploy import ModelVersionBroken

from pfd_deploy.registry import queries
from pfd_deploy.registry.reader import (
    BROKEN,
    BrokenVersion,
    ServedVersion,
    UnknownAlias,
    UnknownModel,
    UnknownVersion,
)
from pfd_deploy.registry.rules import DELETED


class RegistryStore:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], outbox: Table, relay: OutboxRelay | None,
                 producer: str) -> None:
        self.sessions, self.outbox, self.relay, self.producer = sessions, outbox, relay, producer

    async def stage(self, session: AsyncSession, payload: EventPayload, *, cause: Any = None,
                    owner: str | None = None) -> None:
        """Stage ``payload`` in the session's transaction (published by the relay after the commit)."""
        await add_to_outbox(session, self.outbox, new_envelope(payload, producer=self.producer, cause=cause,
                                                               owner=owner))

    def committed(self) -> None:
        """A transaction with staged events committed: publish them soon."""
        if self.relay is not None:
            self.relay.notify()

    async def resolve(self, model_name: str, *, alias: str | None = None,
                      version: int | None = None) -> ServedVersion:
        async with self.sessions() as session:
            model = await queries.get_model(session, model_name)
            if model is None:
                raise UnknownModel(f"unknown model {model_name!r}")
            number = version
            if alias is not None:
                number = await queries.alias_version(session, model_name, alias)
                if number is None:
                    raise UnknownAlias(f"model {model_name!r} has no alias {alias!r}")
            if number is None:
                raise UnknownVersion(f"give an alias or a version of model {model_name!r}")
            row = await queries.get_version(session, model_name, number)
            if row is None or row["status"] == DELETED:
                raise UnknownVersion(f"model {model_name!r} has no version {number}")
            if row["status"] == BROKEN:
                raise BrokenVersion(f"version {number} of {model_name!r} is broken and not served: "
                                    f"{row['status_reason']}")
            files = {file["variant"]: file for file in await queries.variants_of(session, model_name, number)}
        file = files[row["served_variant"]]
        return ServedVersion(
            model_name=model_name, version=number, alias=alias, owner_id=model["owner_id"],
            variant=file["variant"], object_key=file["object_key"], sha256=file["sha256"],
            class_names=tuple(row["class_names"]), window_length=row["window_length"],
            sample_rate_hz=row["sample_rate_hz"], status=row["status"])

    async def mark_broken(self, model_name: str, version: int, reason: str) -> None:
        """Broken from now on (ModelVersionBroken published once); a deleted or unknown version is left alone."""
        async with self.sessions() as session, session.begin():
            row = await queries.get_version(session, model_name, version)
            if row is None or row["status"] in (BROKEN, DELETED):
                return
            await queries.set_status(session, model_name, version, BROKEN, reason)
            await self.stage(session, ModelVersionBroken(model_name=model_name, version=version, reason=reason))
        self.committed()

    # reads ------------------------------------------------------------------------------------------------
    async def version(self, model_name: str, version: int) -> Mapping[str, Any] | None:
        async with self.sessions() as session:
            return await queries.get_version(session, model_name, version)

    async def versions(self, model_name: str) -> list[Mapping[str, Any]]:
        async with self.sessions() as session:
            return await queries.list_versions(session, model_name)

    async def variants(self, model_name: str, version: int) -> list[Mapping[str, Any]]:
        async with self.sessions() as session:
            return await queries.variants_of(session, model_name, version)

    async def aliases(self, model_name: str) -> dict[str, int]:
        async with self.sessions() as session:
            return await queries.aliases_of(session, model_name)

    async def history(self, model_name: str, alias: str | None = None) -> list[Mapping[str, Any]]:
        async with self.sessions() as session:
            return await queries.history(session, model_name, alias)

    async def deployment(self, deployment_id: str) -> Mapping[str, Any] | None:
        async with self.sessions() as session:
            return await queries.get_deployment(session, deployment_id)
