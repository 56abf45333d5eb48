"""Who is signed in: the session cookie resolved by the auth service, kept on ``flask.g`` for the request."""

from __future__ import annotations

from dataclasses import dataclass

import flask

from pfd_gateway.domain.access import Principal

SESSION_COOKIE = "pfd_session"
CSRF_COOKIE = "pfd_csrf"


@dataclass(frozen=True, slots=True)
class DashboardUser:
    principal: Principal

    @property
    def email(self) -> str:
        return self.principal.email

    @property
    def role(self) -> str:
        return str(self.principal.role)

    @property
    def name(self) -> str:
        return self.email.split("@", 1)[0]


def current_user() -> DashboardUser | None:
    """The user of the current dashboard request (set by the guard), None when signed out."""
    return flask.g.get("pfd_user") if flask.has_request_context() else None


def signed_in_principal() -> Principal:
    """The caller of a data callback (the guard already refused signed-out callbacks)."""
    user = current_user()
    if user is None:
        raise PermissionError("not signed in")
    return user.principal
