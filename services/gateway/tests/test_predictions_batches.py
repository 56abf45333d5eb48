"""Batch predictions: requests go out through the outbox with their owner; the deploy service's Batch* events move
the row on idempotently (redelivered, late or out-of-order events change nothing); results stream from S3; only
the owner and admins see a batch."""

import io

import numpy as np
import pytest

from pfd_shared.events import new_envelope
from pfd_shared.events.deploy import BatchPredictionCompleted, BatchPredictionFailed, BatchPredictionProgress
from pfd_shared.testing.training_events import dataset_ready

from pfd_gateway.predictions import states
from pfd_gateway.predictions.batches import with_pushed

RESULTS = b"record,predicted_class,p_healthy,p_outer_race\n0,healthy,0.9,0.1\n1,outer_race,0.2,0.8\n"


@pytest.fixture
async def alice(member):
    return await member("alice")


@pytest.fixture
async def bob(member):
    return await member("bob")


async def ready_dataset(harness, client) -> str:
    dataset_id = (await client.post("/api/v1/datasets", json={"name": "q", "preset": "quick"})).json()["dataset_id"]
    owner = (await client.get("/api/v1/auth/me")).json()["user"]["id"]
    await harness.gateway.runtime.bus.publish(dataset_ready(dataset_id, owner))
    return dataset_id


def csv_bytes(rows: int = 3, samples: int = 64) -> bytes:
    text = io.StringIO()
    np.savetxt(text, np.random.default_rng(0).normal(size=(rows, samples)), delimiter=",")
    return text.getvalue().encode()


def completed(batch_id: str, key: str = "predictions/b/results.csv") -> BatchPredictionCompleted:
    return BatchPredictionCompleted(batch_id=batch_id, model_name="cnn", version=3, results_key=key, rows=40,
                                    summary={"healthy": 21, "outer_race": 19, "accuracy": 0.95}, seconds=4.2)


def test_changes_are_idempotent_and_never_move_back() -> None:
    row = {"batch_id": "b", "status": states.REQUESTED, "done": 0}
    row |= states.changes(BatchPredictionProgress(batch_id="b", done=10, total=40), row)
    assert row["status"] == states.RUNNING and states.fraction(row) == 0.25
    assert states.changes(BatchPredictionProgress(batch_id="b", done=10, total=40), row) == {"status": "running",
                                                                                            "done": 10, "total": 40}
    assert states.changes(BatchPredictionProgress(batch_id="b", done=4, total=40), row) == {}
    row |= states.changes(completed("b"), row)
    assert row["status"] == states.COMPLETED and states.fraction(row) == 1.0 and row["served_version"] == 3
    assert states.changes(BatchPredictionProgress(batch_id="b", done=39, total=40), row) == {}
    assert states.changes(BatchPredictionFailed(batch_id="b", reason="late"), row) == {}
    assert states.changes(completed("b"), row) == {}


def test_a_pushed_frame_applies_to_its_row_only() -> None:
    rows = [{"batch_id": "a", "status": "running", "done": 1}, {"batch_id": "b", "status": "running", "done": 1}]
    frame = new_envelope(BatchPredictionFailed(batch_id="b", reason="model 'cnn' is broken"), producer="deploy")
    shown = with_pushed(rows, frame.model_dump(mode="json"))
    assert shown[0] == rows[0] and shown[1]["status"] == "failed" and "broken" in shown[1]["error"]
    assert with_pushed(rows, {"type": "nonsense"}) == rows and with_pushed(rows, None) == rows


async def test_a_data_set_batch_goes_out_with_its_owner_and_follows_the_events(harness, alice, sent_events) -> None:
    dataset_id = await ready_dataset(harness, alice)
    response = await alice.post("/api/v1/batch-predictions", json={"model_name": "cnn", "dataset_id": dataset_id})
    assert response.status_code == 202, response.text
    batch = response.json()
    assert batch["status"] == "requested" and batch["total"] == 40 and batch["alias"] == "production"
    sent = (await sent_events())[-1]
    assert sent.type == "deploy.batch_prediction_requested" and sent.payload.dataset_id == dataset_id
    assert sent.owner == (await alice.get("/api/v1/auth/me")).json()["user"]["id"]
    batch_id, bus = batch["batch_id"], harness.gateway.runtime.bus
    progress = new_envelope(BatchPredictionProgress(batch_id=batch_id, done=20, total=40), producer="deploy")
    for envelope in (progress, progress):  # redelivered
        await bus.publish(envelope)
    shown = (await alice.get(f"/api/v1/batch-predictions/{batch_id}")).json()
    assert shown["status"] == "running" and shown["done"] == 20
    assert (await alice.get(f"/api/v1/batch-predictions/{batch_id}/results.csv")).status_code == 409
    harness.gateway.predictions.batches.store.put_bytes("predictions/b/results.csv", RESULTS)
    await bus.publish(new_envelope(completed(batch_id), producer="deploy"))
    await bus.publish(new_envelope(BatchPredictionProgress(batch_id=batch_id, done=30, total=40), producer="deploy"))
    shown = (await alice.get(f"/api/v1/batch-predictions/{batch_id}")).json()
    assert shown["status"] == "completed" and shown["done"] == 40 and shown["summary"]["accuracy"] == 0.95
    download = await alice.get(shown["results_url"])
    assert download.status_code == 200 and download.content == RESULTS
    assert download.headers["content-type"].startswith("text/csv")


async def test_a_csv_batch_is_stored_under_the_callers_uploads(harness, alice, sent_events) -> None:
    response = await alice.post("/api/v1/batch-predictions", files={"file": ("rows.csv", csv_bytes(), "text/csv")},
                                data={"model_name": "cnn", "version": "2", "sample_rate_hz": "12000"})
    assert response.status_code == 202, response.text
    batch = response.json()
    assert batch["source"] == "upload" and batch["total"] == 3 and batch["version"] == 2 and batch["alias"] is None
    sent = (await sent_events())[-1].payload
    owner = (await alice.get("/api/v1/auth/me")).json()["user"]["id"]
    assert sent.signals_key.startswith(f"uploads/{owner}/") and sent.sample_rate_hz == 12000
    assert harness.gateway.predictions.batches.store.get_bytes(sent.signals_key) == csv_bytes()


async def test_a_failed_batch_shows_its_reason_and_has_no_results(harness, alice) -> None:
    dataset_id = await ready_dataset(harness, alice)
    batch_id = (await alice.post("/api/v1/batch-predictions", json={"model_name": "cnn", "dataset_id": dataset_id,
                                                                    "alias": "staging"})).json()["batch_id"]
    await harness.gateway.runtime.bus.publish(new_envelope(
        BatchPredictionFailed(batch_id=batch_id, reason="model 'cnn' has no alias 'staging'"), producer="deploy"))
    shown = (await alice.get(f"/api/v1/batch-predictions/{batch_id}")).json()
    assert shown["status"] == "failed" and "no alias 'staging'" in shown["error"]
    response = await alice.get(f"/api/v1/batch-predictions/{batch_id}/results.csv")
    assert response.status_code == 409 and "failed" in response.text


@pytest.mark.parametrize("kwargs, status, reason", [
    ({"json": {"model_name": "cnn", "dataset_id": "nosuchset"}}, 404, "No such data set"),
    ({"files": {"file": ("rows.csv", b"1,2\n", "text/csv")}, "data": {"model_name": "cnn", "sample_rate_hz": "1"}},
     422, "too short"),
    ({"files": {"file": ("rows.npy", b"xx", "text/csv")}, "data": {"model_name": "cnn", "sample_rate_hz": "1"}},
     422, "unsupported file type .npy"),
    ({"files": {"file": ("rows.csv", csv_bytes(), "text/csv")}, "data": {"model_name": "Bad Name", "sample_rate_hz": "1"}},
     422, "String should match pattern"),
    ({"files": {"file": ("rows.csv", csv_bytes(), "text/csv")}, "data": {"model_name": "cnn"}}, 422, "Field required"),
])
async def test_bad_batch_requests_are_refused_with_the_reason(alice, kwargs, status, reason) -> None:
    response = await alice.post("/api/v1/batch-predictions", **kwargs)
    assert response.status_code == status and reason in response.text


async def test_a_batch_of_a_data_set_not_ready_is_a_409(harness, alice) -> None:
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "q", "preset": "quick"})).json()["dataset_id"]
    response = await alice.post("/api/v1/batch-predictions", json={"model_name": "cnn", "dataset_id": dataset_id})
    assert response.status_code == 409 and "not ready" in response.text


async def test_others_get_404_and_admins_see_every_batch(harness, alice, bob, admin) -> None:
    dataset_id = await ready_dataset(harness, alice)
    batch_id = (await alice.post("/api/v1/batch-predictions", json={"model_name": "cnn",
                                                                    "dataset_id": dataset_id})).json()["batch_id"]
    for path in (f"/api/v1/batch-predictions/{batch_id}", f"/api/v1/batch-predictions/{batch_id}/results.csv"):
        response = await bob.get(path)
        assert response.status_code == 404 and "No such batch prediction" in response.text
    assert (await bob.get("/api/v1/batch-predictions")).json() == []
    assert (await bob.post("/api/v1/batch-predictions", json={"model_name": "cnn",
                                                              "dataset_id": dataset_id})).status_code == 404
    assert [b["batch_id"] for b in (await admin.get("/api/v1/batch-predictions")).json()] == [batch_id]
    assert (await admin.get(f"/api/v1/batch-predictions/{batch_id}")).status_code == 200
