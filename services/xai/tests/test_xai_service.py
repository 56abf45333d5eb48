"""The xai service with fakes (the ``xai`` fixture of conftest): explained once, stored, answered from the cache
on repeat; cancel; bad requests fail with the reason."""

from __future__ import annotations

import io
import json
from typing import Any

import numpy as np
import pytest

from pfd_shared.events import new_envelope
from pfd_shared.events.xai import ExplanationCancelRequested, ExplanationInput, ExplanationRequested
from pfd_shared.testing.hdf5_datasets import sample_signals


def request(explanation_id: str = "ex-1", run_id: str = "run-1", **changes: Any) -> Any:
    fields: dict[str, Any] = {
        "explanation_id": explanation_id, "experiment_id": "exp-1", "run_id": run_id,
        "input": ExplanationInput(dataset_id="ds-1", record=2, window=1),
        "methods": {"integrated_gradients": {"n_steps": 32}, "grad_cam": {}, "band_occlusion": {"n_bands": 8}},
    }
    return new_envelope(ExplanationRequested(**{**fields, **changes}), producer="test", owner="u1")


def outcomes(published: list[Any]) -> list[Any]:
    return [e for e in published if e.type != "xai.explanation_progress"]


async def test_an_explanation_is_computed_once_then_answered_from_the_cache(xai: Any, world: Any) -> None:
    app, store, published = xai
    await app.service.explain(request())
    ready = outcomes(published)[-1]
    assert ready.type == "xai.explanation_ready" and not ready.payload.cached, ready.payload
    assert any(e.type == "xai.explanation_progress" for e in published)
    arrays = np.load(io.BytesIO(store.get_bytes(ready.payload.attributions_key)))
    assert arrays["attr_integrated_gradients"].shape == (1, world.window) and arrays["band_drop"].shape == (8,)
    signals = sample_signals(world.records, world.record_samples, world.rate_hz)
    assert np.allclose(arrays["signal"], signals[2, world.window:2 * world.window])
    summary = json.loads(store.get_bytes(ready.payload.summary_key))
    assert summary["completeness"]["relative_error"] < 0.05 and len(summary["top_bands"]) == 3
    assert ready.payload.attributions_key.startswith("explanations/ex-1/")
    objects = sorted(info.key for info in store.list("explanations/"))
    await app.service.explain(request("ex-2"))  # the same question under another id
    again = outcomes(published)[-1]
    assert again.payload.cached and again.payload.attributions_key == ready.payload.attributions_key
    assert again.payload.explanation_id == "ex-2" and again.payload.summary == ready.payload.summary
    assert sorted(info.key for info in store.list("explanations/")) == objects


async def test_a_cancelled_explanation_stores_nothing(xai: Any) -> None:
    app, store, published = xai
    app.service.cancel(new_envelope(ExplanationCancelRequested(explanation_id="ex-c"), producer="test"))
    await app.service.explain(request("ex-c"))
    failed = outcomes(published)[-1]
    assert failed.type == "xai.explanation_failed" and failed.payload.cancelled
    assert not list(store.list("explanations/"))


@pytest.mark.parametrize("changes, reason", [
    ({"run_id": "run-404"}, "unknown model"),
    ({"input": ExplanationInput(dataset_id="ds-404", record=0)}, "unknown data set"),
    ({"input": ExplanationInput(dataset_id="ds-1", record=9)}, "record 9 does not exist"),
    ({"input": ExplanationInput(dataset_id="ds-1", record=0, window=4)}, "window 4 does not exist"),
    ({"methods": {"integrated_gradients": {"n_steps": 1}}}, "n_steps must be between"),
    ({"methods": {"lime": {}}}, "unknown explanation method"),
    ({"target": 5}, "target class"),
    ({"input": ExplanationInput(signal_key="uploads/u1/missing.npy")}, "cannot be read"),
])
async def test_bad_requests_fail_with_the_reason(xai: Any, changes: dict[str, Any], reason: str) -> None:
    app, _, published = xai
    await app.service.explain(request(**changes))
    failed = outcomes(published)[-1]
    assert failed.type == "xai.explanation_failed" and reason in failed.payload.reason, failed.payload.reason


async def test_an_uploaded_signal_is_explained(xai: Any, world: Any) -> None:
    app, store, published = xai
    buffer = io.BytesIO()
    np.save(buffer, sample_signals(1, 600, world.rate_hz)[0])
    store.put_bytes("uploads/u1/signal.npy", buffer.getvalue())
    await app.service.explain(request(input=ExplanationInput(signal_key="uploads/u1/signal.npy", window=1),
                                      methods={"saliency": {}}))
    ready = outcomes(published)[-1]
    assert ready.type == "xai.explanation_ready" and ready.payload.summary["methods"] == ["saliency"]
