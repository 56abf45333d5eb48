"""Variants of a trained tiny model: built, measured, and quantised accuracy within tolerance of FP32."""

from __future__ import annotations

import numpy as np
import onnx
import pytest

from pfd_deploy.domain.export import export_onnx
from pfd_deploy.domain.measure import measure
from pfd_deploy.domain.runtime import make_session, run_logits
from pfd_deploy.domain.variants import (
    FP16,
    FP32,
    INT8_DYNAMIC,
    INT8_STATIC,
    VARIANT_NAMES,
    build_variants,
    fp16_applies,
)
from pfd_shared.models import registered_models

ACCURACY_TOLERANCE = 0.02
"""Largest admissible accuracy loss of a variant against the FP32 export on the test windows."""


@pytest.fixture(scope="module")
def variants(trained_cnn) -> dict[str, bytes]:
    export = export_onnx(trained_cnn.model, trained_cnn.spec, trained_cnn.test_x[:64])
    return {v.name: v.model for v in build_variants(export.model, trained_cnn.train_x)}


def _ops(model: bytes) -> set[str]:
    return {node.op_type for node in onnx.load_from_string(model).graph.node}


def test_every_variant_is_built(variants: dict[str, bytes]) -> None:
    assert tuple(variants) == VARIANT_NAMES


def test_quantised_accuracy_stays_within_tolerance(trained_cnn, variants: dict[str, bytes]) -> None:
    figures = {name: measure(name, model, trained_cnn.test_x, trained_cnn.test_y, threads=1, latency_runs=5,
                             throughput_runs=2) for name, model in variants.items()}
    assert figures[FP32].accuracy >= 0.95, "the synthetic problem is separable: the tiny model must learn it"
    for name, metrics in figures.items():
        assert metrics.accuracy >= figures[FP32].accuracy - ACCURACY_TOLERANCE, (name, metrics.accuracy)
        assert metrics.size_bytes == len(variants[name])
        assert 0 < metrics.latency_p50_ms <= metrics.latency_p99_ms
        assert metrics.throughput_per_s > 0 and metrics.cpu_throughput_per_s > 0 and metrics.threads == 1


def test_static_int8_is_qdq_with_per_channel_conv_weights(variants: dict[str, bytes]) -> None:
    graph = onnx.load_from_string(variants[INT8_STATIC]).graph
    assert {"QuantizeLinear", "DequantizeLinear", "Conv"} <= _ops(variants[INT8_STATIC])
    weights = {init.name: init for init in graph.initializer}
    scales = [weights[n.input[1]] for n in graph.node if n.op_type == "DequantizeLinear"
              and weights.get(n.input[0]) is not None and len(weights[n.input[0]].dims) == 3]
    assert scales and all(len(scale.dims) == 1 and scale.dims[0] > 1 for scale in scales), "per-channel scales"
    assert "BatchNormalization" not in _ops(variants[INT8_STATIC]), "Conv+BN folded before quantisation"


def test_dynamic_int8_never_turns_convolutions_into_conv_integer(variants: dict[str, bytes]) -> None:
    ops = _ops(variants[INT8_DYNAMIC])
    assert "ConvInteger" not in ops and "Conv" in ops
    assert ops & {"MatMulInteger", "DynamicQuantizeLinear", "DynamicQuantizeMatMul"}, "the head is quantised"


@pytest.mark.parametrize("name", registered_models())
def test_every_registered_model_gets_every_variant(tiny_model, make_tones, name: str) -> None:
    model, spec = tiny_model(name)
    windows, _ = make_tones(64, seed=5)
    export = export_onnx(model, spec, windows)
    reference = run_logits(make_session(export.model, threads=1), windows)
    built = build_variants(export.model, windows)
    assert [v.name for v in built] == [n for n in VARIANT_NAMES if n != FP16 or fp16_applies(export.model)]
    for variant in built:
        logits = run_logits(make_session(variant.model, threads=1), windows)
        assert logits.shape == reference.shape and np.isfinite(logits).all(), variant.name
