"""The experiments list at 10,000 experiments (3 runs' metrics each): one page per query, as the grid asks.

Times ``ExperimentService.list`` (count + page ids + tags and metrics of the page) for the grid's queries on a
fresh PostgreSQL database (default) or SQLite, against the floor: a bare ``SELECT ... ORDER BY created_at LIMIT``
of the same page size on the same table. Prints the median and p95 per query and the ratio to the floor.

Run: .venv/bin/python benchmarks/bench_experiments_list.py [--database postgresql|sqlite] [--experiments 10000]
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import statistics
import tempfile
import time
from collections.abc import Awaitable, Callable
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import insert, select, text

from pfd_shared.db.migrate import upgrade
from pfd_shared.settings import DatabaseSettings
from pfd_shared.storage import InMemoryObjectStore
from pfd_shared.testing.infra import DEFAULT_POSTGRES_ADMIN_URL, POSTGRES_ADMIN_ENV, fresh_postgres_database

from pfd_gateway.bootstrap import build_gateway
from pfd_gateway.db import MIGRATIONS
from pfd_gateway.domain.access import ALL_SCOPES, Principal, Role
from pfd_gateway.experiments.query import ExperimentQuery
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.settings import GatewaySettings

PAGE = 50
OWNERS = 20
METRICS = ("record_accuracy", "window_accuracy", "macro_f1", "ece", "val_accuracy", "val_loss")
MODELS = ("cnn1d", "resnet1d", "cnn_lstm", "patch_transformer", "random_forest", "gradient_boosting")
STATUSES = ("evaluated", "evaluated", "evaluated", "failed", "running", "cancelled")
TAGS = ("baseline", "sweep", "gold", "ablation", "cwru")
BATCH = 2_000


async def fill(service: ExperimentService, count: int) -> None:
    rng, t = random.Random(0), service.tables
    start = datetime(2026, 1, 1, tzinfo=UTC)
    rows: dict[str, list[dict[str, object]]] = {"experiments": [], "metrics": [], "tags": []}
    for i in range(count):
        experiment_id, at = f"x{i:06d}", start + timedelta(minutes=i)
        rows["experiments"].append({
            "experiment_id": experiment_id, "owner_id": f"user-{i % OWNERS}",
            "name": f"experiment {i} {rng.random():.6f}",
            "dataset_id": f"set-{i % 7}", "dataset_name": f"data set {i % 7}", "model": MODELS[i % len(MODELS)],
            "preset": "small", "status": STATUSES[i % len(STATUSES)], "run_count": 3, "runs_done": 3,
            "config": {"epochs": 20, "seeds": [0, 1, 2]}, "created_at": at, "updated_at": at})
        for metric in METRICS:
            values = [rng.random() for _ in range(3)]
            rows["metrics"].append({"experiment_id": experiment_id, "metric": metric, "mean": statistics.mean(values),
                                    "std": statistics.stdev(values), "count": 3, "run_values": values})
        rows["tags"] += [{"experiment_id": experiment_id, "tag": tag} for tag in rng.sample(TAGS, 2)]
    async with service.sessions() as session, session.begin():
        for table, key in ((t.experiments, "experiments"), (t.metrics, "metrics"), (t.tags, "tags")):
            items = rows[key]
            for offset in range(0, len(items), BATCH):
                await session.execute(insert(table), items[offset:offset + BATCH])
    async with service.sessions() as session, session.begin():
        await session.execute(text("ANALYZE"))  # what autovacuum does after a bulk change


async def timed(call: Callable[[], Awaitable[object]], repeats: int) -> list[float]:
    await call()  # warm the plan and connection caches
    samples = []
    for _ in range(repeats):
        started = time.perf_counter()
        await call()
        samples.append((time.perf_counter() - started) * 1000)
    return samples


async def run(url: str, count: int, repeats: int) -> None:
    upgrade(MIGRATIONS, url)
    with tempfile.TemporaryDirectory() as var_dir:
        settings = GatewaySettings(var_dir=Path(var_dir), database=DatabaseSettings(url=url))
        gateway = build_gateway(settings, store=InMemoryObjectStore())
        service = gateway.experiments
        await fill(service, count)
        member = Principal("user-3", "m@pfd.bench", Role.MEMBER, ALL_SCOPES, "session")
        admin = Principal("admin", "a@pfd.bench", Role.ADMIN, ALL_SCOPES, "session")
        e = service.tables.experiments.c

        async def floor() -> object:
            async with service.sessions() as session:
                return (await session.execute(select(e.experiment_id).order_by(e.created_at.desc()).limit(PAGE))).all()

        queries = {
            "admin, newest first": (admin, ExperimentQuery(limit=PAGE)),
            "admin, by record_accuracy": (admin, ExperimentQuery(sort="record_accuracy", limit=PAGE)),
            "admin, by ece asc, page 100": (admin, ExperimentQuery(sort="ece", order="asc", offset=100 * PAGE,
                                                                  limit=PAGE)),
            "admin, model+status+tag": (admin, ExperimentQuery(models=["resnet1d"], statuses=["evaluated"],
                                                              tags=["gold"], sort="macro_f1", limit=PAGE)),
            "admin, text search": (admin, ExperimentQuery(q="experiment 12", limit=PAGE)),
            "member, by record_accuracy": (member, ExperimentQuery(sort="record_accuracy", limit=PAGE)),
        }
        floor_ms = statistics.median(await timed(floor, repeats))
        print(f"{count:,} experiments, {len(METRICS)} metrics each, page {PAGE}, {url.split(':')[0]}")
        print(f"{'query':32s} {'median ms':>10s} {'p95 ms':>8s} {'x floor':>8s}")
        print(f"{'floor (bare page SELECT)':32s} {floor_ms:10.2f} {'':>8s} {1.0:8.1f}")
        for name, (principal, query) in queries.items():
            samples = sorted(await timed(lambda p=principal, q=query: service.list(p, q), repeats))
            median, p95 = statistics.median(samples), samples[int(0.95 * (len(samples) - 1))]
            print(f"{name:32s} {median:10.2f} {p95:8.2f} {median / floor_ms:8.1f}")
        assert gateway.runtime.database is not None
        await gateway.runtime.database.engine.dispose()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", choices=("postgresql", "sqlite"), default="postgresql")
    parser.add_argument("--experiments", type=int, default=10_000)
    parser.add_argument("--repeats", type=int, default=30)
    args = parser.parse_args()
    with ExitStack() as stack:
        if args.database == "postgresql":
            admin = os.environ.get(POSTGRES_ADMIN_ENV, DEFAULT_POSTGRES_ADMIN_URL)
            url = stack.enter_context(fresh_postgres_database(admin))
        else:
            url = f"sqlite+aiosqlite:///{stack.enter_context(tempfile.TemporaryDirectory())}/bench.db"
        asyncio.run(run(url, args.experiments, args.repeats))


if __name__ == "__main__":
    main()
