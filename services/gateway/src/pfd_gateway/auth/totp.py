"""Optional TOTP two-factor authentication (pyotp) with single-use recovery codes stored hashed."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyotp
from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from pfd_gateway.auth.context import AuthContext, new_id
from pfd_gateway.auth.errors import Conflict, InvalidCredentials, InvalidSecondFactor
from pfd_gateway.auth.records import TotpEnrolment
from pfd_gateway.auth.tokens import digest, new_recovery_code, normalize_recovery_code, totp_step
from pfd_gateway.db import recovery_codes, users
from pfd_gateway.domain.access import Principal


class TotpService:
    def __init__(self, ctx: AuthContext) -> None:
        self.ctx = ctx

    async def enrol(self, principal: Principal) -> TotpEnrolment:
        """Start (or restart) enrolment: a new secret, inactive until confirmed with a code."""
        secret = pyotp.random_base32()
        async with self.ctx.db() as db, db.begin():
            user = await self._user(db, principal.user_id)
            if user["totp_enabled"]:
                raise Conflict("Two-factor authentication is already enabled; disable it first.")
            await db.execute(update(users).where(users.c.id == principal.user_id)
                             .values(totp_secret=secret, totp_last_step=None))
        uri = pyotp.TOTP(secret).provisioning_uri(name=principal.email, issuer_name=self.ctx.settings.totp_issuer)
        return TotpEnrolment(secret, uri)

    async def confirm(self, principal: Principal, code: str) -> list[str]:
        """Turn 2FA on with a first valid code; returns the recovery codes (shown once)."""
        codes = [new_recovery_code() for _ in range(self.ctx.settings.recovery_codes)]
        async with self.ctx.db() as db, db.begin():
            user = await self._user(db, principal.user_id)
            if user["totp_enabled"] or not user["totp_secret"]:
                raise Conflict("Start enrolment first." if not user["totp_secret"] else "Already enabled.")
            await self._check_totp(db, user, code)
            await db.execute(update(users).where(users.c.id == principal.user_id).values(totp_enabled=True))
            await db.execute(delete(recovery_codes).where(recovery_codes.c.user_id == principal.user_id))
            await db.execute(insert(recovery_codes), [
                {"id": new_id(), "user_id": principal.user_id, "code_hash": digest(c), "used_at": None} for c in codes])
        return codes

    async def disable(self, principal: Principal, password: str, code: str) -> None:
        """Turn 2FA off: needs the password and a current code (or a recovery code)."""
        async with self.ctx.db() as db, db.begin():
            user = await self._user(db, principal.user_id)
            if not user["totp_enabled"]:
                raise Conflict("Two-factor authentication is not enabled.")
            if not await self.ctx.passwords.verify(user["password_hash"], password):
                raise InvalidCredentials("Wrong password.")
            await self.check_second_factor(db, user, code)
            await db.execute(update(users).where(users.c.id == principal.user_id)
                             .values(totp_enabled=False, totp_secret=None, totp_last_step=None))
            await db.execute(delete(recovery_codes).where(recovery_codes.c.user_id == principal.user_id))

    async def check_second_factor(self, db: AsyncSession, user: Mapping[str, Any], code: str) -> bool:
        """Accept a TOTP code or an unused recovery code (then spent); True when a recovery code was used."""
        try:
            await self._check_totp(db, user, code)
            return False
        except InvalidSecondFactor:
            spend = (update(recovery_codes)
                     .where(recovery_codes.c.user_id == user["id"], recovery_codes.c.used_at.is_(None),
                            recovery_codes.c.code_hash == digest(normalize_recovery_code(code)))
                     .values(used_at=self.ctx.now()))
            if (await db.execute(spend)).rowcount == 0:  # type: ignore[attr-defined]
                raise
            return True

    async def _check_totp(self, db: AsyncSession, user: Mapping[str, Any], code: str) -> None:
        """A code is valid once: its time step must be newer than the last one accepted (no replay)."""
        step = totp_step(user["totp_secret"], code, self.ctx.now(), self.ctx.settings.totp_valid_window)
        if step is None or (user["totp_last_step"] is not None and step <= user["totp_last_step"]):
            raise InvalidSecondFactor()
        replay_guard = users.c.totp_last_step.is_(None) | (users.c.totp_last_step < step)
        accepted = await db.execute(update(users).where(users.c.id == user["id"], replay_guard)
                                    .values(totp_last_step=step))
        if accepted.rowcount == 0:  # type: ignore[attr-defined]
            raise InvalidSecondFactor()

    @staticmethod
    async def _user(db: AsyncSession, user_id: str) -> Mapping[str, Any]:
        return (await db.execute(select(users).where(users.c.id == user_id))).mappings().one()
