"""The experiments API: requests go out through the outbox with their owner, bad input is refused naming the field,
other users' experiments answer 404, and cancel/resume/tags/delete/saved searches/clone behave."""

from datetime import UTC, datetime

import pytest
from sqlalchemy import select

from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.system import ServiceStatusReported, WorkerCapacity
from pfd_shared.events.training import ExperimentDeleted, TrainingCancelled
from pfd_shared.testing.training_events import dataset_ready, envelope
from pfd_shared.training import model_info

from pfd_gateway.auth.credentials import CSRF_COOKIE
from pfd_gateway.domain.access import ALL_SCOPES, Principal, Role

SAMPLES = 1024
CONFIG = {"model": "cnn1d", "preset": "small", "window": {"length": 512}, "epochs": 3, "seeds": [0, 1, 2]}


async def outbox(harness):
    database = harness.gateway.runtime.database
    async with database.sessions() as session:
        rows = (await session.execute(select(database.outbox).order_by("id"))).all()
    return [decode_event(row.body) for row in rows]


async def user_id(client) -> str:
    return (await client.get("/api/v1/auth/me")).json()["user"]["id"]


async def ready_dataset(harness, client, *, samples: int = SAMPLES) -> str:
    dataset_id = (await client.post("/api/v1/datasets", json={"name": "set", "preset": "quick"})).json()["dataset_id"]
    owner = await user_id(client)
    await harness.gateway.runtime.bus.publish(dataset_ready(dataset_id, owner, samples_per_record=samples))
    return dataset_id


async def create(client, dataset_id: str, **overrides):
    body = {"name": "exp", "dataset_id": dataset_id, "config": CONFIG} | overrides
    return await client.post("/api/v1/experiments", json=body)


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def bob(harness):
    await harness.user("bob@pfd.test")
    return await harness.login("bob@pfd.test")


@pytest.fixture
async def dataset(harness, alice) -> str:
    return await ready_dataset(harness, alice)


async def test_create_makes_one_run_per_seed_and_one_request_each_with_its_owner(harness, alice, dataset) -> None:
    response = await create(alice, dataset, tags=["Baseline", "cnn"])
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["status"] == "requested" and body["run_count"] == 3 and body["dataset_name"] == "set"
    assert [run["seed"] for run in body["runs"]] == [0, 1, 2] and body["tags"] == ["baseline", "cnn"]
    assert body["worker"]["live_workers"] == 0 and "No training worker" in body["worker"]["message"]
    sent = [event for event in await outbox(harness) if event.type == "training.requested"]
    assert [event.payload.run_id for event in sent] == [run["run_id"] for run in body["runs"]]
    assert {event.owner for event in sent} == {await user_id(alice)}
    runs = [(e.payload.seed, e.payload.run_index, e.payload.run_count) for e in sent]
    assert runs == [(0, 0, 3), (1, 1, 3), (2, 2, 3)]
    assert sent[0].payload.config["window"]["length"] == 512 and sent[0].payload.dataset_id == dataset


@pytest.mark.parametrize("config, field", [
    ({"epochs": 0}, "config.epochs"),
    ({"optimiser": {"learning_rate": 5}}, "config.optimiser.learning_rate"),
    ({"model_params": {"width": 1000}}, "config.model_params.width"),
    ({"model_params": {"depth": 3}}, "config.model_params"),
    ({"model": "perceptron"}, "config.model"),
    ({"preset": "huge"}, "config.preset"),
    ({"window": {"length": 32}}, "config.window.length"),
    ({"window": {"length": 4096}}, "config.window.length"),  # longer than the data set's records
    ({"seeds": [1, 1]}, "config.seeds"),
    ({"learning_rate": 0.1}, "config.learning_rate"),
])
async def test_bad_configs_are_refused_naming_the_field(harness, alice, dataset, config, field) -> None:
    response = await create(alice, dataset, config=CONFIG | config)
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert ".".join(str(part) for part in detail["loc"]).endswith(field), detail
    assert detail["msg"]
    assert not [event for event in await outbox(harness) if event.type == "training.requested"]


async def test_a_model_that_does_not_fit_the_window_says_why(alice, dataset) -> None:
    info = model_info("patch_transformer")
    needed = info.min_window_for(info.resolve("small", {"patch": 256}))
    config = CONFIG | {"model": "patch_transformer", "model_params": {"patch": 256}, "window": {"length": needed - 1}}
    response = await create(alice, dataset, config=config)
    assert response.status_code == 422
    assert response.json()["detail"][0]["loc"][-1] == "config.window.length"
    assert f"at least {needed} samples" in response.json()["detail"][0]["msg"]


async def test_data_sets_not_ready_are_422_and_unknown_or_others_are_404(harness, alice, bob) -> None:
    building = (await alice.post("/api/v1/datasets", json={"name": "b", "preset": "quick"})).json()["dataset_id"]
    refused = await create(alice, building)
    assert refused.status_code == 422 and "not ready" in refused.json()["detail"][0]["msg"]
    assert refused.json()["detail"][0]["loc"][-1] == "dataset_id"
    assert (await create(alice, "nosuchdataset")).status_code == 404
    bobs = await ready_dataset(harness, bob)
    assert (await create(alice, bobs)).status_code == 404


async def test_other_members_get_404_everywhere_and_admins_see_all(harness, alice, bob, admin, dataset) -> None:
    body = (await create(alice, dataset)).json()
    experiment_id, run_id = body["experiment_id"], body["runs"][0]["run_id"]
    base = f"/api/v1/experiments/{experiment_id}"
    for path in ("", "/runs", f"/runs/{run_id}/epochs", f"/runs/{run_id}/logs", "/results", "/clone"):
        assert (await bob.get(base + path)).status_code == 404, path
    for path in ("/cancel", "/resume"):
        assert (await bob.post(base + path)).status_code == 404, path
    assert (await bob.post(f"{base}/tags", json={"add": ["mine"]})).status_code == 404
    assert (await bob.delete(base)).status_code == 404
    other = (await create(alice, dataset)).json()["experiment_id"]
    assert (await bob.get(f"/api/v1/experiments/compare?ids={experiment_id},{other}")).status_code == 404
    assert (await bob.get("/api/v1/experiments")).json()["total"] == 0
    assert (await admin.get("/api/v1/experiments")).json()["total"] == 2
    assert (await admin.get(base)).status_code == 200


async def test_a_shared_experiment_is_readable_but_not_changeable(harness, alice, bob, dataset) -> None:
    experiment_id = (await create(alice, dataset)).json()["experiment_id"]
    owner = await user_id(alice)
    principal = Principal(owner, "alice@pfd.test", Role.MEMBER, ALL_SCOPES, "session")
    await harness.gateway.auth.shares.share(principal, "experiment", experiment_id, owner, await user_id(bob))
    assert (await bob.get(f"/api/v1/experiments/{experiment_id}")).status_code == 200
    assert (await bob.get("/api/v1/experiments")).json()["total"] == 1
    assert (await bob.post(f"/api/v1/experiments/{experiment_id}/cancel")).status_code == 403


async def test_api_keys_need_write_scope_and_browsers_need_csrf(harness, alice, dataset) -> None:
    read_key = await harness.api_key(alice, ["read"])
    async with harness.client() as client:
        headers = {"X-API-Key": read_key}
        assert (await client.get("/api/v1/experiments", headers=headers)).status_code == 200
        body = {"name": "k", "dataset_id": dataset, "config": CONFIG}
        assert (await client.post("/api/v1/experiments", json=body, headers=headers)).status_code == 403
    write_key = await harness.api_key(alice, ["read", "write"])
    async with harness.client() as client:
        created = await client.post("/api/v1/experiments", json=body, headers={"X-API-Key": write_key})
        assert created.status_code == 201, created.text
    del alice.headers["X-CSRF-Token"]
    assert (await create(alice, dataset)).status_code == 403
    alice.headers["X-CSRF-Token"] = alice.cookies[CSRF_COOKIE]


async def test_cancel_then_resume_sends_one_command_per_run(harness, alice, dataset) -> None:
    body = (await create(alice, dataset)).json()
    experiment_id = body["experiment_id"]
    cancelled = await alice.post(f"/api/v1/experiments/{experiment_id}/cancel")
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelling"
    assert (await alice.post(f"/api/v1/experiments/{experiment_id}/cancel")).status_code == 409
    assert (await alice.post(f"/api/v1/experiments/{experiment_id}/resume")).status_code == 409
    sent = [e for e in await outbox(harness) if e.type == "training.cancel_requested"]
    assert sorted(e.payload.run_id for e in sent) == sorted(run["run_id"] for run in body["runs"])
    owner = await user_id(alice)
    for run in body["runs"]:
        await harness.gateway.runtime.bus.publish(envelope(TrainingCancelled(
            experiment_id=experiment_id, run_id=run["run_id"], epoch=1, checkpoint_key="ck"), owner))
    assert (await alice.get(f"/api/v1/experiments/{experiment_id}")).json()["status"] == "cancelled"
    resumed = await alice.post(f"/api/v1/experiments/{experiment_id}/resume")
    assert resumed.status_code == 202 and {run["status"] for run in resumed.json()["runs"]} == {"resuming"}
    assert len([e for e in await outbox(harness) if e.type == "training.resume_requested"]) == 3


async def test_delete_marks_deleting_and_the_deleted_event_removes_it(harness, alice, dataset) -> None:
    experiment_id = (await create(alice, dataset)).json()["experiment_id"]
    assert (await alice.delete(f"/api/v1/experiments/{experiment_id}")).status_code == 202
    assert (await alice.get(f"/api/v1/experiments/{experiment_id}")).json()["status"] == "deleting"
    assert (await alice.delete(f"/api/v1/experiments/{experiment_id}")).status_code == 409
    sent = (await outbox(harness))[-1]
    assert sent.type == "training.experiment_delete_requested" and sent.owner == await user_id(alice)
    await harness.gateway.runtime.bus.publish(envelope(ExperimentDeleted(experiment_id=experiment_id), sent.owner))
    assert (await alice.get(f"/api/v1/experiments/{experiment_id}")).status_code == 404
    assert (await alice.get("/api/v1/experiments")).json()["total"] == 0


async def test_tags_are_added_removed_and_filter_the_list(alice, dataset) -> None:
    first = (await create(alice, dataset, tags=["a"])).json()["experiment_id"]
    await create(alice, dataset, tags=["b"])
    updated = await alice.post(f"/api/v1/experiments/{first}/tags", json={"add": ["Best", "best"], "remove": ["a"]})
    assert updated.status_code == 200 and updated.json()["tags"] == ["best"]
    listed = (await alice.get("/api/v1/experiments", params={"tags": ["best"]})).json()
    assert [item["experiment_id"] for item in listed["items"]] == [first]
    refused = await alice.post(f"/api/v1/experiments/{first}/tags", json={"add": [" "]})
    assert refused.status_code == 422 and refused.json()["detail"][0]["loc"][-1] == "add.0"
    assert "best" in (await alice.get("/api/v1/experiments/facets")).json()["tags"]


async def test_saved_searches_are_per_user_and_replace_by_name(alice, bob) -> None:
    query = {"q": "cnn", "models": ["cnn1d"], "sort": "record_accuracy", "order": "desc"}
    saved = await alice.post("/api/v1/experiment-searches", json={"name": "best cnn", "query": query})
    assert saved.status_code == 201, saved.text
    again = await alice.post("/api/v1/experiment-searches", json={"name": "best cnn", "query": query | {"q": "x"}})
    assert again.json()["search_id"] == saved.json()["search_id"] and again.json()["query"]["q"] == "x"
    assert [s["name"] for s in (await alice.get("/api/v1/experiment-searches")).json()] == ["best cnn"]
    assert (await bob.get("/api/v1/experiment-searches")).json() == []
    search_id = saved.json()["search_id"]
    assert (await bob.delete(f"/api/v1/experiment-searches/{search_id}")).status_code == 404
    assert (await alice.delete(f"/api/v1/experiment-searches/{search_id}")).status_code == 204
    bad = await alice.post("/api/v1/experiment-searches", json={"name": "x", "query": {"limit": 0}})
    assert bad.status_code == 422


async def test_clone_returns_the_config_to_start_from(alice, dataset) -> None:
    experiment_id = (await create(alice, dataset, name="first", tags=["t"])).json()["experiment_id"]
    clone = (await alice.get(f"/api/v1/experiments/{experiment_id}/clone")).json()
    assert clone["name"] == "first (copy)" and clone["dataset_id"] == dataset and clone["tags"] == ["t"]
    assert clone["config"]["window"]["length"] == 512 and clone["config"]["seeds"] == [0, 1, 2]
    assert (await create(alice, dataset, config=clone["config"])).status_code == 201


async def test_the_catalogue_lists_every_model_with_presets_and_ranges(alice) -> None:
    catalogue = {model["name"]: model for model in (await alice.get("/api/v1/models/catalogue")).json()}
    assert {"cnn1d", "resnet1d", "cnn_lstm", "patch_transformer", "random_forest"} <= set(catalogue)
    assert catalogue["cnn1d"]["presets"]["small"] and catalogue["cnn1d"]["params"]["width"]["high"] == 256


async def test_worker_availability_follows_the_status_reports(harness, alice) -> None:
    assert (await alice.get("/api/v1/training/workers")).json()["live_workers"] == 0
    report = ServiceStatusReported(service="training", instance_id="t-1", version="1", host="h", pid=1,
                                   started_at=datetime.now(UTC), uptime_s=1, ready=True, dlq_count=0,
                                   handled_count=0, capacity=WorkerCapacity(slots=2, busy=1, jobs=("r",)))
    await harness.gateway.runtime.bus.publish(new_envelope(report, producer="training"))
    workers = (await alice.get("/api/v1/training/workers")).json()
    assert workers == {"live_workers": 1, "instances": ["t-1"], "slots": 2, "busy": 1, "message": None}
