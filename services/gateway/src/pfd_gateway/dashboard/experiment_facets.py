"""Experiment choices: the grid's filter facets (data sets by name) and the monitor/results experiment chooser."""

from __future__ import annotations

from typing import Any

import dash
from dash import Input, Output, State

from pfd_gateway.dashboard.components.experiment_grid import facet_options
from pfd_gateway.dashboard.components.experiments import RECENT_CHOICES, experiment_choice
from pfd_gateway.dashboard.context import DashboardContext
from pfd_gateway.dashboard.session import signed_in_principal
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.domain.access import Principal
from pfd_gateway.experiments.query import ExperimentQuery
from pfd_gateway.experiments.service import ExperimentService


async def grid_facets(experiments: ExperimentService, datasets: DatasetCatalog,
                      principal: Principal) -> dict[str, list[dict[str, str]]]:
    """Dropdown options per filter: models, data sets (named), statuses, tags and owners seen in the caller's
    experiments."""
    facets = await experiments.facets(principal)
    names = {row["dataset_id"]: row["name"] for row in await datasets.list(principal)}
    return facet_options(facets, names, principal.user_id)


def register_chooser(app: dash.Dash, ctx: DashboardContext, prefix: str) -> None:
    """Fill ``{prefix}-experiment`` (components.experiments.experiment_chooser) with the newest experiments,
    keeping the chosen one (e.g. from the URL); ``{prefix}-refresh`` reloads the list."""

    @app.callback(Output(f"{prefix}-experiment", "options"), Output(f"{prefix}-experiment", "value"),
                  Input(f"{prefix}-refresh", "n_clicks"), State(f"{prefix}-experiment", "value"))
    def list_experiments(_: Any, selected: str | None) -> tuple[list[dict[str, str]], str | None]:
        page = ctx.call(ctx.gateway.experiments.list(signed_in_principal(), ExperimentQuery(limit=RECENT_CHOICES)))
        return experiment_choice(page.items, selected)
