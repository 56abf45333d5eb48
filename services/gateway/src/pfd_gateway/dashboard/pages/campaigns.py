"""HPO campaigns: create a campaign with the typed search-space editor, list campaigns with their status and best
value, and follow one live — optimisation history, parallel coordinates, parameter importance, intermediate values
(Optuna's own figures), the trial table; stop, resume, promote the best trial, export its config.

Pushed campaign facts (live-campaigns) and the epochs of the campaign's trials (live-training, filtered in the
browser by assets/campaigns.js) re-render the chosen campaign; nothing polls.
"""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate
from pydantic import ValidationError

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.campaigns.space import CampaignSpec
from pfd_gateway.campaigns.views import PromoteRequest
from pfd_gateway.dashboard.components import campaigns as parts
from pfd_gateway.dashboard.components.cards import empty_state, page_header, section_card
from pfd_gateway.dashboard.components.experiment_form import dataset_options, ready_datasets
from pfd_gateway.dashboard.components.experiments import MONITOR_URL, experiment_url
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.figures.campaigns import FIGURES, campaign_figures
from pfd_gateway.dashboard.figures.style import no_data_figure
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal

API = "/api/v1/campaigns"
FORM = ("name", "dataset", "model", "objective", "sampler", "pruner", "budget", "parallelism", "epochs", "window")
STORES = ("campaigns-editor-config", "campaigns-created", "campaigns-refresh", "campaigns-trial-experiments",
          "campaigns-stopped", "campaigns-resumed")
CHOOSE = "Choose a campaign."
TITLES = {"history": "Optimisation history", "parallel": "Parallel coordinates",
          "importance": "Parameter importance", "intermediate": "Intermediate values"}


def controls() -> dbc.Row:
    export = [html.A([html.I(className="bi bi-download me-1"), fmt.upper()], id=f"campaigns-export-{fmt}",
                     className="btn btn-outline-secondary disabled", href="#") for fmt in ("json", "yaml")]
    return dbc.Row([
        dbc.Col(dbc.Select(id="campaigns-campaign", placeholder="Choose a campaign"), lg=5),
        dbc.Col(html.Div([
            dbc.Button([html.I(className="bi bi-stop-circle me-1"), "Stop"], id="campaigns-stop", color="danger",
                       outline=True, disabled=True),
            dbc.Button([html.I(className="bi bi-play-circle me-1"), "Resume"], id="campaigns-resume",
                       color="primary", outline=True, disabled=True),
            dbc.Button([html.I(className="bi bi-award me-1"), "Promote best"], id="campaigns-promote",
                       color="success", outline=True, disabled=True),
            *export, html.Div(id="campaigns-promoted"),
        ], className="d-flex gap-2 justify-content-lg-end flex-wrap"), lg=7),
    ], className="g-2 mb-3 align-items-center")


def page_layout() -> html.Div:
    graphs = [dbc.Col(section_card(TITLES[kind], dcc.Graph(id=f"campaigns-{kind}", figure=no_data_figure(CHOOSE),
                                                          config={"displaylogo": False})), lg=6, className="mb-3")
              for kind in FIGURES]
    return html.Div([
        page_header("HPO campaigns", "Optuna searches whose trials are experiments on the training workers."),
        *[dcc.Store(id=store) for store in STORES[1:]], dcc.Store(id=STORES[0], data=parts.editor_config()),
        dbc.Row([
            dbc.Col(section_card("New campaign", parts.create_form(), actions=dbc.Button(
                html.I(className="bi bi-arrow-clockwise"), id="campaigns-datasets-refresh", size="sm",
                color="link")), lg=6, className="mb-3"),
            dbc.Col(section_card("Campaigns", html.Div(id="campaigns-list")), lg=6, className="mb-3"),
        ]),
        controls(),
        html.Div(id="campaigns-summary", className="mb-3", children=empty_state(
            "bi-sliders", "No campaign chosen", "Pick one above or start a new campaign.")),
        dbc.Row(graphs),
        section_card("Trials", html.Div(id="campaigns-trials")),
    ])


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(**_: Any) -> html.Div:
        return page_layout()

    dash.register_page(__name__, path="/campaigns", name="HPO campaigns", title="HPO campaigns · PFD", order=46,
                       sidebar=True, icon="bi-sliders", layout=layout)
    service = ctx.gateway.campaigns
    app.clientside_callback(
        ClientsideFunction("pfd", "campaignsSpaceRows"), Output("campaigns-space", "rowData"),
        Input("campaigns-space-add", "n_clicks"), Input("campaigns-space-remove", "n_clicks"),
        Input("campaigns-model", "value"), State("campaigns-space", "rowData"),
        State("campaigns-space", "selectedRows"), State("campaigns-editor-config", "data"), prevent_initial_call=True)
    app.clientside_callback(
        ClientsideFunction("pfd", "campaignsRefresh"), Output("campaigns-refresh", "data"),
        Input("live-campaigns", "data"), Input("live-training", "data"), State("campaigns-campaign", "value"),
        State("campaigns-trial-experiments", "data"), State("campaigns-refresh", "data"))

    @app.callback(Output("campaigns-dataset", "options"), Input("campaigns-datasets-refresh", "n_clicks"))
    def list_datasets(_: Any) -> list[dict[str, str]]:
        return dataset_options(ready_datasets(ctx.call(ctx.gateway.datasets.list(signed_in_principal()))))

    @app.callback(Output("campaigns-form-message", "children"), Output("campaigns-created", "data"),
                  Input("campaigns-create", "n_clicks"), *[State(f"campaigns-{f}", "value") for f in FORM],
                  State("campaigns-space", "rowData"), prevent_initial_call=True)
    def create(_: int, *values: Any) -> tuple[Any, Any]:
        try:
            spec = CampaignSpec.model_validate(parts.campaign_request(dict(zip(FORM, values)), values[-1]))
            created = ctx.call(service.create(signed_in_principal(), spec))
        except (InvalidInput, ValidationError, ValueError) as exc:
            return dbc.Alert(refusal(exc), color="danger", className="small py-2 mb-0",
                             id="campaigns-form-error"), dash.no_update
        return dbc.Alert(f"Campaign {created.name} started.", color="success", className="small py-2 mb-0"), \
            created.campaign_id

    @app.callback(Output("campaigns-list", "children"), Output("campaigns-campaign", "options"),
                  Output("campaigns-campaign", "value"), Input("campaigns-created", "data"),
                  Input("live-campaigns", "data"), State("campaigns-campaign", "value"))
    def list_campaigns(created: str | None, _: Any, chosen: str | None) -> tuple[Any, Any, Any]:
        campaigns = ctx.call(service.list(signed_in_principal()))
        new = dash.ctx.triggered_id == "campaigns-created" and created
        return parts.campaign_list(campaigns), parts.campaign_options(campaigns), created if new else chosen

    @app.callback(Output("campaigns-summary", "children"), *[Output(f"campaigns-{k}", "figure") for k in FIGURES],
                  Output("campaigns-trials", "children"), Output("campaigns-trial-experiments", "data"),
                  Output("campaigns-stop", "disabled"), Output("campaigns-resume", "disabled"),
                  Output("campaigns-promote", "disabled"), Output("campaigns-export-json", "href"),
                  Output("campaigns-export-yaml", "href"), Output("campaigns-export-json", "className"),
                  Output("campaigns-export-yaml", "className"), Input("campaigns-campaign", "value"),
                  Input("campaigns-refresh", "data"), Input("campaigns-stopped", "data"),
                  Input("campaigns-resumed", "data"))
    def show(campaign_id: str | None, *_: Any) -> tuple[Any, ...]:
        if not campaign_id:
            raise PreventUpdate
        try:
            detail, trials = ctx.call(service.history(signed_in_principal(), campaign_id))
        except NotFound as exc:
            raise UserFacingError(exc.message) from exc
        return (parts.summary(detail), *campaign_figures(trials, detail.spec.get("objective") != "val_loss"),
                parts.trial_table(detail), [t.experiment_id for t in detail.trials if t.experiment_id],
                *parts.control_states(detail, API))

    for action, store in (("stop", "campaigns-stopped"), ("resume", "campaigns-resumed")):
        register_action(app, ctx, action, store)

    @app.callback(Output("campaigns-promoted", "children"), Input("campaigns-promote", "n_clicks"),
                  State("campaigns-campaign", "value"), prevent_initial_call=True)
    def promote(_: int, campaign_id: str | None) -> Any:
        try:
            created = ctx.call(service.promote(signed_in_principal(), campaign_id or "", PromoteRequest()))
        except (Conflict, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
        return html.A("Promoted experiment", href=experiment_url(MONITOR_URL, id=created.experiment_id),
                      className="btn btn-success", id="campaigns-promoted-link")


def refusal(error: Exception) -> str:
    if isinstance(error, InvalidInput):
        return f"{error.field}: {error.message}"
    if isinstance(error, ValidationError):
        first = error.errors()[0]
        return f"{'.'.join(str(p) for p in first['loc'])}: {first['msg']}"
    return str(error)


def register_action(app: dash.Dash, ctx: DashboardContext, action: str, store: str) -> None:
    """The Stop / Resume button: ONE CampaignService.stop / .resume call; its store re-renders the campaign."""
    run_action = getattr(ctx.gateway.campaigns, action)

    @app.callback(Output(store, "data"), Input(f"campaigns-{action}", "n_clicks"),
                  State("campaigns-campaign", "value"), prevent_initial_call=True)
    def act(clicks: int, campaign_id: str | None) -> str:
        try:
            return f"{ctx.call(run_action(signed_in_principal(), campaign_id or '')).status}:{clicks}"
        except (Conflict, NotFound) as exc:
            raise UserFacingError(exc.message) from exc
