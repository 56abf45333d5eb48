"""Admin pages' use cases: the SMTP configuration (the password is sealed and never stored or shown here), test
emails and the email log, the digest queue and history, and "send now"."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr, ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events.notifications import (
    SMTP_CONFIG_KEY,
    DigestSendRequested,
    SmtpConfigUpdateRequested,
    TestEmailRequested,
)
from pfd_shared.sealing import seal

from pfd_gateway.auth.errors import Forbidden, InvalidInput
from pfd_gateway.db import users
from pfd_gateway.domain.access import Principal
from pfd_gateway.notifications.commands import Commands
from pfd_gateway.notifications.projection import SAVING, upsert


def _admin(principal: Principal) -> None:
    if not principal.is_admin:
        raise Forbidden("Admins only.")


def _command(cls: type[Any], **values: Any) -> Any:
    try:
        return cls(**values)
    except ValidationError as exc:
        first = exc.errors()[0]
        field = str(first["loc"][0]) if first["loc"] else "form"
        message = "not a valid email address" if first["type"] == "string_pattern_mismatch" else first["msg"]
        raise InvalidInput(field, message) from exc


class EmailAdmin:
    def __init__(self, commands: Commands, seal_key: SecretStr) -> None:
        self.commands, self.seal_key = commands, seal_key
        self.tables = commands.tables

    async def config(self, principal: Principal) -> dict[str, Any] | None:
        """The saved configuration without any secret (None: only the notifier's settings apply)."""
        _admin(principal)
        async with self.commands.sessions() as session:
            row = (await session.execute(select(self.tables.smtp))).mappings().first()
        return None if row is None else dict(row)

    async def save(self, principal: Principal, *, host: str, port: int, tls_mode: str, username: str | None,
                   password: str | None, clear_password: bool, from_address: str) -> dict[str, Any] | None:
        """``password`` None or empty keeps the stored one; ``clear_password`` removes it."""
        _admin(principal)
        current = await self.config(principal)
        sealed = seal(self.seal_key, password) if password else None
        command = _command(SmtpConfigUpdateRequested, host=host.strip(), port=port, tls_mode=tls_mode,
                           username=(username or "").strip() or None, password_sealed=sealed,
                           clear_password=clear_password and not password, from_address=from_address.strip())
        password_set = bool(sealed) or (not command.clear_password and bool(current and current["password_set"]))

        async def change(session: AsyncSession) -> None:
            await upsert(session, self.tables.smtp, {"config_id": SMTP_CONFIG_KEY}, {
                "host": command.host, "port": command.port, "tls_mode": command.tls_mode,
                "username": command.username, "password_set": password_set, "from_address": command.from_address,
                "status": SAVING, "updated_at": datetime.now(UTC)})

        await self.commands.send(principal, command, change)
        return await self.config(principal)

    async def send_test(self, principal: Principal, to: str) -> None:
        _admin(principal)
        await self.commands.send(principal, _command(TestEmailRequested, to=to.strip()))

    async def emails(self, principal: Principal, limit: int) -> list[dict[str, Any]]:
        _admin(principal)
        query = select(self.tables.emails).order_by(self.tables.emails.c.at.desc()).limit(limit)
        async with self.commands.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]


class DigestAdmin:
    def __init__(self, commands: Commands) -> None:
        self.commands, self.tables = commands, commands.tables

    async def queue(self, principal: Principal) -> list[dict[str, Any]]:
        """Per user: address, frequency, how many items wait and since when."""
        _admin(principal)
        q, prefs = self.tables.digest_queue.c, self.tables.preferences.c
        query = (select(q.user_id, users.c.email.label("account"), prefs.email, prefs.digest_frequency,
                        func.count().label("items"), func.min(q.queued_at).label("oldest"))
                 .select_from(self.tables.digest_queue.outerjoin(users, users.c.id == q.user_id)
                              .outerjoin(self.tables.preferences, prefs.user_id == q.user_id))
                 .group_by(q.user_id, users.c.email, prefs.email, prefs.digest_frequency).order_by("oldest"))
        async with self.commands.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def items(self, principal: Principal) -> list[dict[str, Any]]:
        _admin(principal)
        query = select(self.tables.digest_queue).order_by(self.tables.digest_queue.c.queued_at)
        async with self.commands.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def history(self, principal: Principal, limit: int) -> list[dict[str, Any]]:
        _admin(principal)
        query = select(self.tables.digests).order_by(self.tables.digests.c.sent_at.desc()).limit(limit)
        async with self.commands.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def send_now(self, principal: Principal, user_id: str | None) -> None:
        """Ask the notifier to send one user's waiting digest (or every waiting digest) now."""
        _admin(principal)
        await self.commands.send(principal, DigestSendRequested(user_id=user_id))
