"""The experiment pages in a real browser against a real gateway AND a real training worker (pfd-training), on the
real broker, PostgreSQL and S3: wizard → monitor (live curves, cancel, resume, the no-worker warning) → results
(→ Signal Viewer) → compare, and the Experiments grid (filters, sort, tags, saved searches, selection).

The data set is a small trainable HDF5 file (pfd_shared.testing.hdf5_datasets) put into the gateway's bucket and
made ready by a DatasetReady event, as data-gen would; every training event the pages show comes from the worker.
"""

from __future__ import annotations

import asyncio
import re
import shutil
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from uuid import uuid4

import pytest
from faststream.kafka import KafkaBroker

from pfd_shared.events import encode_event, new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.localstack.processes import ManagedProcess, free_port
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, TEST_FEATURE_NAMES, training_dataset_bytes
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect
pytest.importorskip("pfd_training")

FS, RECORDS_PER_CLASS, SAMPLES, SNR_DB = 12_000.0, 10, 2_048, (20.0, 5.0)
TRAIN_TIMEOUT_MS = 180_000
LOGS = Path(__file__).resolve().parents[2] / "test-output" / "logs"
PAGE_TIMEOUT_MS = 60_000  # a render on a busy shared machine
DEFAULT_EXPECT_MS = 15_000  # tests/browser/conftest.py's limit
READY_TIMEOUT_S = 90.0  # the first event of a run waits for the consumer groups to form
POLL_S = 0.2
TINY = {"model": "cnn1d", "preset": "small", "window": {"length": 256}, "epochs": 3, "batch_size": 32,
        "early_stopping_patience": 0, "seeds": [0]}


def publish(bootstrap: str, envelope) -> None:
    async def send() -> None:
        broker = KafkaBroker(bootstrap)
        await broker.start()
        try:
            await broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key())
        finally:
            await broker.stop()

    worker = threading.Thread(target=asyncio.run, args=(send(),))  # Playwright's sync API holds this thread's loop
    worker.start()
    worker.join()


def wait_until(check, what: str, timeout_s: float = READY_TIMEOUT_S):
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (value := check()) is not None:
            return value
        time.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


def csrf(page) -> dict[str, str]:
    return {"X-CSRF-Token": next(c["value"] for c in page.context.cookies() if c["name"] == "pfd_csrf")}


def ready_dataset(infra, page, name: str) -> str:
    """A trainable data set in the gateway's bucket, made ready by the event data-gen would publish."""
    owner = page.request.get("/api/v1/auth/me").json()["user"]["id"]
    dataset_id = f"train{uuid4().hex[:10]}"
    key = f"datasets/{dataset_id}/dataset.h5"
    content = training_dataset_bytes(RECORDS_PER_CLASS, SAMPLES, FS, snr_db=SNR_DB)
    S3ObjectStore(infra.s3).put_bytes(key, content)
    records = RECORDS_PER_CLASS * len(TEST_CLASSES)
    event = DatasetReady(dataset_id=dataset_id, name=name, kind="synthetic", object_key=key, size_bytes=len(content),
                         sha256="00", records=records, samples_per_record=SAMPLES, sample_rate_hz=FS,
                         class_names=TEST_CLASSES, class_counts=(RECORDS_PER_CLASS,) * len(TEST_CLASSES),
                         feature_names=TEST_FEATURE_NAMES, split_counts={"train": 14, "val": 2, "test": 4},
                         seconds=0.1)
    publish(infra.kafka_bootstrap, new_envelope(event, producer="browser-test", owner=owner))

    def ready() -> str | None:
        shown = page.request.get(f"/api/v1/datasets/{dataset_id}")
        return dataset_id if shown.ok and shown.json()["status"] == "ready" else None

    return wait_until(ready, f"{dataset_id} ready")


def create_experiment(page, dataset_id: str, name: str, **config) -> str:
    response = page.request.post("/api/v1/experiments", headers=csrf(page),
                                 data={"name": name, "dataset_id": dataset_id, "config": TINY | config})
    assert response.status == 201, response.text()
    return response.json()["experiment_id"]


def experiment(page, experiment_id: str) -> dict:
    response = page.request.get(f"/api/v1/experiments/{experiment_id}")
    assert response.ok, response.text()
    return response.json()


@pytest.fixture(scope="module")
def training_worker(infra, tmp_path_factory) -> Iterator[callable]:
    """``start()`` starts one pfd-training process (once) on the session's infrastructure; stopped after the
    module. Tests first look at the pages without it (the no-worker warning), then start it."""
    var_dir = tmp_path_factory.mktemp("browser-training")
    started: list[ManagedProcess] = []
    with fresh_postgres_database(infra.postgres_url) as database_url:
        def start() -> None:
            if started:
                return
            port = free_port()
            env = service_env("PFD_TRAINING_", infra, port=port, var_dir=str(var_dir), database_url=database_url)
            env |= {"PFD_TRAINING_TORCH_THREADS": "1", "PFD_TRAINING_QUEUE_POLL_S": "0.5",
                    "PFD_TRAINING_LOG_INTERVAL_S": "0.2", "PFD_TRAINING_TELEMETRY__LOG_FORMAT": "console",
                    "PFD_TRAINING_STATUS_INTERVAL_S": "1"}
            started.append(start_service("training", [sys.executable, "-m", "pfd_training"], env, port,
                                         var_dir / "training.log"))

        try:
            yield start
        finally:
            for proc in started:
                proc.stop()
            if (var_dir / "training.log").exists():  # kept beside the screenshots for a failure's diagnosis
                LOGS.mkdir(parents=True, exist_ok=True)
                shutil.copy(var_dir / "training.log", LOGS / "browser-training.log")


@pytest.fixture(autouse=True)
def patient(signed_in) -> Iterator[None]:
    """Training shares this machine's cores with the browser and the gateway: page renders get longer limits
    here (restored for the other browser modules)."""
    signed_in.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    yield
    expect.set_options(timeout=DEFAULT_EXPECT_MS)


def graph_points(page, graph_id: str) -> list[int]:
    return page.evaluate("(id) => document.querySelector('#' + id + ' .js-plotly-plot').data.map(t => t.x.length)",
                         graph_id)


def test_wizard_monitor_results_compare_flow(infra, signed_in, training_worker, shoot) -> None:
    page = signed_in
    dataset_id = ready_dataset(infra, page, "browser trainable set")
    page.goto("/experiments/new", timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#shell-sidebar")).to_contain_text("New experiment")
    expect(page.locator("#experiment-new-panel-0")).to_be_visible()
    page.locator("#experiment-new-model input[value='cnn1d']").check()
    page.select_option("#experiment-new-preset", "small")
    shoot(page, "experiment-new-1-model")
    page.click("#experiment-new-next")
    expect(page.locator("#experiment-new-panel-1")).to_be_visible()
    expect(page.locator("#experiment-new-params input").first).to_be_visible()
    expect(page.locator(f"#experiment-new-dataset-id option[value='{dataset_id}']")).to_have_count(1)
    page.select_option("#experiment-new-dataset-id", dataset_id)
    page.fill("#experiment-new-window-length", str(SAMPLES * 2))  # longer than the records: refused in the browser
    expect(page.locator("#experiment-new-window-length-feedback")).to_contain_text("Longer than the data set")
    page.fill("#experiment-new-window-length", "256")
    expect(page.locator("#experiment-new-window-length")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    page.fill("#experiment-new-epochs", "3")
    page.fill("#experiment-new-batch-size", "32")
    page.fill("#experiment-new-seeds", "0, 1")
    width = page.locator("input[id*='experiment-new-param'][id*='width']")
    width.fill("1")  # below the catalogue's range for cnn1d's width
    expect(page.locator("#experiment-new-panel-1 .invalid-feedback", has_text="at least 4")).to_have_count(1)
    width.fill("8")
    shoot(page, "experiment-new-2-data")
    page.click("#experiment-new-next")
    page.fill("#experiment-new-optimiser-learning-rate", "2")
    expect(page.locator("#experiment-new-optimiser-learning-rate-feedback")).to_contain_text("at most 1")
    page.fill("#experiment-new-optimiser-learning-rate", "0.003")
    page.fill("#experiment-new-early-stopping-patience", "0")
    page.click("#experiment-new-next")
    page.click("#experiment-new-launch")  # no name yet: refused in the browser, the name's error shows
    expect(page.locator("#experiment-new-name-feedback")).to_contain_text("name")
    page.fill("#experiment-new-name", "browser cnn")
    page.fill("#experiment-new-tags", "browser, cnn")
    expect(page.locator("#experiment-new-review")).to_contain_text("2 seed(s)")
    shoot(page, "experiment-new-4-review")
    page.click("#experiment-new-launch")

    expect(page).to_have_url(re.compile(r"/experiments/monitor\?id="))
    experiment_id = page.url.split("id=")[1]
    expect(page.locator("#experiment-monitor-status")).to_have_text(re.compile("requested|queued"), timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#experiment-monitor-no-worker")).to_contain_text("No training worker is running")
    shoot(page, "experiment-monitor-waiting")

    training_worker()
    expect(page.locator("#experiment-monitor-no-worker")).to_have_count(0, timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#experiment-monitor-status")).to_have_text("evaluated", timeout=TRAIN_TIMEOUT_MS)
    expect(page.locator("#experiment-monitor-progress")).to_contain_text("100 %")
    assert graph_points(page, "experiment-monitor-loss") == [3, 3, 3, 3]  # 2 runs x (train, val), 3 epochs each
    expect(page.locator("#experiment-monitor-log")).to_contain_text("epoch")
    shoot(page, "experiment-monitor-done")

    page.click("#experiment-monitor-results-link")
    expect(page).to_have_url(re.compile(r"/experiments/results\?id="))
    cards = page.locator("#experiment-results-cards")
    expect(cards).to_contain_text("Record accuracy")
    expect(cards).to_contain_text("over 2 seeds")
    expect(page.locator("#experiment-results-seeds-table tbody tr")).to_have_count(2)
    expect(page.locator("#experiment-results-per-class-table")).to_contain_text(TEST_CLASSES[1])
    for graph in ("confusion", "roc", "calibration", "robustness"):
        expect(page.locator(f"#experiment-results-{graph} .main-svg").first).to_be_visible()
    expect(page.locator("#experiment-results-robustness")).to_contain_text("20dB")
    shoot(page, "experiment-results")
    links = page.locator(".pfd-exp-record-link")
    if links.count():  # a tiny model may get every test record right; then the empty state says so
        record = links.first.inner_text().strip().lstrip("#")
        links.first.click()
        expect(page).to_have_url(re.compile(rf"/signals\?dataset={dataset_id}&record={record}"))
        expect(page.locator("#signals-meta")).to_contain_text(f"{record} of")
    else:
        expect(page.locator("#experiment-results-misclassified")).to_contain_text("No misclassified")

    other = create_experiment(page, dataset_id, "browser forest", model="random_forest", seeds=[0])
    wait_until(lambda: True if experiment(page, other)["status"] == "evaluated" else None, "the forest evaluated",
               TRAIN_TIMEOUT_MS / 1000)
    page.goto(f"/experiments/compare?ids={experiment_id},{other}", timeout=PAGE_TIMEOUT_MS)
    table = page.locator("#experiment-compare-metrics-table")
    expect(table).to_contain_text("browser cnn")
    expect(table).to_contain_text("browser forest")
    expect(table).to_contain_text("±")  # the cnn has two seeds
    expect(page.locator("#experiment-compare-diff-table")).to_contain_text("model")
    expect(page.locator("#experiment-compare-mcnemar-table")).to_contain_text("browser forest")
    for graph in ("bars", "val-accuracy", "val-loss"):
        expect(page.locator(f"#experiment-compare-{graph} .main-svg").first).to_be_visible()
    shoot(page, "experiment-compare")


def test_monitor_cancels_and_resumes_a_run(infra, signed_in, training_worker, shoot) -> None:
    page = signed_in
    training_worker()
    dataset_id = ready_dataset(infra, page, "browser cancel set")
    experiment_id = create_experiment(page, dataset_id, "browser long run", epochs=200)
    page.goto(f"/experiments/monitor?id={experiment_id}", timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#experiment-monitor-status")).to_have_text("running", timeout=TRAIN_TIMEOUT_MS)
    wait_until(lambda: True if graph_points(page, "experiment-monitor-loss")[0] >= 2 else None, "two epochs",
               TRAIN_TIMEOUT_MS / 1000)
    page.click("#experiment-monitor-cancel")
    expect(page.locator("#experiment-monitor-status")).to_have_text("cancelled", timeout=TRAIN_TIMEOUT_MS)
    assert experiment(page, experiment_id)["status"] == "cancelled"
    epochs_done = graph_points(page, "experiment-monitor-loss")[0]
    expect(page.locator("#experiment-monitor-resume")).to_be_enabled()
    shoot(page, "experiment-monitor-cancelled")
    page.click("#experiment-monitor-resume")
    expect(page.locator("#experiment-monitor-status")).to_have_text("running", timeout=TRAIN_TIMEOUT_MS)
    wait_until(lambda: True if graph_points(page, "experiment-monitor-loss")[0] > epochs_done else None,
               "epochs after the resume", TRAIN_TIMEOUT_MS / 1000)
    page.click("#experiment-monitor-cancel")
    expect(page.locator("#experiment-monitor-status")).to_have_text("cancelled", timeout=TRAIN_TIMEOUT_MS)


def test_experiments_grid_filters_sorts_tags_saves_and_selects(infra, signed_in, training_worker, shoot) -> None:
    page = signed_in
    training_worker()
    dataset_id = ready_dataset(infra, page, "browser grid set")
    ids = [create_experiment(page, dataset_id, f"grid forest {n}", model="random_forest",
                             model_params={"n_estimators": 10 + n}) for n in range(3)]
    page.goto("/experiments", timeout=PAGE_TIMEOUT_MS)
    grid = page.locator("#experiments-grid")
    expect(grid).to_contain_text("grid forest 2", timeout=PAGE_TIMEOUT_MS)
    row = grid.locator(f".ag-center-cols-container [row-id='{ids[0]}']")  # the pinned name column is another row
    expect(row.locator(".pfd-exp-status")).to_have_text("evaluated", timeout=TRAIN_TIMEOUT_MS)  # pushed, no reload
    page.fill("#experiments-search", "grid forest 1")
    page.press("#experiments-search", "Enter")
    expect(grid.locator(".ag-center-cols-container .ag-row")).to_have_count(1)
    expect(page.locator("#experiments-count")).to_have_text("1 experiment(s)")
    page.fill("#experiments-save-name", "forest one")
    page.click("#experiments-save")
    wait_until(lambda: True if any(search["name"] == "forest one" for search in
                                   page.request.get("/api/v1/experiment-searches").json()) else None, "the search saved")
    page.fill("#experiments-search", "")
    page.press("#experiments-search", "Enter")
    expect(page.locator("#experiments-count")).not_to_have_text("1 experiment(s)")
    page.click("#experiments-saved")
    page.keyboard.type("forest one")
    page.keyboard.press("Enter")
    expect(page.locator("#experiments-search")).to_have_value("grid forest 1")  # the saved search, applied
    expect(page.locator("#experiments-count")).to_have_text("1 experiment(s)")
    page.fill("#experiments-search", "")
    page.press("#experiments-search", "Enter")
    expect(page.locator("#experiments-count")).not_to_have_text("1 experiment(s)")

    cell = row.locator("[col-id='tags']")
    cell.dblclick()
    page.keyboard.type("baseline")
    page.keyboard.press("Enter")
    expect(page.locator("#experiments-tag-alert")).to_contain_text("baseline")
    assert "baseline" in experiment(page, ids[0])["tags"]

    header = grid.locator(".ag-header-cell[col-id='record_accuracy']")
    header.click()
    expect(header).to_have_attribute("aria-sort", re.compile("ascending|descending"))
    for experiment_id in ids[:2]:
        grid.locator(f"[row-id='{experiment_id}'] .ag-selection-checkbox input").check()
    compare = page.locator("#experiments-compare")
    expect(compare).to_have_attribute("href", re.compile(r"/experiments/compare\?ids=\w+,\w+"))
    shoot(page, "experiments-grid")
    compare.click()
    expect(page.locator("#experiment-compare-metrics-table")).to_contain_text("grid forest 1")


def test_wizard_shows_the_servers_refusal_next_to_the_field(infra, signed_in, shoot) -> None:
    page = signed_in
    dataset_id = ready_dataset(infra, page, "browser vanishing set")
    page.goto("/experiments/new", timeout=PAGE_TIMEOUT_MS)
    page.locator("#experiment-new-model input[value='random_forest']").check()
    page.click("#experiment-new-next")
    page.select_option("#experiment-new-dataset-id", dataset_id)
    deleted = page.request.delete(f"/api/v1/datasets/{dataset_id}", headers=csrf(page))
    assert deleted.ok, deleted.text()  # gone after the form listed it: only the server can know
    page.click("#experiment-new-step-3")
    page.fill("#experiment-new-name", "browser refused")
    page.click("#experiment-new-launch")
    expect(page.locator("#experiment-new-panel-1")).to_be_visible(timeout=PAGE_TIMEOUT_MS)  # back at the data set's step
    expect(page.locator("#experiment-new-dataset-id-feedback")).to_contain_text("not ready")
    shoot(page, "experiment-new-refused")


def test_experiment_pages_show_empty_states_in_the_dark_theme(signed_in, shoot) -> None:
    page = signed_in
    page.goto("/experiments/results?id=no-such-experiment", timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#shell-error-alert")).to_contain_text("No such experiment")
    expect(page.locator("#shell-error-correlation")).not_to_be_empty()
    page.click("#shell-theme-toggle")
    page.goto("/experiments/compare", timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#experiment-compare-table")).to_contain_text("Nothing to compare yet")
    shoot(page, "experiment-compare-empty-dark")
    page.goto("/experiments", timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#experiments-grid")).to_be_visible()
    shoot(page, "experiments-grid-dark")
    page.click("#shell-theme-toggle")
