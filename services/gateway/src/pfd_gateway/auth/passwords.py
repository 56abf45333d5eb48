"""Argon2id password hashing (argon2-cffi) off the event loop, and the password policy."""

from __future__ import annotations

import asyncio
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.settings import AuthSettings

GENERATED_PASSWORD_BYTES = 18


class Passwords:
    def __init__(self, settings: AuthSettings) -> None:
        self.settings = settings
        self._hasher = PasswordHasher(time_cost=settings.argon2_time_cost, memory_cost=settings.argon2_memory_kib,
                                      parallelism=settings.argon2_parallelism)
        self._dummy_hash: str | None = None

    def check_policy(self, password: str, field: str = "password") -> None:
        if len(password) < self.settings.password_min_length:
            raise InvalidInput(field, f"Password must have at least {self.settings.password_min_length} characters.")

    @staticmethod
    def generate() -> str:
        return secrets.token_urlsafe(GENERATED_PASSWORD_BYTES)

    async def hash(self, password: str) -> str:
        return await asyncio.to_thread(self._hasher.hash, password)

    async def verify(self, password_hash: str | None, password: str) -> bool:
        """Constant work whether or not the account exists (``password_hash`` None checks a dummy hash)."""
        if password_hash is None:
            if self._dummy_hash is None:
                self._dummy_hash = await self.hash(secrets.token_urlsafe(GENERATED_PASSWORD_BYTES))
            await asyncio.to_thread(self._verify, self._dummy_hash, password)
            return False
        return await asyncio.to_thread(self._verify, password_hash, password)

    def _verify(self, password_hash: str, password: str) -> bool:
        try:
            return self._hasher.verify(password_hash, password)
        except (VerificationError, InvalidHashError):
            return False
