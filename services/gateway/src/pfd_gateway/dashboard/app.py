"""Dash app factory and its mount in the gateway's FastAPI app (a2wsgi, after /api, /ws, /health, /metrics)."""

from __future__ import annotations

import asyncio
import importlib
from pathlib import Path
from typing import TYPE_CHECKING, Any

import dash
import flask
from a2wsgi import WSGIMiddleware
from dash import ClientsideFunction, Input, Output, State
from fastapi import FastAPI
from starlette.middleware import Middleware

from pfd_gateway.dashboard.bridge import LoopBridge
from pfd_gateway.dashboard.components.shell import shell_layout
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import error_boundary
from pfd_gateway.dashboard.guard import INLINE_SCRIPTS, Resolver, install_guard
from pfd_gateway.dashboard.routing import DashboardShortcut, RouteFreePaths
from pfd_gateway.dashboard.session import current_user
from pfd_gateway.dashboard.users import session_resolver

if TYPE_CHECKING:
    from pfd_gateway.bootstrap import Gateway

ASSETS = Path(__file__).parent / "assets"
PAGES = ("login", "home", "system_health", "api_monitoring", "datasets", "import_data", "signal_viewer", "settings",
         "data_explorer",
         "experiments", "experiment_new", "experiment_monitor", "experiment_results", "experiment_compare", "xai",
         "deployment", "models", "predict", "campaigns",
         "notifications", "notification_preferences", "webhooks", "email_settings", "digests")
VENDOR_CSS = ("/assets/vendor/bootstrap.min.css", "/assets/vendor/bootstrap-icons.min.css")
NOT_DASHBOARD = ("/api/", "/ws", "/health/", "/metrics")  # unknown paths there stay a plain 404
BOOT_SCRIPT = "/assets/boot/renderer.js"  # the renderer start, as a file: the CSP allows no inline scripts


class PfdDash(dash.Dash):
    """Dash without inline scripts (CSP ``script-src 'self'``): they are served as one script file instead.

    The script and stylesheet tags of the page HTML are built once: every page and callback is registered
    before the first request, and rebuilding them cost about 3 % of the gateway's CPU under load.
    """

    _scripts_html: str | None = None
    _css_html: str | None = None

    def _generate_scripts_html(self) -> str:
        if self._scripts_html is None:
            inline, self._inline_scripts = self._inline_scripts, []
            try:
                tags = super()._generate_scripts_html()
            finally:
                self._inline_scripts = inline + self._inline_scripts
            self._scripts_html = f'{tags}\n<script src="{INLINE_SCRIPTS}"></script>'
        return self._scripts_html

    def _generate_css_dist_html(self) -> str:
        if self._css_html is None:
            self._css_html = super()._generate_css_dist_html()
        return self._css_html

    def _generate_renderer(self) -> str:
        return f'<script id="_dash-renderer" src="{BOOT_SCRIPT}"></script>'

    def serve_inline_scripts(self) -> flask.Response:
        return flask.Response("\n;\n".join(self._inline_scripts), mimetype="application/javascript")


def create_dash(ctx: DashboardContext, resolve: Resolver) -> dash.Dash:
    app = PfdDash(
        "pfd_gateway.dashboard", use_pages=True, pages_folder="", assets_folder=str(ASSETS),
        assets_ignore=r"^(bootstrap\.min\.css|bootstrap-icons\.min\.css|renderer\.js)$",
        external_stylesheets=list(VENDOR_CSS), suppress_callback_exceptions=True, title="PFD", update_title=None,
        on_error=error_boundary, serve_locally=True,
    )
    app.layout = lambda: shell_layout(current_user(), ctx.settings)
    register_shell_callbacks(app)
    for name in PAGES:
        importlib.import_module(f"pfd_gateway.dashboard.pages.{name}").register(app, ctx)
    app.server.add_url_rule(INLINE_SCRIPTS, view_func=app.serve_inline_scripts)
    install_guard(app.server, resolve)
    return app


def register_shell_callbacks(app: dash.Dash) -> None:
    """Theme, live channel and logout: all clientside (assets/shell.js, assets/live.js)."""
    app.clientside_callback(ClientsideFunction("pfd", "toggleTheme"), Output("shell-theme", "data"),
                            Input("shell-theme-toggle", "n_clicks"), State("shell-theme", "data"),
                            prevent_initial_call=True)
    app.clientside_callback(ClientsideFunction("pfd", "applyTheme"), Output("shell-theme-icon", "className"),
                            Input("shell-theme", "data"))
    app.clientside_callback(ClientsideFunction("pfd", "openLive"), Output("shell-live-opened", "data"),
                            Input("shell-live-config", "data"))
    app.clientside_callback(ClientsideFunction("pfd", "logout"), Output("shell-logout-done", "data"),
                            Input("shell-logout", "n_clicks"), prevent_initial_call=True)


class DashMount:
    """The app's fallback: every HTTP path no route matched goes to the Dash (WSGI) server, except the API's.

    Being the router's default rather than a ``Mount("/")`` route, it stays behind routes included later too.
    It also binds the bridge to the loop serving the request.
    """

    def __init__(self, wsgi: Any, bridge: LoopBridge, not_found: Any, paths: RouteFreePaths | None = None) -> None:
        self.wsgi = wsgi
        self.bridge = bridge
        self.not_found = not_found
        self.paths = paths  # where it remembers the paths it served (``routing.DashboardShortcut``)

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http" or scope["path"].startswith(NOT_DASHBOARD):
            await self.not_found(scope, receive, send)
            return
        if self.paths is not None:
            self.paths.remember(scope["path"])
        self.bridge.bind(asyncio.get_running_loop())
        await self.wsgi(scope, receive, send)


def mount_dashboard(app: FastAPI, gateway: Gateway) -> dash.Dash:
    """Serve the dashboard at "/" for every path that no route (API, /ws, health, metrics) matches."""
    bridge = LoopBridge(gateway.settings.dashboard.bridge_timeout_s)
    ctx = DashboardContext(gateway, bridge)
    dash_app = create_dash(ctx, session_resolver(ctx))
    wsgi = WSGIMiddleware(dash_app.server, workers=gateway.settings.dashboard.wsgi_workers)
    paths = RouteFreePaths(app.router.routes)
    app.router.default = DashMount(wsgi, bridge, not_found=app.router.default, paths=paths)
    app.user_middleware.append(Middleware(DashboardShortcut, paths=paths, dashboard=app.router.default))  # innermost
    return dash_app
