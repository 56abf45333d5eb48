"""Models: the registry — every model with its versions, aliases and their history (who, when, from which version
to which, why); promote a version to an alias, roll an alias back, delete a version (each confirmed in a modal,
clientside). The model re-renders when the deploy service announces a change (pushed)."""

from __future__ import annotations

from typing import Any

import dash
import dash_bootstrap_components as dbc
from dash import ALL, ClientsideFunction, Input, Output, State, dcc, html
from dash.exceptions import PreventUpdate

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.dashboard.components.cards import page_header, section_card
from pfd_gateway.dashboard.components.deployments import (
    epoch_ms,
    history_table,
    models_table,
    version_options,
    versions_table,
)
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.errors import UserFacingError
from pfd_gateway.dashboard.pages import protected
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.deployments.registry import ModelRegistry
from pfd_gateway.deployments.views import ModelDetail, ModelPublic, RegistryAccepted
from pfd_gateway.domain.access import Principal

P = "models"
DEFAULT_ALIAS = "production"


def actions() -> html.Div:
    promote = dbc.Row([
        dbc.Col(dbc.Input(id=f"{P}-alias", value=DEFAULT_ALIAS, placeholder="alias", maxLength=32), md=3),
        dbc.Col(dbc.Select(id=f"{P}-version", placeholder="version"), md=3),
        dbc.Col(dbc.Input(id=f"{P}-reason", placeholder="Why (kept in the history)"), md=4),
        dbc.Col(dbc.Button("Promote", id=f"{P}-promote", color="primary", className="w-100"), md=2),
    ], className="g-2 mb-2")
    rollback = dbc.Row([
        dbc.Col(dbc.Select(id=f"{P}-rollback-alias", placeholder="alias"), md=3),
        dbc.Col(dbc.Input(id=f"{P}-rollback-reason", placeholder="Why (kept in the history)"), md=7),
        dbc.Col(dbc.Button("Roll back", id=f"{P}-rollback", color="warning", outline=True, className="w-100"), md=2),
    ], className="g-2")
    return html.Div([html.Div("Promote a version", className="small text-body-secondary mb-1"), promote,
                     html.Div("Roll an alias back", className="small text-body-secondary mb-1 mt-2"), rollback,
                     html.Div(id=f"{P}-action-alert", className="mt-2")])


def confirm_modal() -> dbc.Modal:
    return dbc.Modal([
        dbc.ModalHeader(dbc.ModalTitle("Please confirm")),
        dbc.ModalBody(id=f"{P}-confirm-text"),
        dbc.ModalFooter([dbc.Button("Cancel", id=f"{P}-confirm-cancel", color="secondary", outline=True),
                         dbc.Button("Confirm", id=f"{P}-confirm-ok", color="primary")]),
    ], id=f"{P}-confirm", is_open=False)


def page_layout(name: str | None) -> html.Div:
    return html.Div([
        page_header("Models", "The registry: versions, aliases and their history; promote and roll back."),
        *[dcc.Store(id=f"{P}-{store}") for store in ("snapshot", "touched", "pending", "acted")],
        confirm_modal(),
        dbc.Row([
            dbc.Col(section_card("Registry", html.Div(id=f"{P}-list")), lg=4, className="mb-3"),
            dbc.Col(html.Div([
                dbc.InputGroup([dbc.InputGroupText("Model"), dbc.Select(id=f"{P}-model", value=name,
                                                                        placeholder="No model yet")], className="mb-3"),
                section_card("Aliases", actions(), card_id=f"{P}-actions-card"),
            ]), lg=8, className="mb-3"),
        ]),
        dbc.Row(dbc.Col(section_card("Versions", html.Div(id=f"{P}-versions")), className="mb-3")),
        dbc.Row(dbc.Col(section_card("Alias history", html.Div(id=f"{P}-history")), className="mb-3")),
    ])


def model_choice(models: list[ModelPublic], chosen: str | None) -> tuple[Any, ...]:
    names = [m.model_name for m in models]
    value = chosen if chosen in names else (names[0] if names else None)
    return models_table(models, f"{P}-list-table"), [{"label": n, "value": n} for n in names], value


def render(detail: ModelDetail, seen: Any = None, chosen: Any = None) -> tuple[Any, ...]:
    """Every output of the model's part of the page (``seen``: the push that asked for it, in the snapshot;
    ``chosen``: the version picked for promotion, kept while it can still be promoted)."""
    versions = version_options(detail.version_list)
    stamp = epoch_ms(detail.last_event_at) if detail.last_event_at else 0
    return (versions_table(detail.version_list, P), history_table(detail.history, f"{P}-history-table"),
            versions, _kept(versions, chosen),
            [{"label": f"{alias} (v{version})", "value": alias} for alias, version in sorted(detail.aliases.items())],
            {"model_name": detail.model_name, "last_event_ms": stamp, "touched": f"{P}-touched", "seen": seen})


def _kept(options: list[dict[str, Any]], chosen: Any) -> Any:
    values = [option["value"] for option in options]
    wanted = int(chosen) if str(chosen or "").isdigit() else None
    return wanted if wanted in values else (values[0] if values else None)


async def carry_out(registry: ModelRegistry, principal: Principal, pending: dict[str, Any]) -> RegistryAccepted:
    """The confirmed action of the modal (assets/deploy.js modelsConfirm): ONE registry command."""
    model = str(pending.get("model") or "")
    if pending.get("kind") == "promote":
        return await registry.set_alias(principal, model, str(pending["alias"]), int(pending["version"]),
                                        str(pending.get("reason") or ""))
    if pending.get("kind") == "rollback":
        return await registry.rollback(principal, model, str(pending["alias"]), str(pending.get("reason") or ""))
    return await registry.delete_version(principal, model, int(pending["version"]))


def acted_alert(accepted: RegistryAccepted) -> dbc.Alert:
    what = ", ".join(f"{key} {value}" for key, value in accepted.detail.items())
    return dbc.Alert(f"Sent to the deploy service ({what}); the registry shows it when it is done.",
                     color="info", id=f"{P}-acted-alert", dismissable=True)


def register(app: dash.Dash, ctx: DashboardContext) -> None:
    @protected
    def layout(name: str | None = None, **_: Any) -> html.Div:
        return page_layout(name)

    dash.register_page(__name__, path="/models", name="Models", title="Models · PFD", order=61, sidebar=True,
                       icon="bi-box-seam", layout=layout)
    registry = ctx.gateway.deployments.registry
    app.clientside_callback(ClientsideFunction("pfd", "deployTouched"), Output(f"{P}-touched", "data"),
                            Input("live-deploy", "data"), Input(f"{P}-snapshot", "data"), prevent_initial_call=True)
    app.clientside_callback(
        ClientsideFunction("pfd", "modelsConfirm"), Output(f"{P}-confirm", "is_open"), Output(f"{P}-pending", "data"),
        Output(f"{P}-confirm-text", "children"), Input(f"{P}-promote", "n_clicks"),
        Input(f"{P}-rollback", "n_clicks"), Input({"type": f"{P}-delete", "version": ALL}, "n_clicks"),
        Input(f"{P}-confirm-cancel", "n_clicks"), Input(f"{P}-confirm-ok", "n_clicks"), State(f"{P}-model", "value"),
        State(f"{P}-alias", "value"), State(f"{P}-version", "value"), State(f"{P}-reason", "value"),
        State(f"{P}-rollback-alias", "value"), State(f"{P}-rollback-reason", "value"), prevent_initial_call=True)

    @app.callback(Output(f"{P}-list", "children"), Output(f"{P}-model", "options"), Output(f"{P}-model", "value"),
                  Input(f"{P}-touched", "data"), State(f"{P}-model", "value"))
    def list_models(touched: Any, chosen: str | None) -> tuple[Any, ...]:
        table, options, value = model_choice(ctx.call(registry.list(signed_in_principal())), chosen)
        return table, options, dash.no_update if touched is not None else value  # a push keeps the choice

    @app.callback(Output(f"{P}-versions", "children"), Output(f"{P}-history", "children"),
                  Output(f"{P}-version", "options"), Output(f"{P}-version", "value"),
                  Output(f"{P}-rollback-alias", "options"), Output(f"{P}-snapshot", "data"),
                  Input(f"{P}-model", "value"), Input(f"{P}-touched", "data"), Input(f"{P}-acted", "data"),
                  State(f"{P}-version", "value"))
    def show(name: str | None, touched: Any, _: Any, chosen: Any) -> tuple[Any, ...]:
        if not name:
            raise PreventUpdate
        try:
            return render(ctx.call(registry.get(signed_in_principal(), name)), touched, chosen)
        except NotFound as exc:
            raise UserFacingError(exc.message) from exc

    @app.callback(Output(f"{P}-acted", "data"), Output(f"{P}-action-alert", "children"),
                  Input(f"{P}-confirm-ok", "n_clicks"), State(f"{P}-pending", "data"), prevent_initial_call=True)
    def act(clicks: int, pending: dict[str, Any] | None) -> tuple[Any, ...]:
        if not pending:
            raise PreventUpdate
        try:
            accepted = ctx.call(carry_out(registry, signed_in_principal(), pending))
        except (InvalidInput, Conflict, NotFound) as exc:
            return dash.no_update, dbc.Alert(exc.message, color="danger", id=f"{P}-refused", dismissable=True)
        return clicks, acted_alert(accepted)
