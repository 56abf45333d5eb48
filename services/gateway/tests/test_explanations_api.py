"""The explanations API over the real app (TestKafkaBroker, migrated SQLite, in-memory S3): requests are checked
up front (404 unknown run, 422 with the reason), go out through the outbox with their owner, are projected
idempotently from the xai service's events, and only their owner sees them."""

import io
from datetime import UTC, datetime, timedelta

import numpy as np
import pytest
from sqlalchemy import select

from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.xai import (
    EmbeddingReady,
    ExplanationFailed,
    ExplanationProgress,
    ExplanationReady,
)
from pfd_shared.testing.training_events import dataset_ready, run_life

WINDOW, SAMPLES = 512, 1024
CONFIG = {"model": "cnn1d", "window": {"length": WINDOW}, "epochs": 2, "seeds": [0]}
METHODS = {"integrated_gradients": {"n_steps": 16}, "band_occlusion": {}}


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def bob(harness):
    await harness.user("bob@pfd.test")
    return await harness.login("bob@pfd.test")


async def owner_of(client) -> str:
    return (await client.get("/api/v1/auth/me")).json()["user"]["id"]


@pytest.fixture
async def run(harness, alice) -> dict:
    """An evaluated cnn1d run of alice's on a ready data set (40 records of 1024 samples: 2 windows each)."""
    owner = await owner_of(alice)
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "set", "preset": "quick"})).json()["dataset_id"]
    await harness.gateway.runtime.bus.publish(dataset_ready(dataset_id, owner, samples_per_record=SAMPLES))
    created = (await alice.post("/api/v1/experiments", json={"name": "e", "dataset_id": dataset_id,
                                                             "config": CONFIG})).json()
    run_id = created["runs"][0]["run_id"]
    start = datetime.now(UTC) + timedelta(seconds=5)
    for event in run_life(created["experiment_id"], run_id, dataset_id, owner, start):
        await harness.gateway.runtime.bus.publish(event)
    return {"experiment_id": created["experiment_id"], "run_id": run_id, "dataset_id": dataset_id, "owner": owner}


def body(run: dict, **changes) -> dict:
    return {"experiment_id": run["experiment_id"], "run_id": run["run_id"],
            "input": {"dataset_id": run["dataset_id"], "record": 3, "window": 1}, "methods": METHODS} | changes


async def sent(harness, event_type: str) -> list:
    database = harness.gateway.runtime.database
    async with database.sessions() as session:
        rows = (await session.execute(select(database.outbox).order_by("id"))).all()
    return [event for event in (decode_event(row.body) for row in rows) if event.type == event_type]


async def test_a_request_goes_out_with_its_owner_and_resolved_parameters(harness, alice, run) -> None:
    response = await alice.post("/api/v1/explanations", json=body(run))
    assert response.status_code == 202, response.text
    explanation = response.json()
    assert explanation["status"] == "requested" and explanation["input"]["record"] == 3
    (command,) = await sent(harness, "xai.explanation_requested")
    assert command.owner == run["owner"] and command.payload.explanation_id == explanation["explanation_id"]
    assert command.payload.methods["integrated_gradients"] == {"n_steps": 16, "internal_batch_size": 64}
    assert command.payload.input.window == 1 and command.payload.run_id == run["run_id"]
    again = (await alice.post("/api/v1/explanations", json=body(run))).json()
    assert again["explanation_id"] == explanation["explanation_id"]  # the same question: the same explanation
    assert len(await sent(harness, "xai.explanation_requested")) == 1


@pytest.mark.parametrize("changes, field, reason", [
    ({"input": {"dataset_id": "?", "record": 40, "window": 0}}, "input.record", "40 records"),
    ({"input": {"dataset_id": "?", "record": 0, "window": 2}}, "input.window", "2 window(s) of 512 samples"),
    ({"methods": {"integrated_gradients": {"n_steps": 2}}}, "methods.integrated_gradients", "n_steps"),
    ({"methods": {"lime": {}}}, "methods.lime", "unknown explanation method"),
    ({"target": 5}, "target", "between 0 and 1"),
])
async def test_bad_requests_are_refused_with_the_reason(harness, alice, run, changes, field, reason) -> None:
    if "input" in changes:
        changes["input"]["dataset_id"] = run["dataset_id"]
    response = await alice.post("/api/v1/explanations", json=body(run, **changes))
    assert response.status_code == 422, response.text
    (error,) = response.json()["detail"]
    assert error["loc"] == ["body", field] and reason in error["msg"]
    assert not await sent(harness, "xai.explanation_requested")


async def test_an_unknown_run_or_another_users_run_answers_404(alice, bob, run) -> None:
    assert (await alice.post("/api/v1/explanations", json=body(run, run_id="nope"))).status_code == 404
    assert (await alice.post("/api/v1/explanations", json=body(run, experiment_id="nope"))).status_code == 404
    assert (await bob.post("/api/v1/explanations", json=body(run))).status_code == 404


async def test_only_the_owner_sees_an_explanation(alice, bob, run) -> None:
    explanation_id = (await alice.post("/api/v1/explanations", json=body(run))).json()["explanation_id"]
    assert (await alice.get(f"/api/v1/explanations/{explanation_id}")).status_code == 200
    for path in ("", "/attributions"):
        assert (await bob.get(f"/api/v1/explanations/{explanation_id}{path}")).status_code == 404
    assert (await bob.post(f"/api/v1/explanations/{explanation_id}/cancel")).status_code == 404
    assert (await bob.get("/api/v1/explanations")).json() == []
    assert [e["explanation_id"] for e in (await alice.get("/api/v1/explanations")).json()] == [explanation_id]


def stored_arrays(store, key: str) -> None:
    buffer = io.BytesIO()
    np.savez_compressed(buffer, signal=np.linspace(-1, 1, WINDOW, dtype=np.float32),
                        probabilities=np.array([0.2, 0.8]), attr_integrated_gradients=np.ones((1, WINDOW), np.float32),
                        band_low_hz=np.array([0.0, 3000.0]), band_high_hz=np.array([3000.0, 6000.0]),
                        band_drop=np.array([0.5, -0.1]))
    store.put_bytes(key, buffer.getvalue())


async def test_outcomes_are_projected_once_whatever_their_order(harness, alice, run) -> None:
    explanation_id = (await alice.post("/api/v1/explanations", json=body(run))).json()["explanation_id"]
    key = f"explanations/{explanation_id}/attributions.npz"
    stored_arrays(harness.gateway.datasets.store, key)
    summary = {"target_class": "inner_race", "probabilities": {"healthy": 0.2, "inner_race": 0.8}}
    ready = ExplanationReady(explanation_id=explanation_id, experiment_id=run["experiment_id"], run_id=run["run_id"],
                             cache_key="c" * 64, attributions_key=key, summary_key="s.json", summary=summary,
                             seconds=1.5)
    publish = harness.gateway.runtime.bus.publish
    await publish(new_envelope(ExplanationProgress(explanation_id=explanation_id, stage="integrated_gradients",
                                                   done=1, total=2), producer="xai", owner=run["owner"]))
    running = (await alice.get(f"/api/v1/explanations/{explanation_id}")).json()
    assert (running["status"], running["done"], running["total"]) == ("running", 1, 2)
    for event in (ready, ready, ExplanationProgress(explanation_id=explanation_id, stage="late", done=2, total=2),
                  ExplanationFailed(explanation_id=explanation_id, reason="a late duplicate")):
        await publish(new_envelope(event, producer="xai", owner=run["owner"]))
    shown = (await alice.get(f"/api/v1/explanations/{explanation_id}")).json()
    assert shown["status"] == "ready" and shown["error"] is None and shown["done"] == 2  # late progress counts
    assert shown["summary"] == summary and shown["seconds"] == 1.5
    arrays = (await alice.get(f"/api/v1/explanations/{explanation_id}/attributions")).json()
    assert arrays["class_names"] == ["healthy", "inner_race"] and arrays["sample_rate_hz"] == 12000
    assert len(arrays["signal"][0]) == WINDOW and list(arrays["attributions"]) == ["integrated_gradients"]
    assert arrays["bands"]["drop"] == [0.5, -0.1]
    assert (await alice.post(f"/api/v1/explanations/{explanation_id}/cancel")).status_code == 409


async def test_cancel_asks_the_xai_service_and_its_answer_finishes_the_explanation(harness, alice, run) -> None:
    explanation_id = (await alice.post("/api/v1/explanations", json=body(run))).json()["explanation_id"]
    assert (await alice.get(f"/api/v1/explanations/{explanation_id}/attributions")).status_code == 409
    cancelling = await alice.post(f"/api/v1/explanations/{explanation_id}/cancel")
    assert cancelling.status_code == 202 and cancelling.json()["status"] == "cancelling"
    (command,) = await sent(harness, "xai.explanation_cancel_requested")
    assert command.payload.explanation_id == explanation_id and command.owner == run["owner"]
    await harness.gateway.runtime.bus.publish(new_envelope(ExplanationFailed(
        explanation_id=explanation_id, reason="The explanation was cancelled.", cancelled=True), producer="xai"))
    assert (await alice.get(f"/api/v1/explanations/{explanation_id}")).json()["status"] == "cancelled"
    fresh = (await alice.post("/api/v1/explanations", json=body(run))).json()  # a cancelled one is not reused
    assert fresh["explanation_id"] != explanation_id


async def test_embeddings_are_requested_projected_and_read(harness, alice, bob, run) -> None:
    request = {"experiment_id": run["experiment_id"], "run_id": run["run_id"], "dataset_id": run["dataset_id"],
               "method": "tsne"}
    assert (await alice.post("/api/v1/embeddings", json=request | {"method": "lda"})).status_code == 422
    created = await alice.post("/api/v1/embeddings", json=request)
    assert created.status_code == 202, created.text
    embedding_id = created.json()["embedding_id"]
    (command,) = await sent(harness, "xai.embedding_requested")
    assert command.payload.method == "tsne" and command.payload.max_windows == 2_000
    buffer = io.BytesIO()
    np.savez(buffer, xy=np.array([[0.0, 1.0], [2.0, 3.0]], np.float32), labels=np.array([0, 1]),
             predicted=np.array([0, 0]), records=np.array([4, 5]), windows=np.array([0, 1]))
    harness.gateway.datasets.store.put_bytes("emb/points.npz", buffer.getvalue())
    ready = EmbeddingReady(embedding_id=embedding_id, experiment_id=run["experiment_id"], run_id=run["run_id"],
                           dataset_id=run["dataset_id"], method="tsne", points_key="emb/points.npz", points=2,
                           embedding_dim=32, class_names=["healthy", "inner_race"], seconds=0.5)
    await harness.gateway.runtime.bus.publish(new_envelope(ready, producer="xai", owner=run["owner"]))
    points = (await alice.get(f"/api/v1/embeddings/{embedding_id}/points")).json()
    assert points["x"] == [0.0, 2.0] and points["predicted"] == [0, 0] and points["class_names"][1] == "inner_race"
    assert (await bob.get(f"/api/v1/embeddings/{embedding_id}")).status_code == 404
