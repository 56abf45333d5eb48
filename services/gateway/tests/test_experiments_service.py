"""Unit tests of the experiments slice's pure parts and of the service with fakes (no broker); the migration."""

from datetime import UTC, datetime

import pytest
from scipy.stats import binomtest, chi2
from sqlalchemy import create_engine, inspect

from pfd_shared.events.system import ServiceStatusReported, WorkerCapacity

from pfd_gateway.auth.errors import InvalidInput
from pfd_gateway.db import metadata
from pfd_gateway.domain.system_status import StatusBoard
from pfd_gateway.experiments import states
from pfd_gateway.experiments.compare import config_diff, flatten, pair, record_correctness
from pfd_gateway.experiments.projection import run_metrics
from pfd_gateway.experiments.reads import run_view
from pfd_gateway.experiments.requests import check_dataset, clean_tags, resolve_config
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.experiments.tables import TABLES
from pfd_gateway.experiments.views import ExperimentPublic
from pfd_gateway.settings import ExperimentSettings

NOW = datetime(2026, 12, 1, tzinfo=UTC)


@pytest.mark.parametrize("runs, expected", [
    ([], "requested"),
    (["evaluated", "evaluated"], "evaluated"),
    (["evaluated", "running"], "running"),
    (["queued", "requested"], "queued"),
    (["evaluated", "failed"], "partial"),
    (["failed", "cancelled"], "failed"),
    (["cancelled", "cancelled"], "cancelled"),
    (["completed", "evaluated"], "completed"),
])
def test_an_experiments_status_summarises_its_runs(runs, expected) -> None:
    assert states.experiment_status(runs) == expected


def test_finished_runs_never_move_back() -> None:
    assert not any(states.may_move(states.EVALUATED, target) for target in states.RUN_STATES)
    assert not states.may_move(states.COMPLETED, states.RUNNING)
    assert not states.may_move(states.CANCELLED, states.RUNNING)  # only a resume request reopens it
    assert states.may_move(states.RESUMING, states.RUNNING) and states.may_move(states.RUNNING, states.QUEUED)
    assert states.can_resume(states.FAILED) and not states.can_resume(states.EVALUATED)
    assert states.can_cancel(states.QUEUED) and not states.can_cancel(states.CANCELLING)


def _experiment(experiment_id: str, config: dict, dataset_id: str = "d") -> ExperimentPublic:
    return ExperimentPublic(experiment_id=experiment_id, owner_id="u", name="n", dataset_id=dataset_id,
                            dataset_name="s", model="cnn1d", preset="small", status="evaluated", run_count=1,
                            config=config, created_at=NOW, updated_at=NOW)


def test_config_diff_lists_only_what_differs_as_dotted_keys() -> None:
    first = _experiment("a", {"epochs": 2, "optimiser": {"name": "adam", "learning_rate": 0.001}, "seeds": [0]})
    second = _experiment("b", {"epochs": 2, "optimiser": {"name": "adamw", "learning_rate": 0.001}, "extra": 1},
                         dataset_id="other")
    assert flatten({"a": {"b": 1}, "c": [1]}) == {"a.b": 1, "c": [1]}
    assert config_diff([first, second]) == {"optimiser.name": ["adam", "adamw"], "seeds": [[0], None],
                                            "extra": [None, 1], "dataset_id": ["d", "other"]}


def test_record_correctness_reads_the_reports_parallel_lists() -> None:
    assert record_correctness({"test_records": [3, 4, 5], "correct": [True, "x", False]}) == {3: True, 5: False}
    assert record_correctness({"test_records": [3], "correct": []}) is None  # lists that do not pair up
    assert record_correctness({}) is None and record_correctness(None) is None


def test_mcnemar_pairs_only_the_records_both_predicted() -> None:
    a, b = _experiment("a", {}), _experiment("b", {})
    report_a = {"test_records": list(range(40)), "correct": [r >= 30 for r in range(40)]}  # wrong on 0-29
    report_b = {"test_records": list(range(10, 50)), "correct": [True] * 40}               # right on 10-49
    exact = pair(a, b, report_a, report_b)  # shared 10-39: B alone right on 10-29
    assert (exact.shared_records, exact.a_only_correct, exact.b_only_correct) == (30, 0, 20)
    assert exact.method == "exact" and exact.p_value == pytest.approx(binomtest(0, 20, 0.5).pvalue)
    records = list(range(100))
    many_a = {"test_records": records, "correct": [r >= 40 for r in records]}
    many_b = {"test_records": records[::-1], "correct": [r < 70 for r in records[::-1]]}  # any order
    chi = pair(a, b, many_a, many_b)
    assert (chi.a_only_correct, chi.b_only_correct, chi.method) == (30, 40, "chi2")
    statistic = (abs(30 - 40) - 1) ** 2 / 70
    assert chi.statistic == pytest.approx(statistic) and chi.p_value == pytest.approx(chi2.sf(statistic, 1))
    assert "different data sets" in pair(a, _experiment("c", {}, dataset_id="x"), report_a, report_b).note
    assert "report" in pair(a, b, report_a, None).note
    assert "No test record" in pair(a, b, report_a, {"test_records": [99], "correct": [True]}).note


def test_config_errors_name_the_field() -> None:
    with pytest.raises(InvalidInput) as error:
        resolve_config({"model": "cnn1d", "model_params": {"dropout": 2}})
    assert error.value.field == "config.model_params.dropout" and "between" in error.value.message
    with pytest.raises(InvalidInput) as error:
        resolve_config({"scheduler": {"name": "sometimes"}})
    assert error.value.field == "config.scheduler.name"
    assert resolve_config({}).model == "cnn1d"


def test_a_data_set_must_be_ready_and_long_enough() -> None:
    config = resolve_config({"window": {"length": 2048}})
    with pytest.raises(InvalidInput, match="not ready"):
        check_dataset({"name": "s", "status": "building", "samples_per_record": None}, config)
    with pytest.raises(InvalidInput) as error:
        check_dataset({"name": "s", "status": "ready", "samples_per_record": 1024}, config)
    assert error.value.field == "config.window.length" and "1024" in error.value.message
    check_dataset({"name": "s", "status": "ready", "samples_per_record": 4096}, config)


def test_tags_are_trimmed_lower_cased_and_unique() -> None:
    assert clean_tags([" Gold ", "gold", "b"]) == ["gold", "b"]
    with pytest.raises(InvalidInput) as error:
        clean_tags(["ok", "x" * 61], field="add")
    assert error.value.field == "add.1"


def test_run_metrics_flatten_the_evaluation() -> None:
    evaluation = {"window_accuracy": 0.8, "record_accuracy": 0.9, "macro_f1": 0.85, "ece": 0.1,
                  "robustness": {"10dB": 0.7},
                  "per_class": [{"name": "healthy", "precision": 1.0, "recall": 0.5, "f1": 0.66, "auc": None}]}
    found = run_metrics({"metrics": {"val_loss": 0.3, "note": "x", "flag": True}, "evaluation": evaluation})
    assert found == {"val_loss": 0.3, "window_accuracy": 0.8, "record_accuracy": 0.9, "macro_f1": 0.85, "ece": 0.1,
                     "record_accuracy_10dB": 0.7, "precision.healthy": 1.0, "recall.healthy": 0.5, "f1.healthy": 0.66}


def _run_row(**values) -> dict:
    return {"run_id": "r", "experiment_id": "e", "seed": 0, "run_index": 0, "status": "running", "epoch": 2,
            "epochs": 10, "epoch_seconds": 1.5, "metrics": None, "artefacts": None, "updated_at": NOW} | values


def test_the_eta_of_a_running_run_is_the_epochs_left_times_the_last_epoch() -> None:
    assert run_view(_run_row(), NOW).eta_s == pytest.approx(12.0)
    assert run_view(_run_row(status="queued"), NOW).eta_s is None
    assert run_view(_run_row(epoch_seconds=None), NOW).eta_s is None


def _report(service: str, instance: str, *, ready: bool = True, capacity: WorkerCapacity | None = None):
    return ServiceStatusReported(service=service, instance_id=instance, version="1", host="h", pid=1, started_at=NOW,
                                 uptime_s=1, ready=ready, dlq_count=0, handled_count=0, capacity=capacity)


def test_workers_count_only_ready_training_instances_that_take_jobs() -> None:
    board = StatusBoard(ttl_s=5)
    service = ExperimentService(None, None, None, None, None, None, None, board,  # type: ignore[arg-type]
                                ExperimentSettings(), producer="gateway")
    assert service.workers().live_workers == 0 and "No training worker" in service.workers().message
    for report in (_report("data-gen", "d1"), _report("training", "t0", ready=False),
                   _report("training", "t1", capacity=WorkerCapacity(slots=0, busy=0)),
                   _report("training", "t2", capacity=WorkerCapacity(slots=2, busy=2, jobs=("a", "b")))):
        board.apply(report, NOW)
    workers = service.workers()
    assert (workers.live_workers, workers.instances, workers.slots, workers.busy) == (1, ["t2"], 2, 2)
    assert workers.message is None


def test_the_migration_creates_the_read_model_as_the_metadata_declares_it(migrated_template) -> None:
    engine = create_engine(f"sqlite:///{migrated_template}")
    try:
        found = inspect(engine)
        for table in metadata.sorted_tables:
            if table.name not in TABLES:
                continue
            assert {c["name"] for c in found.get_columns(table.name)} == {c.name for c in table.columns}, table.name
            declared = {index.name for index in table.indexes}
            assert declared <= {index["name"] for index in found.get_indexes(table.name)}, table.name
    finally:
        engine.dispose()
    assert set(TABLES) <= set(metadata.tables)
