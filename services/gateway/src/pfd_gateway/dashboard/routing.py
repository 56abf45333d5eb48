"""A short cut to the dashboard for paths no API route matches, so a Dash request skips the route table.

The dashboard is the router's fallback (``DashMount``): every dashboard request used to be matched against
every API route first (about 8 % of the gateway's CPU under load, growing with each router). The fallback
remembers the paths it was reached for (no route matched them, whatever the method); the innermost
middleware sends later requests for those paths straight to it. Whether a path matches a route depends only
on the path and the route table, so this is exact; the memory is dropped when routes are added.
"""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

MAX_REMEMBERED_PATHS = 1_024  # dashboard pages, callbacks and assets: a few hundred at most


class RouteFreePaths:
    """HTTP paths that matched no route of ``routes`` (the app's live route list); bounded, least recent first."""

    def __init__(self, routes: list[Any], max_paths: int = MAX_REMEMBERED_PATHS) -> None:
        self._routes = routes
        self._route_count = len(routes)
        self.max_paths = max_paths
        self._paths: OrderedDict[str, None] = OrderedDict()

    def __contains__(self, path: object) -> bool:
        if len(self._routes) != self._route_count:  # routes were added: what was learned may be wrong now
            self._route_count = len(self._routes)
            self._paths.clear()
            return False
        return path in self._paths

    def remember(self, path: str) -> None:
        if len(self._routes) != self._route_count:
            self._route_count = len(self._routes)
            self._paths.clear()
        self._paths[path] = None
        self._paths.move_to_end(path)
        while len(self._paths) > self.max_paths:
            self._paths.popitem(last=False)


class DashboardShortcut:
    """Innermost ASGI middleware: a remembered path goes to ``dashboard`` directly, anything else to routing."""

    def __init__(self, app: Any, paths: RouteFreePaths, dashboard: Any) -> None:
        self.app = app
        self.paths = paths
        self.dashboard = dashboard

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] == "http" and scope["path"] in self.paths:
            await self.dashboard(scope, receive, send)
        else:
            await self.app(scope, receive, send)
