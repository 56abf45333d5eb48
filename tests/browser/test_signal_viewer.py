"""The Signal Viewer in a real browser: a data-set file put straight into the gateway's S3 bucket, made ready by
a DatasetReady event on the real broker, then a record shown, zoomed, stepped and exported."""

from __future__ import annotations

import asyncio
import threading
import time
from uuid import uuid4

import numpy as np
import pytest
from faststream.kafka import KafkaBroker

from pfd_shared.events import encode_event, new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, TEST_FEATURE_NAMES, dataset_file_bytes, sample_signals

pytestmark = pytest.mark.integration
expect = pytest.importorskip("playwright.sync_api").expect

FS, RECORDS, SAMPLES = 20_480.0, 4, 20_480
READY_TIMEOUT_S = 30.0
POLL_S = 0.2
ZOOM_S = (0.1, 0.12)
ZOOMED_SAMPLES = (ZOOM_S[1] - ZOOM_S[0]) * FS  # every sample of the window (give or take the edge samples)
EDGE_SAMPLES = 2


async def _publish(bootstrap: str, envelope) -> None:
    broker = KafkaBroker(bootstrap)
    await broker.start()
    try:
        await broker.publish(encode_event(envelope), topic=envelope.payload.topic.name, key=envelope.key())
    finally:
        await broker.stop()


def publish(bootstrap: str, envelope) -> None:
    """In its own thread: Playwright's sync API keeps an event loop running in this one."""
    worker = threading.Thread(target=asyncio.run, args=(_publish(bootstrap, envelope),))
    worker.start()
    worker.join()


def ready_dataset(infra, page, gateway_url: str) -> str:
    owner = page.request.get(f"{gateway_url}/api/v1/auth/me").json()["user"]["id"]
    dataset_id = f"viewer{uuid4().hex[:10]}"
    key = f"datasets/{dataset_id}/dataset.h5"
    content = dataset_file_bytes(sample_signals(RECORDS, SAMPLES, FS), FS)
    S3ObjectStore(infra.s3).put_bytes(key, content)
    event = DatasetReady(dataset_id=dataset_id, name="browser viewer set", kind="synthetic", object_key=key,
                         size_bytes=len(content), sha256="00", records=RECORDS, samples_per_record=SAMPLES,
                         sample_rate_hz=FS, class_names=TEST_CLASSES, class_counts=(2, 2),
                         feature_names=TEST_FEATURE_NAMES, split_counts={"train": RECORDS}, seconds=0.1)
    publish(infra.kafka_bootstrap, new_envelope(event, producer="browser-test", owner=owner))
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        shown = page.request.get(f"{gateway_url}/api/v1/datasets/{dataset_id}")
        if shown.ok and shown.json()["status"] == "ready":
            return dataset_id
        time.sleep(POLL_S)
    raise AssertionError(f"{dataset_id} did not become ready")


def test_signal_viewer_shows_a_record_and_steps_through_records(infra, gateway, signed_in, shoot) -> None:
    page = signed_in
    dataset_id = ready_dataset(infra, page, gateway.url)
    page.goto("/signals")
    expect(page.locator("#shell-sidebar")).to_contain_text("Signal viewer")
    page.click("#signals-refresh")
    expect(page.locator(f"#signals-dataset option[value='{dataset_id}']")).to_have_count(1)
    page.select_option("#signals-dataset", dataset_id)
    page.fill("#signals-index", "1")
    page.press("#signals-index", "Enter")
    expect(page.locator("#signals-meta")).to_contain_text("1 of 3")
    expect(page.locator("#signals-meta")).to_contain_text(TEST_CLASSES[1])
    expect(page.locator("#signals-meta")).to_contain_text("BPFO")
    for graph in ("signals-time", "signals-psd", "signals-spectrogram", "signals-envelope"):
        expect(page.locator(f"#{graph} .main-svg").first).to_be_visible()
    expect(page.locator("#signals-psd")).to_contain_text("1X")
    expect(page.locator("#signals-features-envelope")).to_contain_text("envelope_kurtosis")
    expect(page.locator("#signals-export-npy")).to_have_attribute(
        "href", f"/api/v1/datasets/{dataset_id}/records/1.npy")
    exported = page.request.get(f"{gateway.url}/api/v1/datasets/{dataset_id}/records/1.npy")
    assert exported.ok and len(exported.body()) > SAMPLES * 4
    page.click("#signals-next")
    expect(page.locator("#signals-index")).to_have_value("2")
    expect(page.locator("#signals-meta")).to_contain_text("2 of 3")
    page.select_option("#signals-window", "256")
    expect(page.locator("#signals-spectrogram")).to_contain_text("STFT window 256")
    page.select_option("#signals-transform", "cwt")
    expect(page.locator("#signals-spectrogram")).to_contain_text(f"Morlet CWT of {SAMPLES:,} samples")
    expect(page.locator("#shell-error-alert")).to_have_count(0)
    shoot(page, "signal-viewer")
    page.select_option("#signals-transform", "stft")
    page.click("#signals-prev")
    expect(page.locator("#signals-meta")).to_contain_text("1 of 3")
    page.fill("#signals-index", "9")  # an unknown record: a visible message, not a trace
    page.press("#signals-index", "Enter")
    expect(page.locator("#shell-error-alert")).to_contain_text("Record 9 does not exist")


def test_zooming_the_time_plot_fetches_the_window_at_full_resolution(infra, gateway, signed_in) -> None:
    page = signed_in
    dataset_id = ready_dataset(infra, page, gateway.url)
    page.goto("/signals")
    page.click("#signals-refresh")
    expect(page.locator(f"#signals-dataset option[value='{dataset_id}']")).to_have_count(1)
    page.select_option("#signals-dataset", dataset_id)
    expect(page.locator("#signals-meta")).to_contain_text("0 of 3")
    points = ("() => { const data = document.querySelector('#signals-time .js-plotly-plot')._fullData; "
              "return data && data[0] ? data[0].x.length : 0; }")
    # the page first shows another ready data set's record: zoom only once the time plot is this record's
    shown = "() => (document.querySelector('#signals-time .js-plotly-plot')?.layout || {}).uirevision"
    page.wait_for_function(f"({shown})() === '{dataset_id}:0'")
    page.wait_for_function(f"({points})() > 0")
    assert page.evaluate(points) < SAMPLES  # the overview is min/max downsampled
    page.evaluate("Plotly.relayout(document.querySelector('#signals-time .js-plotly-plot'), "
                  f"{{'xaxis.range[0]': {ZOOM_S[0]}, 'xaxis.range[1]': {ZOOM_S[1]}}})")
    page.wait_for_function(f"Math.abs(({points})() - {ZOOMED_SAMPLES}) <= {EDGE_SAMPLES}")
    page.select_option("#signals-window", "256")  # the same record rendered again: the zoom stays at full resolution
    expect(page.locator("#signals-spectrogram")).to_contain_text("STFT window 256")
    assert abs(page.evaluate(points) - ZOOMED_SAMPLES) <= EDGE_SAMPLES
    page.click("#signals-next")  # another record: its overview, not the zoom made on the first one
    expect(page.locator("#signals-meta")).to_contain_text("1 of 3")
    page.wait_for_function(f"({shown})() === '{dataset_id}:1' && ({points})() < {SAMPLES}")
    expect(page.locator("#shell-error-alert")).to_have_count(0)


def test_a_single_uploaded_file_is_viewed_and_bad_files_are_named(gateway, signed_in, tmp_path, shoot) -> None:
    page = signed_in
    page.goto("/signals")
    good = tmp_path / "bench_25.6kHz.npy"
    t = np.arange(25_600) / 25_600.0
    np.save(good, np.sin(2 * np.pi * 440 * t) + 0.1 * np.sin(2 * np.pi * 3_000 * t))
    page.set_input_files("#signals-upload input[type=file]", str(good))
    expect(page.locator("#signals-meta")).to_contain_text("bench_25.6kHz.npy")
    expect(page.locator("#signals-upload-rate")).to_have_value("25600")
    expect(page.locator("#signals-meta")).to_contain_text("25,600 Hz")
    expect(page.locator("#signals-features")).to_contain_text("an uploaded file has none")
    expect(page.locator("#signals-exports")).to_be_hidden()  # nothing to export: the user has the file
    for graph in ("signals-time", "signals-psd", "signals-spectrogram", "signals-envelope"):
        expect(page.locator(f"#{graph} .main-svg").first).to_be_visible()
    page.select_option("#signals-transform", "cwt")
    expect(page.locator("#signals-spectrogram")).to_contain_text("Morlet CWT")
    expect(page.locator("#shell-error-alert")).to_have_count(0)
    shoot(page, "signal-viewer-upload")

    bad = tmp_path / "broken.npy"
    np.save(bad, np.array([1.0, np.nan, 2.0] * 20))
    page.set_input_files("#signals-upload input[type=file]", str(bad))
    expect(page.locator("#shell-error-alert")).to_contain_text("broken.npy")
    expect(page.locator("#shell-error-alert")).to_contain_text("NaN")
    expect(page.locator("#shell-error-alert")).not_to_contain_text("Traceback")
    notes = tmp_path / "notes.txt"
    notes.write_text("not a signal")
    page.set_input_files("#signals-upload input[type=file]", str(notes))
    expect(page.locator("#shell-error-alert")).to_contain_text("notes.txt: unsupported file type")
