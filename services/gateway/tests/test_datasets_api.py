"""The data-set API: requests go out through the outbox, events come back into the read model, owners only."""

import io
from datetime import UTC, datetime

import numpy as np
import pytest
import scipy.io
from sqlalchemy import select

from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.datasets import DatasetFailed, DatasetProgress, DatasetReady

from pfd_gateway.domain.access import Role


async def outbox(harness):
    database = harness.gateway.runtime.database
    async with database.sessions() as session:
        rows = (await session.execute(select(database.outbox).order_by("id"))).all()
    return [decode_event(row.body) for row in rows]


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def bob(harness):
    await harness.user("bob@pfd.test")
    return await harness.login("bob@pfd.test")


def ready(dataset_id: str, owner: str) -> object:
    event = DatasetReady(dataset_id=dataset_id, name="q", kind="synthetic", object_key=f"datasets/{dataset_id}/dataset.h5",
                         size_bytes=11, sha256="ab", records=110, samples_per_record=1024, sample_rate_hz=20480,
                         class_names=("healthy", "misalignment"), class_counts=(55, 55), feature_names=("rms",),
                         split_counts={"train": 77, "val": 16, "test": 17}, seconds=1.0)
    return new_envelope(event, producer="data-gen", owner=owner)


async def test_generation_request_goes_out_with_its_owner(harness, alice) -> None:
    response = await alice.post("/api/v1/datasets", json={"name": "quick one", "preset": "quick", "seed": 3})
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "requested" and body["kind"] == "synthetic"
    sent = (await outbox(harness))[-1]
    assert sent.type == "datasets.generation_requested" and sent.payload.dataset_id == body["dataset_id"]
    assert sent.owner == body["owner_id"] and sent.payload.seed == 3


@pytest.mark.parametrize("body, field", [
    ({"name": "x", "config": {"dataset": {"records_per_class": -1}}}, "config.dataset.records_per_class"),
    ({"name": "x", "preset": "gigantic"}, "preset"),
    ({"name": "", "preset": "quick"}, "name"),
    ({"name": "x", "config": {"dataset": {"classes": []}}}, "config.dataset.classes"),
])
async def test_invalid_requests_name_the_field(alice, body, field) -> None:
    response = await alice.post("/api/v1/datasets", json=body)
    assert response.status_code == 422
    assert field in ".".join(str(part) for part in response.json()["detail"][0]["loc"])


async def test_a_sample_rate_below_twice_the_highest_modelled_frequency_is_refused_by_name(alice) -> None:
    response = await alice.post("/api/v1/datasets", json={"name": "x", "config": {"record": {"sample_rate_hz": 1000}}})
    assert response.status_code == 422
    message = response.json()["detail"][0]["msg"]
    assert "record.sample_rate_hz=1000 must exceed twice the highest modelled frequency" in message


@pytest.mark.parametrize("change, field", [({"split_policy": "random"}, "split_policy"),
                                           ({"window_seconds": -1}, "window_seconds"),
                                           ({"files": []}, "files")])
async def test_invalid_import_requests_name_the_field(alice, change, field) -> None:
    spec = {"object_key": "uploads/x/1-a.npy", "file_name": "a.npy", "label": "a", "sample_rate_hz": 1000}
    response = await alice.post("/api/v1/datasets/imports", json={"name": "x", "files": [spec]} | change)
    assert response.status_code == 422
    assert field in ".".join(str(part) for part in response.json()["detail"][0]["loc"])


@pytest.mark.parametrize("method, path", [("get", "/api/v1/datasets/nosuchset"),
                                          ("get", "/api/v1/datasets/nosuchset/download"),
                                          ("delete", "/api/v1/datasets/nosuchset"),
                                          ("get", "/api/v1/datasets/nosuchset/records/0.npy")])
async def test_unknown_data_sets_are_404_with_a_message(alice, method, path) -> None:
    response = await getattr(alice, method)(path)
    assert response.status_code == 404 and "No such data set" in response.text


async def test_events_fill_the_read_model_and_late_progress_never_reopens(harness, alice) -> None:
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "q", "preset": "quick"})).json()["dataset_id"]
    owner = (await alice.get("/api/v1/auth/me")).json()["user"]["id"]
    bus = harness.gateway.runtime.bus
    await bus.publish(new_envelope(DatasetProgress(dataset_id=dataset_id, stage="generating", done=5, total=10),
                                   producer="data-gen", owner=owner))
    assert (await alice.get(f"/api/v1/datasets/{dataset_id}")).json()["stage"] == "generating"
    await bus.publish(ready(dataset_id, owner))
    await bus.publish(new_envelope(DatasetProgress(dataset_id=dataset_id, stage="features", done=1, total=2),
                                   producer="data-gen", owner=owner))
    shown = (await alice.get(f"/api/v1/datasets/{dataset_id}")).json()
    assert shown["status"] == "ready" and shown["records"] == 110 and shown["class_counts"] == [55, 55]


async def test_failures_are_shown_with_their_reason(harness, alice) -> None:
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "q", "preset": "quick"})).json()["dataset_id"]
    await harness.gateway.runtime.bus.publish(new_envelope(
        DatasetFailed(dataset_id=dataset_id, reason="x.mat: the file is empty"), producer="data-gen"))
    shown = (await alice.get(f"/api/v1/datasets/{dataset_id}")).json()
    assert shown["status"] == "failed" and "x.mat" in shown["error"]


async def test_other_members_get_404_and_admins_see_all(harness, alice, bob, admin) -> None:
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "q", "preset": "quick"})).json()["dataset_id"]
    assert (await bob.get(f"/api/v1/datasets/{dataset_id}")).status_code == 404
    assert (await bob.delete(f"/api/v1/datasets/{dataset_id}")).status_code == 404
    assert (await bob.get("/api/v1/datasets")).json() == []
    assert [d["dataset_id"] for d in (await admin.get("/api/v1/datasets")).json()] == [dataset_id]


def _npy() -> bytes:
    buffer = io.BytesIO()
    np.save(buffer, np.arange(1000, dtype=np.float64))
    return buffer.getvalue()


async def test_upload_then_import_only_own_uploads(harness, alice, bob) -> None:
    uploaded = await alice.post("/api/v1/uploads", files={"file": ("sig.npy", _npy(), "application/octet-stream")})
    assert uploaded.status_code == 201, uploaded.text
    key = uploaded.json()["object_key"]
    spec = {"object_key": key, "file_name": "sig.npy", "label": "normal", "sample_rate_hz": 12000}
    assert (await bob.post("/api/v1/datasets/imports", json={"name": "stolen", "files": [spec]})).status_code == 422
    response = await alice.post("/api/v1/datasets/imports", json={"name": "mine", "files": [spec]})
    assert response.status_code == 201, response.text
    sent = (await outbox(harness))[-1]
    assert sent.type == "datasets.import_requested" and sent.payload.files[0].object_key == key


@pytest.mark.parametrize("name, data, message", [
    ("notes.txt", b"hi", "unsupported"), ("empty.npy", b"", "empty"),
    ("corrupt.mat", b"MATLAB 5.0 MAT-file" + b"\x00" * 300, "not a readable MATLAB file"),
    ("words.csv", b"a,b\nx,y\n", "not a numeric CSV"),
])
async def test_bad_uploads_are_refused_naming_the_file(harness, alice, name, data, message) -> None:
    response = await alice.post("/api/v1/uploads", files={"file": (name, data, "application/octet-stream")})
    assert response.status_code == 422
    assert name in response.json()["detail"][0]["msg"] and message in response.json()["detail"][0]["msg"]
    assert list(harness.gateway.datasets.store.list("uploads/")) == []  # nothing half-uploaded remains


async def test_upload_answers_with_the_inspection_of_the_file(alice) -> None:
    buffer = io.BytesIO()
    scipy.io.savemat(buffer, {"X001_DE_time": np.zeros((4000, 1)), "X001RPM": np.array([[1797.0]]),
                              "fs": np.array([[12000.0]])})
    response = await alice.post("/api/v1/uploads", files={"file": ("rec.mat", buffer.getvalue(), "application/x-matlab")})
    assert response.status_code == 201, response.text
    inspection = response.json()["inspection"]
    assert {v["name"]: (v["length"], v["dtype"]) for v in inspection["variables"]}["X001_DE_time"] == (4000, "float64")
    assert inspection["suggested_variable"] == "X001_DE_time"
    assert inspection["sample_rate_hz"] == 12000 and inspection["sample_rate_source"] == "variable fs"
    assert inspection["shaft_speed_hz"] == pytest.approx(29.95)


async def test_download_streams_the_object_and_delete_requests_removal(harness, alice) -> None:
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "q", "preset": "quick"})).json()["dataset_id"]
    owner = (await alice.get("/api/v1/auth/me")).json()["user"]["id"]
    harness.gateway.datasets.store.put_bytes(f"datasets/{dataset_id}/dataset.h5", b"HDF5 bytes!")
    await harness.gateway.runtime.bus.publish(ready(dataset_id, owner))
    response = await alice.get(f"/api/v1/datasets/{dataset_id}/download")
    assert response.status_code == 200 and response.content == b"HDF5 bytes!"
    assert (await alice.delete(f"/api/v1/datasets/{dataset_id}")).status_code == 202
    assert (await alice.get(f"/api/v1/datasets/{dataset_id}")).json()["status"] == "deleting"
    assert (await outbox(harness))[-1].type == "datasets.delete_requested"
