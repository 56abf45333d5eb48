"""The dashboard short cut (paths that matched no route skip the route table; routes still win) and the page
HTML built from tags made once."""

from __future__ import annotations

from typing import Any

from pfd_gateway.dashboard.routing import DashboardShortcut, RouteFreePaths


def test_remembered_paths_are_bounded_and_forgotten_when_routes_change() -> None:
    routes: list[Any] = ["route-a"]
    paths = RouteFreePaths(routes, max_paths=2)
    for path in ("/", "/system", "/assets/x.css"):
        paths.remember(path)
    assert "/" not in paths and "/system" in paths and "/assets/x.css" in paths
    routes.append("route-b")  # a router included later
    assert "/system" not in paths


async def test_the_shortcut_sends_only_remembered_http_paths_to_the_dashboard() -> None:
    reached: list[str] = []

    def app_named(name: str) -> Any:
        async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
            reached.append(f"{name} {scope['path']}")
        return app

    paths = RouteFreePaths([])
    paths.remember("/system")
    shortcut = DashboardShortcut(app_named("routing"), paths, app_named("dashboard"))
    for scope in ({"type": "http", "path": "/system"}, {"type": "http", "path": "/api/v1/x"},
                  {"type": "websocket", "path": "/system"}):
        await shortcut(scope, None, None)
    assert reached == ["dashboard /system", "routing /api/v1/x", "routing /system"]


async def test_dashboard_paths_are_learned_and_a_route_added_later_takes_its_path_back(harness) -> None:
    client = harness.client()
    assert (await client.get("/login")).status_code == 200
    missing = await client.get("/api/v1/no-such-route")
    assert missing.status_code == 404
    paths = harness.app.router.default.paths
    assert "/login" in paths and "/api/v1/no-such-route" not in paths
    assert (await client.get("/login")).status_code == 200  # through the short cut

    @harness.app.get("/login")
    async def replaced() -> dict[str, bool]:
        return {"route": True}

    assert (await client.get("/login")).json() == {"route": True}


async def test_the_page_html_reuses_its_script_and_stylesheet_tags(harness, monkeypatch) -> None:
    import dash

    from pfd_gateway.dashboard.guard import INLINE_SCRIPTS

    client = harness.client()
    first = (await client.get("/login")).text
    rebuilt: list[str] = []
    monkeypatch.setattr(dash.Dash, "_generate_scripts_html", lambda self: rebuilt.append("scripts") or "")
    monkeypatch.setattr(dash.Dash, "_generate_css_dist_html", lambda self: rebuilt.append("css") or "")
    second = (await client.get("/login")).text
    assert rebuilt == [] and INLINE_SCRIPTS in second and "/_dash-component-suites/" in second
    assert first.count("<script") == second.count("<script")
