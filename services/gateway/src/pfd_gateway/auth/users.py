"""Users: creation (CLI, admins, the development first start), admin management, password changes."""

from __future__ import annotations

import logging

from sqlalchemy import func, insert, select, update
from sqlalchemy.exc import IntegrityError

from pfd_gateway.auth.context import AuthContext, new_id
from pfd_gateway.auth.errors import Conflict, InvalidCredentials, NotFound
from pfd_gateway.auth.records import CreatedUser, UserRecord
from pfd_gateway.auth.sessions import revoke_user_sessions
from pfd_gateway.db import api_keys, users
from pfd_gateway.domain.access import Principal, Role

log = logging.getLogger(__name__)


def normalize_email(email: str) -> str:
    return email.strip().lower()


class UserService:
    def __init__(self, ctx: AuthContext) -> None:
        self.ctx = ctx

    async def create(self, email: str, password: str | None = None, role: Role = Role.MEMBER) -> CreatedUser:
        """A new active user; without a password one is generated and returned once."""
        generated = None if password else self.ctx.passwords.generate()
        password = password or generated
        assert password is not None
        self.ctx.passwords.check_policy(password)
        now, user_id = self.ctx.now(), new_id()
        values = dict(id=user_id, email=normalize_email(email), password_hash=await self.ctx.passwords.hash(password),
                      role=role.value, is_active=True, totp_enabled=False, created_at=now, password_changed_at=now)
        try:
            async with self.ctx.db() as db, db.begin():
                await db.execute(insert(users).values(**values))
        except IntegrityError as exc:
            raise Conflict("A user with this email already exists.") from exc
        return CreatedUser(UserRecord.from_row(values), generated)

    async def get(self, user_id: str) -> UserRecord:
        async with self.ctx.db() as db:
            row = (await db.execute(select(users).where(users.c.id == user_id))).mappings().first()
        if row is None:
            raise NotFound()
        return UserRecord.from_row(row)

    async def me(self, principal: Principal) -> UserRecord:
        return await self.get(principal.user_id)

    async def list(self) -> list[UserRecord]:
        async with self.ctx.db() as db:
            rows = (await db.execute(select(users).order_by(users.c.created_at))).mappings().all()
        return [UserRecord.from_row(row) for row in rows]

    async def update(self, user_id: str, *, role: Role | None = None, is_active: bool | None = None) -> UserRecord:
        """Change a user's role or deactivate/reactivate them; the last active admin stays an active admin."""
        changes = {k: v for k, v in (("role", role and role.value), ("is_active", is_active)) if v is not None}
        async with self.ctx.db() as db, db.begin():
            row = (await db.execute(select(users).where(users.c.id == user_id))).mappings().first()
            if row is None:
                raise NotFound()
            stays_admin = changes.get("role", row["role"]) == Role.ADMIN and changes.get("is_active", row["is_active"])
            if row["role"] == Role.ADMIN and row["is_active"] and not stays_admin:
                admins = select(func.count()).select_from(users).where(users.c.role == Role.ADMIN.value,
                                                                       users.c.is_active.is_(True))
                if (await db.execute(admins)).scalar_one() <= 1:
                    raise Conflict("The last active admin cannot be demoted or deactivated.")
            if changes:
                await db.execute(update(users).where(users.c.id == user_id).values(**changes))
            if changes.get("is_active") is False:
                now = self.ctx.now()
                await db.execute(revoke_user_sessions(user_id, now))
                await db.execute(update(api_keys).where(api_keys.c.user_id == user_id, api_keys.c.revoked_at.is_(None))
                                 .values(revoked_at=now))
        self.ctx.session_cache.drop_user(user_id)  # cached principals carry the old role or active state
        return await self.get(user_id)

    async def change_password(self, principal: Principal, current_password: str, new_password: str) -> None:
        """Needs the current password; every other session of the user ends."""
        self.ctx.passwords.check_policy(new_password, field="new_password")
        async with self.ctx.db() as db:
            stored = (await db.execute(select(users.c.password_hash).where(users.c.id == principal.user_id))).scalar()
        if not await self.ctx.passwords.verify(stored, current_password):
            raise InvalidCredentials("Wrong current password.")
        new_hash, now = await self.ctx.passwords.hash(new_password), self.ctx.now()
        async with self.ctx.db() as db, db.begin():
            await db.execute(update(users).where(users.c.id == principal.user_id)
                             .values(password_hash=new_hash, password_changed_at=now))
            await db.execute(revoke_user_sessions(principal.user_id, now, keep=principal.session_id))
        self.ctx.session_cache.drop_user(principal.user_id)

    async def ensure_dev_admin(self, environment: str) -> str | None:
        """Development first start: create the default admin when no user exists; returns its password once."""
        settings = self.ctx.settings
        if environment != "development" or not settings.create_dev_admin:
            return None
        async with self.ctx.db() as db:
            if (await db.execute(select(func.count()).select_from(users))).scalar_one():
                return None
        try:
            created = await self.create(settings.dev_admin_email, role=Role.ADMIN)
        except Conflict:  # another gateway process created it first
            return None
        return created.generated_password
