"""Worker slots with the fake core: a run end to end, cancel while running, shutdown hand-back, takeover of a dead
worker's run from its checkpoint (no lost or repeated epochs), a vanished data set, crash loops."""

import asyncio

from pfd_shared.events import new_envelope
from pfd_shared.events.training import ExperimentDeleteRequested, TrainingCancelRequested

from pfd_training import runs

EPOCHS = 3


async def row(app, run_id):
    async with app.runtime.database.sessions() as session:
        return await runs.get(session, run_id)


async def finished(app, kit, run_id, last="training.evaluation_completed"):
    await kit.wait_for(lambda: _has(app, kit, run_id, last))


async def _has(app, kit, run_id, event_type):
    return event_type in await kit.types(app, run_id)


async def test_a_run_trains_checkpoints_and_is_evaluated(app, kit, core) -> None:
    await app.jobs.accept(kit.request("run-1", epochs=EPOCHS))
    app.pool.start()
    await finished(app, kit, "run-1")
    assert await kit.types(app, "run-1") == ["training.queued", "training.started"] + [
        "training.epoch_completed"] * EPOCHS + ["training.completed", "training.evaluation_completed"]
    by_type = {e.type: e.payload for e in await kit.events(app)}
    assert by_type["training.started"].worker == "worker-a" and by_type["training.started"].train_windows > 0
    completed = by_type["training.completed"]
    assert completed.artefacts["model"] == "results/exp-1/run-1/model.pt"
    assert completed.artefacts["checkpoint"] == "results/exp-1/run-1/checkpoint.pt"
    store = app.jobs.store
    assert store.get_bytes(completed.artefacts["model"]) == b"model-bytes"
    assert store.get_bytes(completed.artefacts["checkpoint"]) == str(EPOCHS).encode()
    assert by_type["training.evaluation_completed"].report_key == "results/exp-1/run-1/evaluation.json"
    assert b'"epochs"' in store.get_bytes(completed.artefacts["history"])
    done = await row(app, "run-1")
    assert done.state == runs.COMPLETED and done.epochs_done == EPOCHS and done.checkpoint_epoch == EPOCHS
    assert app.pool.capacity().busy == 0 and app.pool.capacity().slots == 1


async def test_cancel_stops_a_running_run_and_keeps_its_checkpoint(app, kit, core) -> None:
    core.hold_after = 1
    await app.jobs.accept(kit.request("run-2", epochs=EPOCHS))
    app.pool.start()
    await kit.wait_for(core.holding.is_set)
    assert app.pool.capacity().jobs == ("run-2",)
    cancel = new_envelope(TrainingCancelRequested(experiment_id="exp-1", run_id="run-2"), producer="t")
    await app.jobs.cancel(cancel)  # the consumer group's share: flags the running run
    app.jobs.stop_local([(cancel, b"")])  # the broadcast's share: stops it here at once
    await finished(app, kit, "run-2", "training.cancelled")
    cancelled = (await kit.events(app))[-1].payload
    assert cancelled.epoch == 1 and cancelled.checkpoint_key == "results/exp-1/run-2/checkpoint.pt"
    assert app.jobs.store.get_bytes(cancelled.checkpoint_key) == b"1"
    assert (await row(app, "run-2")).state == runs.CANCELLED


async def test_the_heartbeat_sees_a_cancel_flagged_by_another_instance(app, kit, core) -> None:
    core.hold_after = 1
    await app.jobs.accept(kit.request("run-3", epochs=EPOCHS))
    app.pool.start()
    await kit.wait_for(core.holding.is_set)
    await app.jobs.cancel(new_envelope(TrainingCancelRequested(experiment_id="exp-1", run_id="run-3"), producer="t"))
    await finished(app, kit, "run-3", "training.cancelled")


async def test_shutdown_hands_the_run_back_and_a_new_worker_resumes_it(make_app, kit, core) -> None:
    first = make_app("worker-a")
    core.hold_after = 1
    await first.jobs.accept(kit.request("run-4", epochs=EPOCHS))
    first.pool.start()
    await kit.wait_for(core.holding.is_set)
    await first.pool.stop()
    assert (await row(first, "run-4")).state == runs.QUEUED
    core.hold_after = None
    second = make_app("worker-b")
    second.pool.start()
    try:
        await finished(second, kit, "run-4")
    finally:
        await second.pool.stop()
    assert core.resumed_from == [0, 1]
    types = await kit.types(second, "run-4")
    assert types.count("training.epoch_completed") == EPOCHS and types.count("training.started") == 2
    assert types[:4] == ["training.queued", "training.started", "training.epoch_completed", "training.queued"]
    assert (await row(second, "run-4")).attempts == 1  # a hand-back is not a failed attempt


async def test_a_dead_workers_run_is_taken_over_after_its_lease_and_resumed(app, kit, core) -> None:
    await app.jobs.accept(kit.request("run-5", epochs=4))
    async with app.runtime.database.sessions() as session, session.begin():  # a worker took it and died ...
        await runs.claim(session, "dead-worker", lease_s=0.3)
        await runs.update_owned(session, "run-5", "dead-worker", epochs_done=2, checkpoint_epoch=2,
                                checkpoint_key="results/exp-1/run-5/checkpoint.pt")
    app.jobs.store.put_bytes("results/exp-1/run-5/checkpoint.pt", b"1")  # ... after publishing epoch 2, before its
    app.pool.start()  # checkpoint upload: resume re-trains epoch 2 without publishing it again
    await finished(app, kit, "run-5")
    assert core.resumed_from == [1]
    epochs = [e.payload.epoch for e in await kit.events(app) if e.type == "training.epoch_completed"]
    assert epochs == [3, 4]
    started = next(e.payload for e in await kit.events(app) if e.type == "training.started")
    assert started.start_epoch == 1 and started.worker == "worker-a"
    assert (await row(app, "run-5")).attempts == 2


async def test_a_run_whose_data_set_disappeared_fails_with_a_message(app, kit) -> None:
    await app.jobs.accept(kit.request("run-6", dataset_id="gone"))
    app.pool.start()
    await finished(app, kit, "run-6", "training.failed")
    failed = (await kit.events(app))[-1].payload
    assert "data set gone no longer exists" in failed.reason
    assert (await row(app, "run-6")).error == failed.reason


async def test_a_run_that_keeps_killing_its_worker_fails(app, kit) -> None:
    await app.jobs.accept(kit.request("run-7"))
    for _ in range(app.settings.max_attempts):
        async with app.runtime.database.sessions() as session, session.begin():
            await runs.claim(session, "dead-worker", lease_s=0.01)
        await asyncio.sleep(0.02)
    app.pool.start()
    await finished(app, kit, "run-7", "training.failed")
    assert "interrupted 3 times" in (await kit.events(app))[-1].payload.reason


async def test_deleting_the_experiment_of_a_running_run_stops_it_and_leaves_no_object(app, kit, core) -> None:
    core.hold_after = 1
    await app.jobs.accept(kit.request("run-8", epochs=EPOCHS, experiment_id="exp-gone"))
    app.pool.start()
    await kit.wait_for(core.holding.is_set)
    delete = new_envelope(ExperimentDeleteRequested(experiment_id="exp-gone"), producer="t")
    await app.jobs.delete_experiment(delete)
    await kit.wait_for(lambda: not app.pool.active)
    assert "training.experiment_deleted" in await kit.types(app)
    assert "training.cancelled" not in await kit.types(app, "run-8")
    assert list(app.jobs.store.list("results/exp-gone/")) == []
    assert (await row(app, "run-8")).state == runs.DELETED
