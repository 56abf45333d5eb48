"""Sign-in guard of the dashboard's Flask server: resolves the session cookie once per request.

Pages other than /login need a user: a page load without one is redirected to /login?next=..., and a
data callback without one answers 401. The pages router callback stays open (layouts hold no data and
each page layout redirects itself when signed out, see ``pages.protected``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from urllib.parse import quote

import flask

from pfd_gateway.dashboard.session import SESSION_COOKIE, DashboardUser

LOGIN_PATH = "/login"
INLINE_SCRIPTS = "/_pfd/inline-scripts.js"
PUBLIC_PREFIXES = (INLINE_SCRIPTS, "/assets/", "/_dash-component-suites/", "/_dash-layout", "/_dash-dependencies",
                   "/_favicon", "/_reload-hash", LOGIN_PATH)
CALLBACK_PATH = "/_dash-update-component"
ROUTER_OUTPUT = "_pages_content.children"

Resolver = Callable[[str], DashboardUser | None]


def is_router_callback(request: flask.Request) -> bool:
    try:
        body = json.loads(request.get_data(cache=True) or b"{}")
    except ValueError:
        return False
    return ROUTER_OUTPUT in str(body.get("output", ""))


def install_guard(server: flask.Flask, resolve: Resolver) -> None:
    @server.before_request
    def require_user() -> flask.Response | None:
        token = flask.request.cookies.get(SESSION_COOKIE)
        flask.g.pfd_user = resolve(token) if token else None
        path = flask.request.path
        if flask.g.pfd_user is not None or path.startswith(PUBLIC_PREFIXES):
            return None
        if path == CALLBACK_PATH:
            if is_router_callback(flask.request):
                return None
            return flask.make_response({"detail": "Not signed in."}, 401)
        next_path = flask.request.full_path.rstrip("?")
        return flask.redirect(f"{LOGIN_PATH}?next={quote(next_path, safe='/')}")
