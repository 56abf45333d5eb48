"""Password login (with the second factor when enabled), throttled through the database."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any, NoReturn

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_gateway.auth.context import AuthContext
from pfd_gateway.auth.errors import InvalidCredentials, InvalidSecondFactor, TotpRequired
from pfd_gateway.auth.records import NewSession, UserRecord
from pfd_gateway.auth.sessions import SessionService
from pfd_gateway.auth.throttling import Attempt, Outcome, ThrottleService
from pfd_gateway.auth.totp import TotpService
from pfd_gateway.auth.users import normalize_email
from pfd_gateway.db import users

IP_MAX_LEN = 64
USER_AGENT_MAX_LEN = 512


class LoginService:
    def __init__(self, ctx: AuthContext, sessions: SessionService, throttle: ThrottleService,
                 totp: TotpService) -> None:
        self.ctx = ctx
        self.sessions = sessions
        self.throttle = throttle
        self.totp = totp

    async def login(self, email: str, password: str, totp_code: str | None = None, *, ip: str | None = None,
                    user_agent: str | None = None) -> NewSession:
        """Check throttles, password and second factor; open a session. Every outcome is recorded."""
        attempt = Attempt(normalize_email(email), ip and ip[:IP_MAX_LEN],
                          user_agent and user_agent[:USER_AGENT_MAX_LEN])
        await self.throttle.ensure_allowed(attempt)
        async with self.ctx.db() as db:
            user = (await db.execute(select(users).where(users.c.email == attempt.email))).mappings().first()
        attempt = replace(attempt, user_id=user["id"] if user else None)
        password_ok = await self.ctx.passwords.verify(user["password_hash"] if user else None, password)
        if user is None or not password_ok or not user["is_active"]:
            outcome = Outcome.UNKNOWN_USER if user is None else (
                Outcome.BAD_PASSWORD if not password_ok else Outcome.INACTIVE)
            await self._fail(attempt, outcome, InvalidCredentials())
        assert user is not None
        try:
            async with self.ctx.db() as db, db.begin():
                outcome = await self._second_factor(db, user, totp_code)
                opened = await self.sessions.open(db, UserRecord.from_row(user), attempt.ip, attempt.user_agent)
        except TotpRequired as exc:  # the transaction is over before the attempt is recorded (SQLite: one writer)
            await self._fail(attempt, Outcome.TOTP_REQUIRED, exc)
        except InvalidSecondFactor as exc:
            await self._fail(attempt, Outcome.BAD_TOTP, exc)
        await self.throttle.record(attempt, outcome)
        return opened

    async def _second_factor(self, db: AsyncSession, user: Mapping[str, Any], code: str | None) -> Outcome:
        if not user["totp_enabled"]:
            return Outcome.OK
        if not code:
            raise TotpRequired()
        return Outcome.OK_RECOVERY_CODE if await self.totp.check_second_factor(db, user, code) else Outcome.OK

    async def _fail(self, attempt: Attempt, outcome: Outcome, error: Exception) -> NoReturn:
        await self.throttle.record(attempt, outcome)
        raise error
