"""Registry rules with fakes (SQLite, in-memory store): aliases move with their full history, roll back, refuse
unknown/broken/deleted versions with a published reason; a version is not deleted while an alias points at it;
redelivered events change nothing twice; a broken version is not served."""

from __future__ import annotations

from typing import Any

import pytest

from pfd_deploy.registry import queries
from pfd_deploy.registry.reader import BrokenVersion, UnknownAlias, UnknownModel, UnknownVersion
from pfd_shared.events import new_envelope
from pfd_shared.events.deploy import ModelAliasSetRequested, ModelVersionDeleteRequested

MODEL = "bearing-cnn"


async def register(deploy: Any, *numbers: int) -> None:
    """Versions registered directly (as a deployment's last transaction does), each with an fp32 file."""
    async with deploy.app.runtime.database.sessions() as session, session.begin():
        await queries.ensure_model(session, MODEL, "user-1")
        for number in numbers:
            key = f"models/{MODEL}/{number}/fp32.onnx"
            deploy.store.put_bytes(key, b"onnx")
            row = {"model_name": MODEL, "version": number, "deployment_id": f"dep-{number}", "experiment_id": "exp-1",
                   "run_id": "run-1", "architecture": "cnn1d", "dataset_id": "ds-1", "class_names": ["a", "b"],
                   "window_length": 256, "sample_rate_hz": 1000.0, "metrics": {}, "parity": {}, "description": "",
                   "served_variant": "fp32", "status": "ready", "status_reason": None}
            await queries.insert_version(session, row, [{"variant": "fp32", "object_key": key, "size_bytes": 4,
                                                         "sha256": "0" * 64, "benchmark": {}}])


def alias(version: int | None, alias_name: str = "production", reason: str = "") -> Any:
    return new_envelope(ModelAliasSetRequested(model_name=MODEL, alias=alias_name, version=version, actor="alice",
                                               reason=reason), producer="test")


def delete(version: int) -> Any:
    return new_envelope(ModelVersionDeleteRequested(model_name=MODEL, version=version, actor="alice"),
                        producer="test")


async def test_an_alias_moves_with_its_history_and_rolls_back(deploy: Any) -> None:
    await register(deploy, 1, 2)
    service, registry = deploy.app.service, deploy.app.registry
    for version, why in ((1, "first release"), (2, "better recall"), (1, "roll back: false alarms")):
        await service.set_alias(alias(version, reason=why))
    history = await registry.history(MODEL, "production")
    assert [(h["from_version"], h["to_version"], h["actor"], h["reason"]) for h in history] == [
        (None, 1, "alice", "first release"), (1, 2, "alice", "better recall"), (2, 1, "alice", "roll back: false alarms")]
    assert all(h["changed_at"] is not None for h in history)
    changed = await deploy.outcomes()
    assert [(e.payload.previous_version, e.payload.version, e.payload.refused_reason) for e in changed] == [
        (None, 1, None), (1, 2, None), (2, 1, None)]
    served = await registry.resolve(MODEL, alias="production")
    assert (served.version, served.alias, served.object_key) == (1, "production", f"models/{MODEL}/1/fp32.onnx")
    await service.set_alias(alias(None, reason="retired"))
    with pytest.raises(UnknownAlias):
        await registry.resolve(MODEL, alias="production")
    assert (await registry.history(MODEL))[-1]["to_version"] is None


async def test_a_redelivered_alias_request_moves_nothing_twice(deploy: Any) -> None:
    await register(deploy, 1)
    envelope = alias(1)
    await deploy.app.service.set_alias(envelope)
    await deploy.app.service.set_alias(envelope)
    assert len(await deploy.app.registry.history(MODEL)) == 1 and len(await deploy.outcomes()) == 1


@pytest.mark.parametrize("version, reason", [(7, "has no version 7"), (1, "already points at version 1")])
async def test_an_alias_refuses_with_the_reason(deploy: Any, version: int, reason: str) -> None:
    await register(deploy, 1)
    await deploy.app.service.set_alias(alias(1))
    await deploy.app.service.set_alias(alias(version))
    refused = (await deploy.outcomes())[-1].payload
    assert reason in refused.refused_reason and refused.previous_version == 1
    assert await deploy.app.registry.aliases(MODEL) == {"production": 1}
    assert len(await deploy.app.registry.history(MODEL)) == 1


async def test_an_unknown_model_refuses_every_alias(deploy: Any) -> None:
    await deploy.app.service.set_alias(alias(1))
    assert "unknown model" in (await deploy.outcomes())[-1].payload.refused_reason
    with pytest.raises(UnknownModel):
        await deploy.app.registry.resolve(MODEL, version=1)


async def test_a_broken_version_is_not_served_nor_aliased(deploy: Any) -> None:
    await register(deploy, 1)
    registry = deploy.app.registry
    await registry.mark_broken(MODEL, 1, "the ONNX file is corrupt")
    await registry.mark_broken(MODEL, 1, "the ONNX file is corrupt")
    with pytest.raises(BrokenVersion, match="corrupt"):
        await registry.resolve(MODEL, version=1)
    await deploy.app.service.set_alias(alias(1))
    events = await deploy.outcomes()
    assert [e.type for e in events] == ["deploy.model_version_broken", "deploy.model_alias_changed"]
    assert "broken" in events[1].payload.refused_reason


async def test_a_version_is_not_deleted_while_an_alias_points_at_it(deploy: Any) -> None:
    await register(deploy, 1, 2)
    service, registry, store = deploy.app.service, deploy.app.registry, deploy.store
    await service.set_alias(alias(1, "staging"))
    await service.delete_version(delete(1))
    refused = (await deploy.outcomes())[-1].payload
    assert "still served under 'staging'" in refused.refused_reason
    assert store.exists(f"models/{MODEL}/1/fp32.onnx")
    await service.set_alias(alias(2, "staging"))
    envelope = delete(1)
    await service.delete_version(envelope)
    await service.delete_version(envelope)  # redelivered
    deleted = [e.payload for e in await deploy.outcomes() if e.type == "deploy.model_version_deleted"]
    assert [d.refused_reason for d in deleted] == [refused.refused_reason, None]
    assert not store.exists(f"models/{MODEL}/1/fp32.onnx") and store.exists(f"models/{MODEL}/2/fp32.onnx")
    with pytest.raises(UnknownVersion):
        await registry.resolve(MODEL, version=1)
    await service.set_alias(alias(1, "staging"))
    assert "was deleted" in (await deploy.outcomes())[-1].payload.refused_reason
    async with deploy.app.runtime.database.sessions() as session:
        assert await queries.next_version(session, MODEL) == 3  # numbers are never reused
