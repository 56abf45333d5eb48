"""The inference API's bad-input matrix: every refusal has its status and reason, never a 500; a version that
fails to load is marked broken in the registry and not served; an unreachable store marks nothing."""

from __future__ import annotations

import hashlib

import numpy as np
import pytest
from fastapi.testclient import TestClient

from pfd_deploy.domain.export import export_onnx
from pfd_deploy.http.app import create_inference_app
from pfd_deploy.http.settings import InferenceHttpSettings
from pfd_deploy.registry.reader import ServedVersion
from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model
from pfd_shared.storage import InMemoryObjectStore, StorageError

MODEL = "bearing"
LIMIT = 64 * 1024
OK = [0.5] * 600
OCTET = {"content-type": "application/octet-stream"}


@pytest.fixture(scope="module")
def onnx_model(trained_cnn) -> bytes:
    return export_onnx(trained_cnn.model, trained_cnn.spec, trained_cnn.test_x[:32]).model


class FlakyStore(InMemoryObjectStore):
    def __init__(self) -> None:
        super().__init__()
        self.down = False

    def get_bytes(self, key: str) -> bytes:
        if self.down:
            raise StorageError("connection refused")
        return super().get_bytes(key)


@pytest.fixture
def api(onnx_model):
    store, registry = FlakyStore(), InMemoryRegistry()
    publish_model(store, registry, onnx_model, MODEL, 1, "production")
    with TestClient(create_inference_app(registry, store, InferenceHttpSettings(threads=1, max_body_bytes=LIMIT)),
                    raise_server_exceptions=False) as client:
        client.registry, client.store, client.onnx_model = registry, store, onnx_model
        yield client


def post(api: TestClient, query: str = "", model: str = MODEL, **kwargs):
    return api.post(f"/v1/models/{model}/predict{query}", **kwargs)


def refused(response, status: int, reason: str) -> None:
    assert response.status_code == status, response.text
    body = response.json()
    assert reason in body["detail"], body
    assert body["error"]


def raw_json(text: str) -> dict:
    return {"content": text.encode(), "headers": {"content-type": "application/json"}}


@pytest.mark.parametrize("query, kwargs, reason", [
    ("", raw_json('{"signal": [0.1, NaN, 0.3], "sample_rate_hz": 1000}'), "NaN or infinite"),
    ("", raw_json('{"signal": [' + ", ".join(["Infinity"] * 600) + '], "sample_rate_hz": 1000}'), "600 NaN"),
    ("", {"json": {"signal": [], "sample_rate_hz": 1000}}, "empty"),
    ("", {"json": {"signal": [[]], "sample_rate_hz": 1000}}, "empty"),
    ("", {"json": {"signal": [0.0] * 100, "sample_rate_hz": 1000}}, "at least one window of 256 samples"),
    ("", {"json": {"signal": [[0.0] * 600] * 2, "sample_rate_hz": 1000}}, "1-D array"),
    ("", {"json": {"signal": [[[0.0] * 300]] * 2, "sample_rate_hz": 1000}}, "1-D array"),
    ("", {"json": {"signal": [[0.0, 1.0], [2.0]], "sample_rate_hz": 1000}}, "rectangular"),
    ("", {"json": {"signal": ["a", "b"], "sample_rate_hz": 1000}}, "numbers only"),
    ("", {"json": {"signal": [True] * 600, "sample_rate_hz": 1000}}, "numbers only"),
    ("", {"json": {"signal": OK}}, "sample_rate_hz is required"),
    ("?sample_rate_hz=1000", {"json": {"signal": "0.5"}}, "signal"),
    ("", {"json": {"signal": OK, "sample_rate_hz": 0}}, "sample_rate_hz"),
    ("", {"json": {"signal": OK, "sample_rate_hz": 1000, "extra": 1}}, "extra"),
    ("", {"json": [0.5, 0.5]}, "not a prediction request"),
    ("", raw_json('{"signal": [0.5, '), "not valid JSON"),
    ("", raw_json(""), "not valid JSON"),
    ("?sample_rate_hz=1000", {"content": b"\x00" * 7, "headers": OCTET}, "not a multiple of 4"),
    ("", {"content": np.zeros(600, "<f4").tobytes(), "headers": OCTET}, "needs ?sample_rate_hz="),
    ("?sample_rate_hz=1000", {"content": np.full(600, np.nan, "<f4").tobytes(), "headers": OCTET}, "NaN"),
    ("?sample_rate_hz=1000", {"content": b"", "headers": OCTET}, "empty"),
    ("?sample_rate_hz=-5", {"content": np.zeros(600, "<f4").tobytes(), "headers": OCTET}, "sample_rate_hz"),
    ("?sample_rate_hz=abc", {"content": np.zeros(600, "<f4").tobytes(), "headers": OCTET}, "sample_rate_hz"),
    ("?alias=production&version=1", {"json": {"signal": OK, "sample_rate_hz": 1000}}, "either alias or version"),
    ("?version=0", {"json": {"signal": OK, "sample_rate_hz": 1000}}, "version"),
    ("?alias=Bad%20Alias", {"json": {"signal": OK, "sample_rate_hz": 1000}}, "alias"),
])
def test_bad_input_is_422_with_the_reason(api, query: str, kwargs: dict, reason: str) -> None:
    refused(post(api, query, **kwargs), 422, reason)


def test_a_body_over_the_limit_is_413(api) -> None:
    big = np.zeros(LIMIT, "<f4").tobytes()
    refused(post(api, "?sample_rate_hz=1000", content=big, headers=OCTET), 413, "limit")
    chunks = (big[i:i + 4096] for i in range(0, len(big), 4096))  # streamed: no Content-Length to trust
    refused(post(api, "?sample_rate_hz=1000", content=chunks, headers=OCTET), 413, "limit")


def test_another_content_type_is_415(api) -> None:
    refused(post(api, content=b"0.5,0.5", headers={"content-type": "text/csv"}), 415, "text/csv")


@pytest.mark.parametrize("query, model, reason", [
    ("", "nosuch", "no model named 'nosuch'"),
    ("?alias=staging", MODEL, "no alias 'staging'"),
    ("?version=7", MODEL, "no version 7"),
])
def test_unknown_model_alias_or_version_is_404(api, query: str, model: str, reason: str) -> None:
    refused(post(api, query, model, json={"signal": OK, "sample_rate_hz": 1000}), 404, reason)


def _corrupt(api) -> None:
    api.store.put_bytes(api.registry.versions[(MODEL, 1)].object_key, b"not the model")


def _missing(api) -> None:
    api.store.delete(api.registry.versions[(MODEL, 1)].object_key)


def _not_onnx(api) -> None:
    served: ServedVersion = api.registry.versions[(MODEL, 1)]
    api.store.put_bytes(served.object_key, b"garbage")
    api.registry.add(ServedVersion(**{**vars(served), "sha256": hashlib.sha256(b"garbage").hexdigest()}))


def _other_classes(api) -> None:
    served: ServedVersion = api.registry.versions[(MODEL, 1)]
    api.registry.add(ServedVersion(**{**vars(served), "class_names": ("a", "b", "c")}))


@pytest.mark.parametrize("damage, reason", [
    (_corrupt, "corrupt: its SHA-256"), (_missing, "missing from the object store"),
    (_not_onnx, "ONNX Runtime cannot load"), (_other_classes, "disagrees with the registry"),
])
def test_a_version_that_fails_to_load_is_marked_broken_and_not_served(api, damage, reason: str) -> None:
    damage(api)
    refused(post(api, json={"signal": OK, "sample_rate_hz": 1000}), 409, reason)
    assert reason in api.registry.broken[(MODEL, 1)]
    api.store.put_bytes(api.registry.versions[(MODEL, 1)].object_key, api.onnx_model)  # even repaired: not served
    refused(post(api, json={"signal": OK, "sample_rate_hz": 1000}), 409, "broken")
    assert api.app.state.predictor.sessions.loads == 0


def test_an_unreachable_store_is_503_and_marks_nothing(api) -> None:
    api.store.down = True
    refused(post(api, json={"signal": OK, "sample_rate_hz": 1000}), 503, "connection refused")
    assert api.registry.broken == {}
    api.store.down = False
    assert post(api, json={"signal": OK, "sample_rate_hz": 1000}).status_code == 200
