"""The CPU work of one deployment (blocking: it runs in a worker thread): load the run's artefact and check
windows, export to ONNX with the parity check, build the requested variants, measure them (and PyTorch eager),
write the notes; then store the files. ``on_stage`` reports each stage, ``should_stop`` is asked between stages.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import onnx
import torch

from pfd_deploy.domain.errors import VariantError
from pfd_deploy.domain.export import OnnxExport, export_onnx, torch_logits
from pfd_deploy.domain.measure import THROUGHPUT_BATCH, VariantMetrics, measure, timed
from pfd_deploy.domain.notes import PayOff, op_counts, summary_notes, variant_note
from pfd_deploy.domain.runtime import ORT_ERRORS
from pfd_deploy.domain.variants import FP16, FP32, INT8_DYNAMIC, INT8_STATIC, dynamic_int8, fp16, fp16_applies
from pfd_deploy.domain.variants import optimised_fp32, static_int8
from pfd_deploy.failures import DeploymentCancelled, NotExportable
from pfd_deploy.inputs import CheckWindows, InputUnavailable, read_check_windows
from pfd_deploy.registry.rules import served_variant
from pfd_shared.models import InvalidArtefact, ModelSpec, is_classical_artefact, load_artefact
from pfd_shared.storage import ObjectStore, StorageError
from pfd_shared.storage.keys import model_variant_key

LOAD, EXPORT, BENCHMARK, STORE = "load", "export", "benchmark", "store"
BUILD_ERRORS = (ValueError, RuntimeError, AssertionError, onnx.checker.ValidationError, *ORT_ERRORS)


@dataclass(frozen=True)
class PipelineOptions:
    threads: int
    """Torch and ONNX Runtime intra-op threads (one count for every measurement)."""
    max_check_windows: int
    max_calibration_windows: int
    block_bytes: int
    latency_runs: int
    throughput_runs: int
    pay_off: PayOff


@dataclass(frozen=True)
class BuiltVariant:
    name: str
    model: bytes
    metrics: VariantMetrics
    note: str

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.model).hexdigest()


@dataclass(frozen=True)
class BuiltVersion:
    spec: ModelSpec
    export: OnnxExport
    variants: list[BuiltVariant]
    torch_throughput_per_s: float
    notes: list[str]
    served: str


def stages_of(requested: list[str]) -> list[str]:
    return [LOAD, EXPORT, *requested, BENCHMARK, STORE]


def _with_metadata(model: bytes, metadata: dict[str, str]) -> bytes:
    proto = onnx.load_from_string(model)
    onnx.helper.set_model_props(proto, metadata)
    return proto.SerializeToString()


def torch_throughput(model: torch.nn.Module, windows: np.ndarray, runs: int) -> float:
    """PyTorch eager windows/s at batch 32 (the caller set torch's thread count)."""
    batch = np.resize(windows, (THROUGHPUT_BATCH, *windows.shape[1:]))
    wall, _ = timed(lambda x: torch_logits(model, x, THROUGHPUT_BATCH), batch, runs)
    return float(THROUGHPUT_BATCH / np.median(wall))


class DeploymentPipeline:
    def __init__(self, store: ObjectStore, options: PipelineOptions, on_stage: Callable[[str, int, int], None],
                 should_stop: Callable[[], bool]) -> None:
        self.store, self.options, self._on_stage, self._should_stop = store, options, on_stage, should_stop
        self._stages: list[str] = []

    def _stage(self, name: str) -> None:
        if self._should_stop():
            raise DeploymentCancelled(f"cancelled before {name}")
        self._on_stage(name, self._stages.index(name), len(self._stages))

    def load(self, model_key: str, dataset_id: str | None) -> tuple[torch.nn.Module, ModelSpec, CheckWindows]:
        try:
            blob = self.store.get_bytes(model_key)
        except StorageError as exc:
            raise NotExportable(f"the run's model artefact {model_key} cannot be read: {exc}") from exc
        if is_classical_artefact(blob):
            raise NotExportable("this run trained a classical (scikit-learn) model on features: only neural "
                                "signal models are exported to ONNX")
        try:
            model, spec = load_artefact(blob)
        except InvalidArtefact as exc:
            raise NotExportable(str(exc)) from exc
        if not dataset_id:
            raise NotExportable("the run's data set is unknown (no evaluation of it was seen): the export cannot "
                                "be checked")
        options = self.options
        try:
            windows = read_check_windows(self.store, dataset_id, spec, max_test=options.max_check_windows,
                                         max_calibration=options.max_calibration_windows,
                                         block_bytes=options.block_bytes)
        except InputUnavailable as exc:
            raise NotExportable(str(exc)) from exc
        return model, spec, windows

    def build(self, model_key: str, dataset_id: str | None, requested: list[str]) -> BuiltVersion:
        """Everything up to the files (ExportParityError, VariantError, NotExportable, DeploymentCancelled)."""
        self._stages = stages_of(requested)
        torch.set_num_threads(self.options.threads)  # the same count for the export and the eager benchmark
        self._stage(LOAD)
        model, spec, windows = self.load(model_key, dataset_id)
        self._stage(EXPORT)
        export = export_onnx(model, spec, windows.test, threads=self.options.threads)
        files, skipped = self._variants(export, windows, requested)
        self._stage(BENCHMARK)
        options = self.options
        metrics = {name: measure(name, data, windows.test, windows.labels, threads=options.threads,
                                 latency_runs=options.latency_runs, throughput_runs=options.throughput_runs)
                   for name, data in files.items()}
        eager = torch_throughput(model, windows.test, options.throughput_runs)
        ops, reference = op_counts(export.model), metrics[FP32]
        served = served_variant({name: vars(m) for name, m in metrics.items()}, options.pay_off.max_accuracy_loss)
        built = [BuiltVariant(name, files[name], m, variant_note(name, m, reference, ops, options.pay_off, eager))
                 for name, m in metrics.items()]
        notes = summary_notes(metrics, served, int(windows.test.shape[0]), skipped)
        return BuiltVersion(spec, export, built, eager, notes, served)

    def _variants(self, export: OnnxExport, windows: CheckWindows,
                  requested: list[str]) -> tuple[dict[str, bytes], dict[str, str]]:
        builders: dict[str, Callable[[], bytes]] = {
            FP32: lambda: optimised_fp32(export.model), INT8_DYNAMIC: lambda: dynamic_int8(export.model),
            INT8_STATIC: lambda: static_int8(export.model, windows.calibration), FP16: lambda: fp16(export.model)}
        files, skipped = {}, {}
        for name in requested:
            self._stage(name)
            if name == FP16 and not fp16_applies(export.model):
                skipped[name] = "the graph has LayerNormalization/Softmax, whose FP16 CPU kernels are unsafe"
                continue
            try:
                files[name] = _with_metadata(builders[name](), export.metadata())
            except BUILD_ERRORS as exc:
                raise VariantError(f"building the {name} variant failed: {exc}") from exc
        return files, skipped

    def store_files(self, model_name: str, version: int, built: BuiltVersion) -> list[dict[str, object]]:
        """Blocking: upload every variant; the registry's variant rows (object key, size, sha256, benchmark)."""
        self._stage(STORE)
        rows = []
        for variant in built.variants:
            key = model_variant_key(model_name, version, variant.name)
            self.store.put_bytes(key, variant.model, content_type="application/octet-stream")
            rows.append({"variant": variant.name, "object_key": key, "size_bytes": len(variant.model),
                         "sha256": variant.sha256, "benchmark": {**vars(variant.metrics), "note": variant.note}})
        return rows
