"""PyTorch -> ONNX export with dynamic batch (and length where the architecture allows) and the parity check."""

from __future__ import annotations

import io
import warnings
from dataclasses import dataclass

import numpy as np
import onnx
import torch
from torch import nn

from pfd_deploy.domain.errors import ExportParityError
from pfd_deploy.domain.runtime import ORT_ERRORS, make_session, run_logits
from pfd_shared.training.spec import ModelSpec

OPSET = 17
INPUT_NAME = "windows"
OUTPUT_NAME = "logits"
PARITY_ATOL = 1e-4
"""Largest admissible |ONNX logit - PyTorch logit| (float32 arithmetic in a different order)."""
MIN_ARGMAX_AGREEMENT = 0.999
LENGTH_PROBE_FACTOR = 2
"""The dynamic-length graph is checked again on windows this many times longer before it is kept."""
PARITY_BATCH = 256


@dataclass(frozen=True)
class ParityReport:
    windows: int
    max_abs_diff: float
    argmax_agreement: float


@dataclass(frozen=True)
class OnnxExport:
    """The ONNX model bytes and what a runtime must know to feed it."""

    model: bytes
    spec: ModelSpec
    dynamic_length: bool
    opset: int
    parity: ParityReport

    @property
    def window_length(self) -> int:
        return self.spec.window_length

    def metadata(self) -> dict[str, str]:
        """Export metadata (also stored in the ONNX model's metadata_props)."""
        return _metadata(self.spec, self.dynamic_length, self.opset)


def _metadata(spec: ModelSpec, dynamic_length: bool, opset: int) -> dict[str, str]:
    return {
        "pfd.model": spec.name, "pfd.spec": spec.model_dump_json(), "pfd.window_length": str(spec.window_length),
        "pfd.dynamic_length": str(dynamic_length).lower(), "pfd.sample_rate_hz": repr(spec.sample_rate_hz),
        "pfd.class_names": ",".join(spec.class_names), "pfd.opset": str(opset),
    }


def _to_onnx(model: nn.Module, spec: ModelSpec, dynamic_length: bool) -> bytes:
    axes = {0: "batch", 2: "length"} if dynamic_length else {0: "batch"}
    example = torch.zeros(2, spec.in_channels, spec.window_length)
    buffer = io.BytesIO()
    with warnings.catch_warnings(), torch.inference_mode(False):
        warnings.simplefilter("ignore")  # tracer warnings about shape-dependent Python ints
        torch.onnx.export(model, (example,), buffer, input_names=[INPUT_NAME], output_names=[OUTPUT_NAME],
                          dynamic_axes={INPUT_NAME: axes, OUTPUT_NAME: {0: "batch"}}, opset_version=OPSET,
                          do_constant_folding=True, dynamo=False)
    proto = onnx.load_from_string(buffer.getvalue())
    onnx.helper.set_model_props(proto, _metadata(spec, dynamic_length, OPSET))
    onnx.checker.check_model(proto)
    return proto.SerializeToString()


@torch.inference_mode()
def torch_logits(model: nn.Module, windows: np.ndarray, batch: int = PARITY_BATCH) -> np.ndarray:
    x = torch.as_tensor(np.asarray(windows, dtype=np.float32))
    return torch.cat([model(x[i:i + batch]) for i in range(0, x.shape[0], batch)]).numpy()


def compare(reference: np.ndarray, candidate: np.ndarray) -> ParityReport:
    diff = float(np.max(np.abs(reference - candidate))) if reference.size else 0.0
    agreement = float(np.mean(reference.argmax(1) == candidate.argmax(1))) if reference.size else 1.0
    return ParityReport(int(reference.shape[0]), diff, agreement)


def parity(model: nn.Module, spec: ModelSpec, onnx_model: bytes, windows: np.ndarray, *, threads: int = 1,
           atol: float = PARITY_ATOL, min_agreement: float = MIN_ARGMAX_AGREEMENT) -> ParityReport:
    """Logits of both on ``windows`` (n, channels, samples); ExportParityError with the figures on failure."""
    report = compare(torch_logits(model, windows), run_logits(make_session(onnx_model, threads), windows))
    if report.max_abs_diff > atol or report.argmax_agreement < min_agreement:
        raise ExportParityError(spec.name, report.max_abs_diff, report.argmax_agreement, atol, min_agreement,
                                report.windows)
    return report


def _length_probe(windows: np.ndarray) -> np.ndarray:
    return np.tile(windows[: min(len(windows), 8)], (1, 1, LENGTH_PROBE_FACTOR))


def export_onnx(model: nn.Module, spec: ModelSpec, windows: np.ndarray, *, threads: int = 1) -> OnnxExport:
    """The model as ONNX, checked against PyTorch on ``windows`` (n, channels, window_length).

    Dynamic batch always; dynamic length when the traced graph also matches PyTorch on longer windows
    (otherwise the length is fixed to ``spec.window_length`` and the metadata says so).
    """
    model = model.eval()
    windows = np.asarray(windows, dtype=np.float32)
    if windows.ndim != 3 or windows.shape[1:] != (spec.in_channels, spec.window_length):
        raise ValueError(f"check windows must be (n, {spec.in_channels}, {spec.window_length}), not {windows.shape}")
    dynamic = _to_onnx(model, spec, dynamic_length=True)
    try:
        parity(model, spec, dynamic, _length_probe(windows), threads=threads)
        report = parity(model, spec, dynamic, windows, threads=threads)
        return OnnxExport(dynamic, spec, True, OPSET, report)
    except (ExportParityError, *ORT_ERRORS):
        fixed = _to_onnx(model, spec, dynamic_length=False)
        return OnnxExport(fixed, spec, False, OPSET, parity(model, spec, fixed, windows, threads=threads))
