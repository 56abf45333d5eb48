"""API keys: ``pfd_<prefix>_<secret>``, shown once, stored hashed, scoped, optionally expiring, revocable."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import insert, or_, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_gateway.auth.context import AuthContext, as_utc, new_id
from pfd_gateway.auth.errors import InvalidApiKey, InvalidInput, KeyExpired, KeyRevoked, NotFound
from pfd_gateway.auth.records import ApiKeyRecord, NewApiKey, parse_scopes, render_scopes
from pfd_gateway.auth.tokens import digest, new_api_key, parse_api_key, same
from pfd_gateway.db import api_keys, users
from pfd_gateway.domain.access import Principal, Role, Scope


class ApiKeyService:
    def __init__(self, ctx: AuthContext) -> None:
        self.ctx = ctx

    async def create(self, principal: Principal, name: str, scopes: set[Scope],
                     expires_at: datetime | None = None) -> NewApiKey:
        """A key acting as the caller with the given scopes (never more than the caller's own)."""
        now = self.ctx.now()
        if expires_at is not None and as_utc(expires_at) <= now:
            raise InvalidInput("expires_at", "Expiry must be in the future.")
        if not scopes or not scopes <= principal.scopes:
            raise InvalidInput("scopes", "Scopes must be a non-empty subset of your own.")
        parts = new_api_key()
        values = dict(id=new_id(), user_id=principal.user_id, name=name, prefix=parts.prefix,
                      secret_hash=digest(parts.secret), scopes=render_scopes(scopes), created_at=now,
                      expires_at=as_utc(expires_at), revoked_at=None, last_used_at=None)
        async with self.ctx.db() as db, db.begin():
            await db.execute(insert(api_keys).values(**values))
        return NewApiKey(ApiKeyRecord.from_row(values), parts.render())

    async def list(self, principal: Principal) -> list[ApiKeyRecord]:
        """The caller's keys, revoked ones included (they show when they were revoked)."""
        query = select(api_keys).where(api_keys.c.user_id == principal.user_id).order_by(api_keys.c.created_at.desc())
        async with self.ctx.db() as db:
            return [ApiKeyRecord.from_row(row) for row in (await db.execute(query)).mappings().all()]

    async def revoke(self, principal: Principal, key_id: str) -> None:
        """Revoke one of the caller's keys; effective on the key's next request."""
        statement = (update(api_keys).where(api_keys.c.id == key_id, api_keys.c.user_id == principal.user_id,
                                            api_keys.c.revoked_at.is_(None)).values(revoked_at=self.ctx.now()))
        async with self.ctx.db() as db, db.begin():
            if (await db.execute(statement)).rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound()

    async def resolve(self, key: str) -> Principal:
        """The principal of an API key; InvalidApiKey, KeyRevoked or KeyExpired otherwise."""
        parts = parse_api_key(key)
        if parts is None:
            raise InvalidApiKey()
        now = self.ctx.now()
        query = (select(api_keys, users.c.email, users.c.role, users.c.is_active)
                 .join(users, users.c.id == api_keys.c.user_id).where(api_keys.c.prefix == parts.prefix))
        async with self.ctx.db() as db, db.begin():
            row = (await db.execute(query)).mappings().first()
            if row is None or not same(row["secret_hash"], digest(parts.secret)) or not row["is_active"]:
                raise InvalidApiKey()
            if row["revoked_at"] is not None:
                raise KeyRevoked()
            if row["expires_at"] is not None and as_utc(row["expires_at"]) <= now:
                raise KeyExpired()
            await self._touch(db, row["id"], as_utc(row["last_used_at"]), now)
        return Principal(row["user_id"], row["email"], Role(row["role"]), parse_scopes(row["scopes"]), "api_key",
                         api_key_id=row["id"])

    async def _touch(self, db: AsyncSession, key_id: str, last_used_at: datetime | None, now: datetime) -> None:
        """Record use at most once per interval; the guard in WHERE keeps concurrent processes to one write."""
        threshold = now - timedelta(seconds=self.ctx.settings.last_used_interval_s)
        if last_used_at is not None and last_used_at > threshold:
            return
        await db.execute(update(api_keys).where(
            api_keys.c.id == key_id, or_(api_keys.c.last_used_at.is_(None), api_keys.c.last_used_at <= threshold))
            .values(last_used_at=now))
