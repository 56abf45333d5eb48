"""A user's webhooks: create (the signing secret is shown once, then only its prefix), edit, delete, test, and
the delivery log. Secrets travel to the notifier sealed; the gateway keeps none."""

from __future__ import annotations

import secrets
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import SecretStr
from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_shared.events.notifications import (
    WebhookDeleteRequested,
    WebhookSaveRequested,
    WebhookTestRequested,
    check_webhook_url,
)
from pfd_shared.notification_rules import RULES_BY_TYPE
from pfd_shared.sealing import seal

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.domain.access import Principal
from pfd_gateway.notifications.commands import Commands
from pfd_gateway.notifications.projection import DELETING, SAVING, upsert

SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
SHOWN_PREFIX = 12  # characters of the secret kept to recognise it


def checked_fields(name: str, url: str, event_types: list[str]) -> tuple[str, str, tuple[str, ...]]:
    """The form's fields, or ``InvalidInput`` naming the first wrong one."""
    name = name.strip()
    if not name or len(name) > 100:
        raise InvalidInput("name", "give the webhook a name of at most 100 characters")
    try:
        check_webhook_url(url.strip())
    except ValueError as exc:
        raise InvalidInput("url", str(exc)) from exc
    unknown = [t for t in event_types if t not in RULES_BY_TYPE]
    if unknown:
        raise InvalidInput("event_types", f"not a notifiable event: {', '.join(unknown)}")
    return name, url.strip(), tuple(event_types)


class WebhookService:
    def __init__(self, commands: Commands, seal_key: SecretStr) -> None:
        self.commands, self.seal_key = commands, seal_key
        self.table, self.log = commands.tables.webhooks, commands.tables.deliveries

    async def list(self, principal: Principal) -> list[dict[str, Any]]:
        query = select(self.table).order_by(self.table.c.created_at)
        if not principal.is_admin:
            query = query.where(self.table.c.user_id == principal.user_id)
        async with self.commands.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def get(self, principal: Principal, webhook_id: str) -> dict[str, Any]:
        async with self.commands.sessions() as session:
            row = (await session.execute(select(self.table).where(self.table.c.webhook_id == webhook_id))
                   ).mappings().first()
        if row is None or (row["user_id"] != principal.user_id and not principal.is_admin):
            raise NotFound("No such webhook.")
        return dict(row)

    async def create(self, principal: Principal, name: str, url: str, event_types: list[str],
                     enabled: bool = True) -> tuple[dict[str, Any], str]:
        """The new webhook and its signing secret (returned this once)."""
        name, url, types = checked_fields(name, url, event_types)
        webhook_id, secret = uuid.uuid4().hex[:16], SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES)
        await self._save(principal, principal.user_id, webhook_id, name, url, types, enabled, secret, new=True)
        return await self.get(principal, webhook_id), secret

    async def update(self, principal: Principal, webhook_id: str, name: str, url: str, event_types: list[str],
                     enabled: bool, rotate_secret: bool = False) -> tuple[dict[str, Any], str | None]:
        """The edited webhook, and its new secret when rotated."""
        row = await self._writable(principal, webhook_id)
        name, url, types = checked_fields(name, url, event_types)
        secret = SECRET_PREFIX + secrets.token_urlsafe(SECRET_BYTES) if rotate_secret else None
        await self._save(principal, row["user_id"], webhook_id, name, url, types, enabled, secret, new=False)
        return await self.get(principal, webhook_id), secret

    async def _save(self, principal: Principal, owner: str, webhook_id: str, name: str, url: str,
                    types: tuple[str, ...], enabled: bool, secret: str | None, *, new: bool) -> None:
        prefix = secret[:SHOWN_PREFIX] if secret else None
        command = WebhookSaveRequested(webhook_id=webhook_id, user_id=owner, name=name, url=url, event_types=types,
                                       enabled=enabled, secret_prefix=prefix,
                                       secret_sealed=seal(self.seal_key, secret) if secret else None)
        now = datetime.now(UTC)

        async def change(session: AsyncSession) -> None:
            values: dict[str, Any] = {"user_id": owner, "name": name, "url": url, "event_types": list(types),
                                      "enabled": enabled, "status": SAVING, "updated_at": now}
            if new:
                values |= {"created_at": now, "consecutive_failures": 0}
            if prefix:
                values["secret_prefix"] = prefix
            await upsert(session, self.table, {"webhook_id": webhook_id}, values)

        await self.commands.send(principal, command, change)

    async def delete(self, principal: Principal, webhook_id: str) -> None:
        row = await self._writable(principal, webhook_id)

        async def change(session: AsyncSession) -> None:
            await session.execute(update(self.table).where(self.table.c.webhook_id == webhook_id)
                                  .values(status=DELETING, updated_at=datetime.now(UTC)))

        await self.commands.send(principal, WebhookDeleteRequested(webhook_id=webhook_id, user_id=row["user_id"]),
                                 change)

    async def test(self, principal: Principal, webhook_id: str) -> None:
        row = await self._writable(principal, webhook_id)
        await self.commands.send(principal, WebhookTestRequested(webhook_id=webhook_id, user_id=row["user_id"]))

    async def deliveries(self, principal: Principal, webhook_id: str, limit: int) -> list[dict[str, Any]]:
        await self.get(principal, webhook_id)
        query = select(self.log).where(self.log.c.webhook_id == webhook_id).order_by(self.log.c.at.desc()).limit(limit)
        async with self.commands.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def _writable(self, principal: Principal, webhook_id: str) -> dict[str, Any]:
        row = await self.get(principal, webhook_id)
        if row["status"] == DELETING:
            raise Conflict("The webhook is being deleted.")
        return row
