"""Public models of accounts and access (XCreate / XPublic), rendered from the auth service's records."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field

from pfd_gateway.auth.records import ApiKeyRecord, LoginAttemptRecord, SessionRecord, UserRecord
from pfd_gateway.domain.access import Principal, Role, Scope

EMAIL_PATTERN = r"^\s*[^@\s]+@[^@\s]+\s*$"
Email = Field(min_length=3, max_length=320, pattern=EMAIL_PATTERN)
Secret = Field(min_length=1, max_length=1024)
Code = Field(min_length=6, max_length=32, description="A 6-digit TOTP code or a recovery code.")


class LoginCreate(BaseModel):
    email: str = Email
    password: str = Secret
    totp_code: str | None = Field(default=None, max_length=32, description="When 2FA is on: a TOTP or recovery code.")


class UserPublic(BaseModel):
    id: str
    email: str
    role: Role
    is_active: bool
    totp_enabled: bool
    created_at: datetime

    @classmethod
    def of(cls, user: UserRecord) -> UserPublic:
        return cls(id=user.id, email=user.email, role=user.role, is_active=user.is_active,
                   totp_enabled=user.totp_enabled, created_at=user.created_at)


class LoginPublic(BaseModel):
    user: UserPublic
    expires_at: datetime
    csrf_token: str = Field(description="Also set as the readable pfd_csrf cookie; send it as X-CSRF-Token.")


class MePublic(BaseModel):
    user: UserPublic
    via: str = Field(description="session or api_key")
    scopes: list[Scope]

    @classmethod
    def of(cls, user: UserRecord, principal: Principal) -> MePublic:
        return cls(user=UserPublic.of(user), via=principal.via, scopes=sorted(principal.scopes))


class SessionPublic(BaseModel):
    id: str
    created_at: datetime
    last_seen_at: datetime
    expires_at: datetime
    ip: str | None
    user_agent: str | None
    current: bool

    @classmethod
    def of(cls, record: SessionRecord) -> SessionPublic:
        return cls(id=record.id, created_at=record.created_at, last_seen_at=record.last_seen_at,
                   expires_at=record.expires_at, ip=record.ip, user_agent=record.user_agent, current=record.current)


class LoginAttemptPublic(BaseModel):
    at: datetime
    ip: str | None
    user_agent: str | None
    succeeded: bool
    reason: str

    @classmethod
    def of(cls, record: LoginAttemptRecord) -> LoginAttemptPublic:
        return cls(at=record.at, ip=record.ip, user_agent=record.user_agent, succeeded=record.succeeded,
                   reason=record.reason)


class PasswordChange(BaseModel):
    current_password: str = Secret
    new_password: str = Secret


class TotpEnrolmentPublic(BaseModel):
    secret: str
    otpauth_uri: str


class TotpConfirm(BaseModel):
    code: str = Code


class TotpDisable(BaseModel):
    password: str = Secret
    code: str = Code


class RecoveryCodesPublic(BaseModel):
    recovery_codes: list[str] = Field(description="Shown once; each works once instead of a TOTP code.")


class ApiKeyCreate(BaseModel):
    name: str = Field(min_length=1, max_length=100)
    scopes: set[Scope] = Field(default={Scope.READ}, min_length=1)
    expires_at: datetime | None = Field(default=None, description="Timezone-aware; default: never.")


class ApiKeyPublic(BaseModel):
    id: str
    name: str
    prefix: str
    scopes: list[Scope]
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None

    @classmethod
    def of(cls, record: ApiKeyRecord) -> ApiKeyPublic:
        return cls(id=record.id, name=record.name, prefix=record.prefix, scopes=sorted(record.scopes),
                   created_at=record.created_at, expires_at=record.expires_at, revoked_at=record.revoked_at,
                   last_used_at=record.last_used_at)


class ApiKeyCreatedPublic(ApiKeyPublic):
    key: str = Field(description="pfd_<prefix>_<secret>: shown once, store it now.")


class UserCreate(BaseModel):
    email: str = Email
    password: str | None = Field(default=None, max_length=1024, description="Default: generated and returned once.")
    role: Role = Role.MEMBER


class UserCreatedPublic(BaseModel):
    user: UserPublic
    generated_password: str | None


class UserUpdate(BaseModel):
    role: Role | None = None
    is_active: bool | None = None
