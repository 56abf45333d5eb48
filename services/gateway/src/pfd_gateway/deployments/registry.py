"""ModelRegistry: the models, their versions, variants and benchmarks, aliases and their history, and the commands
that change them (promote, roll back, delete a version), which the deploy service carries out and announces.

A model is its owner's (admins see all); another user's answers NotFound. Refusals name the field: an alias on a
version that is not ready, a rollback with no earlier version to go back to, deleting a version an alias serves.
"""

from __future__ import annotations

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.events.deploy import ModelAliasSetRequested, ModelVersionDeleteRequested

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.deployments import reads, states
from pfd_gateway.deployments.commands import CommandOutbox, build_command
from pfd_gateway.deployments.tables import ACTOR_LENGTH, DeploymentTables
from pfd_gateway.deployments.views import ModelDetail, ModelPublic, RegistryAccepted, VersionPublic
from pfd_gateway.domain.access import Principal
from pfd_gateway.settings import DeploySettings


class ModelRegistry:
    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: DeploymentTables, commands: CommandOutbox,
                 settings: DeploySettings) -> None:
        self.sessions, self.tables, self.commands, self.settings = sessions, tables, commands, settings

    async def list(self, principal: Principal) -> list[ModelPublic]:
        async with self.sessions() as session:
            return await reads.models(session, self.tables, [reads.owned(principal, self.tables.models.c.owner_id)])

    async def get(self, principal: Principal, model_name: str) -> ModelDetail:
        """A model with its versions (newest first, aliases marked), and its alias history (newest first)."""
        summary = await self._model(principal, model_name)
        async with self.sessions() as session:
            return await reads.model_detail(session, self.tables, summary, self.settings.history_shown)

    async def set_alias(self, principal: Principal, model_name: str, alias: str, version: int,
                        reason: str = "") -> RegistryAccepted:
        """Point ``alias`` at ``version`` (promote); the history gets the line when the deploy service moved it."""
        summary = await self._model(principal, model_name)
        command = build_command(ModelAliasSetRequested, "alias", model_name=model_name, alias=alias, version=version,
                                actor=self._actor(principal), reason=reason)
        target = await self._version(model_name, version, summary)
        if target.status not in states.SERVABLE:
            raise InvalidInput("version", f"version {version} is {target.status}: only a ready version can be served")
        if summary.aliases.get(alias) == version:
            raise InvalidInput("version", f"{alias} already points at version {version}")
        return await self._send(command, summary, {"alias": alias, "version": version})

    async def rollback(self, principal: Principal, model_name: str, alias: str, reason: str = "") -> RegistryAccepted:
        """Point ``alias`` back at the version it served before its last change (skipping versions no longer
        ready); InvalidInput when the alias has no such version."""
        summary = await self._model(principal, model_name)
        current = summary.aliases.get(alias)
        if current is None:
            raise NotFound(f"{model_name} has no alias {alias!r}.")
        detail = await self.get(principal, model_name)
        history = [states.AliasChange(line.alias, line.from_version, line.to_version) for line in detail.history]
        usable = [item.version for item in detail.version_list if item.status in states.SERVABLE]
        target = states.rollback_target(history, alias, current, usable)
        if target is None:
            raise InvalidInput("alias", f"{alias} has no earlier version that is still ready to roll back to")
        command = build_command(ModelAliasSetRequested, "alias", model_name=model_name, alias=alias, version=target,
                                actor=self._actor(principal), reason=reason or f"roll back from version {current}")
        return await self._send(command, summary, {"alias": alias, "version": target, "from_version": current})

    async def delete_version(self, principal: Principal, model_name: str, version: int) -> RegistryAccepted:
        """Delete a version and its artefacts (it shows ``deleting`` until the deploy service is done)."""
        summary = await self._model(principal, model_name)
        target = await self._version(model_name, version, summary)
        if target.status in (states.DELETING, states.DELETED):
            raise Conflict(f"Version {version} is already {target.status}.")
        if target.aliases:
            raise InvalidInput("version", f"version {version} is served as {', '.join(target.aliases)}: move the "
                                          f"alias first")
        command = ModelVersionDeleteRequested(model_name=model_name, version=version, actor=self._actor(principal))
        v = self.tables.versions
        async with self.sessions() as session, session.begin():
            await session.execute(update(v).where(v.c.model_name == model_name, v.c.version == version).values(
                status=states.DELETING, error=None))
            await self.commands.stage(session, command, summary.owner_id)
        self.commands.sent()
        return RegistryAccepted(model_name=model_name, status=states.DELETING, detail={"version": version})

    # --- internals -----------------------------------------------------------------------------------------

    async def _send(self, command: ModelAliasSetRequested, summary: ModelPublic,
                    detail: dict[str, int | None]) -> RegistryAccepted:
        async with self.sessions() as session, session.begin():
            await self.commands.stage(session, command, summary.owner_id)
        self.commands.sent()
        return RegistryAccepted(model_name=summary.model_name, detail=detail)

    async def _model(self, principal: Principal, model_name: str) -> ModelPublic:
        m = self.tables.models.c
        async with self.sessions() as session:
            found = await reads.models(session, self.tables, [m.model_name == model_name,
                                                              reads.owned(principal, m.owner_id)])
        if not found:
            raise NotFound("No such model.")
        return found[0]

    async def _version(self, model_name: str, version: int, summary: ModelPublic) -> VersionPublic:
        v = self.tables.versions
        async with self.sessions() as session:
            row = (await session.execute(select(v).where(v.c.model_name == model_name, v.c.version == version))
                   ).mappings().first()
        if row is None:
            raise NotFound(f"{model_name} has no version {version}.")
        return reads.version_view(dict(row), summary.aliases)

    @staticmethod
    def _actor(principal: Principal) -> str:
        return states.actor_of(principal.email, principal.user_id, ACTOR_LENGTH)
