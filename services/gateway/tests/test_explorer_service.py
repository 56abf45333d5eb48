"""DataExplorer over the in-memory store: small arrays read by ranged GETs only and cached, filters, summaries,
ranking, records table, access, and projections requested through the outbox and answered from the store."""

import io
import json

import numpy as np
import pytest
from sqlalchemy import select

from pfd_shared.events import decode_event, new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.events.projections import ProjectionProgress, ProjectionReady
from pfd_shared.exploration.models import ProjectionSpec, Range, RecordFilter, projection_id
from pfd_shared.storage.keys import projection_key
from pfd_shared.testing.hdf5_datasets import EXPLORER_CLASSES, TEST_FEATURE_NAMES, explorer_file_bytes
from pfd_shared.testing.stores import RangedOnlyStore

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.domain.access import Principal, Role, Scope

RECORDS = 90
EVERYTHING = RecordFilter()


class ExplorerStore(RangedOnlyStore):
    """Data-set objects by ranged GETs only; projection results (small) may be read whole, and are counted."""

    def __init__(self) -> None:
        super().__init__()
        self.whole = 0

    def get_bytes(self, key: str) -> bytes:
        if "/projections/" not in key:
            return super().get_bytes(key)
        self.whole += 1
        return self.read_range(key, 0, self.stat(key).size)


@pytest.fixture
def store(harness) -> ExplorerStore:
    store = ExplorerStore()
    harness.gateway.datasets.store = store
    harness.gateway.explorer.store = store
    return store


def member(user_id: str) -> Principal:
    return Principal(user_id, f"{user_id}@pfd.test", Role.MEMBER, frozenset(Scope), "session")


async def ready(harness, store, owner: str, dataset_id: str = "explore1", imported: bool = False) -> str:
    key = f"datasets/{dataset_id}/dataset.h5"
    content = explorer_file_bytes(RECORDS, imported=imported)
    store.put_bytes(key, content)
    event = DatasetReady(dataset_id=dataset_id, name="explorer set", kind="synthetic", object_key=key,
                         size_bytes=len(content), sha256="00", records=RECORDS, samples_per_record=64,
                         sample_rate_hz=1000.0, class_names=EXPLORER_CLASSES, class_counts=(30, 30, 30),
                         feature_names=TEST_FEATURE_NAMES, split_counts={"train": 63, "val": 13, "test": 14},
                         seconds=0.1)
    await harness.gateway.runtime.bus.publish(new_envelope(event, producer="data-gen", owner=owner))
    return dataset_id


@pytest.fixture
async def alice(harness, store):
    user = await harness.user("alice@pfd.test")
    await ready(harness, store, user)
    return member(user)


async def outbox(harness):
    database = harness.gateway.runtime.database
    async with database.sessions() as session:
        rows = (await session.execute(select(database.outbox).order_by("id"))).all()
    return [decode_event(row.body) for row in rows]


async def test_describe_reads_only_small_arrays_once(harness, store, alice) -> None:
    explorer = harness.gateway.explorer
    described = await explorer.describe(alice, "explore1")
    info = described.description
    assert info.class_names == EXPLORER_CLASSES and info.severity_levels == ("nominal", "mild", "severe")
    assert info.splits == ("train", "val", "test") and info.ranges["speed_hz"] == (20.0, 29.0)
    assert list(info.feature_groups) == ["time", "frequency", "envelope", "wavelet", "bispectrum"]
    assert [c.col_id for c in described.columns][:4] == ["record", "class", "severity", "level"]
    reads = store.ranged  # RangedOnlyStore refuses whole-object reads: only ranged GETs happened
    await explorer.overview(alice, "explore1", EVERYTHING)
    await explorer.correlation(alice, "explore1", EVERYTHING)
    assert store.ranged == reads  # the arrays are cached per object


async def test_overview_follows_the_filter(harness, alice) -> None:
    explorer = harness.gateway.explorer
    everything = await explorer.overview(alice, "explore1", EVERYTHING)
    assert everything.selected == RECORDS and [c.records for c in everything.classes] == [30, 30, 30]
    assert everything.severity_counts["healthy"] == {"nominal": 30}
    assert sum(everything.classes[0].splits.values()) == 30
    narrowed = await explorer.overview(alice, "explore1", RecordFilter(
        classes=("unbalance",), severities=("mild",), ranges={"speed_hz": Range(low=21, high=24)}))
    assert [c.name for c in narrowed.classes] == ["unbalance"]
    assert narrowed.severity_counts == {"unbalance": {"mild": narrowed.selected}}
    assert 0 < narrowed.selected < 30
    only_test = await explorer.overview(alice, "explore1", RecordFilter(splits=("test",)))
    assert only_test.selected == sum(c.splits["test"] for c in everything.classes)


async def test_distribution_correlation_and_cached_ranking(harness, alice) -> None:
    explorer = harness.gateway.explorer
    shown = await explorer.distribution(alice, "explore1", EVERYTHING, "rms")
    assert [c.name for c in shown.classes] == list(EXPLORER_CLASSES)
    assert sum(int(c.sum()) for c in shown.counts.values()) == RECORDS
    with pytest.raises(InvalidInput):
        await explorer.distribution(alice, "explore1", EVERYTHING, "no_such_feature")
    correlation = await explorer.correlation(alice, "explore1", EVERYTHING)
    assert correlation.matrix.shape == (36, 36) and np.allclose(np.diag(correlation.matrix), 1.0)
    ranking = await explorer.ranking(alice, "explore1", EVERYTHING)
    assert ranking.names[0] == "rms" and len(ranking.names) == 36 and ranking.scores[0] > ranking.scores[-1]
    hits = explorer.results.hits
    assert await explorer.ranking(alice, "explore1", EVERYTHING) is ranking and explorer.results.hits == hits + 1
    single = await explorer.ranking(alice, "explore1", RecordFilter(classes=("healthy",)))
    assert not single.names and "two classes" in single.note


async def test_records_table_pages_sorts_and_filters_on_the_server(harness, alice) -> None:
    explorer = harness.gateway.explorer
    page = await explorer.records(alice, "explore1", RecordFilter(classes=("misalignment",)), {
        "startRow": 0, "endRow": 5, "sortModel": [{"colId": "speed_hz", "sort": "desc"}],
        "filterModel": {"f:rms": {"filterType": "number", "type": "greaterThan", "filter": 1.0}}})
    assert page.row_count == 30 and len(page.rows) == 5
    assert all(row["class"] == "misalignment" for row in page.rows)
    speeds = [row["speed_hz"] for row in page.rows]
    assert speeds == sorted(speeds, reverse=True)
    with pytest.raises(InvalidInput):
        await explorer.records(alice, "explore1", EVERYTHING, {"sortModel": [{"colId": "nope", "sort": "asc"}]})


async def test_other_users_and_unready_sets_are_refused(harness, store, alice) -> None:
    bob = member(await harness.user("bob@pfd.test"))
    with pytest.raises(NotFound):
        await harness.gateway.explorer.overview(bob, "explore1", EVERYTHING)
    store.put_bytes("datasets/broken/dataset.h5", b"not hdf5")
    event = DatasetReady(dataset_id="broken", name="broken", kind="synthetic", object_key="datasets/broken/dataset.h5",
                         size_bytes=8, sha256="00", records=1, samples_per_record=1, sample_rate_hz=1.0,
                         class_names=("a",), class_counts=(1,), feature_names=("rms",), split_counts={}, seconds=0.1)
    await harness.gateway.runtime.bus.publish(new_envelope(event, producer="data-gen", owner=alice.user_id))
    with pytest.raises(Conflict):
        await harness.gateway.explorer.describe(alice, "broken")


def store_result(store, object_key: str, pid: str, coordinates: np.ndarray) -> None:
    buffer = io.BytesIO()
    np.save(buffer, coordinates)
    store.put_bytes(projection_key(object_key, pid, "npy"), buffer.getvalue())
    store.put_bytes(projection_key(object_key, pid, "json"), json.dumps(
        {"records": len(coordinates), "explained_variance": [0.5, 0.2]}).encode())


async def test_projection_is_requested_once_pushed_to_its_watcher_and_then_served_from_memory(harness, store,
                                                                                               alice) -> None:
    explorer, hub = harness.gateway.explorer, harness.gateway.hub
    spec, only_healthy = ProjectionSpec(method="tsne", perplexity=10), RecordFilter(classes=("healthy",))
    pid = projection_id("datasets/explore1/dataset.h5", spec, only_healthy)
    view = await explorer.projection(alice, "explore1", spec, only_healthy, start=False)
    assert view.status == "not_computed" and view.projection_id == pid and view.selected == 30
    view = await explorer.projection(alice, "explore1", spec, only_healthy, start=True)
    await explorer.projection(alice, "explore1", spec, only_healthy, start=True)  # in flight: not sent twice
    requests = [e for e in await outbox(harness) if e.type == "projections.requested"]
    assert view.status == "requested" and len(requests) == 1
    assert requests[0].owner == alice.user_id and requests[0].payload.projection_id == pid
    assert requests[0].payload.record_filter == only_healthy

    frames = hub.subscribe(owner=alice.user_id)
    progress = new_envelope(ProjectionProgress(projection_id=pid, dataset_id="explore1", stage="t-SNE", done=50,
                                               total=100), producer="data-gen", owner=alice.user_id)
    await explorer.project_events([(progress, progress.model_dump_json().encode())])
    assert json.loads(frames.queue.get_nowait())["type"] == "projections.progress"
    running = await explorer.projection(alice, "explore1", spec, only_healthy, start=True)
    assert running.status == "running" and running.fraction == pytest.approx(0.5)

    store_result(store, "datasets/explore1/dataset.h5", pid, np.arange(60, dtype=np.float32).reshape(30, 2))
    done = new_envelope(ProjectionReady(projection_id=pid, dataset_id="explore1", method="tsne", records=30,
                                        object_key=projection_key("datasets/explore1/dataset.h5", pid, "npy"),
                                        seconds=1.0), producer="data-gen", owner=alice.user_id)
    await explorer.project_events([(done, done.model_dump_json().encode())])
    shown = await explorer.projection(alice, "explore1", spec, only_healthy, start=False)
    assert shown.status == "ready" and shown.coordinates.shape == (30, 2)
    assert set(shown.classes) == {"healthy"} and shown.rows.tolist() == list(range(0, RECORDS, 3))
    reads = store.ranged, store.whole
    again = await explorer.projection(alice, "explore1", spec, only_healthy, start=True)
    assert again.status == "ready" and (store.ranged, store.whole) == reads  # the repeat comes from memory
    assert len([e for e in await outbox(harness) if e.type == "projections.requested"]) == 1


async def test_cancel_goes_out_through_the_outbox(harness, alice) -> None:
    spec = ProjectionSpec(method="umap")
    await harness.gateway.explorer.cancel_projection(alice, "explore1", spec, EVERYTHING)
    sent = (await outbox(harness))[-1]
    assert sent.type == "projections.cancel_requested"
    assert sent.payload.projection_id == projection_id("datasets/explore1/dataset.h5", spec, EVERYTHING)


async def test_imported_sets_have_no_severity_but_still_filter(harness, store) -> None:
    carol = member(await harness.user("carol@pfd.test"))
    await ready(harness, store, carol.user_id, "imported1", imported=True)
    explorer = harness.gateway.explorer
    described = await explorer.describe(carol, "imported1")
    assert described.description.severity_levels == () and "severity" not in [c.col_id for c in described.columns]
    assert (await explorer.overview(carol, "imported1", RecordFilter(severities=("mild",)))).selected == 0
