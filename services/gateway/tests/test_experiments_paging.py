"""The experiments read model at 10,000 experiments: server-side paging, sort by any metric, filters, text search,
ownership, projection and deletion — on SQLite and on the real PostgreSQL (each migrates a fresh database)."""

import os
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest
from faststream.kafka import TestKafkaBroker
from fastapi import FastAPI
from prometheus_client import CollectorRegistry
from sqlalchemy import create_engine, insert, text

from pfd_shared.db.migrate import upgrade
from pfd_shared.settings import DatabaseSettings
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.telemetry.metrics import ServiceMetrics
from pfd_shared.events.training import ExperimentDeleted
from pfd_shared.testing.infra import DEFAULT_POSTGRES_ADMIN_URL, POSTGRES_ADMIN_ENV, fresh_postgres_database
from pfd_shared.testing.training_events import dataset_ready, envelope, run_life

from pfd_gateway.auth.credentials import CSRF_COOKIE
from pfd_gateway.bootstrap import Gateway, create_app
from pfd_gateway.db import MIGRATIONS
from pfd_gateway.domain.access import Role
from pfd_gateway.settings import AuthSettings, GatewaySettings

TOTAL, ALICE_SHARE = 10_000, 7  # of every 10 experiments, 7 are alice's
MODELS = ("cnn1d", "resnet1d", "cnn_lstm", "random_forest")
STATUSES = ("evaluated", "failed", "running")
PASSWORD = "correct horse battery"
FAST_AUTH = {"argon2_time_cost": 1, "argon2_memory_kib": 8, "argon2_parallelism": 1, "create_dev_admin": False}
START = datetime(2026, 1, 1, tzinfo=UTC)


def accuracy(i: int) -> float | None:
    """Distinct accuracies (7919 is prime to 10,000); every tenth experiment has none yet."""
    return None if i % 10 == 6 else (i * 7919 % TOTAL) / TOTAL


def postgres_url() -> Iterator[str]:
    admin = os.environ.get(POSTGRES_ADMIN_ENV, DEFAULT_POSTGRES_ADMIN_URL)
    try:
        with create_engine(admin).connect() as connection:
            connection.execute(text("select 1"))
    except Exception as exc:  # noqa: BLE001 - any connection failure means no PostgreSQL here
        pytest.skip(f"no PostgreSQL at {admin}: {exc}")
    with fresh_postgres_database(admin) as url:
        yield url


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.integration)])
def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'gateway.db'}"
    else:
        yield from postgres_url()


@dataclass
class Many:
    app: FastAPI
    gateway: Gateway
    alice: httpx.AsyncClient
    bob: httpx.AsyncClient
    alice_id: str


async def login(app: FastAPI, gateway: Gateway, email: str) -> tuple[str, httpx.AsyncClient]:
    user_id = (await gateway.auth.users.create(email, PASSWORD, Role.MEMBER)).user.id
    client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://gw")
    response = await client.post("/api/v1/auth/login", json={"email": email, "password": PASSWORD})
    assert response.status_code == 200, response.text
    client.headers["X-CSRF-Token"] = client.cookies[CSRF_COOKIE]
    return user_id, client


@pytest.fixture
async def many(database_url: str, tmp_path: Path) -> AsyncIterator[Many]:
    """A gateway whose read model holds TOTAL experiments of alice and bob (inserted in bulk)."""
    upgrade(MIGRATIONS, database_url)
    settings = GatewaySettings(var_dir=tmp_path, instance_id="gw-paging", auth=AuthSettings(**FAST_AUTH),
                               database=DatabaseSettings(url=database_url))
    app = create_app(settings, ServiceMetrics(CollectorRegistry()), InMemoryObjectStore())
    gateway: Gateway = app.state.gateway
    async with TestKafkaBroker(gateway.runtime.broker):
        gateway.runtime.ready = True
        alice_id, alice = await login(app, gateway, "alice@pfd.test")
        bob_id, bob = await login(app, gateway, "bob@pfd.test")
        await fill(gateway, alice_id, bob_id)
        yield Many(app, gateway, alice, bob, alice_id)
    assert gateway.runtime.database is not None
    await gateway.runtime.database.engine.dispose()


def owner_of(i: int, alice_id: str, bob_id: str) -> str:
    return alice_id if i % 10 < ALICE_SHARE else bob_id


async def fill(gateway: Gateway, alice_id: str, bob_id: str) -> None:
    t = gateway.experiments.tables
    experiments, metrics, tags = [], [], []
    for i in range(TOTAL):
        at = START + timedelta(seconds=i)
        experiments.append({
            "experiment_id": f"e{i:05d}", "owner_id": owner_of(i, alice_id, bob_id), "name": f"run {i} of sweep",
            "dataset_id": f"d{i % 3}", "dataset_name": f"set {i % 3}", "model": MODELS[i % len(MODELS)],
            "preset": "small", "status": STATUSES[i % len(STATUSES)], "run_count": 1, "runs_done": 1, "config": {},
            "created_at": at, "updated_at": at})
        if (value := accuracy(i)) is not None:
            metrics.append({"experiment_id": f"e{i:05d}", "metric": "record_accuracy", "mean": value, "std": 0.0,
                            "count": 1, "run_values": [value]})
        if i % 5 == 0:
            tags.append({"experiment_id": f"e{i:05d}", "tag": "gold"})
    async with gateway.experiments.sessions() as session, session.begin():
        for table, rows in ((t.experiments, experiments), (t.metrics, metrics), (t.tags, tags)):
            for start in range(0, len(rows), 2_000):
                await session.execute(insert(table), rows[start:start + 2_000])


def alices() -> list[int]:
    return [i for i in range(TOTAL) if i % 10 < ALICE_SHARE]


async def page(client: httpx.AsyncClient, **params: object) -> dict:
    response = await client.get("/api/v1/experiments", params=params)
    assert response.status_code == 200, response.text
    return response.json()


async def test_sorting_by_a_metric_pages_through_only_your_own(many: Many) -> None:
    mine = alices()
    ranked = sorted((i for i in mine if accuracy(i) is not None), key=lambda i: -accuracy(i))  # type: ignore[operator]
    first = await page(many.alice, sort="record_accuracy", order="desc", limit=50)
    second = await page(many.alice, sort="record_accuracy", order="desc", limit=50, offset=50)
    assert first["total"] == len(mine) and first["limit"] == 50
    shown = [item["experiment_id"] for item in first["items"] + second["items"]]
    assert shown == [f"e{i:05d}" for i in ranked[:100]]
    assert first["items"][0]["metrics"]["record_accuracy"]["mean"] == pytest.approx(accuracy(ranked[0]))
    last = await page(many.alice, sort="record_accuracy", order="desc", limit=10, offset=len(mine) - 10)
    assert all("record_accuracy" not in item["metrics"] for item in last["items"])  # no metric yet: last
    unranked = sorted((i for i in mine if accuracy(i) is None), reverse=True)  # then newest first
    boundary = await page(many.alice, sort="record_accuracy", order="desc", limit=10, offset=len(ranked) - 4)
    assert [item["experiment_id"] for item in boundary["items"]] == [
        f"e{i:05d}" for i in ranked[-4:] + unranked[:6]]
    bob = await page(many.bob, sort="record_accuracy", limit=500)
    assert bob["total"] == TOTAL - len(mine) and all(item["owner_id"] != many.alice_id for item in bob["items"])


async def test_filters_combine_and_count_over_all_pages(many: Many) -> None:
    expected = [i for i in alices()
                if MODELS[i % len(MODELS)] == "resnet1d" and STATUSES[i % 3] == "evaluated" and i % 5 == 0]
    found = await page(many.alice, models=["resnet1d"], statuses=["evaluated"], tags=["gold"], sort="created_at",
                       order="asc", limit=500)
    assert found["total"] == len(expected)
    assert [item["experiment_id"] for item in found["items"]] == [f"e{i:05d}" for i in expected][:500]
    assert all(item["tags"] == ["gold"] for item in found["items"])
    by_set = await page(many.alice, dataset_ids=["d1"], limit=1)
    assert by_set["total"] == sum(1 for i in alices() if i % 3 == 1)


async def test_text_search_and_column_sorts(many: Many) -> None:
    found = await page(many.alice, q="RUN 123 ", limit=500)
    expected = {f"e{i:05d}" for i in alices() if "run 123" in f"run {i} of sweep"}
    assert found["total"] == len(expected) and {item["experiment_id"] for item in found["items"]} == expected
    by_name = await page(many.alice, sort="name", order="asc", limit=3)
    assert [item["name"] for item in by_name["items"]] == sorted(
        f"run {i} of sweep" for i in alices())[:3]
    escaped = await page(many.alice, q="100%", limit=5)
    assert escaped["total"] == 0


async def test_bad_list_parameters_are_422(many: Many) -> None:
    for params in ({"limit": 0}, {"limit": 100_000}, {"offset": -1}, {"order": "sideways"}, {"sort": "drop table;"},
                   {"colour": "red"}):
        assert (await many.alice.get("/api/v1/experiments", params=params)).status_code == 422, params


async def test_a_run_is_projected_and_deleted_among_ten_thousand(many: Many) -> None:
    bus = many.gateway.runtime.bus
    dataset_id = (await many.alice.post("/api/v1/datasets", json={"name": "s", "preset": "quick"})).json()["dataset_id"]
    await bus.publish(dataset_ready(dataset_id, many.alice_id))
    body = {"name": "fresh", "dataset_id": dataset_id, "config": {"window": {"length": 512}, "epochs": 2}}
    created = (await many.alice.post("/api/v1/experiments", json=body)).json()
    experiment_id, run_id = created["experiment_id"], created["runs"][0]["run_id"]
    life = run_life(experiment_id, run_id, dataset_id, many.alice_id, datetime.now(UTC), epochs=2,
                    record_accuracy=1.0)
    for event in [*life, *life]:
        await bus.publish(event)
    top = await page(many.alice, sort="record_accuracy", limit=1)
    assert top["items"][0]["experiment_id"] == experiment_id and top["items"][0]["status"] == "evaluated"
    assert len((await many.alice.get(f"/api/v1/experiments/{experiment_id}/runs/{run_id}/epochs")).json()) == 2
    assert (await many.alice.delete(f"/api/v1/experiments/{experiment_id}")).status_code == 202
    await bus.publish(envelope(ExperimentDeleted(experiment_id=experiment_id), many.alice_id))
    assert (await many.alice.get(f"/api/v1/experiments/{experiment_id}")).status_code == 404
    assert (await page(many.alice, limit=1))["total"] == len(alices())
