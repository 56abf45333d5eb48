"""The campaign's search space (pure): validation against the model catalogue and TrainingConfig's bounds, grid
points, trial configs; the page's editor rows and Optuna figures."""

import math

import optuna
import pytest

from pfd_gateway.campaigns.space import CampaignSpec, SearchParam, config_bounds, grid_size, grid_values, problems, \
    trial_config
from pfd_gateway.dashboard.components.campaigns import campaign_request, default_space, space_from_rows
from pfd_gateway.dashboard.figures.campaigns import FIGURES, campaign_figures

LIMITS = {"max_budget": 100, "max_parallelism": 4, "max_grid_points": 50}


def spec(*space, **changes) -> CampaignSpec:
    return CampaignSpec.model_validate({"name": "s", "dataset_id": "d", "model": "patch_transformer",
                                        "space": [s.model_dump() for s in space], **changes})


def fields(campaign: CampaignSpec) -> list[str]:
    return [p.field for p in problems(campaign, **LIMITS)]


def p(name: str, kind: str = "int", **values) -> SearchParam:
    return SearchParam(name=name, kind=kind, **values)


def test_a_space_within_the_catalogue_and_the_config_bounds_is_valid() -> None:
    assert fields(spec(p("model_params.depth", low=1, high=4), p("model_params.heads", "categorical", choices=(2, 4)),
                       p("optimiser.learning_rate", "float", low=1e-4, high=1e-1, log=True),
                       p("batch_size", low=16, high=128, log=True))) == []


@pytest.mark.parametrize("param, field", [
    (p("model_params.depth", low=0, high=4), "space.0.low"),  # catalogue: 1..8
    (p("model_params.depth", low=4, high=2), "space.0.low"),
    (p("model_params.depth", "float", low=1, high=2), "space.0.kind"),
    (p("model_params.heads", "categorical", choices=(3,)), "space.0.choices"),
    (p("model_params.heads", low=1, high=8), "space.0.kind"),
    (p("model_params.width", low=8, high=64), "space.0.name"),  # not a patch_transformer parameter
    (p("epochs", low=1, high=3), "space.0.name"),
    (p("optimiser.learning_rate", "float", low=0.0, high=0.1), "space.0.low"),  # gt 0
    (p("optimiser.learning_rate", "float", low=-1, high=0.1, log=True), "space.0.log"),
    (p("label_smoothing", "float", low=0.0, high=1.0), "space.0.high"),  # lt 1
    (p("model_params.dim", "categorical"), "space.0.choices"),
])
def test_a_bad_parameter_is_refused_naming_it(param: SearchParam, field: str) -> None:
    assert fields(spec(param)) == [field]


def test_budget_parallelism_objective_and_fixed_fields_are_checked() -> None:
    depth = p("model_params.depth", low=1, high=2)
    assert fields(spec()) == ["space"]
    assert fields(spec(depth, budget=0)) == ["budget"]
    assert fields(spec(depth, parallelism=9)) == ["parallelism"]
    assert fields(spec(depth, objective="accuracy_latency")) == ["objective"]
    assert fields(spec(depth, base_config={"model": "cnn1d"})) == ["base_config.model"]
    assert fields(spec(depth, depth)) == ["space.1.name"]
    assert fields(spec(depth, model="nope")) == ["model"]


def test_grid_points_and_the_grid_sampler_limits() -> None:
    assert grid_values(p("x", low=2, high=5)) == [2, 3, 4, 5]
    assert grid_values(p("x", "float", low=0.0, high=0.3, step=0.1)) == [0.0, 0.1, 0.2, 0.3]
    assert grid_size((p("a", low=1, high=3), p("b", "categorical", choices=("x", "y")))) == 6
    depth = p("model_params.depth", low=1, high=8)
    assert fields(spec(depth, sampler="grid", budget=9)) == ["budget"]
    assert fields(spec(p("model_params.dropout", "float", low=0.0, high=0.5), sampler="grid")) == ["space.0.step"]
    wide = p("batch_size", low=1, high=8192)
    assert fields(spec(wide, sampler="grid", budget=5)) == ["space"]


def test_config_bounds_come_from_the_training_config() -> None:
    bounds = config_bounds("optimiser.learning_rate")
    assert (bounds.kind, bounds.low, bounds.low_open, bounds.high) == ("float", 0.0, True, 1.0)
    assert config_bounds("batch_size").kind == "int"


def test_a_trial_config_puts_each_value_at_its_path() -> None:
    campaign = spec(base_config={"epochs": 3, "optimiser": {"name": "adam"}})
    config = trial_config(campaign, {"model_params.depth": 2, "optimiser.learning_rate": 0.01}, epochs=7)
    assert config["model_params"] == {"depth": 2} and config["optimiser"] == {"name": "adam", "learning_rate": 0.01}
    assert config["epochs"] == 7 and config["model"] == "patch_transformer" and config["seeds"] == [0]
    assert campaign.base_config == {"epochs": 3, "optimiser": {"name": "adam"}}  # not mutated


def test_the_editor_rows_become_a_valid_request() -> None:
    rows = default_space("cnn1d") + [{"name": " ", "kind": "int"}, {"name": "model_params.width",
                                                                       "kind": "categorical", "choices": "8, 16"}]
    space = space_from_rows(rows)
    assert [s["name"] for s in space][:3] == ["model_params.width", "model_params.dropout", "model_params.first_kernel"]
    assert space[-1]["choices"] == [8, 16]
    request = campaign_request({"name": "x", "dataset": "d", "budget": "3", "parallelism": "1"}, rows[:4])
    assert fields(CampaignSpec.model_validate(request)) == []


def test_every_figure_draws_from_the_trials_or_says_why_not() -> None:
    study = optuna.create_study(direction="maximize")
    for x, values in ((1, (0.5, 0.6)), (2, (0.7, 0.9)), (3, (0.2,))):
        trial = study.ask({"x": optuna.distributions.IntDistribution(1, 3)})
        for step, value in enumerate(values, start=1):
            trial.report(value, step)
        study.tell(trial, values[-1] if len(values) > 1 else None,
                   state=None if len(values) > 1 else optuna.trial.TrialState.PRUNED)
    drawn = campaign_figures(study.trials, maximise=True)
    assert len(drawn) == len(FIGURES) and all(f.data for f in drawn)
    empty = campaign_figures([], maximise=True)
    assert all(not f.data and f.layout.annotations for f in empty)
    assert not math.isnan(drawn[0].data[0].y[0])
