"""Browser sessions: opened at login, stored by token hash, listed and revoked by their user."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import Update, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_gateway.auth.context import AuthContext, as_utc, new_id
from pfd_gateway.auth.errors import NotASession, NotAuthenticated, NotFound, SessionExpired
from pfd_gateway.auth.records import NewSession, SessionRecord, UserRecord
from pfd_gateway.auth.tokens import csrf_token_for, digest, new_token
from pfd_gateway.db import sessions, users
from pfd_gateway.domain.access import ALL_SCOPES, Principal, Role


def revoke_user_sessions(user_id: str, now: object, keep: str | None = None) -> Update:
    """Statement revoking every open session of a user (except ``keep``)."""
    statement = update(sessions).where(sessions.c.user_id == user_id, sessions.c.revoked_at.is_(None))
    if keep is not None:
        statement = statement.where(sessions.c.id != keep)
    return statement.values(revoked_at=now)


class SessionService:
    def __init__(self, ctx: AuthContext) -> None:
        self.ctx = ctx

    async def open(self, db: AsyncSession, user: UserRecord, ip: str | None, user_agent: str | None) -> NewSession:
        """Open a session in the caller's transaction (the login)."""
        now, token, session_id = self.ctx.now(), new_token(), new_id()
        expires_at = now + timedelta(seconds=self.ctx.settings.session_ttl_s)
        await db.execute(insert(sessions).values(
            id=session_id, user_id=user.id, token_hash=digest(token), ip=ip, user_agent=user_agent,
            created_at=now, expires_at=expires_at, last_seen_at=now))
        return NewSession(session_id, token, csrf_token_for(token), expires_at, user)

    async def resolve(self, token: str) -> Principal:
        """The principal of a session cookie (reused from the session cache while it is valid there);
        NotAuthenticated or SessionExpired otherwise."""
        now, settings, cache, token_digest = self.ctx.now(), self.ctx.settings, self.ctx.session_cache, digest(token)
        cached = cache.get(token_digest, now)
        if cached is not None:
            return cached
        generation = cache.generation
        query = (select(sessions, users.c.email, users.c.role, users.c.is_active)
                 .join(users, users.c.id == sessions.c.user_id).where(sessions.c.token_hash == token_digest))
        async with self.ctx.db() as db, db.begin():
            row = (await db.execute(query)).mappings().first()
            if row is None or row["revoked_at"] is not None or not row["is_active"]:
                raise NotAuthenticated()
            last_seen = as_utc(row["last_seen_at"])
            if as_utc(row["expires_at"]) <= now or now - last_seen >= timedelta(seconds=settings.session_idle_s):
                raise SessionExpired()
            if now - last_seen >= timedelta(seconds=settings.last_used_interval_s):
                await db.execute(update(sessions).where(sessions.c.id == row["id"]).values(last_seen_at=now))
                last_seen = now
        principal = Principal(row["user_id"], row["email"], Role(row["role"]), ALL_SCOPES, "session",
                              session_id=row["id"])
        cache.put(token_digest, principal, now, as_utc(row["expires_at"]),
                  last_seen + timedelta(seconds=settings.session_idle_s),
                  last_seen + timedelta(seconds=settings.last_used_interval_s), generation=generation)
        return principal

    async def list_active(self, principal: Principal) -> list[SessionRecord]:
        """The user's sessions that are neither revoked nor expired, newest first."""
        now = self.ctx.now()
        query = (select(sessions).where(sessions.c.user_id == principal.user_id, sessions.c.revoked_at.is_(None),
                                        sessions.c.expires_at > now)
                 .order_by(sessions.c.created_at.desc()))
        async with self.ctx.db() as db:
            rows = (await db.execute(query)).mappings().all()
        idle = timedelta(seconds=self.ctx.settings.session_idle_s)
        return [SessionRecord(r["id"], as_utc(r["created_at"]), as_utc(r["last_seen_at"]), as_utc(r["expires_at"]),
                              r["ip"], r["user_agent"], r["id"] == principal.session_id)
                for r in rows if now - as_utc(r["last_seen_at"]) < idle]

    async def revoke(self, principal: Principal, session_id: str) -> None:
        """Revoke one of the caller's own sessions (another user's answers NotFound)."""
        statement = (update(sessions).where(sessions.c.id == session_id, sessions.c.user_id == principal.user_id,
                                            sessions.c.revoked_at.is_(None)).values(revoked_at=self.ctx.now()))
        async with self.ctx.db() as db, db.begin():
            if (await db.execute(statement)).rowcount == 0:  # type: ignore[attr-defined]
                raise NotFound()
        self.ctx.session_cache.drop_session(session_id)

    async def logout(self, principal: Principal) -> None:
        if principal.session_id is None:
            raise NotASession()
        await self.revoke(principal, principal.session_id)

    async def logout_everywhere(self, principal: Principal) -> int:
        """Revoke every session of the caller, this one included; returns how many."""
        async with self.ctx.db() as db, db.begin():
            result = await db.execute(revoke_user_sessions(principal.user_id, self.ctx.now()))
        self.ctx.session_cache.drop_user(principal.user_id)
        return int(result.rowcount)  # type: ignore[attr-defined]
