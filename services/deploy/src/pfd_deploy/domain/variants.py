"""Deployable variants of one ONNX export: graph-optimised FP32, dynamic INT8, static INT8 (QDQ), FP16.

Why each is built the way it is (and why a naive INT8 can be many times SLOWER than FP32 on a CPU):
- dynamic quantisation of ``Conv`` becomes ``ConvInteger`` (+ per-call activation scaling), which has no fast
  kernels in ONNX Runtime: the dynamic variant quantises only MatMul/Gemm/LSTM/Attention, the ops with
  dynamically quantised kernels (MatMulInteger, DynamicQuantizeLSTM), and leaves convolutions in FP32;
- QDQ pairs around ops without int8 kernels (ReduceMean, Softmax, LayerNormalization, Div, Sub of the
  in-model normalisation) only add Quantize/Dequantize churn: static quantisation covers Conv, MatMul and Gemm
  (which fuse into QLinearConv/QLinearMatMul with the neighbouring Relu/MaxPool handled by ORT's QDQ
  transformer) and nothing else;
- ``quant_pre_process`` runs first (symbolic shape inference + ONNX optimisation), so Conv+BatchNorm are folded
  and shapes are known before calibration; weights are quantised per channel (per-tensor scales of narrow
  conv filters lose accuracy), activations as uint8 with int8 weights (U8S8, the fast x86 path);
- sessions use a fixed intra-op thread count and one inter-op thread (oversubscribed threads on a shared
  machine make every variant slower, int8 the most, its kernels being the shortest).
"""

from __future__ import annotations

import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
import onnxruntime as ort
from onnxruntime.quantization import CalibrationDataReader, CalibrationMethod, QuantFormat, QuantType
from onnxruntime.quantization import quantize_dynamic, quantize_static
from onnxruntime.quantization.shape_inference import quant_pre_process
from onnxruntime.transformers.float16 import convert_float_to_float16

from pfd_deploy.domain.errors import VariantError
from pfd_deploy.domain.runtime import CPU_PROVIDERS, ORT_ERRORS, session_options

FP32 = "fp32"
FP32_OPTIMISED = "fp32_optimised"
INT8_DYNAMIC = "int8_dynamic"
INT8_STATIC = "int8_static"
FP16 = "fp16"
VARIANT_NAMES = (FP32, FP32_OPTIMISED, INT8_DYNAMIC, INT8_STATIC, FP16)
DYNAMIC_OPS = ["MatMul", "Gemm", "LSTM", "Attention"]
STATIC_OPS = ["Conv", "MatMul", "Gemm"]
FP16_UNSAFE_OPS = frozenset({"LayerNormalization", "Softmax"})
"""Graphs with these ops get no FP16 variant: ORT 1.32's CPU session creation crashed (segfault) on the
patch transformer converted to FP16, and FP16 brings no measured CPU speed-up worth that risk."""
CALIBRATION_BATCH = 32
MAX_CALIBRATION_WINDOWS = 512
OPTIMISE_THREADS = 1


@dataclass(frozen=True)
class Variant:
    name: str
    model: bytes


class _WindowReader(CalibrationDataReader):
    """Calibration batches of training windows (n, channels, samples) under the graph's input name."""

    def __init__(self, input_name: str, windows: np.ndarray) -> None:
        self._batches: Iterator[np.ndarray] = iter(
            [windows[i:i + CALIBRATION_BATCH] for i in range(0, windows.shape[0], CALIBRATION_BATCH)])
        self._name = input_name

    def get_next(self) -> dict[str, np.ndarray] | None:
        batch = next(self._batches, None)
        return None if batch is None else {self._name: batch}


def _input_name(model: bytes) -> str:
    return onnx.load_from_string(model).graph.input[0].name


def optimised_fp32(model: bytes) -> bytes:
    """ORT's offline graph optimisation (constant folding, Conv+BN/Relu fusions, redundant node removal),
    saved. Extended level: the hardware-specific layout transforms stay online (ENABLE_ALL at load)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "optimised.onnx"
        options = session_options(OPTIMISE_THREADS, ort.GraphOptimizationLevel.ORT_ENABLE_EXTENDED, str(out))
        ort.InferenceSession(model, sess_options=options, providers=list(CPU_PROVIDERS))
        return out.read_bytes()


def _preprocessed(model: bytes, tmp: Path) -> Path:
    source, target = tmp / "fp32.onnx", tmp / "preprocessed.onnx"
    source.write_bytes(model)
    try:
        quant_pre_process(str(source), str(target))
    except AssertionError:  # symbolic shape inference cannot follow some traced reshapes (attention heads)
        quant_pre_process(str(source), str(target), skip_symbolic_shape=True)
    return target


def dynamic_int8(model: bytes) -> bytes:
    """Dynamic INT8 weights on the MatMul/Gemm/LSTM/Attention ops (convolutions stay FP32, see module doc)."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "int8_dynamic.onnx"
        quantize_dynamic(_preprocessed(model, Path(tmp)), out, op_types_to_quantize=DYNAMIC_OPS, per_channel=True,
                         weight_type=QuantType.QInt8)
        return out.read_bytes()


def static_int8(model: bytes, calibration: np.ndarray) -> bytes:
    """QDQ INT8 (uint8 activations, per-channel int8 weights) calibrated on training windows."""
    windows = np.ascontiguousarray(calibration[:MAX_CALIBRATION_WINDOWS], dtype=np.float32)
    if windows.ndim != 3 or windows.shape[0] == 0:
        raise VariantError(f"static quantisation needs calibration windows (n, channels, samples), not {windows.shape}")
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "int8_static.onnx"
        quantize_static(_preprocessed(model, Path(tmp)), out, _WindowReader(_input_name(model), windows),
                        quant_format=QuantFormat.QDQ, op_types_to_quantize=STATIC_OPS, per_channel=True,
                        activation_type=QuantType.QUInt8, weight_type=QuantType.QInt8,
                        calibrate_method=CalibrationMethod.MinMax)
        return out.read_bytes()


def fp16(model: bytes) -> bytes:
    """Weights and arithmetic in float16, float32 inputs/outputs kept (half the size; CPU kernels are mostly
    float32, so ORT inserts casts — the measurement says whether it pays)."""
    return convert_float_to_float16(onnx.load_from_string(model), keep_io_types=True).SerializeToString()


def fp16_applies(model: bytes) -> bool:
    return not FP16_UNSAFE_OPS & {node.op_type for node in onnx.load_from_string(model).graph.node}


def build_variants(model: bytes, calibration: np.ndarray) -> list[Variant]:
    """Every variant that applies to the exported FP32 ``model``; VariantError naming one that failed."""
    builders = {FP32: lambda: model, FP32_OPTIMISED: lambda: optimised_fp32(model),
                INT8_DYNAMIC: lambda: dynamic_int8(model), INT8_STATIC: lambda: static_int8(model, calibration)}
    if fp16_applies(model):
        builders[FP16] = lambda: fp16(model)
    variants = []
    for name, build in builders.items():
        try:
            variants.append(Variant(name, build()))
        except (ValueError, RuntimeError, AssertionError, onnx.checker.ValidationError, *ORT_ERRORS) as exc:
            raise VariantError(f"building the {name} variant failed: {exc}") from exc
    return variants
