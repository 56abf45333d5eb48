"""What explanations and embeddings share: finding the caller's trained run (through the experiment service's
access rules), ownership of the rows, and sending a command through the outbox with its row."""

from __future__ import annotations

import asyncio
import uuid
from dataclasses import dataclass
from typing import Any

import numpy as np
from sqlalchemy import Table, insert, select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.storage import ObjectStore
from pfd_shared.telemetry.logging import correlation_id_var
from pfd_shared.training import ModelInfo

from pfd_gateway.auth.errors import AuthError, NotFound
from pfd_gateway.datasets.service import DatasetCatalog
from pfd_gateway.domain.access import Principal
from pfd_gateway.experiments.service import ExperimentService
from pfd_gateway.experiments.views import ExperimentDetail, RunPublic
from pfd_gateway.explanations import arrays, requests
from pfd_gateway.explanations.tables import ExplanationTables
from pfd_gateway.settings import ExplanationSettings


@dataclass(frozen=True)
class RunContext:
    """A trained neural run the caller may see, with its model's facts (from its training data set)."""

    experiment: ExperimentDetail
    run: RunPublic
    model: ModelInfo
    window_length: int
    sample_rate_hz: float | None
    class_names: list[str]


class ExplainedRuns:
    """The base of the explanation and embedding services (one database, outbox and object store)."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession], tables: ExplanationTables, outbox: Table,
                 relay: OutboxRelay, experiments: ExperimentService, datasets: DatasetCatalog, store: ObjectStore,
                 settings: ExplanationSettings, *, producer: str) -> None:
        self.sessions, self.tables, self.outbox, self.relay = sessions, tables, outbox, relay
        self.experiments, self.datasets, self.store = experiments, datasets, store
        self.settings, self.producer = settings, producer

    async def run_context(self, principal: Principal, experiment_id: str, run_id: str) -> RunContext:
        """NotFound for an experiment or run the caller cannot see; InvalidInput for one that cannot be explained."""
        experiment = await self.experiments.get(principal, experiment_id)
        run = requests.trained_run(experiment, run_id)
        model = requests.neural_model(experiment)
        try:
            trained_on = await self.datasets.get(principal, experiment.dataset_id)
        except AuthError:  # deleted since, or not visible: the xai service still checks the rate
            trained_on = {}
        return RunContext(experiment, run, model, requests.window_length(experiment),
                          trained_on.get("sample_rate_hz"), list(trained_on.get("class_names") or ()))

    async def owned_row(self, principal: Principal, table: Table, id_column: str, row_id: str,
                        what: str) -> dict[str, Any]:
        """The row if the caller owns it (or is an admin); another user's looks exactly like a missing one."""
        async with self.sessions() as session:
            row = (await session.execute(select(table).where(table.c[id_column] == row_id))).mappings().first()
        if row is None or (row["owner_id"] != principal.user_id and not principal.is_admin):
            raise NotFound(f"No such {what}.")
        return dict(row)

    async def reusable_row(self, principal: Principal, table: Table, digest: str,
                           statuses: frozenset[str]) -> dict[str, Any] | None:
        """The caller's newest row asking the same question whose status is one of ``statuses``."""
        c = table.c
        query = select(table).where(c.owner_id == principal.user_id, c.request_hash == digest,
                                    c.status.in_(statuses)).order_by(c.created_at.desc()).limit(1)
        async with self.sessions() as session:
            row = (await session.execute(query)).mappings().first()
        return dict(row) if row is not None else None

    async def owned_rows(self, principal: Principal, table: Table, **equal: str | None) -> list[dict[str, Any]]:
        """The caller's rows (every row for admins), newest first, filtered by the non-None ``equal`` columns."""
        c = table.c
        where = [c[name] == value for name, value in equal.items() if value is not None]
        if not principal.is_admin:
            where.append(c.owner_id == principal.user_id)
        query = select(table).where(*where).order_by(c.created_at.desc()).limit(self.settings.listed)
        async with self.sessions() as session:
            return [dict(row) for row in (await session.execute(query)).mappings().all()]

    async def insert_and_send(self, table: Table, values: dict[str, Any], envelope: Envelope[Any]) -> None:
        """The row and its command in one transaction (the outbox relay publishes the command)."""
        async with self.sessions() as session, session.begin():
            await session.execute(insert(table).values(**values))
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()

    async def send(self, envelope: Envelope[Any]) -> None:
        async with self.sessions() as session, session.begin():
            await add_to_outbox(session, self.outbox, envelope)
        self.relay.notify()

    async def read_arrays(self, key: str) -> dict[str, np.ndarray]:
        return await asyncio.to_thread(arrays.load_npz, self.store, key)

    def envelope(self, payload: EventPayload, owner: str) -> Envelope[Any]:
        correlation = correlation_id_var.get()
        return new_envelope(payload, producer=self.producer, owner=owner,
                            correlation_id=uuid.UUID(correlation) if correlation else None)


def new_id() -> str:
    return uuid.uuid4().hex[:16]
