"""The Deployment and Models pages in a real browser against a real gateway on the real broker and PostgreSQL.

No deploy service runs here: the test publishes what it would (progress, the exported version, benchmarks, alias
moves, deletions) and checks, on the broker, the commands the pages send (DeploymentRequested, cancel, alias set,
delete). The evaluated experiment is made from the training events a worker would publish (no training here).
"""

from __future__ import annotations

import asyncio
import re
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from typing import Any
from uuid import uuid4

import pytest

from pfd_shared import topics
from pfd_shared.events import Envelope
from pfd_shared.events.deploy import DeploymentFailed, DeploymentProgress, ModelVersionDeleted
from pfd_shared.testing.deploy_events import alias_changed, benchmarked, exported
from pfd_shared.testing.event_tap import EventTap
from pfd_shared.testing.publishing import publish_events as publish
from pfd_shared.testing.training_events import dataset_ready, run_life

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect

COMMANDS = (topics.DEPLOYMENT_REQUESTED, topics.DEPLOYMENT_CANCEL_REQUESTED, topics.MODEL_ALIAS_SET_REQUESTED,
            topics.MODEL_VERSION_DELETE_REQUESTED)
CONFIG = {"model": "cnn1d", "preset": "small", "window": {"length": 512}, "epochs": 3, "seeds": [0, 1]}
READY_TIMEOUT_S = 60.0
PAGE_TIMEOUT_MS = 60_000  # a render on a busy shared machine
DEFAULT_EXPECT_MS = 15_000  # tests/browser/conftest.py's limit
COMMAND_TIMEOUT_S = 60.0
POLL_S = 0.2


class BackgroundTap:
    """An EventTap on its own event loop thread (Playwright's sync API holds this thread's loop)."""

    def __init__(self, bootstrap: str) -> None:
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.tap = EventTap(bootstrap, COMMANDS)
        self._run(self.tap.__aenter__())

    def _run(self, coro: Any, timeout_s: float = COMMAND_TIMEOUT_S) -> Any:
        return asyncio.run_coroutine_threadsafe(coro, self.loop).result(timeout_s + 5)

    def wait_for(self, predicate: Callable[[Envelope[Any]], bool]) -> Envelope[Any]:
        return self._run(self.tap.wait_for(predicate, COMMAND_TIMEOUT_S))

    def close(self) -> None:
        self._run(self.tap.__aexit__())
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join()


@pytest.fixture(scope="module")
def tap(infra, browser) -> Iterator[BackgroundTap]:
    background = BackgroundTap(infra.kafka_bootstrap)
    yield background
    background.close()


@pytest.fixture(autouse=True)
def patient(signed_in) -> Iterator[None]:
    """Longer limits for page renders here (the results page reads reports; the machine is shared)."""
    signed_in.set_default_timeout(PAGE_TIMEOUT_MS)
    expect.set_options(timeout=PAGE_TIMEOUT_MS)
    yield
    expect.set_options(timeout=DEFAULT_EXPECT_MS)


def wait_until(check: Callable[[], Any], what: str, timeout_s: float = READY_TIMEOUT_S) -> Any:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if (value := check()) is not None:
            return value
        time.sleep(POLL_S)
    raise AssertionError(f"timed out waiting for {what}")


def csrf(page) -> dict[str, str]:
    return {"X-CSRF-Token": next(c["value"] for c in page.context.cookies() if c["name"] == "pfd_csrf")}


def user_id(page) -> str:
    return page.request.get("/api/v1/auth/me").json()["user"]["id"]


def evaluated_experiment(infra, page, name: str) -> dict:
    """A cnn1d experiment with two runs evaluated (record accuracy 0.8 and 0.9), from published training events."""
    owner, dataset_id = user_id(page), f"dep{uuid4().hex[:10]}"
    publish_envelopes(infra, [dataset_ready(dataset_id, owner)])
    wait_until(lambda: True if page.request.get(f"/api/v1/datasets/{dataset_id}").ok else None, "the data set")
    created = page.request.post("/api/v1/experiments", headers=csrf(page),
                                data={"name": name, "dataset_id": dataset_id, "config": CONFIG})
    assert created.status == 201, created.text()
    body = created.json()
    for run, accuracy in zip(body["runs"], (0.8, 0.9), strict=True):
        publish_envelopes(infra, run_life(body["experiment_id"], run["run_id"], dataset_id, owner,
                                          datetime.now(UTC), record_accuracy=accuracy))
    wait_until(lambda: True if page.request.get(f"/api/v1/experiments/{body['experiment_id']}").json()["status"]
               == "evaluated" else None, "the experiment evaluated")
    return body


def publish_envelopes(infra, envelopes: list[Envelope[Any]]) -> None:
    """The payloads in order, under the first one's owner and producer (the publisher stamps the times)."""
    first = envelopes[0]
    publish(infra.kafka_bootstrap, *(e.payload for e in envelopes), owner=first.owner or "", producer=first.producer)


def no_error_shown(page) -> None:
    expect(page.locator("#shell-error-alert")).to_have_count(0)


def test_deploy_from_results_follow_the_export_compare_variants_and_cancel(infra, signed_in, tap, shoot) -> None:
    page = signed_in
    owner = user_id(page)
    experiment = evaluated_experiment(infra, page, "browser deployable cnn")
    experiment_id, best_run = experiment["experiment_id"], experiment["runs"][1]["run_id"]
    page.goto(f"/experiments/results?id={experiment_id}")
    page.click("#experiment-results-deploy-link")
    expect(page).to_have_url(re.compile(rf"/deployment\?experiment={experiment_id}"))
    expect(page.locator("#deployment-experiment")).to_have_value(experiment_id)
    expect(page.locator("#deployment-run")).to_contain_text("Best run (seed 1, 90.0%)")
    expect(page.locator("#deployment-run")).to_have_value("best")  # preselected: the service picks the run
    page.click("#deployment-export")  # no model name yet: the service refuses it, naming the field
    expect(page.locator("#deployment-refused")).to_contain_text("model name")
    page.fill("#deployment-model-name", "Not A Name")
    page.click("#deployment-export")
    expect(page.locator("#deployment-refused")).to_contain_text("model name")
    page.fill("#deployment-model-name", "browser-bearing")
    page.locator("#deployment-variants input[value='fp16']").uncheck()
    page.click("#deployment-export")
    requested = tap.wait_for(lambda e: e.type == "deploy.deployment_requested"
                             and e.payload.model_name == "browser-bearing")
    assert requested.payload.run_id == best_run and requested.owner == owner
    assert requested.payload.variants == ["fp32", "int8_dynamic", "int8_static"]
    deployment_id = requested.payload.deployment_id
    expect(page.locator("#deployment-status")).to_have_text("requested")
    expect(page.locator("#deployment-stage")).to_contain_text("waiting for the deploy service")
    no_error_shown(page)

    progress = [DeploymentProgress(deployment_id=deployment_id, stage=stage, done=done, total=4, message=message)
                for done, (stage, message) in enumerate((("export", "torch.onnx"), ("parity", "400 windows")))]
    publish(infra.kafka_bootstrap, progress[0], owner=owner, producer="deploy")
    expect(page.locator("#deployment-status")).to_have_text("running")  # pushed: no reload
    publish(infra.kafka_bootstrap, progress[1], owner=owner, producer="deploy")
    expect(page.locator("#deployment-stage")).to_contain_text("parity: 400 windows")
    expect(page.locator("#deployment-progress")).to_contain_text("25 %")
    shoot(page, "deployment-running")
    variants = requested.payload.variants
    publish(infra.kafka_bootstrap, exported(deployment_id, "browser-bearing", 1, experiment_id, best_run,
                                            variants=variants),
            benchmarked(deployment_id, "browser-bearing", 1, variants=variants), owner=owner, producer="deploy")
    expect(page.locator("#deployment-status")).to_have_text("exported")
    table = page.locator("#deployment-variants-comparison")
    expect(table).to_contain_text("int8_static")
    expect(table).to_contain_text("1.60×")
    expect(page.locator("#deployment-notes-list")).to_contain_text("static INT8 pays off")
    for chart in ("size", "accuracy", "latency", "throughput"):
        expect(page.locator(f"#deployment-{chart} .main-svg").first).to_be_visible()
    expect(page.locator("#deployment-latency")).to_contain_text("p99")
    expect(page.locator("#deployment-progress")).to_contain_text("100 %")
    expect(page.locator("#deployment-cancel")).to_be_disabled()
    shoot(page, "deployment-exported")

    page.click("#deployment-export")  # the next version of the same model, then cancelled
    second = tap.wait_for(lambda e: e.type == "deploy.deployment_requested" and e.payload.deployment_id
                          != deployment_id)
    expect(page.locator("#deployment-status")).to_have_text("requested")
    page.click("#deployment-cancel")
    cancel = tap.wait_for(lambda e: e.type == "deploy.deployment_cancel_requested")
    assert cancel.payload.deployment_id == second.payload.deployment_id
    expect(page.locator("#deployment-status")).to_have_text("cancelling")
    publish(infra.kafka_bootstrap, DeploymentFailed(deployment_id=second.payload.deployment_id,
                                                    reason="cancelled by the user", cancelled=True),
            owner=owner, producer="deploy")
    expect(page.locator("#deployment-status")).to_have_text("cancelled")
    expect(page.locator("#deployment-error")).to_contain_text("cancelled by the user")
    page.select_option("#deployment-chooser", deployment_id)
    expect(page.locator("#deployment-status")).to_have_text("exported")
    page.click("#deployment-model-link")
    expect(page).to_have_url(re.compile(r"/models\?name=browser-bearing"))
    expect(page.locator("#models-versions-table")).to_contain_text("v1")
    no_error_shown(page)


def confirm(page, text: str) -> None:
    modal = page.locator("#models-confirm")
    expect(modal).to_contain_text(text)
    page.click("#models-confirm-ok")
    expect(modal).to_be_hidden()


def test_models_page_promotes_rolls_back_and_deletes(infra, signed_in, tap, shoot) -> None:
    page = signed_in
    owner, email, name = user_id(page), page.request.get("/api/v1/auth/me").json()["user"]["email"], "browser-registry"
    for version in (1, 2):  # registered by the deploy service (from any experiment: only the registry is shown)
        publish(infra.kafka_bootstrap, exported(f"reg{version}", name, version, "exp1", f"run{version}"),
                benchmarked(f"reg{version}", name, version), owner=owner, producer="deploy")
    wait_until(lambda: True if page.request.get(f"/api/v1/models/{name}").ok
               and len(page.request.get(f"/api/v1/models/{name}").json()["version_list"]) == 2 else None,
               "two versions")
    page.goto("/models")
    expect(page.locator("#models-list-table")).to_contain_text(name)
    page.locator("#models-list-table a", has_text=name).click()
    expect(page.locator("#models-versions-table")).to_contain_text("v2")
    expect(page.locator("#models-history")).to_contain_text("No alias yet")
    page.wait_for_load_state("networkidle")  # the first renders are done: none overwrites the choice below

    page.select_option("#models-version", "1")
    page.fill("#models-reason", "first release")
    expect(page.locator("#models-version")).to_have_value("1")
    page.click("#models-promote")
    page.click("#models-confirm-cancel")  # changed their mind: nothing is sent
    expect(page.locator("#models-confirm")).to_be_hidden()
    page.click("#models-promote")
    confirm(page, "Point production of browser-registry at version 1")
    promoted = tap.wait_for(lambda e: e.type == "deploy.model_alias_set_requested" and e.payload.model_name == name)
    assert (promoted.payload.alias, promoted.payload.version, promoted.payload.reason) == ("production", 1,
                                                                                          "first release")
    assert promoted.payload.actor == email and len(tap.tap.matching(
        lambda e: e.type == "deploy.model_alias_set_requested" and e.payload.model_name == name)) == 1
    expect(page.locator("#models-acted-alert")).to_contain_text("Sent to the deploy service")
    publish(infra.kafka_bootstrap, alias_changed(name, "production", 1, None, actor=email, reason="first release"),
            owner=owner, producer="deploy")
    history = page.locator("#models-history-table")
    expect(history).to_contain_text("first release")  # pushed
    row = page.locator("#models-versions-table tbody tr", has_text="v1")
    expect(row).to_contain_text("production")
    publish(infra.kafka_bootstrap, alias_changed(name, "production", 2, 1, actor=email, reason="better"),
            owner=owner, producer="deploy")
    expect(history.locator("tbody tr")).to_have_count(2)

    page.select_option("#models-rollback-alias", "production")
    page.fill("#models-rollback-reason", "regression in v2")
    page.click("#models-rollback")
    confirm(page, "Roll production of browser-registry back")
    rolled = tap.wait_for(lambda e: e.type == "deploy.model_alias_set_requested" and e.payload.version == 1
                          and e.payload.reason == "regression in v2")
    assert rolled.payload.alias == "production"
    publish(infra.kafka_bootstrap, alias_changed(name, "production", 1, 2, actor=email, reason="regression in v2"),
            owner=owner, producer="deploy")
    expect(history.locator("tbody tr")).to_have_count(3)
    expect(history.locator("tbody tr").first).to_contain_text("regression in v2")
    shoot(page, "models-history")

    v2 = page.locator("#models-versions-table tbody tr", has_text="v2")
    v2.locator("button[title='Delete version 2']").click()
    confirm(page, "Delete version 2 of browser-registry")
    deleted = tap.wait_for(lambda e: e.type == "deploy.model_version_delete_requested")
    assert (deleted.payload.model_name, deleted.payload.version) == (name, 2)
    expect(v2).to_contain_text("deleting")
    publish(infra.kafka_bootstrap, ModelVersionDeleted(model_name=name, version=2), owner=owner, producer="deploy")
    expect(v2).to_contain_text("deleted")
    expect(page.locator("#models-versions-table button[title='Delete version 1']")).to_be_disabled()  # serves
    no_error_shown(page)
    shoot(page, "models")
