"""Signal Viewer over the in-memory store: one record read by ranged GETs, analysis, zoom, exports, access."""

import io

import numpy as np
import pytest

from pfd_shared.testing.stores import RangedOnlyStore
from pfd_shared.events import new_envelope
from pfd_shared.events.datasets import DatasetReady
from pfd_shared.testing.hdf5_datasets import TEST_CLASSES, TEST_FEATURE_NAMES, dataset_file_bytes, sample_signals

from pfd_gateway.auth.errors import InvalidInput, NotFound
from pfd_gateway.domain.access import Principal, Role, Scope

FS, RECORDS, SAMPLES = 20_480.0, 6, 20_480


@pytest.fixture(scope="module")
def signals() -> np.ndarray:
    return sample_signals(RECORDS, SAMPLES, FS)


@pytest.fixture
def store(harness) -> RangedOnlyStore:
    store = RangedOnlyStore()
    harness.gateway.datasets.store = store
    harness.gateway.signals.reader.store = store
    return store


def member(user_id: str, role: Role = Role.MEMBER) -> Principal:
    return Principal(user_id, f"{user_id}@pfd.test", role, frozenset(Scope), "session")


async def ready_dataset(harness, store, owner: str, signals: np.ndarray, dataset_id: str, rolling: bool = True) -> str:
    key = f"datasets/{dataset_id}/dataset.h5"
    content = dataset_file_bytes(signals, FS, rolling=rolling)
    store.put_bytes(key, content)
    event = DatasetReady(dataset_id=dataset_id, name="viewer set", kind="synthetic", object_key=key,
                         size_bytes=len(content), sha256="00", records=RECORDS, samples_per_record=SAMPLES,
                         sample_rate_hz=FS, class_names=TEST_CLASSES, class_counts=(3, 3),
                         feature_names=TEST_FEATURE_NAMES, split_counts={"train": RECORDS}, seconds=0.1)
    await harness.gateway.runtime.bus.publish(new_envelope(event, producer="data-gen", owner=owner))
    return dataset_id


async def test_record_view_reads_one_record_by_ranged_gets(harness, store, signals) -> None:
    alice = await harness.user("alice@pfd.test")
    dataset_id = await ready_dataset(harness, store, alice, signals, "viewer1")
    viewer = harness.gateway.signals
    assert [row["dataset_id"] for row in await viewer.ready_datasets(member(alice))] == [dataset_id]
    view = await viewer.record(member(alice), dataset_id, 3)
    assert view.records == RECORDS and view.label == 1 and view.class_name == TEST_CLASSES[1]
    assert view.speed_hz == pytest.approx(29.95) and view.duration_s == pytest.approx(1.0)
    assert len(view.time.y) <= 2 * harness.gateway.settings.signals.display_buckets
    assert view.time.y.max() == signals[3].max()
    assert view.psd.x[np.argmax(view.psd.y)] == pytest.approx(29.95, abs=FS / 4_096)
    assert {m.label for m in view.markers.bearing} == {"BPFO", "BPFI", "BSF", "FTF"}
    assert list(view.features) == ["time", "frequency", "envelope", "wavelet", "bispectrum"]
    assert sum(len(group) for group in view.features.values()) == 36 and view.features["time"]["rms"] == 3.0
    first = store.ranged
    await viewer.record(member(alice), dataset_id, 4, window=256)
    assert store.ranged - first <= 3  # the open file is kept: only the record's chunk (and maybe an index node)


async def test_zoom_window_is_full_resolution(harness, store, signals) -> None:
    alice = await harness.user("alice@pfd.test")
    dataset_id = await ready_dataset(harness, store, alice, signals, "viewer2")
    window = await harness.gateway.signals.window(member(alice), dataset_id, 2, 0.25, 0.30)
    start = int(0.25 * FS)
    np.testing.assert_array_equal(window.y, signals[2][start : start + len(window.y)])
    assert window.x[0] == pytest.approx(start / FS) and len(window.y) >= 0.05 * FS


async def test_journal_sets_explain_missing_bearing_markers(harness, store, signals) -> None:
    alice = await harness.user("alice@pfd.test")
    dataset_id = await ready_dataset(harness, store, alice, signals, "viewer3", rolling=False)
    view = await harness.gateway.signals.record(member(alice), dataset_id, 0)
    assert view.markers.bearing == () and "Journal" in view.markers.note and view.markers.harmonics


async def test_unknown_record_is_not_found_and_a_bad_window_refused_by_field(harness, store, signals) -> None:
    alice = await harness.user("alice@pfd.test")
    dataset_id = await ready_dataset(harness, store, alice, signals, "viewer4")
    with pytest.raises(NotFound) as refused:
        await harness.gateway.signals.record(member(alice), dataset_id, RECORDS)
    assert "Record 6 does not exist" in str(refused.value) and "0 to 5" in str(refused.value)
    with pytest.raises(InvalidInput):
        await harness.gateway.signals.record(member(alice), dataset_id, 0, window=333)


async def test_exports_and_other_members_get_404(harness, store, signals) -> None:
    alice_id = await harness.user("alice@pfd.test")
    await harness.user("bob@pfd.test")
    dataset_id = await ready_dataset(harness, store, alice_id, signals, "viewer5")
    alice, bob = await harness.login("alice@pfd.test"), await harness.login("bob@pfd.test")
    npy = await alice.get(f"/api/v1/datasets/{dataset_id}/records/1.npy")
    assert npy.status_code == 200 and "viewer5-record-1.npy" in npy.headers["content-disposition"]
    np.testing.assert_array_equal(np.load(io.BytesIO(npy.content)), signals[1])
    csv = await alice.get(f"/api/v1/datasets/{dataset_id}/records/1.csv")
    table = np.loadtxt(io.StringIO(csv.text), delimiter=",", skiprows=1)
    assert csv.text.startswith("time_s,amplitude") and table.shape == (SAMPLES, 2)
    np.testing.assert_allclose(table[:, 1], signals[1], rtol=1e-6)
    assert (await bob.get(f"/api/v1/datasets/{dataset_id}/records/1.npy")).status_code == 404
    assert (await alice.get(f"/api/v1/datasets/{dataset_id}/records/1.wav")).status_code in (404, 422)
    unknown = await alice.get(f"/api/v1/datasets/{dataset_id}/records/99.csv")
    assert unknown.status_code == 404 and "Record 99 does not exist" in unknown.text
    assert (await harness.client().get(f"/api/v1/datasets/{dataset_id}/records/1.npy")).status_code == 401
    with pytest.raises(NotFound):
        await harness.gateway.signals.record(member("bob-id"), dataset_id, 0)
    admin = member("root", Role.ADMIN)
    assert (await harness.gateway.signals.record(admin, dataset_id, 0)).index == 0
