"""The Experiments grid's filter choices: the facets of the caller's experiments, data sets by name."""

from __future__ import annotations

from pfd_gateway.dashboard.components.experiment_grid import facet_options
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.domain.access import Principal
from pfd_gateway.experiments.service import ExperimentService


async def grid_facets(experiments: ExperimentService, datasets: DatasetCatalog,
                      principal: Principal) -> dict[str, list[dict[str, str]]]:
    """Dropdown options per filter: models, data sets (named), statuses, tags and owners seen in the caller's
    experiments."""
    facets = await experiments.facets(principal)
    names = {row["dataset_id"]: row["name"] for row in await datasets.list(principal)}
    return facet_options(facets, names, principal.user_id)
