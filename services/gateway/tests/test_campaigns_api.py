"""The campaigns API: bad campaigns are refused with reasons (422), a campaign is requested through the outbox,
others' campaigns answer 404, stop/resume/export answer by state."""

import pytest
from sqlalchemy import select

from pfd_shared.events import decode_event
from pfd_shared.testing.training_events import dataset_ready

SPACE = [{"name": "model_params.width", "kind": "int", "low": 8, "high": 32, "log": True},
         {"name": "optimiser.learning_rate", "kind": "float", "low": 1e-4, "high": 1e-2, "log": True}]


@pytest.fixture
async def alice(harness):
    await harness.user("alice@pfd.test")
    return await harness.login("alice@pfd.test")


@pytest.fixture
async def dataset(harness, alice) -> str:
    dataset_id = (await alice.post("/api/v1/datasets", json={"name": "set", "preset": "quick"})).json()["dataset_id"]
    owner = (await alice.get("/api/v1/auth/me")).json()["user"]["id"]
    await harness.gateway.runtime.bus.publish(dataset_ready(dataset_id, owner, samples_per_record=1024))
    return dataset_id


def body(dataset: str, **changes) -> dict:
    return {"name": "search", "dataset_id": dataset, "model": "cnn1d", "space": SPACE, "budget": 4,
            "base_config": {"epochs": 2, "window": {"length": 512}}} | changes


@pytest.mark.parametrize("changes, field, reason", [
    ({"space": []}, "space", "empty"),
    ({"budget": 0}, "budget", "between 1 and"),
    ({"dataset_id": "nope"}, "dataset_id", "unknown data set"),
    ({"space": [{"name": "model_params.width", "kind": "int", "low": 1, "high": 999}]}, "space.0.low", "must lie in"),
    ({"space": [{"name": "model_params.heads", "kind": "int", "low": 1, "high": 8}]}, "space.0.name", "no parameter"),
    ({"space": [{"name": "optimiser.learning_rate", "kind": "float", "low": 0, "high": 0.1}]}, "space.0.low",
     "must lie in (0, 1]"),
    ({"space": [{"name": "batch_size", "kind": "float", "low": 8, "high": 64}]}, "space.0.kind", "whole number"),
    ({"objective": "accuracy_latency"}, "objective", "latency"),
    ({"sampler": "grid"}, "space.1.step", "needs a step"),
    ({"base_config": {"window": {"length": 8192}}}, "config.window.length", "longer than"),
])
async def test_bad_campaigns_are_refused_with_the_reason(alice, dataset, changes, field, reason) -> None:
    response = await alice.post("/api/v1/campaigns", json=body(dataset, **changes))
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert detail["loc"][-1] == field and reason in detail["msg"]


async def test_a_campaign_is_requested_and_controlled_by_its_owner(harness, alice, dataset) -> None:
    created = await alice.post("/api/v1/campaigns", json=body(dataset))
    assert created.status_code == 201, created.text
    campaign = created.json()
    assert campaign["status"] == "requested" and campaign["trials"] == [] and campaign["budget"] == 4
    database = harness.gateway.runtime.database
    async with database.sessions() as session:
        sent = [decode_event(b) for b in (await session.execute(select(database.outbox.c.body))).scalars()]
    assert [(e.type, e.payload.campaign_id) for e in sent if e.type.startswith("campaigns.")] == [
        ("campaigns.requested", campaign["campaign_id"])]
    url = f"/api/v1/campaigns/{campaign['campaign_id']}"
    assert [c["campaign_id"] for c in (await alice.get("/api/v1/campaigns")).json()] == [campaign["campaign_id"]]
    await harness.user("bob@pfd.test")
    bob = await harness.login("bob@pfd.test")
    assert (await bob.get(url)).status_code == 404 and (await bob.get("/api/v1/campaigns")).json() == []
    assert (await alice.get(f"{url}/export?format=yaml")).status_code == 409  # no completed trial yet
    assert (await alice.post(f"{url}/resume")).status_code == 409
    assert (await alice.post(f"{url}/stop")).json()["status"] == "stopped"
    assert (await alice.post(f"{url}/stop")).status_code == 409
    assert (await alice.post(f"{url}/resume")).json()["status"] == "running"
