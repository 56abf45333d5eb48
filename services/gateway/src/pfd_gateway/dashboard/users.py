"""The dashboard's view of the auth service: session cookie -> signed-in user."""

from __future__ import annotations

from pfd_gateway.auth.errors import NotAuthenticated, SessionExpired
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.guard import Resolver
from pfd_gateway.dashboard.session import DashboardUser


def session_resolver(ctx: DashboardContext) -> Resolver:
    def resolve(token: str) -> DashboardUser | None:
        try:
            principal = ctx.call(ctx.gateway.auth.sessions.resolve(token))
        except (NotAuthenticated, SessionExpired):
            return None
        return DashboardUser(principal)

    return resolve
