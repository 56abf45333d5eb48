"""Pure builders of the experiment pages: wizard form, grid, tables, cards, results inputs."""

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from pfd_shared.training import MODEL_CATALOGUE, TrainingConfig

from pfd_gateway.dashboard.components.experiment_form import (
    CONFIG_FIELDS,
    FIELDS,
    PARAM_TYPE,
    config_bounds,
    default_request,
    field_value,
    param_inputs,
    param_values,
    ready_datasets,
    server_errors,
    wizard_config,
)
from pfd_gateway.dashboard.components.experiment_grid import (
    METRIC_PREFIX,
    column_defs,
    compare_ids,
    facet_options,
    filter_values,
    grid_query,
    rows_response,
    search_controls,
    tag_change,
)
from pfd_gateway.dashboard.components.experiment_results import (
    CLEAN,
    calibration_inputs,
    chosen_run,
    roc_inputs,
    robustness_series,
    seeds_table,
)
from pfd_gateway.dashboard.components.experiments import (
    config_diff_table,
    experiment_choice,
    experiment_labels,
    format_summary,
    mcnemar_table,
    mcnemar_verdict,
    metric_cards,
    misclassified_table,
    ordered_metrics,
    side_by_side_table,
    signal_viewer_url,
)
from pfd_gateway.experiments.query import MAX_LIMIT
from pfd_gateway.experiments.views import (
    ExperimentPage,
    ExperimentPublic,
    McNemarPublic,
    MetricSummary,
    RunEvaluation,
    SavedSearchPublic,
)
NOW = datetime(2026, 1, 2, 3, 4, tzinfo=UTC)


def nodes(component: Any) -> list[Any]:
    """The component (or list of them) and every descendant, strings included."""
    if isinstance(component, list | tuple):
        return [node for item in component for node in nodes(item)]
    if component is None or isinstance(component, str | int | float):
        return [] if component is None else [component]
    return [component, *nodes(getattr(component, "children", None))]


def walk(component: Any) -> list[Any]:
    return [node for node in nodes(component) if hasattr(node, "_traverse")]


def text(component: Any) -> str:
    return " ".join(str(node) for node in nodes(component) if isinstance(node, str | int | float))


def ids(component: Any, kind: str) -> list[dict[str, Any]]:
    return [node.id for node in walk(component) if isinstance(getattr(node, "id", None), dict)
            and node.id.get("type") == kind]


def experiment(experiment_id: str = "e1", **changes: Any) -> ExperimentPublic:
    base = {"experiment_id": experiment_id, "owner_id": "me", "name": f"exp {experiment_id}", "dataset_id": "d1",
            "dataset_name": "set", "model": "cnn1d", "preset": "small", "status": "evaluated", "run_count": 2,
            "config": {}, "created_at": NOW, "updated_at": NOW}
    return ExperimentPublic.model_validate(base | changes)


def summary(mean: float, std: float = 0.0, count: int = 1) -> MetricSummary:
    return MetricSummary(mean=mean, std=std, count=count, values=[mean] * count)


def evaluation(run_id: str, seed: int, accuracy: float, **changes: Any) -> RunEvaluation:
    base = {"run_id": run_id, "seed": seed, "class_names": ["a", "b"], "window_accuracy": accuracy,
            "record_accuracy": accuracy, "macro_f1": accuracy, "ece": 0.05, "per_class": [],
            "confusion": [[1, 0], [0, 1]], "report_key": "k"}
    return RunEvaluation.model_validate(base | changes)


def test_wizard_bounds_are_the_training_configs_own() -> None:
    bounds = config_bounds()
    assert bounds["epochs"]["maximum"] == TrainingConfig.model_fields["epochs"].metadata[1].le
    assert bounds["optimiser.learning_rate"]["exclusiveMinimum"] == 0
    assert bounds["window.hop"]["nullable"] and not bounds["window.length"]["nullable"]
    assert bounds["scheduler.name"]["enum"] == ["none", "cosine", "plateau", "one_cycle"]
    assert bounds["seeds"]["maxItems"] == 10
    assert all(field.path in bounds for field in CONFIG_FIELDS)  # every config input is checked in the browser


def test_wizard_config_carries_fields_models_and_param_specs() -> None:
    config = wizard_config(list(MODEL_CATALOGUE.values()))
    assert [f["path"] for f in config["fields"]] == [f.path for f in FIELDS]
    assert config["models"]["cnn1d"]["params"]["width"]["low"] == 4
    assert config["models"]["patch_transformer"]["multiple_of"] == {"dim": "heads"}
    assert config["steps"] == 4 and config["paramType"] == PARAM_TYPE


def test_default_request_and_clone_values_fill_the_fields() -> None:
    request = default_request()
    assert field_value("window.length", request) == TrainingConfig().window.length
    assert field_value("seeds", request) == "0"
    clone = {"name": "x (copy)", "dataset_id": "d1", "tags": ["a", "b"],
             "config": TrainingConfig(seeds=(1, 2), window={"length": 512}).model_dump(mode="json")}
    assert field_value("tags", clone) == "a, b" and field_value("seeds", clone) == "1, 2"
    assert field_value("window.length", clone) == 512 and field_value("name", clone) == "x (copy)"
    assert field_value("augmentation.noise_snr_db", clone) is None


def test_param_inputs_follow_the_specs_and_keep_clone_overrides_the_model_knows() -> None:
    info = MODEL_CATALOGUE["patch_transformer"]
    values = param_values(info, "small", {"dim": 48, "unknown": 1})
    assert values["dim"] == 48 and "unknown" not in values and values["patch"] == info.presets["small"]["patch"]
    inputs = param_inputs(info, values)
    found = {node.id["name"]: node for node in walk(inputs) if isinstance(getattr(node, "id", None), dict)
             and node.id.get("type") == PARAM_TYPE}
    assert set(found) == set(info.params)
    assert type(found["heads"]).__name__ == "Select" and found["heads"].value == "2"
    assert found["dim"].value == 48 and "16 to 256" in text(inputs)
    assert "Choose a model first" in text(param_inputs(None, {}))


def test_server_refusals_map_to_the_wizards_fields() -> None:
    assert server_errors("config.window.length", "too long") == {"window.length": "too long"}
    assert server_errors("config.model_params.width", "out") == {"param:width": "out"}
    assert server_errors("dataset_id", "not ready") == {"dataset_id": "not ready"}
    assert server_errors("tags.3", "long") == {"tags": "long"}
    assert server_errors("config.seeds", "dup") == {"seeds": "dup"}
    assert server_errors("config", "bad") == {"form": "bad"}


def test_only_ready_data_sets_are_offered() -> None:
    rows = [{"dataset_id": "a", "name": "A", "status": "ready", "samples_per_record": 2048, "records": 10,
             "class_names": ["x", "y"]}, {"dataset_id": "b", "name": "B", "status": "building"}]
    assert ready_datasets(rows) == [{"id": "a", "name": "A", "samples": 2048, "records": 10, "classes": 2}]


def test_grid_query_maps_the_block_request_sort_and_filters() -> None:
    filters = filter_values(" cnn ", ["cnn1d"], None, ["running"], ["x"], ["me", "u2"], "u1")
    assert filters["q"] == "cnn" and filters["owner_ids"] == ["u1", "u2"] and filters["dataset_ids"] == []
    query = grid_query({"startRow": 100, "endRow": 200, "sortModel": [{"colId": "record_accuracy", "sort": "asc"}]},
                       filters)
    assert (query.offset, query.limit, query.sort, query.order) == (100, 100, "record_accuracy", "asc")
    assert query.sorts_by_metric and query.models == ["cnn1d"]
    assert grid_query({"startRow": 0, "endRow": 10 ** 6, "sortModel": []}, filter_values(*[None] * 6, "u")).limit \
        == MAX_LIMIT
    assert grid_query({"sortModel": [{"colId": "tags", "sort": "asc"}]}, filters).sort == "created_at"
    with pytest.raises(ValidationError):
        grid_query({}, filters | {"q": "x" * 500})


def test_grid_rows_format_metrics_and_columns_sort_on_their_metric() -> None:
    page = ExperimentPage(items=[experiment(metrics={"record_accuracy": summary(0.9812, 0.004, 3)}, tags=["a", "b"],
                                            owner_id="other")], total=42, offset=0, limit=100)
    response = rows_response(page, "me")
    row = response["rowData"][0]
    assert response["rowCount"] == 42
    assert row[f"{METRIC_PREFIX}record_accuracy"] == "98.1% ± 0.4" and row[f"{METRIC_PREFIX}ece"] == "—"
    assert row["tags"] == "a, b" and row["owner"] == "other" and row["href"].endswith("id=e1")
    columns = {c["colId"]: c for c in column_defs()}
    assert columns["record_accuracy"]["field"] == f"{METRIC_PREFIX}record_accuracy"
    assert columns["tags"]["editable"] and columns["created_at"]["sort"] == "desc"


def test_tag_changes_compare_cell_values() -> None:
    assert tag_change("a, b", "b, C, c") == (["c"], ["a"])
    assert tag_change(None, "") == ([], [])


def test_facets_and_saved_searches_become_control_values() -> None:
    options = facet_options({"models": ["cnn1d"], "dataset_ids": ["d1", "d2"], "owner_ids": ["me-id", "u2"]},
                            {"d1": "Set one"}, "me-id")
    assert options["dataset_ids"] == [{"label": "Set one", "value": "d1"}, {"label": "d2", "value": "d2"}]
    assert [o["value"] for o in options["owner_ids"]] == ["me", "u2"]
    search = SavedSearchPublic(search_id="s", name="mine", created_at=NOW,
                               query={"q": "x", "models": ["cnn1d"], "owner_ids": ["me-id"]})
    assert search_controls(search, "me-id") == ("x", ["cnn1d"], [], [], [], ["me"])
    assert compare_ids([{"experiment_id": "a"}, {}, {"experiment_id": "b"}]) == ["a", "b"]


def test_summaries_show_std_only_with_several_seeds() -> None:
    assert format_summary("record_accuracy", summary(0.9, 0.01, 3)) == "90.0% ± 1.0"
    assert format_summary("record_accuracy", summary(0.9)) == "90.0%"
    assert format_summary("ece", summary(0.0123, 0.002, 2)) == "0.012 ± 0.002"
    assert format_summary("record_accuracy_20dB", summary(0.5)) == "50.0%"
    assert format_summary("x", None) == "—"
    assert ordered_metrics(["zeta", "ece", "record_accuracy"]) == ["record_accuracy", "ece", "zeta"]


def test_metric_cards_and_their_empty_state() -> None:
    cards = metric_cards({"record_accuracy": summary(0.95, 0.01, 3), "other": summary(1.0)})
    content = text(cards[0])
    assert "Record accuracy" in content and "over 3 seeds" in content
    assert "No results yet" in text(metric_cards({}))


def test_misclassified_rows_open_the_signal_viewer_at_their_record() -> None:
    records = [{"record": 7, "true_class": "a", "predicted_class": "b", "confidence": 0.6},
               {"record": 3, "true_class": "b", "predicted_class": "a", "confidence": 0.9}]
    table = misclassified_table("d1", records, "t", limit=1)
    links = [node for node in walk(table) if type(node).__name__ == "Link"]
    assert [link.href for link in links] == [signal_viewer_url("d1", 3)]  # most confident mistake first
    assert signal_viewer_url("d1", 3) == "/signals?dataset=d1&record=3"
    assert "most confident of 2" in text(table)
    assert "No misclassified" in text(misclassified_table("d1", [], "t", limit=5))


def test_side_by_side_bolds_the_best_value_per_metric() -> None:
    a = experiment("a", metrics={"record_accuracy": summary(0.9), "ece": summary(0.1)})
    b = experiment("b", metrics={"record_accuracy": summary(0.8), "ece": summary(0.05)})
    table = side_by_side_table([a, b], ["record_accuracy", "ece"], "t")
    bold = [text(node) for node in walk(table) if type(node).__name__ == "Td" and node.className == "fw-bold"]
    assert bold == ["90.0%", "0.050"]  # higher accuracy, lower calibration error


def test_config_diff_and_mcnemar_tables() -> None:
    a, b = experiment("a"), experiment("b", name="exp a")
    diff = config_diff_table([a, b], {"model": ["cnn1d", "random_forest"], "epochs": [3, None]}, "t")
    assert "random_forest" in text(diff) and "—" in text(diff)
    assert "Same configuration" in text(config_diff_table([a, b], {}, "t"))
    tested = McNemarPublic(a="a", b="b", shared_records=40, a_only_correct=9, b_only_correct=1, statistic=4.9,
                           p_value=0.027)
    assert mcnemar_verdict(tested).endswith("A is better")
    untested = McNemarPublic(a="a", b="b", shared_records=0, a_only_correct=0, b_only_correct=0, note="different sets")
    assert mcnemar_verdict(untested) == "different sets"
    assert "40" in text(mcnemar_table([tested], {"a": "A", "b": "B"}, "t"))
    labels = experiment_labels([experiment("a1", name="same"), experiment("b1", name="same")])
    assert labels["a1"] != labels["b1"]
    assert experiment_choice([a, b], None)[1] == "a" and experiment_choice([a], "z")[1] == "z"


def test_results_inputs_read_the_evaluation_report() -> None:
    report = {"roc": {"a": {"fpr": [0, 1], "tpr": [0, 1], "auc": 0.5}},
              "calibration": {"ece": 0.02, "bins": [{"confidence": 0.9, "accuracy": 0.85, "count": 12}]}}
    assert roc_inputs(report) == ({"a": {"fpr": [0, 1], "tpr": [0, 1]}}, {"a": 0.5})
    assert calibration_inputs(report) == ([0.9], [0.85], [12], 0.02)
    assert roc_inputs(None) == ({}, {}) and calibration_inputs({}) == ([], [], [], None)


def test_robustness_is_mean_and_std_over_seeds_with_the_clean_reference() -> None:
    runs = [evaluation("r1", 0, 0.9, robustness={"20dB": 0.8}), evaluation("r2", 1, 1.0, robustness={"20dB": 0.9})]
    series = robustness_series(runs)
    assert series[CLEAN][0] == pytest.approx(0.95) and series["20dB"][0] == pytest.approx(0.85)
    assert series["20dB"][1] == pytest.approx(0.0707, abs=1e-3)
    assert robustness_series([evaluation("r1", 0, 0.9)]) == {}
    assert chosen_run(runs, "r2").seed == 1 and chosen_run(runs, None).run_id == "r1" and chosen_run([], None) is None
    table = seeds_table(runs, "r2", "t")
    assert "seed 1" in text(table) and "No evaluated run" in text(seeds_table([], None, "t"))
    assert not ids(table, "anything")
