"""The campaign runner with a fake experiment service and an in-memory Optuna storage: ask/tell, pruning, the
budget, failures, redelivered events, stop and resume continuing the same study."""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass, field
from typing import Any

import pytest
from sqlalchemy import MetaData, select

from pfd_shared.db.engine import make_engine, make_session_factory
from pfd_shared.db.messaging_tables import add_messaging_tables
from pfd_shared.events.training import EpochCompleted, EvaluationCompleted, TrainingCompleted, TrainingFailed
from pfd_shared.settings import DatabaseSettings

from pfd_gateway.auth.errors import Conflict, InvalidInput, NotFound
from pfd_gateway.campaigns.service import CampaignService
from pfd_gateway.campaigns.space import CampaignSpec, SearchParam
from pfd_gateway.campaigns.study import Studies, memory_storage
from pfd_gateway.campaigns.tables import CampaignTables
from pfd_gateway.domain.access import ALL_SCOPES, Principal, Role
from pfd_gateway.settings import CampaignSettings

OWNER = Principal(user_id="u1", email="u1@pfd.test", role=Role.MEMBER, scopes=ALL_SCOPES, via="session")
OTHER = Principal(user_id="u2", email="u2@pfd.test", role=Role.MEMBER, scopes=ALL_SCOPES, via="session")
DATASET = {"dataset_id": "ds1", "name": "tiny", "status": "ready", "samples_per_record": 4096}
SPACE = (SearchParam(name="model_params.n_estimators", kind="int", low=10, high=50),
         SearchParam(name="model_params.max_depth", kind="int", low=2, high=8))


@dataclass
class Detail:
    experiment_id: str


@dataclass
class FakeExperiments:
    created: list[dict[str, Any]] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)
    refuse: bool = False

    async def create(self, principal, name, dataset_id, config, tags=()):
        if self.refuse:
            raise InvalidInput("config.model_params", "refused")
        experiment_id = f"e{len(self.created)}"
        self.created.append({"experiment_id": experiment_id, "owner": principal.user_id, "name": name,
                             "config": config, "tags": list(tags)})
        return Detail(experiment_id)

    async def cancel(self, principal, experiment_id):
        if experiment_id in self.cancelled:
            raise Conflict("No run of this experiment is queued or running.")
        self.cancelled.append(experiment_id)


class FakeDatasets:
    async def get(self, principal, dataset_id):
        if dataset_id != DATASET["dataset_id"]:
            raise NotFound("No such data set.")
        return DATASET


class FakeRelay:
    def notify(self) -> None:
        pass


@pytest.fixture
def env(tmp_path):
    metadata = MetaData()
    messaging = add_messaging_tables(metadata)
    tables = CampaignTables(metadata)
    engine = make_engine(f"sqlite+aiosqlite:///{tmp_path / 'gw.db'}", DatabaseSettings())

    async def setup() -> None:
        async with engine.begin() as connection:
            await connection.run_sync(metadata.create_all)

    asyncio.run(setup())
    experiments = FakeExperiments()
    settings = CampaignSettings(median_startup_trials=1, median_warmup_epochs=0)
    studies = Studies(memory_storage(), settings)
    service = CampaignService(make_session_factory(engine), tables, messaging.outbox, FakeRelay(), studies,
                              experiments, FakeDatasets(), settings, producer="gateway")
    yield service, experiments, messaging.outbox
    asyncio.run(engine.dispose())


def spec(**changes) -> CampaignSpec:
    values = {"name": "rf search", "dataset_id": "ds1", "model": "random_forest", "space": SPACE, "budget": 3,
              "parallelism": 1, "sampler": "random", "pruner": "median", "seed": 7,
              "base_config": {"epochs": 3}} | changes
    return CampaignSpec.model_validate(values)


def epoch(experiment_id: str, n: int, accuracy: float) -> EpochCompleted:
    return EpochCompleted(experiment_id=experiment_id, run_id=f"r-{experiment_id}", epoch=n, epochs=3, train_loss=1,
                          train_accuracy=accuracy, val_loss=1 - accuracy, val_accuracy=accuracy, learning_rate=0.1,
                          seconds=1, windows_per_s=1)


def trained(experiment_id: str, accuracy: float) -> TrainingCompleted:
    return TrainingCompleted(experiment_id=experiment_id, run_id=f"r-{experiment_id}", epochs_run=3, best_epoch=3,
                             metrics={"val_accuracy": accuracy, "val_loss": 1 - accuracy}, artefacts={}, seconds=1)


def evaluated(experiment_id: str) -> EvaluationCompleted:
    return EvaluationCompleted(experiment_id=experiment_id, run_id=f"r-{experiment_id}", dataset_id="ds1",
                               class_names=("a", "b"), window_accuracy=0.8, record_accuracy=0.75, macro_f1=0.7,
                               ece=0.1, per_class=(), confusion=((1, 0), (0, 1)), report_key="k")


async def finish(service, experiment_id: str, accuracy: float) -> None:
    for n in (1, 2, 3):
        await service.runner.on_event(epoch(experiment_id, n, accuracy))
    await service.runner.on_event(trained(experiment_id, accuracy))
    await service.runner.on_event(evaluated(experiment_id))


async def event_types(service, outbox) -> list[str]:
    async with service.sessions() as session:
        bodies = (await session.execute(select(outbox.c.body).order_by(outbox.c.created_at))).scalars().all()
    return [json.loads(body)["type"] for body in bodies]


def test_trials_are_asked_told_and_the_budget_completes_the_campaign(env) -> None:
    service, experiments, outbox = env

    async def scenario():
        created = await service.create(OWNER, spec(pruner="none"))
        await service.runner.start(created.campaign_id)
        await service.runner.start(created.campaign_id)  # a redelivered request starts nothing more
        assert len(experiments.created) == 1
        for index, accuracy in enumerate((0.5, 0.9, 0.7)):
            await finish(service, f"e{index}", accuracy)
        await service.runner.on_event(evaluated("e0"))  # a repeated outcome changes nothing
        return await service.get(OWNER, created.campaign_id), await event_types(service, outbox)

    detail, types = asyncio.run(scenario())
    assert [e["tags"] for e in experiments.created] == [[f"campaign-{detail.campaign_id}"]] * 3
    assert experiments.created[0]["config"]["model"] == "random_forest"
    assert 10 <= experiments.created[0]["config"]["model_params"]["n_estimators"] <= 50
    assert detail.status == "completed" and detail.spent == 3 and detail.active == 0
    assert [t.status for t in detail.trials] == ["completed"] * 3
    assert detail.best_trial == 1 and detail.best_value == pytest.approx(0.9)
    assert detail.trials[0].test_accuracy == pytest.approx(0.75)
    assert types.count("campaigns.trial_started") == 3 and types.count("campaigns.trial_completed") == 3
    assert types[0] == "campaigns.requested" and types[-1] == "campaigns.completed"
    study = service.studies.study(detail.campaign_id)
    assert [t.value for t in study.trials] == pytest.approx([0.5, 0.9, 0.7])


def test_parallel_slots_and_a_pruned_trial_is_cancelled_and_replaced(env) -> None:
    service, experiments, outbox = env

    async def scenario():
        created = await service.create(OWNER, spec(parallelism=2, budget=4))
        await service.runner.start(created.campaign_id)
        assert [e["experiment_id"] for e in experiments.created] == ["e0", "e1"]
        await finish(service, "e0", 0.9)  # the median's reference
        await service.runner.on_event(epoch("e1", 1, 0.2))  # far below the median: pruned
        await service.runner.on_event(epoch("e1", 2, 0.2))  # a late epoch of a pruned trial is ignored
        return await service.get(OWNER, created.campaign_id), await event_types(service, outbox)

    detail, types = asyncio.run(scenario())
    assert experiments.cancelled == ["e1"]
    assert [t.status for t in detail.trials] == ["completed", "pruned", "running", "running"]
    assert detail.active == 2 and detail.spent == 2
    assert types.count("campaigns.trial_pruned") == 1


def test_a_failed_or_refused_trial_spends_budget_and_the_next_one_starts(env) -> None:
    service, experiments, _ = env

    async def scenario():
        created = await service.create(OWNER, spec(budget=2))
        await service.runner.start(created.campaign_id)
        experiments.refuse = True  # the next trial's sampled config is refused
        await service.runner.on_event(TrainingFailed(experiment_id="e0", run_id="r-e0", reason="disk full"))
        return await service.get(OWNER, created.campaign_id)

    detail = asyncio.run(scenario())
    assert [t.status for t in detail.trials] == ["failed", "failed"]
    assert "disk full" in detail.trials[0].reason
    assert detail.status == "completed" and detail.best_value is None


def test_stop_cancels_running_trials_and_resume_continues_the_same_study(env) -> None:
    service, experiments, outbox = env

    async def scenario():
        created = await service.create(OWNER, spec(budget=3, parallelism=1, pruner="none"))
        campaign_id = created.campaign_id
        await service.runner.start(campaign_id)
        await finish(service, "e0", 0.6)
        stopped = await service.stop(OWNER, campaign_id)
        with pytest.raises(Conflict):
            await service.stop(OWNER, campaign_id)
        await service.runner.start(campaign_id)  # a stale request does not restart a stopped campaign
        resumed = await service.resume(OWNER, campaign_id)
        await service.runner.start(campaign_id)  # what the resume's CampaignRequested does
        return stopped, resumed, await service.get(OWNER, campaign_id), await event_types(service, outbox)

    stopped, resumed, detail, types = asyncio.run(scenario())
    assert stopped.status == "stopped" and [t.status for t in stopped.trials] == ["completed", "stopped"]
    assert experiments.cancelled == ["e1"] and resumed.status == "running"
    assert [t.status for t in detail.trials] == ["completed", "stopped", "running"]
    assert [t.trial_number for t in detail.trials] == [0, 1, 2]  # the same study: numbering continues
    study = service.studies.study(detail.campaign_id)
    assert [t.state.name for t in study.trials] == ["COMPLETE", "FAIL", "RUNNING"]
    assert "campaigns.stopped" in types and types.count("campaigns.requested") == 2


def test_bad_campaigns_are_refused_with_reasons(env) -> None:
    service, _, _ = env

    async def refused(**changes) -> InvalidInput:
        with pytest.raises(InvalidInput) as caught:
            await service.create(OWNER, spec(**changes))
        return caught.value

    assert asyncio.run(refused(space=())).field == "space"
    assert "budget" in asyncio.run(refused(budget=0)).field
    unknown = asyncio.run(refused(dataset_id="nope"))
    assert unknown.field == "dataset_id" and "unknown data set" in unknown.message
    assert "latency" in asyncio.run(refused(objective="accuracy_latency")).message


def test_others_do_not_see_a_campaign_and_promote_and_export_use_the_best_trial(env) -> None:
    service, experiments, _ = env

    async def scenario():
        created = await service.create(OWNER, spec(budget=1, pruner="none"))
        with pytest.raises(NotFound):
            await service.get(OTHER, created.campaign_id)
        with pytest.raises(Conflict):
            await service.export(OWNER, created.campaign_id, "json")
        await service.runner.start(created.campaign_id)
        await finish(service, "e0", 0.8)
        from pfd_gateway.campaigns.views import PromoteRequest
        await service.promote(OWNER, created.campaign_id, PromoteRequest(epochs=9))
        return (await service.export(OWNER, created.campaign_id, "json"),
                await service.export(OWNER, created.campaign_id, "yaml"))

    (text, media), (yaml_text, yaml_media) = asyncio.run(scenario())
    promoted = experiments.created[-1]
    best = experiments.created[0]["config"]["model_params"]
    assert promoted["config"]["epochs"] == 9 and promoted["config"]["model_params"] == best
    assert "promoted" in promoted["tags"]
    exported = json.loads(text)
    assert media == "application/json" and exported["config"]["model_params"] == best
    assert yaml_media == "application/yaml" and "model_params:" in yaml_text
