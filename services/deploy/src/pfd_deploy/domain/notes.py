"""Plain-language notes on a version's measured variants: whether INT8 (or FP16) pays off on this model and
machine, and when it does not, why — from the figures and the ops of the FP32 graph."""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass

import onnx

from pfd_deploy.domain.measure import THROUGHPUT_BATCH, VariantMetrics
from pfd_deploy.domain.variants import DYNAMIC_OPS, FP16, FP32, INT8_DYNAMIC, INT8_STATIC, STATIC_OPS

HEAVY_OPS = frozenset({"Conv", "MatMul", "Gemm", "LSTM", "Attention"})


@dataclass(frozen=True)
class PayOff:
    """INT8 pays off from ``min_speedup`` x the FP32 throughput at no more than ``max_accuracy_loss``."""

    min_speedup: float
    max_accuracy_loss: float


def op_counts(model: bytes) -> Counter[str]:
    return Counter(node.op_type for node in onnx.load_from_string(model).graph.node)


def _figures(figures: VariantMetrics, reference: VariantMetrics) -> tuple[float, float, str]:
    speedup = figures.throughput_per_s / reference.throughput_per_s if reference.throughput_per_s else 0.0
    loss = reference.accuracy - figures.accuracy
    text = (f"{speedup:.2f}x the FP32 throughput at batch {THROUGHPUT_BATCH}, accuracy {-loss:+.2%}, "
            f"{figures.size_bytes / max(1, reference.size_bytes):.0%} of its size")
    return speedup, loss, text


def _int8_note(name: str, figures: VariantMetrics, reference: VariantMetrics, ops: Counter[str],
               rule: PayOff) -> str:
    covered = DYNAMIC_OPS if name == INT8_DYNAMIC else STATIC_OPS
    quantised = sum(ops[op] for op in covered)
    if name == INT8_DYNAMIC and quantised == 0:
        return ("No MatMul/Gemm/LSTM/Attention in this graph, so dynamic INT8 quantises nothing (ONNX Runtime has no "
                "fast dynamic-int8 convolution: ConvInteger would be many times slower, which is why convolutions "
                "stay FP32). It is FP32 in all but name; use int8_static for a convolutional model.")
    speedup, loss, text = _figures(figures, reference)
    if loss > rule.max_accuracy_loss:
        return (f"Does not pay off: {text}. The accuracy loss exceeds {rule.max_accuracy_loss:.2%}: the int8 "
                "ranges calibrated on training windows are too coarse for some layers; it is not served.")
    if speedup >= rule.min_speedup:
        return f"Pays off: {text} ({quantised} quantised op(s))."
    heavy = sum(ops[op] for op in HEAVY_OPS)
    why = (f"only {quantised} of the graph's {sum(ops.values())} nodes run as int8 ({heavy} compute-heavy ones); "
           "the rest (normalisation, pooling, activations) stays FP32 and every Quantize/Dequantize pair between "
           "them costs more than the small int8 kernels save — layers this narrow are bound by memory traffic and "
           "call overhead, not arithmetic")
    if speedup < 1:
        return f"Slower than FP32: {text}. Why: {why}. Serve FP32 for this model."
    return f"Faster but below the {rule.min_speedup:g}x target: {text}. Why: {why}."


def variant_note(name: str, figures: VariantMetrics, reference: VariantMetrics, ops: Counter[str],
                 rule: PayOff, torch_throughput_per_s: float | None = None) -> str:
    """One variant's note (the FP32 reference's compares with PyTorch eager when that was measured)."""
    if name == FP32:
        eager = (f"; {figures.throughput_per_s / torch_throughput_per_s:.2f}x PyTorch eager"
                 if torch_throughput_per_s else "")
        return (f"Reference: graph-optimised FP32 (constant folding, Conv+BatchNorm/ReLU fusion), "
                f"{figures.throughput_per_s:.0f} windows/s at batch {THROUGHPUT_BATCH}{eager}.")
    if name in (INT8_DYNAMIC, INT8_STATIC):
        return _int8_note(name, figures, reference, ops, rule)
    if name == FP16:
        _, _, text = _figures(figures, reference)
        return (f"{text}. CPU kernels compute in FP32, so ONNX Runtime casts around most ops: FP16 halves the file, "
                "it rarely speeds up a CPU.")
    return ""


def summary_notes(metrics: Mapping[str, VariantMetrics], served: str, windows: int, skipped: Mapping[str, str]) -> list[str]:
    """The notes of the whole benchmark: how it was measured, what is served, what was not built and why."""
    threads = next(iter(metrics.values())).threads
    notes = [f"Every variant ran on the same {windows} test windows with {threads} intra-op thread(s) and one "
             "inter-op thread (oversubscribed threads slow int8 kernels the most).",
             f"Served variant: {served} (the first of int8_static, int8_dynamic, fp32 that is not slower than FP32 "
             "and within the accuracy tolerance)."]
    notes += [f"{name} not built: {reason}" for name, reason in skipped.items()]
    return notes
