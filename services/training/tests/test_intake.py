"""Run intake, cancel, resume and delete through the subscribers' service (TestKafkaBroker, SQLite, fake core)."""

from pfd_shared.events import new_envelope
from pfd_shared.events.training import (
    ExperimentDeleteRequested,
    TrainingCancelRequested,
    TrainingResumeRequested,
)

from pfd_training import runs


async def run_state(app, run_id):
    async with app.runtime.database.sessions() as session:
        return await runs.get(session, run_id)


async def test_a_request_is_recorded_once_and_queued(app, kit) -> None:
    first = kit.request("run-a")
    again = kit.request("run-a")  # same run, another event (a retried request)
    assert await app.jobs.accept(first)
    assert not await app.jobs.accept(first)  # redelivery
    assert not await app.jobs.accept(again)
    queued = await kit.events(app)
    assert [e.type for e in queued] == ["training.queued"]
    assert queued[0].owner == "user-1" and queued[0].correlation_id == first.correlation_id
    row = await run_state(app, "run-a")
    assert row.state == runs.QUEUED and row.attempts == 0


async def test_an_invalid_config_fails_at_once_naming_the_field(app, kit) -> None:
    await app.jobs.accept(kit.request("bad", config={"model": "cnn1d", "epochs": 0}))
    (failed,) = await kit.events(app)
    assert failed.type == "training.failed" and "epochs" in failed.payload.reason
    assert (await run_state(app, "bad")).state == runs.FAILED


async def test_a_queued_run_is_cancelled_without_starting_and_can_be_resumed(app, kit) -> None:
    await app.jobs.accept(kit.request("run-c"))
    await app.jobs.cancel(new_envelope(TrainingCancelRequested(experiment_id="exp-1", run_id="run-c"), producer="t"))
    assert await kit.types(app) == ["training.queued", "training.cancelled"]
    cancelled = (await kit.events(app))[-1].payload
    assert cancelled.epoch == 0 and cancelled.checkpoint_key is None
    await app.jobs.resume(new_envelope(TrainingResumeRequested(experiment_id="exp-1", run_id="run-c"), producer="t"))
    await app.jobs.resume(new_envelope(TrainingResumeRequested(experiment_id="exp-1", run_id="run-c"), producer="t"))
    assert await kit.types(app) == ["training.queued", "training.cancelled", "training.queued"]
    assert (await run_state(app, "run-c")).state == runs.QUEUED


async def test_deleting_an_experiment_removes_its_objects_and_ignores_late_requests(app, kit) -> None:
    store = app.jobs.store
    await app.jobs.accept(kit.request("run-d", experiment_id="exp-del"))
    store.put_bytes("results/exp-del/run-d/checkpoint.pt", b"1")
    store.put_bytes("results/exp-del/run-d/model.pt", b"m")
    store.put_bytes("results/exp-keep/run-k/model.pt", b"k")
    await app.jobs.delete_experiment(new_envelope(ExperimentDeleteRequested(experiment_id="exp-del"), producer="t"))
    deleted = (await kit.events(app))[-1]
    assert deleted.type == "training.experiment_deleted" and deleted.payload.objects_removed == 2
    assert [o.key for o in store.list("results/")] == ["results/exp-keep/run-k/model.pt"]
    assert (await run_state(app, "run-d")).state == runs.DELETED
    assert not await app.jobs.accept(kit.request("run-late", experiment_id="exp-del"))
    assert await run_state(app, "run-late") is None
