"""The HPO campaigns page in a real browser against a real gateway and a real training worker (real broker,
PostgreSQL, S3): a refused campaign shows its reason, a campaign started from the form with the typed space editor
runs its trials live (pushed events, no reload) to completion, its Optuna figures and trial table render, and its
best trial can be exported and promoted."""

from __future__ import annotations

import asyncio
import re
import sys
import threading
from collections.abc import Iterator
from uuid import uuid4

import pytest

from pfd_shared import topics
from pfd_shared.localstack.processes import free_port
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.event_tap import EventTap
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, training_dataset_bytes
from pfd_shared.testing.infra import fresh_postgres_database
from pfd_shared.testing.plugin import service_env, start_service
from pfd_shared.testing.training_events import dataset_ready

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect
pytest.importorskip("pfd_training")

FS, RECORDS_PER_CLASS, SAMPLES = 12_000.0, 10, 2_048
RUN_TIMEOUT_MS = 300_000  # two small trainings on a loaded machine
PAGE_TIMEOUT_MS = 60_000


@pytest.fixture(scope="module")
def worker(infra, tmp_path_factory) -> Iterator[None]:
    """One pfd-training process for the module, on its own fresh database."""
    var_dir = tmp_path_factory.mktemp("campaign-worker")
    with fresh_postgres_database(infra.postgres_url) as database_url:
        port = free_port()
        env = service_env("PFD_TRAINING_", infra, port=port, var_dir=str(var_dir), database_url=database_url)
        proc = start_service("training", [sys.executable, "-m", "pfd_training"],
                             env | {"PFD_TRAINING_TORCH_THREADS": "1", "PFD_TRAINING_QUEUE_POLL_S": "0.5"}, port,
                             var_dir / "training.log")
        try:
            yield
        finally:
            proc.stop()


def trainable_dataset(infra, page) -> str:
    """A trainable data set in the gateway's bucket, announced as data-gen would (from a thread: Playwright's sync
    API holds this thread's event loop)."""
    owner = page.request.get("/api/v1/auth/me").json()["user"]["id"]
    dataset_id = f"hpo{uuid4().hex[:10]}"
    S3ObjectStore(infra.s3).put_bytes(f"datasets/{dataset_id}/dataset.h5",
                                      training_dataset_bytes(RECORDS_PER_CLASS, SAMPLES, FS))
    envelope = dataset_ready(dataset_id, owner, samples_per_record=SAMPLES, class_names=TEST_CLASSES,
                             records=RECORDS_PER_CLASS * len(TEST_CLASSES))

    async def announce() -> None:
        async with EventTap(infra.kafka_bootstrap, (topics.DATASET_READY,)) as tap:
            await tap.publish(envelope)

    thread = threading.Thread(target=asyncio.run, args=(announce(),))
    thread.start()
    thread.join()
    return dataset_id


def test_a_campaign_runs_live_from_the_form(infra, signed_in, worker, shoot) -> None:
    page = signed_in
    page.set_default_timeout(PAGE_TIMEOUT_MS)
    dataset_id = trainable_dataset(infra, page)
    page.goto("/campaigns", timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#shell-sidebar")).to_contain_text("HPO campaigns")
    expect(page.locator("#campaigns-space .ag-row")).to_have_count(4, timeout=PAGE_TIMEOUT_MS)  # cnn1d's + lr
    page.click("#campaigns-datasets-refresh")
    expect(page.locator(f"#campaigns-dataset option[value='{dataset_id}']")).to_have_count(1,
                                                                                      timeout=PAGE_TIMEOUT_MS)
    page.select_option("#campaigns-dataset", dataset_id)
    page.fill("#campaigns-name", "browser search")
    page.fill("#campaigns-budget", "0")
    page.click("#campaigns-create")
    expect(page.locator("#campaigns-form-error")).to_contain_text("budget", timeout=PAGE_TIMEOUT_MS)
    page.fill("#campaigns-budget", "2")
    page.fill("#campaigns-epochs", "2")
    page.fill("#campaigns-window", "256")
    page.select_option("#campaigns-sampler", "random")
    page.click("#campaigns-space-add")
    expect(page.locator("#campaigns-space .ag-row")).to_have_count(5)
    shoot(page, "campaigns-form")
    page.click("#campaigns-create")

    expect(page.locator("#campaigns-list-table")).to_contain_text("browser search", timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#campaigns-status")).to_have_text(re.compile("requested|running"), timeout=PAGE_TIMEOUT_MS)
    expect(page.locator("#campaigns-status")).to_have_text("completed", timeout=RUN_TIMEOUT_MS)
    expect(page.locator("#campaigns-trials-table tbody tr")).to_have_count(2)
    expect(page.locator("#campaigns-best")).to_contain_text("best val_accuracy")
    for graph in ("history", "parallel", "intermediate"):
        expect(page.locator(f"#campaigns-{graph} .main-svg").first).to_be_visible()
    expect(page.locator("#campaigns-export-yaml")).to_have_attribute("href", re.compile(r"export\?format=yaml"))
    expect(page.locator("#campaigns-stop")).to_be_disabled()
    shoot(page, "campaigns-completed")

    exported = page.request.get(page.locator("#campaigns-export-json").get_attribute("href"))
    assert exported.ok and exported.json()["dataset_id"] == dataset_id
    page.click("#campaigns-promote")
    expect(page.locator("#campaigns-promoted-link")).to_have_attribute("href", re.compile(r"/experiments/monitor"))
