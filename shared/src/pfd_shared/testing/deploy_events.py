"""Builders of the deploy service's events for tests of their consumers (the gateway's read model and pages).

``export_life`` is what the deploy service publishes for one deployment from its first progress to the
benchmarks of the registered version; ``alias_changed`` is one move of an alias.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from pfd_shared.events import Envelope, EventPayload, new_envelope
from pfd_shared.events.deploy import (
    BenchmarkCompleted,
    DeploymentProgress,
    ModelAliasChanged,
    ModelExported,
    VariantArtefact,
    VariantBenchmark,
)

PRODUCER = "deploy"
CLASS_NAMES = ("healthy", "inner_race")
SIZES = {"fp32": 400_000, "int8_dynamic": 110_000, "int8_static": 105_000, "fp16": 205_000}
SPEEDUPS = {"fp32": 1.0, "int8_dynamic": 0.8, "int8_static": 1.6, "fp16": 1.1}


def envelope(payload: EventPayload, owner: str | None, at: datetime | None = None) -> Envelope[Any]:
    """The event as the deploy service publishes it (``at`` overrides when it happened)."""
    wrapped = new_envelope(payload, producer=PRODUCER, owner=owner)
    return wrapped.model_copy(update={"occurred_at": at}) if at is not None else wrapped


def exported(deployment_id: str, model_name: str, version: int, experiment_id: str, run_id: str, *,
             variants: Sequence[str] = tuple(SIZES), dataset_id: str = "set1") -> ModelExported:
    artefacts = [VariantArtefact(variant=variant, object_key=f"models/{model_name}/{version}/{variant}.onnx",
                                 size_bytes=SIZES.get(variant, 1), sha256="0" * 64) for variant in variants]
    return ModelExported(deployment_id=deployment_id, model_name=model_name, version=version,
                         experiment_id=experiment_id, run_id=run_id, model="cnn1d", dataset_id=dataset_id,
                         class_names=list(CLASS_NAMES), window_length=256, sample_rate_hz=12_000.0, variants=artefacts,
                         parity={"max_abs_diff": 2e-6, "argmax_agreement": 1.0, "windows": 400.0},
                         metrics={"record_accuracy": 0.95})


def benchmarked(deployment_id: str, model_name: str, version: int, *,
                variants: Sequence[str] = tuple(SIZES)) -> BenchmarkCompleted:
    results = [VariantBenchmark(variant=variant, size_bytes=SIZES.get(variant, 1),
                                accuracy=0.95 - (0.004 if variant.startswith("int8") else 0.0),
                                accuracy_delta=-0.004 if variant.startswith("int8") else 0.0,
                                latency_p50_ms=2.0 / SPEEDUPS.get(variant, 1.0),
                                latency_p99_ms=3.5 / SPEEDUPS.get(variant, 1.0),
                                throughput_per_s=4_000.0 * SPEEDUPS.get(variant, 1.0), threads=1,
                                note="dynamic INT8 quantises only the linear layers: slower here"
                                if variant == "int8_dynamic" else "")
               for variant in variants]
    return BenchmarkCompleted(deployment_id=deployment_id, model_name=model_name, version=version, results=results,
                              torch_throughput_per_s=1_500.0, notes=["static INT8 pays off: 1.6x FP32"])


def export_life(deployment_id: str, model_name: str, version: int, experiment_id: str, run_id: str,
                owner: str | None, start: datetime, *, variants: Sequence[str] = tuple(SIZES)) -> list[Envelope[Any]]:
    """Progress through the stages, the registered version and its benchmarks, one second apart from ``start``."""
    stages = ["export", "parity", *variants[1:], "benchmark"]
    payloads: list[EventPayload] = [
        *(DeploymentProgress(deployment_id=deployment_id, stage=stage, done=index, total=len(stages))
          for index, stage in enumerate(stages)),
        exported(deployment_id, model_name, version, experiment_id, run_id, variants=variants),
        benchmarked(deployment_id, model_name, version, variants=variants),
    ]
    return [envelope(payload, owner, start + timedelta(seconds=i)) for i, payload in enumerate(payloads)]


def alias_changed(model_name: str, alias: str, version: int | None, previous: int | None, *, actor: str = "a@pfd.test",
                  reason: str = "") -> ModelAliasChanged:
    return ModelAliasChanged(model_name=model_name, alias=alias, version=version, previous_version=previous,
                             actor=actor, reason=reason)
