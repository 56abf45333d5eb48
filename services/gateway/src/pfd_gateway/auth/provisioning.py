"""Accounts created outside the API, straight in the gateway's database: the CLI, scripts and tests."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import TypeVar

from pfd_shared.db.engine import make_engine, make_session_factory
from pfd_shared.db.migrate import upgrade

from pfd_gateway.auth.records import CreatedUser
from pfd_gateway.auth.service import AuthService
from pfd_gateway.db import MIGRATIONS
from pfd_gateway.domain.access import ALL_SCOPES, Principal, Role
from pfd_gateway.settings import GatewaySettings

T = TypeVar("T")


async def with_auth(settings: GatewaySettings, work: Callable[[AuthService], Awaitable[T]], *,
                    migrate: bool = True) -> T:
    """Migrate the gateway's database (unless ``migrate`` is False), run ``work`` with an AuthService on it,
    close the engine."""
    url = settings.database_url()
    if migrate:
        await asyncio.to_thread(upgrade, MIGRATIONS, url)
    engine = make_engine(url, settings.database)
    try:
        return await work(AuthService(make_session_factory(engine), settings.auth))
    finally:
        await engine.dispose()


async def create_user(settings: GatewaySettings, email: str, password: str | None, role: Role) -> CreatedUser:
    """A new user (the password is generated when None)."""
    return await with_auth(settings, lambda auth: auth.users.create(email, password, role))


def provision_api_key(settings: GatewaySettings, email: str, role: Role = Role.ADMIN, name: str = "provisioned") -> str:
    """Create a user with a read+write API key and return the key (blocking; for scripts and tests)."""

    async def work(auth: AuthService) -> str:
        user = (await auth.users.create(email, None, role)).user
        principal = Principal(user.id, user.email, user.role, ALL_SCOPES, "session")
        return (await auth.api_keys.create(principal, name, set(ALL_SCOPES))).key

    return asyncio.run(with_auth(settings, work))
