"""Plain records the auth services return (rendered by the API models and the dashboard)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from pfd_gateway.auth.context import as_utc
from pfd_gateway.domain.access import Role, Scope


@dataclass(frozen=True, slots=True)
class UserRecord:
    id: str
    email: str
    role: Role
    is_active: bool
    totp_enabled: bool
    created_at: datetime

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> UserRecord:
        return cls(row["id"], row["email"], Role(row["role"]), row["is_active"], row["totp_enabled"],
                   as_utc(row["created_at"]))


@dataclass(frozen=True, slots=True)
class CreatedUser:
    user: UserRecord
    generated_password: str | None


@dataclass(frozen=True, slots=True)
class SessionRecord:
    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool


@dataclass(frozen=True, slots=True)
class NewSession:
    """A session just opened: the token (cookie) and CSRF token are only known now."""

    id: str
    token: str
    csrf_token: str
    expires_at: datetime
    user: UserRecord


@dataclass(frozen=True, slots=True)
class ApiKeyRecord:
    id: str
    name: str
    prefix: str
    scopes: frozenset[Scope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> ApiKeyRecord:
        return cls(row["id"], row["name"], row["prefix"], parse_scopes(row["scopes"]), as_utc(row["created_at"]),
                   as_utc(row["expires_at"]), as_utc(row["revoked_at"]), as_utc(row["last_used_at"]))


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """The key itself is shown once, at creation."""

    record: ApiKeyRecord
    key: str


@dataclass(frozen=True, slots=True)
class LoginAttemptRecord:
    at: datetime
    ip: str | None
    user_agent: str | None
    succeeded: bool
    reason: str


@dataclass(frozen=True, slots=True)
class TotpEnrolment:
    secret: str
    otpauth_uri: str


def parse_scopes(value: str) -> frozenset[Scope]:
    return frozenset(Scope(part) for part in value.split(",") if part)


def render_scopes(scopes: frozenset[Scope] | set[Scope]) -> str:
    return ",".join(sorted(scope.value for scope in scopes))
