"""The deployments API and the model registry over the real app (TestKafkaBroker, SQLite): requests are checked and
go out through the outbox, the deploy events are projected idempotently, other users' deployments and models
answer 404, promote / roll back / delete send the registry's commands."""

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select

from pfd_shared.events import decode_event
from pfd_shared.events.deploy import DeploymentFailed, ModelVersionBroken, ModelVersionDeleted
from pfd_shared.testing.deploy_events import alias_changed, envelope, export_life
from pfd_shared.testing.training_events import dataset_ready, run_life

CONFIG = {"model": "cnn1d", "preset": "small", "window": {"length": 512}, "epochs": 3, "seeds": [0, 1]}
FOREST = {"model": "random_forest", "window": {"length": 512}, "seeds": [0]}


async def outbox(harness, event_type: str) -> list:
    database = harness.gateway.runtime.database
    async with database.sessions() as session:
        rows = (await session.execute(select(database.outbox).order_by("id"))).all()
    return [event for event in (decode_event(row.body) for row in rows) if event.type == event_type]


async def user_id(client) -> str:
    return (await client.get("/api/v1/auth/me")).json()["user"]["id"]


async def publish(harness, envelopes) -> None:
    for item in envelopes:
        await harness.gateway.runtime.bus.publish(item)


async def experiment(harness, client, config=CONFIG, *, accuracies=(0.8, 0.9), evaluate=True) -> dict:
    """An experiment of ``client``'s on a ready data set, every run evaluated with these record accuracies."""
    owner = await user_id(client)
    dataset_id = (await client.post("/api/v1/datasets", json={"name": "set", "preset": "quick"})).json()["dataset_id"]
    await harness.gateway.runtime.bus.publish(dataset_ready(dataset_id, owner))
    created = await client.post("/api/v1/experiments", json={"name": "exp", "dataset_id": dataset_id,
                                                              "config": config})
    assert created.status_code == 201, created.text
    body = created.json()
    if evaluate:
        start = datetime.now(UTC) + timedelta(seconds=10)
        for run, accuracy in zip(body["runs"], accuracies, strict=False):
            await publish(harness, run_life(body["experiment_id"], run["run_id"], dataset_id, owner, start,
                                            record_accuracy=accuracy))
    return body


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def bob(harness):
    await harness.user("bob@pfd.test")
    return await harness.login("bob@pfd.test")


def refusal(response, field: str) -> str:
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == field, detail
    return detail["msg"]


async def test_a_request_is_checked_then_sent_with_the_best_run(harness, alice, bob) -> None:
    waiting = await experiment(harness, alice, evaluate=False)
    url = "/api/v1/deployments"
    assert "not evaluated" in refusal(await alice.post(url, json={"experiment_id": waiting["experiment_id"],
                                                                   "model_name": "bearing"}), "experiment_id")
    exp = await experiment(harness, alice)
    body = {"experiment_id": exp["experiment_id"], "model_name": "bearing"}
    assert "fp32" in refusal(await alice.post(url, json=body | {"variants": ["int8_static"]}), "variants")
    assert "unknown" in refusal(await alice.post(url, json=body | {"variants": ["fp32", "int4"]}), "variants")
    refusal(await alice.post(url, json=body | {"model_name": "Not A Name"}), "model_name")
    refusal(await alice.post(url, json=body | {"model_name": "catalogue"}), "model_name")
    assert "no evaluated run" in refusal(await alice.post(url, json=body | {"run_id": "nope"}), "run_id")
    forest = await experiment(harness, alice, FOREST, accuracies=(0.9,))
    assert "classical" in refusal(await alice.post(url, json=body | {"experiment_id": forest["experiment_id"]}),
                                  "experiment_id")
    assert (await bob.post(url, json=body)).status_code == 404  # alice's experiment does not exist for bob

    response = await alice.post(url, json=body | {"variants": ["fp32", "int8_static"], "description": "first"})
    assert response.status_code == 202, response.text
    deployment = response.json()
    best = exp["runs"][1]["run_id"]  # record accuracy 0.9
    assert deployment["status"] == "requested" and deployment["run_id"] == best
    (sent,) = await outbox(harness, "deploy.deployment_requested")
    assert sent.owner == await user_id(alice) and sent.payload.key() == deployment["deployment_id"]
    assert sent.payload.run_id == best and sent.payload.variants == ["fp32", "int8_static"]
    chosen = await alice.post(url, json=body | {"run_id": exp["runs"][0]["run_id"]})
    assert chosen.status_code == 202 and chosen.json()["run_id"] == exp["runs"][0]["run_id"]

    theirs = await experiment(harness, bob)
    taken = await bob.post(url, json={"experiment_id": theirs["experiment_id"], "model_name": "bearing"})
    assert "another user" in refusal(taken, "model_name")  # the name is alice's
    assert (await bob.get(f"{url}/{deployment['deployment_id']}")).status_code == 404
    assert (await bob.post(f"{url}/{deployment['deployment_id']}/cancel")).status_code == 404
    assert [d["deployment_id"] for d in (await bob.get(url)).json()] == []
    assert len((await alice.get(url)).json()) == 2
    assert (await bob.get("/api/v1/models/bearing")).status_code == 404


async def deployed(harness, client, model_name: str = "bearing", versions: int = 1) -> list[str]:
    """``versions`` exported and benchmarked versions of ``model_name`` (one deployment each)."""
    exp = await experiment(harness, client)
    owner, ids = await user_id(client), []
    for version in range(1, versions + 1):
        response = await client.post("/api/v1/deployments", json={"experiment_id": exp["experiment_id"],
                                                                   "model_name": model_name})
        assert response.status_code == 202, response.text
        deployment = response.json()
        start = datetime.now(UTC) + timedelta(seconds=20 * version)
        await publish(harness, export_life(deployment["deployment_id"], model_name, version, exp["experiment_id"],
                                           deployment["run_id"], owner, start))
        ids.append(deployment["deployment_id"])
    return ids


async def test_the_deploy_events_are_projected_once_even_when_redelivered(harness, alice) -> None:
    exp = await experiment(harness, alice)
    owner = await user_id(alice)
    response = await alice.post("/api/v1/deployments", json={"experiment_id": exp["experiment_id"],
                                                              "model_name": "bearing"})
    deployment_id = response.json()["deployment_id"]
    life = export_life(deployment_id, "bearing", 1, exp["experiment_id"], response.json()["run_id"], owner,
                       datetime.now(UTC) + timedelta(seconds=5))
    await publish(harness, life[-1:])  # the benchmarks overtook the export (another topic)
    await publish(harness, life[:2])
    shown = (await alice.get(f"/api/v1/deployments/{deployment_id}")).json()
    assert shown["deployment"]["status"] == "running" and shown["deployment"]["stage"] == "parity"
    assert shown["version"] is None
    await publish(harness, life + life)  # everything redelivered
    await publish(harness, life[:1])  # a late progress event after the export
    shown = (await alice.get(f"/api/v1/deployments/{deployment_id}")).json()
    assert shown["deployment"]["status"] == "exported" and shown["deployment"]["version"] == 1
    version = shown["version"]
    assert [b["variant"] for b in version["benchmarks"]] == ["fp32", "int8_dynamic", "int8_static", "fp16"]
    assert version["notes"] and version["parity"]["argmax_agreement"] == 1.0 and version["status"] == "ready"
    changes = [envelope(alias_changed("bearing", "production", 1, None, reason="first"), owner)] * 2
    await publish(harness, changes)
    model = (await alice.get("/api/v1/models/bearing")).json()
    assert model["versions"] == 1 and model["aliases"] == {"production": 1}
    assert len(model["version_list"]) == 1 and model["version_list"][0]["aliases"] == ["production"]
    assert [(h["alias"], h["from_version"], h["to_version"], h["reason"]) for h in model["history"]] == [
        ("production", None, 1, "first")]
    listed = (await alice.get("/api/v1/models")).json()
    assert [(m["model_name"], m["latest_version"]) for m in listed] == [("bearing", 1)]


async def test_an_older_alias_change_arriving_late_only_adds_history(harness, alice) -> None:
    await deployed(harness, alice, versions=2)
    owner, now = await user_id(alice), datetime.now(UTC)
    newer = envelope(alias_changed("bearing", "production", 2, 1), owner, now + timedelta(seconds=2))
    older = envelope(alias_changed("bearing", "production", 1, None), owner, now)
    await publish(harness, [newer, older])
    model = (await alice.get("/api/v1/models/bearing")).json()
    assert model["aliases"] == {"production": 2}
    assert [h["to_version"] for h in model["history"]] == [2, 1]


async def test_promote_roll_back_and_delete_send_the_registrys_commands(harness, alice, bob) -> None:
    await deployed(harness, alice, versions=3)
    owner, now = await user_id(alice), datetime.now(UTC)
    await publish(harness, [envelope(alias_changed("bearing", "production", 1, None), owner, now),
                            envelope(alias_changed("bearing", "production", 2, 1), owner, now + timedelta(seconds=1))])
    url = "/api/v1/models/bearing"
    assert (await bob.put(f"{url}/aliases/staging", json={"version": 3})).status_code == 404
    assert (await alice.put("/api/v1/models/nope/aliases/staging", json={"version": 3})).status_code == 404
    assert (await alice.put(f"{url}/aliases/staging", json={"version": 9})).status_code == 404
    refusal(await alice.put(f"{url}/aliases/Bad Alias", json={"version": 3}), "alias")
    assert "already" in refusal(await alice.put(f"{url}/aliases/production", json={"version": 2}), "version")
    promoted = await alice.put(f"{url}/aliases/staging", json={"version": 3, "reason": "candidate"})
    assert promoted.status_code == 202, promoted.text
    rolled = await alice.post(f"{url}/aliases/production/rollback", json={"reason": "regression"})
    assert rolled.status_code == 202 and rolled.json()["detail"] == {"alias": "production", "version": 1,
                                                                      "from_version": 2}
    assert (await alice.post(f"{url}/aliases/canary/rollback", json={})).status_code == 404
    sent = await outbox(harness, "deploy.model_alias_set_requested")
    assert [(e.payload.alias, e.payload.version, e.payload.actor, e.payload.reason) for e in sent] == [
        ("staging", 3, "alice@pfd.test", "candidate"), ("production", 1, "alice@pfd.test", "regression")]
    assert all(e.owner == owner and e.payload.key() == "bearing" for e in sent)

    assert "served as production" in refusal(await alice.delete(f"{url}/versions/2"), "version")
    assert (await bob.delete(f"{url}/versions/3")).status_code == 404
    deleting = await alice.delete(f"{url}/versions/3")
    assert deleting.status_code == 202 and deleting.json()["status"] == "deleting"
    assert (await alice.delete(f"{url}/versions/3")).status_code == 409
    (delete,) = await outbox(harness, "deploy.model_version_delete_requested")
    assert delete.payload.version == 3 and delete.owner == owner
    await publish(harness, [envelope(ModelVersionDeleted(model_name="bearing", version=3), owner)])
    await publish(harness, [envelope(ModelVersionBroken(model_name="bearing", version=3, reason="gone"), owner)])
    await publish(harness, [envelope(ModelVersionBroken(model_name="bearing", version=1, reason="corrupt"), owner)])
    model = (await alice.get(url)).json()
    statuses = {v["version"]: (v["status"], v["error"]) for v in model["version_list"]}
    assert statuses == {3: ("deleted", None), 2: ("ready", None), 1: ("broken", "corrupt")}
    assert model["versions"] == 2
    assert "broken" in refusal(await alice.put(f"{url}/aliases/staging", json={"version": 1}), "version")
    assert "no earlier version" in refusal(await alice.post(f"{url}/aliases/production/rollback", json={}), "alias")


async def test_a_refused_deletion_comes_back_with_the_reason(harness, alice) -> None:
    await deployed(harness, alice, versions=1)
    owner = await user_id(alice)
    assert (await alice.delete("/api/v1/models/bearing/versions/1")).status_code == 202
    await publish(harness, [envelope(ModelVersionDeleted(model_name="bearing", version=1,
                                                         refused_reason="an alias points at it"), owner)])
    (version,) = (await alice.get("/api/v1/models/bearing")).json()["version_list"]
    assert version["status"] == "ready" and "an alias points at it" in version["error"]


async def test_cancel_then_the_cancelled_outcome(harness, alice) -> None:
    exp = await experiment(harness, alice)
    response = await alice.post("/api/v1/deployments", json={"experiment_id": exp["experiment_id"],
                                                              "model_name": "bearing"})
    deployment_id = response.json()["deployment_id"]
    cancelled = await alice.post(f"/api/v1/deployments/{deployment_id}/cancel")
    assert cancelled.status_code == 202 and cancelled.json()["status"] == "cancelling"
    assert (await alice.post(f"/api/v1/deployments/{deployment_id}/cancel")).status_code == 409
    (sent,) = await outbox(harness, "deploy.deployment_cancel_requested")
    assert sent.payload.key() == deployment_id
    failed = DeploymentFailed(deployment_id=deployment_id, reason="cancelled by the user", cancelled=True)
    await publish(harness, [envelope(failed, await user_id(alice))] * 2)
    shown = (await alice.get(f"/api/v1/deployments/{deployment_id}")).json()["deployment"]
    assert shown["status"] == "cancelled" and shown["error"] == "cancelled by the user"
