"""Home: quick stats from the read models, recent pushed activity, quick actions."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import Input, Output, html

from pfd_gateway.dashboard.components.cards import empty_stat_card, page_header, section_card, stat_card
from pfd_gateway.dashboard.components.live import ACTIVITY_STORE
from pfd_gateway.dashboard.components.tables import activity_list
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.system_overview import SystemOverview, run_status_round, system_overview

# Stats whose service has not arrived yet: (title, icon, what will fill it). No number until it exists.
COMING = (("Datasets", "bi-database", "Filled by the data-generation service once datasets exist."),
          ("Records", "bi-soundwave", "Counts the signal records of all datasets."),
          ("Best accuracy", "bi-trophy", "Filled by the training service after the first experiment."),
          ("Experiments", "bi-diagram-3", "Filled by the training service."))


def overview_cards(overview: SystemOverview) -> list[dbc.Col]:
    cards = [
        stat_card("Live services", str(overview.service_count), "bi-hdd-stack",
                  f"{overview.instance_count} instance(s)", card_id="home-stat-services"),
        stat_card("Ready", f"{overview.ready_count} / {overview.instance_count}", "bi-check2-circle",
                  "instances connected and ready", card_id="home-stat-ready"),
        stat_card("Consumer lag", str(overview.total_lag), "bi-hourglass-split", "messages not yet consumed",
                  card_id="home-stat-lag"),
        stat_card("Dead letters", str(overview.dlq_count), "bi-envelope-x", "messages sent to the DLQ",
                  card_id="home-stat-dlq"),
    ]
    return [dbc.Col(card, md=6, xl=3, className="mb-3") for card in cards]


def round_result_alert(answered: SystemOverview, seconds: float) -> dbc.Alert:
    names = ", ".join(s.name for s in answered.services) or "none"
    return dbc.Alert(f"{answered.instance_count} instance(s) answered in {seconds:.1f} s: {names}.",
                     color="success" if answered.instance_count else "warning", dismissable=True,
                     className="mt-3 mb-0", id="home-round-alert")


@protected
def layout(**_: Any) -> html.Div:
    return html.Div([
        page_header("Overview", "The platform at a glance, updated live."),
        dbc.Row(id="home-stats"),
        dbc.Row([dbc.Col(empty_stat_card(title, icon, text), md=6, xl=3, className="mb-3")
                 for title, icon, text in COMING], id="home-coming"),
        dbc.Row([
            dbc.Col(section_card("Recent activity", html.Div(id="home-activity")), lg=7, className="mb-3"),
            dbc.Col(section_card("Quick actions", html.Div([
                dbc.Button([html.I(className="bi bi-arrow-repeat me-2"), "Run a status round"], id="home-run-round",
                           color="primary"),
                html.P("Asks every service for its status now and lists who answered.",
                       className="small text-body-secondary mt-2 mb-3"),
                dbc.Nav([dbc.NavLink([html.I(className="bi bi-heart-pulse me-2"), "System health"], href="/system"),
                         dbc.NavLink([html.I(className="bi bi-speedometer2 me-2"), "API monitoring"], href="/api")],
                        vertical=True),
                dbc.Spinner(html.Div(id="home-round-result"), size="sm", color="primary"),
            ])), lg=5, className="mb-3"),
        ]),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    dash.register_page(__name__, path="/", name="Overview", title="Overview · PFD", order=0, sidebar=True,
                       icon="bi-house", layout=layout)

    @app.callback(Output("home-stats", "children"), Input("live-system", "data"))
    def show_stats(_: Any) -> list[dbc.Col]:
        return overview_cards(ctx.call(system_overview(ctx.gateway.status)))

    @app.callback(Output("home-activity", "children"), Input(ACTIVITY_STORE, "data"))
    def show_activity(items: list[dict[str, str]] | None) -> Any:
        return activity_list(items)

    @app.callback(Output("home-round-result", "children"), Input("home-run-round", "n_clicks"),
                  running=[(Output("home-run-round", "disabled"), True, False)], prevent_initial_call=True)
    def run_round(_: int) -> dbc.Alert:
        result = ctx.call(run_status_round(ctx.gateway.status, "dashboard", ctx.settings.status_round_timeout_s))
        return round_result_alert(result.answered, result.seconds)
