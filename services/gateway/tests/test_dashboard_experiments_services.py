"""The service functions behind the experiment pages' callbacks (with a fake ExperimentService), and the pages'
layouts and callback wiring in a real Dash app."""

from datetime import UTC, datetime
from typing import Any

from pfd_gateway.dashboard.experiment_facets import grid_facets
from pfd_gateway.dashboard.figures.training import UID_SEPARATOR
from pfd_gateway.dashboard.training_monitor import (
    browser_snapshot,
    can_cancel,
    can_resume,
    monitor_view,
    waiting,
)
from pfd_gateway.domain.access import Principal, Role
from pfd_gateway.experiments.views import EpochPublic, ExperimentDetail, RunPublic

NOW = datetime(2026, 1, 2, tzinfo=UTC)
ME = Principal(user_id="u1", email="u1@pfd.test", role=Role.MEMBER, scopes=frozenset(), via="session")


def run(run_id: str, seed: int, status: str, **changes: Any) -> RunPublic:
    base = {"run_id": run_id, "experiment_id": "e1", "seed": seed, "run_index": seed, "status": status, "epoch": 1,
            "epochs": 4, "updated_at": NOW}
    return RunPublic.model_validate(base | changes)


def detail(*runs: RunPublic) -> ExperimentDetail:
    return ExperimentDetail(experiment_id="e1", owner_id="u1", name="exp", dataset_id="d1", dataset_name="set",
                            model="cnn1d", preset="small", status="running", run_count=len(runs), config={},
                            created_at=NOW, updated_at=NOW, runs=list(runs))


def epoch(n: int) -> EpochPublic:
    return EpochPublic(epoch=n, epochs=4, train_loss=1 / n, train_accuracy=0.5, val_loss=1 / n, val_accuracy=0.5,
                       learning_rate=1e-3, seconds=0.5, windows_per_s=100.0)


class FakeExperiments:
    def __init__(self, shown: ExperimentDetail, histories: dict[str, list[EpochPublic]]) -> None:
        self.shown, self.histories, self.calls = shown, histories, []

    async def get(self, principal: Principal, experiment_id: str) -> ExperimentDetail:
        self.calls.append(("get", principal.user_id, experiment_id))
        return self.shown

    async def epochs(self, principal: Principal, experiment_id: str, run_id: str) -> list[EpochPublic]:
        self.calls.append(("epochs", principal.user_id, run_id))
        return self.histories.get(run_id, [])

    async def facets(self, principal: Principal) -> dict[str, list[str]]:
        return {"models": ["cnn1d"], "dataset_ids": ["d1", "gone"], "statuses": ["running"], "tags": [],
                "owner_ids": [principal.user_id]}


class FakeDatasets:
    async def list(self, principal: Principal) -> list[dict[str, Any]]:
        return [{"dataset_id": "d1", "name": "Set one"}]


async def test_monitor_view_has_every_runs_curves_in_run_order() -> None:
    shown = detail(run("r1", 0, "running"), run("r2", 1, "queued", epoch=0))
    fake = FakeExperiments(shown, {"r1": [epoch(2), epoch(1)]})
    view = await monitor_view(fake, ME, "e1")  # type: ignore[arg-type]
    assert view.detail is shown
    assert [(c.run_id, c.label, list(c.epochs)) for c in view.curves] == [("r1", "seed 0", [1, 2]),
                                                                         ("r2", "seed 1", [])]
    assert fake.calls == [("get", "u1", "e1"), ("epochs", "u1", "r1"), ("epochs", "u1", "r2")]


def test_browser_snapshot_and_controls_follow_the_runs() -> None:
    shown = detail(run("r1", 0, "running", eta_s=12.0, status_at=NOW), run("r2", 1, "cancelled"))
    snapshot = browser_snapshot(shown, 200, {"g": ["train_loss"]})
    assert snapshot["runs"]["r1"] == {"seed": 0, "status": "running", "epoch": 1, "epochs": 4, "eta_s": 12.0,
                                      "seconds": None, "status_ms": NOW.timestamp() * 1000}
    assert snapshot["runs"]["r2"]["status_ms"] == 0.0  # no worker event yet
    assert snapshot["render_id"] != browser_snapshot(shown, 200, {"g": ["train_loss"]})["render_id"]
    assert snapshot["moves"]["cancelled"] == ["evaluated"]  # a late event never moves a run back
    assert "running" in snapshot["moves"]["resuming"] and snapshot["max_resyncs"] > 0
    assert snapshot["separator"] == UID_SEPARATOR and snapshot["log_limit"] == 200 and "evaluated" in snapshot["complete"]
    assert can_cancel(shown) and can_resume(shown)
    assert not waiting(snapshot) and not waiting(None)
    assert waiting(browser_snapshot(detail(run("r3", 0, "queued")), 1, {}))
    finished = detail(run("r1", 0, "evaluated"))
    assert not can_cancel(finished) and not can_resume(finished)


async def test_grid_facets_name_data_sets_and_the_caller() -> None:
    options = await grid_facets(FakeExperiments(detail(), {}), FakeDatasets(), ME)  # type: ignore[arg-type]
    assert options["dataset_ids"] == [{"label": "Set one", "value": "d1"}, {"label": "gone", "value": "gone"}]
    assert options["owner_ids"] == [{"label": "me", "value": "me"}]


def test_the_signal_viewer_opens_the_record_of_its_url() -> None:
    from pfd_gateway.dashboard.pages.signal_viewer import page_layout, url_record
    from pfd_gateway.settings import SignalViewerSettings

    assert url_record("12") == 12 and url_record(None) == 0 and url_record("-3") == 0 and url_record("x") == 0
    layout = page_layout(SignalViewerSettings(), "d1", 12)
    found = {node.id: node for node in layout._traverse() if getattr(node, "id", None) in ("signals-dataset",
                                                                                         "signals-index")}
    assert found["signals-dataset"].value == "d1" and found["signals-index"].value == 12
