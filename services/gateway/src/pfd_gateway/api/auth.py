"""Login, logout, the current user, own sessions, login history, password and TOTP."""

from __future__ import annotations

from fastapi import APIRouter, Request, Response, status

from pfd_gateway.api.account_models import (LoginAttemptPublic, LoginCreate, LoginPublic, MePublic, PasswordChange,
                                            RecoveryCodesPublic, SessionPublic, TotpConfirm, TotpDisable,
                                            TotpEnrolmentPublic, UserPublic)
from pfd_gateway.api.deps import API_PREFIX, AuthDep, CurrentPrincipal, client_ip
from pfd_gateway.auth.credentials import CSRF_COOKIE, SESSION_COOKIE
from pfd_gateway.auth.records import NewSession
from pfd_gateway.settings import AuthSettings

router = APIRouter(prefix=f"{API_PREFIX}/auth", tags=["auth"])
NO_CONTENT = {"status_code": status.HTTP_204_NO_CONTENT, "response_class": Response}


def set_session_cookies(request: Request, response: Response, opened: NewSession, settings: AuthSettings) -> None:
    """pfd_session: HttpOnly; pfd_csrf: readable by the page's scripts. Secure over https (or always)."""
    secure = settings.cookie_secure == "always" or request.url.scheme == "https"
    common = {"max_age": settings.session_ttl_s, "secure": secure, "samesite": "lax", "path": "/"}
    response.set_cookie(SESSION_COOKIE, opened.token, httponly=True, **common)  # type: ignore[arg-type]
    response.set_cookie(CSRF_COOKIE, opened.csrf_token, httponly=False, **common)  # type: ignore[arg-type]


def clear_session_cookies(response: Response) -> None:
    for name in (SESSION_COOKIE, CSRF_COOKIE):
        response.delete_cookie(name, path="/")


@router.post("/login")
async def login(body: LoginCreate, request: Request, response: Response, auth: AuthDep) -> LoginPublic:
    """Password (+ TOTP or recovery code when 2FA is on) → session cookies. 401 / 429 with a plain message."""
    opened = await auth.logins.login(body.email, body.password, body.totp_code, ip=client_ip(request),
                                     user_agent=request.headers.get("user-agent"))
    set_session_cookies(request, response, opened, auth.ctx.settings)
    return LoginPublic(user=UserPublic.of(opened.user), expires_at=opened.expires_at, csrf_token=opened.csrf_token)


@router.post("/logout", **NO_CONTENT)
async def logout(principal: CurrentPrincipal, response: Response, auth: AuthDep) -> None:
    """End this browser session."""
    await auth.sessions.logout(principal)
    clear_session_cookies(response)


@router.post("/logout-everywhere", **NO_CONTENT)
async def logout_everywhere(principal: CurrentPrincipal, response: Response, auth: AuthDep) -> None:
    """End every session of the current user, this one included (API keys stay valid)."""
    await auth.sessions.logout_everywhere(principal)
    clear_session_cookies(response)


@router.get("/me")
async def me(principal: CurrentPrincipal, auth: AuthDep) -> MePublic:
    return MePublic.of(await auth.users.me(principal), principal)


@router.get("/sessions")
async def list_sessions(principal: CurrentPrincipal, auth: AuthDep) -> list[SessionPublic]:
    """The current user's active sessions; ``current`` marks the one making this request."""
    return [SessionPublic.of(s) for s in await auth.sessions.list_active(principal)]


@router.delete("/sessions/{session_id}", **NO_CONTENT)
async def revoke_session(session_id: str, principal: CurrentPrincipal, auth: AuthDep) -> None:
    await auth.sessions.revoke(principal, session_id)


@router.get("/login-history")
async def login_history(principal: CurrentPrincipal, auth: AuthDep,
                        limit: int | None = None) -> list[LoginAttemptPublic]:
    """Recent login attempts on the current account: time, ip, user agent, outcome."""
    return [LoginAttemptPublic.of(a) for a in await auth.throttle.history(principal, limit)]


@router.post("/password", **NO_CONTENT)
async def change_password(body: PasswordChange, principal: CurrentPrincipal, auth: AuthDep) -> None:
    """Needs the current password; ends every other session."""
    await auth.users.change_password(principal, body.current_password, body.new_password)


@router.post("/totp/enrol")
async def totp_enrol(principal: CurrentPrincipal, auth: AuthDep) -> TotpEnrolmentPublic:
    """A new TOTP secret and its otpauth:// URI (for a QR code); inactive until confirmed."""
    enrolment = await auth.totp.enrol(principal)
    return TotpEnrolmentPublic(secret=enrolment.secret, otpauth_uri=enrolment.otpauth_uri)


@router.post("/totp/confirm")
async def totp_confirm(body: TotpConfirm, principal: CurrentPrincipal, auth: AuthDep) -> RecoveryCodesPublic:
    """Turn 2FA on with a current code; returns the recovery codes once."""
    return RecoveryCodesPublic(recovery_codes=await auth.totp.confirm(principal, body.code))


@router.post("/totp/disable", **NO_CONTENT)
async def totp_disable(body: TotpDisable, principal: CurrentPrincipal, auth: AuthDep) -> None:
    await auth.totp.disable(principal, body.password, body.code)
