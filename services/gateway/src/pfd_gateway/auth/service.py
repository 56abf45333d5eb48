"""AuthService: the auth parts over one database, and the authentication of a request's credentials."""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_gateway.auth.api_keys import ApiKeyService
from pfd_gateway.auth.context import AuthContext, utc_now
from pfd_gateway.auth.credentials import Credentials
from pfd_gateway.auth.errors import CsrfMismatch, InsufficientScope, NotAuthenticated
from pfd_gateway.auth.login import LoginService
from pfd_gateway.auth.passwords import Passwords
from pfd_gateway.auth.session_cache import RevocationSignal
from pfd_gateway.auth.sessions import SessionService
from pfd_gateway.auth.shares import ShareService
from pfd_gateway.auth.throttling import ThrottleService
from pfd_gateway.auth.tokens import csrf_token_for, same
from pfd_gateway.auth.totp import TotpService
from pfd_gateway.auth.users import UserService
from pfd_gateway.domain.access import Principal, Scope, needs_csrf, required_scope
from pfd_gateway.settings import AuthSettings

log = logging.getLogger(__name__)


class AuthService:
    def __init__(self, db: async_sessionmaker[AsyncSession], settings: AuthSettings,
                 clock: Callable[[], datetime] = utc_now, revocations: RevocationSignal | None = None) -> None:
        self.ctx = AuthContext(db, settings, Passwords(settings), clock, revocations)
        self.users = UserService(self.ctx)
        self.sessions = SessionService(self.ctx)
        self.api_keys = ApiKeyService(self.ctx)
        self.totp = TotpService(self.ctx)
        self.throttle = ThrottleService(self.ctx)
        self.logins = LoginService(self.ctx, self.sessions, self.throttle, self.totp)
        self.shares = ShareService(self.ctx)

    async def first_start(self, environment: str) -> None:
        """Development only: create the default admin when no user exists and print its password once."""
        password = await self.users.ensure_dev_admin(environment)
        if password:
            banner = "=" * 72
            log.warning("%s\nFIRST START (development): created admin %s with password  %s\n"
                        "It is shown only this once: log in and change it. Never used in production.\n%s",
                        banner, self.ctx.settings.dev_admin_email, password, banner)

    async def authenticate(self, credentials: Credentials, scope: Scope | None = None) -> Principal:
        """The caller, checked for CSRF (cookie + unsafe method) and for the scope the method needs."""
        if credentials.api_key:
            principal = await self.api_keys.resolve(credentials.api_key)
        elif credentials.session_token:
            principal = await self.sessions.resolve(credentials.session_token)
            if needs_csrf(credentials.method, principal.via):
                check_csrf(credentials.session_token, credentials.csrf_cookie, credentials.csrf_header)
        else:
            raise NotAuthenticated()
        if (scope or required_scope(credentials.method)) not in principal.scopes:
            raise InsufficientScope()
        return principal


def check_csrf(session_token: str, cookie: str | None, header: str | None) -> None:
    """Double submit, bound to the session: header == cookie == the token derived from the session."""
    if not cookie or not header or not same(cookie, header) or not same(header, csrf_token_for(session_token)):
        raise CsrfMismatch()
