"""Auth failures as specific exceptions; ``api/errors.py`` maps them to HTTP in one place.

Messages are plain and safe to show; they never say whether an account exists.
"""

from __future__ import annotations


class AuthError(Exception):
    message = "Authentication failed."
    code = "auth_error"

    def __init__(self, message: str | None = None) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message


class NotAuthenticated(AuthError):
    message = "Not authenticated."
    code = "not_authenticated"


class InvalidCredentials(AuthError):
    message = "Wrong email or password."
    code = "invalid_credentials"


class InvalidSecondFactor(InvalidCredentials):
    message = "Wrong or already used authentication code."
    code = "invalid_totp"


class TotpRequired(AuthError):
    message = "Two-factor authentication code required."
    code = "totp_required"


class SessionExpired(AuthError):
    message = "Session expired; log in again."
    code = "session_expired"


class InvalidApiKey(AuthError):
    message = "Invalid API key."
    code = "invalid_api_key"


class KeyRevoked(InvalidApiKey):
    message = "API key revoked."
    code = "api_key_revoked"


class KeyExpired(InvalidApiKey):
    message = "API key expired."
    code = "api_key_expired"


class Throttled(AuthError):
    """Too many failed logins; ``retry_after_s`` tells when to try again."""

    message = "Too many failed logins; try again later."
    code = "throttled"

    def __init__(self, retry_after_s: int, message: str | None = None) -> None:
        super().__init__(message)
        self.retry_after_s = retry_after_s


class AccountLocked(Throttled):
    message = "Account temporarily locked after too many failed logins; try again later."
    code = "account_locked"


class CsrfMismatch(AuthError):
    message = "CSRF token missing or invalid: send the pfd_csrf cookie value in the X-CSRF-Token header."
    code = "csrf_failed"


class InsufficientScope(AuthError):
    message = "This API key lacks the scope this request needs."
    code = "insufficient_scope"


class Forbidden(AuthError):
    message = "Not allowed."
    code = "forbidden"


class NotFound(AuthError):
    message = "Not found."
    code = "not_found"


class Conflict(AuthError):
    message = "Conflicts with the current state."
    code = "conflict"


class ServiceUnavailable(AuthError):
    """A service the gateway forwards to is down or too slow (503; the message names it)."""

    message = "A service this request needs is not reachable."
    code = "service_unavailable"


class NotASession(AuthError):
    message = "Only a browser session can do this."
    code = "not_a_session"


class InvalidInput(AuthError):
    """A field value the service refuses (reported like request validation: 422 with the field)."""

    code = "invalid_input"

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field
