"""Idempotent handling and the transactional outbox, on SQLite (PostgreSQL runs the same in integration)."""

import json
from uuid import uuid4

import pytest
from sqlalchemy import MetaData, select

from pfd_shared.db.engine import make_engine, make_session_factory
from pfd_shared.db.idempotency import handle_once
from pfd_shared.db.messaging_tables import add_messaging_tables
from pfd_shared.db.outbox import OutboxRelay, add_to_outbox
from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.system import ServiceStatusRequested
from pfd_shared.settings import DatabaseSettings


@pytest.fixture
async def db(tmp_path):
    metadata = MetaData()
    tables = add_messaging_tables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'unit.db'}", DatabaseSettings())
    async with engine.begin() as connection:
        await connection.run_sync(metadata.create_all)
    yield make_session_factory(engine), tables
    await engine.dispose()


def _event():
    return new_envelope(ServiceStatusRequested(request_id=uuid4(), requested_by="unit"), producer="unit")


async def test_an_event_is_processed_once_per_group(db) -> None:
    sessions, tables = db
    calls = []

    async def work(session):
        calls.append(1)
        return "done"

    event = _event()
    assert await handle_once(sessions, tables.processed_events, "g1", event, work) == "done"
    assert await handle_once(sessions, tables.processed_events, "g1", event, work) is None
    assert await handle_once(sessions, tables.processed_events, "g2", event, work) == "done"
    assert len(calls) == 2


async def test_failed_work_rolls_back_the_processed_mark(db) -> None:
    sessions, tables = db
    event = _event()

    async def failing(session):
        await add_to_outbox(session, tables.outbox, _event())
        raise RuntimeError("boom")

    with pytest.raises(RuntimeError):
        await handle_once(sessions, tables.processed_events, "g", event, failing)
    async with sessions() as session:
        assert (await session.execute(select(tables.outbox))).all() == []
    assert await handle_once(sessions, tables.processed_events, "g", event, lambda s: _noop()) == "ok"


async def _noop() -> str:
    return "ok"


async def test_outbox_rows_are_relayed_in_order_then_marked(db) -> None:
    sessions, tables = db
    published = []

    async def publish(body, topic, key, headers):
        published.append((decode_event(body).event_id, topic, key, headers))

    events = [_event() for _ in range(5)]
    async with sessions() as session, session.begin():
        for event in events:
            await add_to_outbox(session, tables.outbox, event)
    relay = OutboxRelay(sessions, tables.outbox, publish, batch_size=3, poll_interval_s=0.01)
    assert await relay.pending() == 5
    assert await relay.relay_once() == 3
    assert await relay.relay_once() == 2
    assert await relay.relay_once() == 0
    assert [p[0] for p in published] == [e.event_id for e in events]
    assert published[0][1] == "pfd.system.status-requested"
    assert published[0][3]["pfd-event-type"] == "system.status_requested"
    assert await relay.pending() == 0


async def test_a_failed_publish_leaves_rows_pending(db) -> None:
    sessions, tables = db

    async def broken(*_):
        raise ConnectionError("broker down")

    async with sessions() as session, session.begin():
        await add_to_outbox(session, tables.outbox, _event())
    relay = OutboxRelay(sessions, tables.outbox, broken, batch_size=10, poll_interval_s=0.01)
    with pytest.raises(ConnectionError):
        await relay.relay_once()
    assert await relay.pending() == 1
