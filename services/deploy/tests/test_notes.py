"""The benchmark notes say plainly when INT8 pays off and, when it does not, why."""

from __future__ import annotations

from collections import Counter

from pfd_deploy.domain.measure import VariantMetrics
from pfd_deploy.domain.notes import PayOff, summary_notes, variant_note

RULE = PayOff(min_speedup=1.3, max_accuracy_loss=0.005)
CONV_NET = Counter({"Conv": 3, "Relu": 3, "MaxPool": 2, "ReduceMean": 2, "Gemm": 1})


def figures(name: str, throughput: float, accuracy: float = 0.9, size: int = 1000) -> VariantMetrics:
    return VariantMetrics(name=name, size_bytes=size, accuracy=accuracy, latency_p50_ms=1.0, latency_p99_ms=2.0,
                          throughput_per_s=throughput, threads=1, cpu_throughput_per_s=throughput)


REFERENCE = figures("fp32", 1000.0)


def test_int8_that_is_faster_within_tolerance_pays_off() -> None:
    note = variant_note("int8_static", figures("int8_static", 1500.0, 0.898, 300), REFERENCE, CONV_NET, RULE)
    assert note.startswith("Pays off") and "1.50x" in note


def test_slower_int8_says_why_and_to_serve_fp32() -> None:
    note = variant_note("int8_static", figures("int8_static", 600.0), REFERENCE, CONV_NET, RULE)
    assert note.startswith("Slower than FP32") and "Quantize/Dequantize" in note and "Serve FP32" in note


def test_int8_losing_accuracy_does_not_pay_off() -> None:
    note = variant_note("int8_static", figures("int8_static", 2000.0, 0.85), REFERENCE, CONV_NET, RULE)
    assert note.startswith("Does not pay off") and "not served" in note


def test_dynamic_int8_of_a_pure_conv_net_quantises_nothing() -> None:
    ops = Counter({"Conv": 3, "Relu": 3})
    note = variant_note("int8_dynamic", figures("int8_dynamic", 1000.0), REFERENCE, ops, RULE)
    assert "quantises nothing" in note and "ConvInteger" in note


def test_fp32_compares_with_pytorch_eager_and_the_summary_names_the_served_variant() -> None:
    assert "2.00x PyTorch eager" in variant_note("fp32", REFERENCE, REFERENCE, CONV_NET, RULE, 500.0)
    notes = summary_notes({"fp32": REFERENCE}, "fp32", 64, {"fp16": "unsafe ops"})
    assert "64 test windows with 1 intra-op thread" in notes[0] and "Served variant: fp32" in notes[1]
    assert notes[2] == "fp16 not built: unsafe ops"
