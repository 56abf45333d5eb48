"""Auth exceptions to HTTP, in one place: plain messages, never a stack trace."""

from __future__ import annotations

from fastapi import FastAPI, Request, status
from fastapi.responses import JSONResponse

from pfd_gateway.auth import errors

STATUS: dict[type[errors.AuthError], int] = {
    errors.NotAuthenticated: status.HTTP_401_UNAUTHORIZED,
    errors.InvalidCredentials: status.HTTP_401_UNAUTHORIZED,
    errors.TotpRequired: status.HTTP_401_UNAUTHORIZED,
    errors.SessionExpired: status.HTTP_401_UNAUTHORIZED,
    errors.InvalidApiKey: status.HTTP_401_UNAUTHORIZED,
    errors.CsrfMismatch: status.HTTP_403_FORBIDDEN,
    errors.InsufficientScope: status.HTTP_403_FORBIDDEN,
    errors.Forbidden: status.HTTP_403_FORBIDDEN,
    errors.NotFound: status.HTTP_404_NOT_FOUND,
    errors.Conflict: status.HTTP_409_CONFLICT,
    errors.NotASession: status.HTTP_400_BAD_REQUEST,
    errors.InvalidInput: status.HTTP_422_UNPROCESSABLE_CONTENT,
    errors.Throttled: status.HTTP_429_TOO_MANY_REQUESTS,
    errors.ServiceUnavailable: status.HTTP_503_SERVICE_UNAVAILABLE,
}


def status_of(error: errors.AuthError) -> int:
    """The status of the most specific mapped class (subclasses inherit their parent's)."""
    return next(STATUS[cls] for cls in type(error).__mro__ if cls in STATUS)


async def auth_error_response(_: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, errors.AuthError)
    code, headers = status_of(error), {}
    body: dict[str, object] = {"detail": error.message, "code": error.code}
    if isinstance(error, errors.InvalidInput):
        body["detail"] = [{"loc": ["body", error.field], "msg": error.message, "type": error.code}]
    if code == status.HTTP_401_UNAUTHORIZED:
        headers["WWW-Authenticate"] = "Bearer"
    if isinstance(error, errors.Throttled):
        headers["Retry-After"] = str(error.retry_after_s)
    return JSONResponse(body, status_code=code, headers=headers)


def install_error_handlers(app: FastAPI) -> None:
    app.add_exception_handler(errors.AuthError, auth_error_response)
