"""The inference API under 20 concurrent clients: p50/p99 latency, throughput and errors of
POST /v1/models/{name}/predict.

The server is a child process (uvicorn on a free port, so the load generator does not share its GIL) serving
``create_inference_app`` with an in-memory fake registry and object store holding one small cnn1d (random
weights: the speed of a prediction does not depend on them) exported by pfd_deploy.domain.export. Every client
keeps one connection and sends its requests one after another: a 1 s signal at the model's rate as a JSON array
(or little-endian float32 with --body octet), cut into windows and voted by the service. The first request of
every client comes after a warm-up request (the session loads once). Clients use aiohttp (a seventh of httpx's
CPU per request, which matters with the load generator on the server's cores).

Run: .venv/bin/python benchmarks/bench_predict_api.py [--clients 20] [--requests 25] [--body json|octet]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import aiohttp
import numpy as np

from pfd_shared.localstack.processes import free_port

MODEL = "bench"
SAMPLE_RATE_HZ = 12_000.0
WINDOW = 1024
SIGNAL_SECONDS = 1.0
STARTUP_TIMEOUT_S = 120.0
REQUEST_TIMEOUT_S = 60.0
POLL_S = 0.2
PERCENTILES = (50, 99)
MS_PER_S = 1000.0
ERROR_SAMPLES = 5


def export_model(path: Path) -> None:
    """A small cnn1d exported to ONNX (torch is needed here only, never by the server)."""
    import torch

    from pfd_deploy.domain.export import export_onnx
    from pfd_shared.models import build_model
    from pfd_shared.training.catalogue import model_info
    from pfd_shared.training.spec import ModelSpec

    torch.manual_seed(0)
    spec = ModelSpec(name="cnn1d", params=dict(model_info("cnn1d").resolve("small")),
                     class_names=("healthy", "inner_race", "outer_race", "ball"), window_length=WINDOW,
                     sample_rate_hz=SAMPLE_RATE_HZ)
    model = build_model("cnn1d", spec.params, spec.n_classes, spec.window_length).eval()
    windows = np.random.default_rng(0).normal(size=(16, 1, WINDOW)).astype(np.float32)
    path.write_bytes(export_onnx(model, spec, windows).model)


def serve(model_file: Path, port: int, threads: int) -> None:
    """The child process: the app on the fake registry, until terminated."""
    import uvicorn

    from pfd_deploy.http.app import create_inference_app
    from pfd_deploy.http.settings import InferenceHttpSettings
    from pfd_deploy.serving.fakes import InMemoryRegistry, publish_model
    from pfd_shared.storage import InMemoryObjectStore

    store, registry = InMemoryObjectStore(), InMemoryRegistry()
    publish_model(store, registry, model_file.read_bytes(), MODEL, 1, "production")
    settings = InferenceHttpSettings(host="127.0.0.1", port=port, threads=threads)
    app = create_inference_app(registry, store, settings)
    uvicorn.run(app, host=settings.host, port=settings.port, log_level="warning", access_log=False)


async def wait_ready(base: str) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    async with aiohttp.ClientSession() as session:
        while time.monotonic() < deadline:
            try:
                async with session.get(f"{base}/health") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(POLL_S)
    raise TimeoutError(f"the inference server at {base} did not answer within {STARTUP_TIMEOUT_S:g} s")


def request_body(kind: str) -> tuple[str, dict[str, object]]:
    t = np.arange(int(SIGNAL_SECONDS * SAMPLE_RATE_HZ)) / SAMPLE_RATE_HZ
    signal = np.sin(2 * np.pi * 97.0 * t) + 0.3 * np.random.default_rng(1).normal(size=t.size)
    if kind == "octet":
        return f"?sample_rate_hz={SAMPLE_RATE_HZ}", {"data": signal.astype("<f4").tobytes(),
                                                     "headers": {"content-type": "application/octet-stream"}}
    body = json.dumps({"signal": signal.round(6).tolist(), "sample_rate_hz": SAMPLE_RATE_HZ}).encode()
    return "", {"data": body, "headers": {"content-type": "application/json"}}  # encoded once, not per request


async def client(base: str, url: str, body: dict[str, object], requests: int, latencies: list[float],
                 errors: list[str]) -> None:
    async with aiohttp.ClientSession(base_url=base, connector=aiohttp.TCPConnector(limit=1),
                                     timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S)) as session:
        async with session.post(url, **body) as warm:
            await warm.read()
        for _ in range(requests):
            started = time.perf_counter()
            try:
                async with session.post(url, **body) as response:
                    text = await response.text()
                    if response.status != 200:
                        errors.append(f"HTTP {response.status}: {text[:200]}")
                        continue
            except (aiohttp.ClientError, TimeoutError) as exc:
                errors.append(f"{type(exc).__name__}: {exc}")
                continue
            latencies.append((time.perf_counter() - started) * MS_PER_S)


async def load(base: str, clients: int, requests: int, kind: str) -> None:
    await wait_ready(base)
    query, body = request_body(kind)
    url = f"/v1/models/{MODEL}/predict{query}"
    latencies: list[float] = []
    errors: list[str] = []
    started = time.perf_counter()
    await asyncio.gather(*(client(base, url, body, requests, latencies, errors) for _ in range(clients)))
    seconds = time.perf_counter() - started
    p50, p99 = np.percentile(latencies, PERCENTILES) if latencies else (float("nan"), float("nan"))
    windows = int(SIGNAL_SECONDS * SAMPLE_RATE_HZ) // WINDOW
    print(f"POST /v1/models/{{name}}/predict, {clients} concurrent clients x {requests} requests, {kind} body, "
          f"1 s signal at {SAMPLE_RATE_HZ:g} Hz ({windows} windows of {WINDOW}), cnn1d small")
    print(f"  ok {len(latencies)}  errors {len(errors)}  in {seconds:.2f} s")
    print(f"  latency p50 {p50:.1f} ms  p99 {p99:.1f} ms  throughput {len(latencies) / seconds:.1f} requests/s")
    for sample in errors[:ERROR_SAMPLES]:
        print(f"  error: {sample}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=20)
    parser.add_argument("--requests", type=int, default=25, help="per client, after its warm-up request")
    parser.add_argument("--body", choices=("json", "octet"), default="json")
    parser.add_argument("--threads", type=int, default=2, help="the server's prediction threads")
    parser.add_argument("--serve", type=Path, help=argparse.SUPPRESS)  # child mode: the model file
    parser.add_argument("--port", type=int, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.serve is not None:
        serve(args.serve, args.port, args.threads)
        return
    with tempfile.TemporaryDirectory() as tmp:
        model_file = Path(tmp) / "model.onnx"
        export_model(model_file)
        port = free_port()
        env = {**os.environ, "OMP_NUM_THREADS": "1"}
        server = subprocess.Popen([sys.executable, __file__, "--serve", str(model_file), "--port", str(port),
                                   "--threads", str(args.threads)], env=env)
        try:
            asyncio.run(load(f"http://127.0.0.1:{port}", args.clients, args.requests, args.body))
        finally:
            server.terminate()
            server.wait(timeout=STARTUP_TIMEOUT_S)


if __name__ == "__main__":
    main()
