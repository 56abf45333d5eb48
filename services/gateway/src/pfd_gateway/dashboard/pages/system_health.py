"""System Health: services (live from pushed status frames), host resources, connectivity, recent logs."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html

from pfd_gateway.dashboard.components.cards import format_bytes, page_header, section_card
from pfd_gateway.dashboard.components.tables import checks_list, logs_table, services_table
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.figures.host import host_usage_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.host_metrics import HostSnapshot
from pfd_gateway.logbuffer import LEVELS
from pfd_gateway.system_overview import system_overview


def host_usage(snapshot: HostSnapshot) -> dict[str, float]:
    usage = {"CPU": snapshot.cpu_percent, "Memory": snapshot.memory_percent, "Disk": snapshot.disk_percent}
    usage |= {f"GPU {n}": gpu.utilization_percent for n, gpu in enumerate(snapshot.gpus)}
    return usage


def host_details(snapshot: HostSnapshot) -> html.Ul:
    gpus = [html.Li(f"{g.name}: {g.utilization_percent:.0f} %, {g.memory_used_mb:.0f} / {g.memory_total_mb:.0f} MiB")
            for g in snapshot.gpus] or [html.Li(snapshot.gpu_note, id="system-health-gpu-note")]
    return html.Ul([
        html.Li(f"CPU: {snapshot.cpu_percent:.0f} % of {snapshot.cpu_count} core(s)"),
        html.Li(f"Memory: {format_bytes(snapshot.memory_used_bytes)} of {format_bytes(snapshot.memory_total_bytes)}"),
        html.Li(f"Disk ({snapshot.disk_path}): {format_bytes(snapshot.disk_used_bytes)} of "
                f"{format_bytes(snapshot.disk_total_bytes)}"),
        *gpus,
    ], className="small text-body-secondary mb-0 ps-3")


def host_panel(snapshot: HostSnapshot) -> html.Div:
    return html.Div([
        dcc.Graph(figure=host_usage_figure(host_usage(snapshot)), config={"displayModeBar": False},
                  id="system-health-host-graph"),
        host_details(snapshot),
    ])


class LatestPanel:
    """The host panel of the latest snapshot, built once per snapshot (snapshots change every sample interval)."""

    def __init__(self) -> None:
        self._snapshot: HostSnapshot | None = None
        self._panel: html.Div | None = None

    def render(self, snapshot: HostSnapshot) -> html.Div:
        if snapshot is not self._snapshot or self._panel is None:
            self._snapshot, self._panel = snapshot, host_panel(snapshot)
        return self._panel


@protected
def layout(**_: Any) -> html.Div:
    pause = dbc.Switch(id="system-health-pause", label="Pause live updates", value=False, className="mb-0")
    level = dbc.Select(id="system-health-log-level", value="INFO", size="sm", style={"width": "9rem"},
                       options=[{"label": f"{lvl} and above", "value": lvl} for lvl in LEVELS])
    checks_button = dbc.Button([html.I(className="bi bi-plug me-1"), "Check again"], id="system-health-run-checks",
                               size="sm", color="secondary", outline=True)
    return html.Div([
        page_header("System health", "Services, host and dependencies of the platform.", pause,
                    dbc.Badge("paused", id="system-health-paused-badge", color="warning", className="d-none")),
        dcc.Store(id="system-health-feed"), dcc.Store(id="system-health-host-feed"),
        dbc.Row(dbc.Col(section_card("Services", html.Div(id="system-health-services")), className="mb-3")),
        dbc.Row([
            dbc.Col(section_card("Host", html.Div(id="system-health-host")), lg=6, className="mb-3"),
            dbc.Col(section_card("Connectivity", dbc.Spinner(html.Div(id="system-health-checks"), size="sm"),
                                 actions=checks_button), lg=6, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(section_card("Recent logs (gateway)", html.Div(id="system-health-logs"), actions=level),
                        className="mb-3")),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    panels = LatestPanel()
    dash.register_page(__name__, path="/system", name="System health", title="System health · PFD", order=10,
                       sidebar=True, icon="bi-heart-pulse", layout=layout)
    # Pause gate (clientside): pushed frames reach the page stores only while live updates run.
    app.clientside_callback(ClientsideFunction("pfd", "gate"), Output("system-health-feed", "data"),
                            Input("live-system", "data"), State("system-health-pause", "value"))
    app.clientside_callback(ClientsideFunction("pfd", "gate"), Output("system-health-host-feed", "data"),
                            Input("live-monitoring", "data"), State("system-health-pause", "value"))
    app.clientside_callback(ClientsideFunction("pfd", "pausedBadge"),
                            Output("system-health-paused-badge", "className"), Input("system-health-pause", "value"))

    @app.callback(Output("system-health-services", "children"), Input("system-health-feed", "data"))
    def show_services(_: Any) -> Any:
        return services_table(ctx.call(system_overview(ctx.gateway.status)).services, "system-health-services-table")

    @app.callback(Output("system-health-host", "children"), Input("system-health-host-feed", "data"))
    def show_host(_: Any) -> html.Div:
        return panels.render(ctx.call(ctx.gateway.monitoring.host_snapshot()))

    @app.callback(Output("system-health-checks", "children"), Input("system-health-run-checks", "n_clicks"),
                  running=[(Output("system-health-run-checks", "disabled"), True, False)])
    def show_checks(clicks: int | None) -> dbc.ListGroup:
        return checks_list(ctx.call(ctx.gateway.monitoring.connectivity(force=bool(clicks))))

    @app.callback(Output("system-health-logs", "children"), Input("system-health-log-level", "value"),
                  Input("system-health-host-feed", "data"))
    def show_logs(level: str, _: Any) -> html.Div:
        return logs_table(ctx.call(ctx.gateway.monitoring.recent_logs(level, ctx.settings.log_rows_shown)))
