"""The Data sets and Import pages in a real browser against a real gateway (no data-gen process: requested
data sets stay requested, which is what the pages show)."""

from __future__ import annotations

import re

import numpy as np
import pytest
import scipy.io

from pfd_shared.testing.publishing import publish_events as publish
from pfd_shared.events.datasets import DatasetProgress, DatasetReady

from pfd_gateway.dashboard.components.cards import format_bytes

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect

SERVER_GENERATE_OUTPUT = "datasets-server-errors"  # an output of the server's generation callback only


def listed(page, name: str) -> list[dict]:
    response = page.request.get("/api/v1/datasets")
    assert response.ok, response.text()
    return [row for row in response.json() if row["name"] == name]


def test_datasets_page_generates_validates_and_deletes(signed_in) -> None:
    page = signed_in
    generate_calls: list[str] = []
    page.on("request", lambda request: generate_calls.append(request.url)
            if SERVER_GENERATE_OUTPUT in (request.post_data or "") else None)
    page.goto("/datasets")
    expect(page.locator("#shell-sidebar")).to_contain_text("Data sets")
    expect(page.locator("#shell-sidebar")).to_contain_text("Import")
    expect(page.locator("#datasets-classes")).to_contain_text("No data set selected")

    page.fill("#datasets-name", "browser quick")
    page.fill("#datasets-config", '{"dataset": ')
    page.click("#datasets-generate")
    expect(page.locator("#datasets-config-feedback")).to_contain_text("Not valid JSON")
    expect(page.locator("#datasets-config")).to_have_class(re.compile(r"\bis-invalid\b"))
    assert not generate_calls and not listed(page, "browser quick")  # refused in the browser: no request made

    page.fill("#datasets-config", '{"dataset": {"records_per_class": -1}}')
    page.click("#datasets-generate")
    expect(page.locator("#datasets-config-feedback")).to_contain_text("records_per_class")
    assert not listed(page, "browser quick")

    page.fill("#datasets-config", "")
    page.select_option("#datasets-preset", "quick")
    page.click("#datasets-generate")
    expect(page.locator("#datasets-generate-alert")).to_contain_text("browser quick")
    expect(page.locator("#datasets-config")).not_to_have_class(re.compile(r"\bis-invalid\b"))
    row = page.locator("#datasets-table tbody tr", has_text="browser quick")
    expect(row).to_have_count(1)
    expect(row).to_contain_text("requested")
    expect(row).to_contain_text("synthetic")
    assert listed(page, "browser quick")[0]["status"] == "requested"

    row.locator("button[title='Show the class distribution']").click()
    expect(page.locator("#datasets-classes")).to_contain_text("not built")

    row.locator("button[title='Delete']").click()
    expect(page.locator("#datasets-delete-modal")).to_contain_text("browser quick")
    page.click("#datasets-delete-confirm")
    expect(page.locator("#datasets-delete-modal")).not_to_be_visible()
    expect(row).to_contain_text("deleting")
    expect(row.locator("button[title='Delete']")).to_have_count(0)
    assert listed(page, "browser quick")[0]["status"] == "deleting"


def test_import_page_uploads_maps_and_requests_an_import(signed_in, tmp_path, shoot) -> None:
    page = signed_in
    recording = tmp_path / "healthy.npy"
    np.save(recording, np.sin(np.linspace(0, 200, 4096)).astype(np.float32))
    page.goto("/import")
    expect(page.locator("#import-mapping")).to_contain_text("No files uploaded yet")

    notes = tmp_path / "notes.txt"
    notes.write_text("not a recording")
    with page.expect_file_chooser() as chooser:
        page.click("#import-upload")
    chooser.value.set_files([str(recording), str(notes)])
    progress = page.locator("#import-upload-progress")
    expect(progress).to_contain_text("uploaded")
    expect(progress.locator(".pfd-upload-error")).to_have_text(re.compile(r"^notes\.txt: unsupported file type"))
    mapping = page.locator("#import-mapping-table")
    expect(mapping).to_contain_text("healthy.npy")
    expect(mapping).to_contain_text(format_bytes(recording.stat().st_size))

    page.fill("#import-name", "browser import")
    page.click("#import-submit")
    expect(page.locator("#import-alert")).to_contain_text(re.compile(r"healthy\.npy: label"))
    assert not listed(page, "browser import")

    mapping.locator("[placeholder='e.g. inner_race']").fill("healthy")
    mapping.locator("[placeholder='e.g. 12000']").fill("12000")

    recording_mat = tmp_path / "bearing_12k.mat"  # a second upload: the typed mapping of the first file stays
    scipy.io.savemat(recording_mat, {"X001_DE_time": np.zeros((3000, 1)), "X001_FE_time": np.zeros((3000, 1)),
                                     "X001RPM": np.array([[1797.0]])})
    with page.expect_file_chooser() as chooser:
        page.click("#import-upload")
    chooser.value.set_files([str(recording_mat)])
    expect(mapping).to_contain_text("bearing_12k.mat")
    first, second = mapping.locator("tbody tr").nth(0), mapping.locator("tbody tr").nth(1)
    expect(first.locator("[placeholder='e.g. inner_race']")).to_have_value("healthy")
    expect(first.locator("[placeholder='e.g. 12000']")).to_have_value("12000")
    expect(second).to_contain_text("detected from the file name")
    expect(second.locator("[placeholder='e.g. 12000']")).to_have_value("12000")
    expect(second).to_contain_text("X001RPM = 1797")
    variable = second.locator("select")
    expect(variable.locator("option")).to_have_text(["choose a variable…", "X001_DE_time · 3,000 × 1 × float64",
                                                      "X001_FE_time · 3,000 × 1 × float64"])
    variable.select_option("X001_DE_time")
    second.locator("[placeholder='e.g. inner_race']").fill("fault")
    page.fill("#import-window-seconds", "0.1")
    page.select_option("#import-split-policy", "time_blocks")
    shoot(page, "import-mapping")
    page.click("#import-submit")
    expect(page.locator("#import-alert")).to_contain_text("requested with 2 file(s)")
    recent = page.locator("#import-recent-list")
    expect(recent).to_contain_text("browser import")
    expect(recent).to_contain_text("requested")
    imported = listed(page, "browser import")[0]
    assert imported["kind"] == "imported" and imported["request"]["window_seconds"] == 0.1
    assert [f["variable"] for f in imported["request"]["files"]] == ["array", "X001_DE_time"]
    shoot(page, "import")


def test_pushed_progress_and_outcome_update_the_table_live(signed_in, infra, shoot) -> None:
    page = signed_in
    page.goto("/datasets")
    page.fill("#datasets-name", "browser live")
    page.click("#datasets-generate")
    row = page.locator("#datasets-table tbody tr", has_text="browser live")
    expect(row).to_contain_text("requested")
    dataset_id = listed(page, "browser live")[0]["dataset_id"]
    owner = page.request.get("/api/v1/auth/me").json()["user"]["id"]
    row.locator("button[title='Show the class distribution']").click()

    publish(infra.kafka_bootstrap, DatasetProgress(dataset_id=dataset_id, stage="signals", done=3, total=8),
            owner=owner)
    expect(row).to_contain_text("signals 3/8")
    expect(row.locator(".progress")).to_have_count(1)
    ready = DatasetReady(dataset_id=dataset_id, name="browser live", kind="synthetic", object_key="k", size_bytes=4096,
                         sha256="00", records=12, samples_per_record=8, sample_rate_hz=100.0,
                         class_names=("healthy", "misalignment", "unbalance"), class_counts=(4, 4, 4),
                         feature_names=("rms",), split_counts={"train": 12}, seconds=0.1)
    publish(infra.kafka_bootstrap, ready, owner=owner)
    expect(row).to_contain_text("ready")
    expect(row).to_contain_text("4.0 KiB")
    expect(row.locator(".progress")).to_have_count(0)
    expect(row.locator("a[title='Download (HDF5)']")).not_to_have_class(re.compile(r"\bdisabled\b"))
    expect(page.locator("#datasets-classes-graph .main-svg").first).to_be_visible()
    expect(page.locator("#datasets-classes-graph")).to_contain_text("misalignment")
    shoot(page, "datasets")
