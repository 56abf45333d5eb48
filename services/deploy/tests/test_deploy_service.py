"""The deploy service with fakes: a deployment registers a version (files, events, served variant), a
redelivery changes nothing, cancels stop it between stages, bad runs fail with the reason."""

from __future__ import annotations

from typing import Any

import pytest

from pfd_deploy.domain.errors import ExportParityError
from pfd_shared.events import new_envelope
from pfd_shared.events.deploy import DeploymentCancelRequested, DeploymentRequested
from pfd_shared.events.training import TrainingCompleted
from pfd_shared.models.artefact import CLASSICAL_MAGIC

EXPERIMENT, RUN, DATASET = "exp-1", "run-1", "ds-1"  # the run the ``deploy`` fixture knows (conftest)


def request(deployment_id: str = "dep-1", run_id: str = RUN, variants: tuple[str, ...] = ("fp32", "int8_static"),
            model_name: str = "bearing-cnn") -> Any:
    return new_envelope(DeploymentRequested(deployment_id=deployment_id, experiment_id=EXPERIMENT, run_id=run_id,
                                            model_name=model_name, variants=list(variants)),
                        producer="test", owner="user-1")


def of_type(events: list[Any], suffix: str) -> list[Any]:
    return [e for e in events if e.type == f"deploy.{suffix}"]


async def test_a_deployment_registers_the_next_version_with_its_measured_variants(deploy: Any) -> None:
    await deploy.app.service.deploy(request())
    events = await deploy.outcomes()
    assert [e.type for e in events] == ["deploy.model_exported", "deploy.benchmark_completed"], events
    exported, benchmark = events[0].payload, events[1].payload
    assert exported.version == 1 and exported.dataset_id == DATASET and exported.parity["argmax_agreement"] >= 0.999
    assert {v.variant for v in exported.variants} == {"fp32", "int8_static"}
    assert exported.metrics["test_record_accuracy"] == 0.9 and events[0].owner == "user-1"
    for artefact in exported.variants:
        assert artefact.object_key == f"models/bearing-cnn/1/{artefact.variant}.onnx"
        assert len(deploy.store.get_bytes(artefact.object_key)) == artefact.size_bytes
    assert {r.variant for r in benchmark.results} == {"fp32", "int8_static"} and benchmark.notes
    assert all(r.note and r.threads == 1 and r.latency_p99_ms >= r.latency_p50_ms for r in benchmark.results)
    assert benchmark.torch_throughput_per_s and benchmark.torch_throughput_per_s > 0
    stages = [e.payload.stage for e in of_type(deploy.published, "deployment_progress")]
    assert stages == ["load", "export", "fp32", "int8_static", "benchmark", "store"]
    served = await deploy.app.registry.resolve("bearing-cnn", version=1)
    assert served.owner_id == "user-1" and served.variant in {"fp32", "int8_static"} and served.window_length == 256


async def test_a_redelivered_request_registers_nothing_twice(deploy: Any) -> None:
    envelope = request(variants=("fp32",))
    await deploy.app.service.deploy(envelope)
    await deploy.app.service.deploy(envelope)
    events = await deploy.outcomes()
    assert [e.type for e in events] == ["deploy.model_exported", "deploy.benchmark_completed"]
    assert [row["version"] for row in await deploy.app.registry.versions("bearing-cnn")] == [1]
    await deploy.app.service.deploy(request("dep-2", variants=("fp32",)))
    assert (await deploy.outcomes())[-1].payload.version == 2


async def test_a_cancel_stops_the_deployment_between_stages(deploy: Any) -> None:
    service = deploy.app.service

    async def cancel_on_export(envelope: Any) -> None:
        deploy.published.append(envelope)
        if envelope.type == "deploy.deployment_progress" and envelope.payload.stage == "export":
            service.cancel(new_envelope(DeploymentCancelRequested(deployment_id="dep-1"), producer="test"))

    deploy.app.runtime.bus.publish = cancel_on_export
    await service.deploy(request())
    failed = of_type(await deploy.outcomes(), "deployment_failed")
    assert len(failed) == 1 and failed[0].payload.cancelled, failed
    assert not list(deploy.store.list("models/"))
    assert (await deploy.app.registry.deployment("dep-1"))["status"] == "cancelled"


async def test_a_cancel_before_the_start_runs_nothing(deploy: Any) -> None:
    deploy.app.service.cancel(new_envelope(DeploymentCancelRequested(deployment_id="dep-c"), producer="test"))
    await deploy.app.service.deploy(request("dep-c"))
    failed = of_type(await deploy.outcomes(), "deployment_failed")
    assert failed[0].payload.cancelled and not of_type(deploy.published, "deployment_progress")


async def test_a_classical_run_is_refused_with_the_reason(deploy: Any) -> None:
    key = "results/exp-1/run-2/model.pkl"
    deploy.store.put_bytes(key, CLASSICAL_MAGIC + b"pickled estimator")
    await deploy.app.service.record_completed(new_envelope(TrainingCompleted(
        experiment_id=EXPERIMENT, run_id="run-2", metrics={}, epochs_run=0, best_epoch=0, artefacts={"model": key},
        seconds=1.0), producer="test"))
    await deploy.app.service.deploy(request(run_id="run-2"))
    failed = of_type(await deploy.outcomes(), "deployment_failed")
    assert "classical" in failed[-1].payload.reason and not failed[-1].payload.cancelled


@pytest.mark.parametrize("run_id, reason", [("run-404", "unknown run")])
async def test_an_unknown_run_is_refused(deploy: Any, run_id: str, reason: str) -> None:
    await deploy.app.service.deploy(request(run_id=run_id))
    failed = of_type(await deploy.outcomes(), "deployment_failed")
    assert reason in failed[-1].payload.reason


async def test_a_model_name_of_another_owner_is_refused(deploy: Any) -> None:
    await deploy.app.service.deploy(request(variants=("fp32",)))
    other = request("dep-2", variants=("fp32",)).model_copy(update={"owner": "user-2"})
    await deploy.app.service.deploy(other)
    failed = of_type(await deploy.outcomes(), "deployment_failed")
    assert "belongs to another user" in failed[-1].payload.reason


async def test_a_failed_parity_check_fails_with_its_figures(deploy: Any, monkeypatch: pytest.MonkeyPatch) -> None:
    def failing(*_: Any, **__: Any) -> None:
        raise ExportParityError("cnn1d", 0.5, 0.9, 1e-4, 0.999, 64)

    monkeypatch.setattr("pfd_deploy.pipeline.export_onnx", failing)
    await deploy.app.service.deploy(request())
    failed = of_type(await deploy.outcomes(), "deployment_failed")[-1].payload
    assert "parity check" in failed.reason and failed.figures == {"max_abs_diff": 0.5, "argmax_agreement": 0.9}
    assert not list(deploy.store.list("models/"))
