"""Login attempts in the database: the history users see, and the lockout/throttle every process agrees on."""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from sqlalchemy import func, insert, select

from pfd_gateway.auth.context import AuthContext, as_utc
from pfd_gateway.auth.errors import AccountLocked, Throttled
from pfd_gateway.auth.records import LoginAttemptRecord
from pfd_gateway.db import login_attempts
from pfd_gateway.domain.access import Principal
from pfd_gateway.domain.lockout import LockoutPolicy, address_throttled, locked_until


class Outcome(StrEnum):
    """Why a login attempt ended as it did (shown in the login history)."""

    OK = "ok"
    OK_RECOVERY_CODE = "ok_recovery_code"
    BAD_PASSWORD = "bad_password"  # noqa: S105 - an outcome, not a password
    UNKNOWN_USER = "unknown_user"
    INACTIVE = "inactive"
    TOTP_REQUIRED = "totp_required"
    BAD_TOTP = "bad_totp"
    LOCKED = "locked"
    THROTTLED = "throttled"


SUCCESSES = frozenset({Outcome.OK, Outcome.OK_RECOVERY_CODE})
COUNTED_FAILURES = frozenset({Outcome.BAD_PASSWORD, Outcome.UNKNOWN_USER, Outcome.INACTIVE, Outcome.BAD_TOTP})


@dataclass(frozen=True, slots=True)
class Attempt:
    email: str
    ip: str | None
    user_agent: str | None
    user_id: str | None = None


class ThrottleService:
    def __init__(self, ctx: AuthContext) -> None:
        self.ctx = ctx
        settings = ctx.settings
        self.policy = LockoutPolicy(settings.lockout_failures, timedelta(seconds=settings.lockout_window_s),
                                    timedelta(seconds=settings.lockout_duration_s))

    async def ensure_allowed(self, attempt: Attempt) -> None:
        """Refuse (and record) an attempt from a throttled address or on a locked account."""
        now = self.ctx.now()
        refusal = await self._address_refusal(attempt, now) or await self._account_refusal(attempt, now)
        if refusal is not None:
            await self.record(attempt, Outcome.LOCKED if isinstance(refusal, AccountLocked) else Outcome.THROTTLED)
            raise refusal

    async def _address_refusal(self, attempt: Attempt, now: datetime) -> Throttled | None:
        if attempt.ip is None:
            return None
        window = timedelta(seconds=self.ctx.settings.ip_window_s)
        query = (select(func.count()).select_from(login_attempts)
                 .where(login_attempts.c.ip == attempt.ip, login_attempts.c.counts_as_failure.is_(True),
                        login_attempts.c.at > now - window))
        async with self.ctx.db() as db:
            failures = (await db.execute(query)).scalar_one()
        if address_throttled(failures, self.ctx.settings.ip_failures):
            return Throttled(int(window.total_seconds()))
        return None

    async def _account_refusal(self, attempt: Attempt, now: datetime) -> AccountLocked | None:
        by_email = login_attempts.c.email == attempt.email
        last_success = (select(func.max(login_attempts.c.at))
                        .where(by_email, login_attempts.c.reason.in_([o.value for o in SUCCESSES])).scalar_subquery())
        query = (select(login_attempts.c.at)
                 .where(by_email, login_attempts.c.counts_as_failure.is_(True),
                        login_attempts.c.at > now - self.policy.lookback,
                        login_attempts.c.at > func.coalesce(last_success, now - self.policy.lookback))
                 .order_by(login_attempts.c.at))
        async with self.ctx.db() as db:
            failures = [as_utc(at) for at in (await db.execute(query)).scalars().all()]
        until = locked_until(failures, now, self.policy)
        return AccountLocked(math.ceil((until - now).total_seconds())) if until else None

    async def record(self, attempt: Attempt, outcome: Outcome) -> None:
        """Record an attempt in its own transaction (it must persist whatever the request does next)."""
        async with self.ctx.db() as db, db.begin():
            await db.execute(insert(login_attempts).values(
                user_id=attempt.user_id, email=attempt.email, ip=attempt.ip, user_agent=attempt.user_agent,
                succeeded=outcome in SUCCESSES, reason=outcome.value, counts_as_failure=outcome in COUNTED_FAILURES,
                at=self.ctx.now()))

    async def history(self, principal: Principal, limit: int | None = None) -> list[LoginAttemptRecord]:
        """The caller's recent login attempts, newest first."""
        query = (select(login_attempts).where(login_attempts.c.user_id == principal.user_id)
                 .order_by(login_attempts.c.at.desc(), login_attempts.c.id.desc())
                 .limit(limit or self.ctx.settings.history_limit))
        async with self.ctx.db() as db:
            rows = (await db.execute(query)).mappings().all()
        return [LoginAttemptRecord(as_utc(r["at"]), r["ip"], r["user_agent"], r["succeeded"], r["reason"])
                for r in rows]
