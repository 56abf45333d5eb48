"""Dashboard load: N concurrent logged-in clients loading Home and System health and running their callbacks.

Real infrastructure (Tansu, SeaweedFS, a SQLite gateway under a temporary var dir) and the gateway as
``pfd-gateway serve`` runs it: its default worker processes (one per usable core; ``--workers`` overrides) and
the consumer wait it is deployed with (the tests' 10 ms polling would cost it 0.2 cores while idle).
N distinct users are provisioned (one per client, each with its own session). Every client logs in through
POST /api/v1/auth/login, fetches /_dash-layout and /_dash-dependencies once, then until the duration ends
loads each page as the Dash renderer does: the page HTML, the pages-router callback (which returns the page
layout), then every server-side callback of the page that fires on load (clientside ones run in the browser;
``prevent_initial_call`` ones wait for a click), with inputs and state taken from the layout as it stands.
No think time: a closed loop, so the figures are the gateway's latency at saturation of N clients.
A non-2xx answer, a transport error, or a Dash answer that sets the error boundary counts as an error.
Target: p95 <= 200 ms and 0 errors.

The gateway's CPU (supervisor and workers) and this load generator's are printed: both share the machine, so
the clients use aiohttp (0.3-0.4 ms of CPU per request against httpx's 2.3-2.6 ms, measured on this machine).

Run: .venv/bin/python benchmarks/bench_dashboard_load.py [--clients 50] [--duration 120] [--think S] [--workers N]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import sys
import tempfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import psutil

from pfd_shared.localstack.infra import SeaweedPorts, start_seaweed, start_tansu
from pfd_shared.localstack.processes import ManagedProcess, free_port
from pfd_shared.messaging.topic_admin import ensure_topics
from pfd_shared.settings import KafkaSettings, S3Settings
from pfd_shared.testing.infra import Infra
from pfd_shared.testing.plugin import service_env, start_service

from pfd_gateway.auth.credentials import CSRF_COOKIE, CSRF_HEADER
from pfd_gateway.auth.provisioning import with_auth
from pfd_gateway.auth.service import AuthService
from pfd_gateway.dashboard.errors import ERROR_AREA
from pfd_gateway.dashboard.guard import CALLBACK_PATH, ROUTER_OUTPUT
from pfd_gateway.domain.access import Role
from pfd_gateway.settings import GatewaySettings
from pfd_gateway.workers import usable_cores

DEFAULT_CLIENTS = 50
DEFAULT_DURATION_S = 120.0
TARGET_P95_MS = 200.0
PAGES = {"home": "/", "system-health": "/system"}
LOGIN = "/api/v1/auth/login"
LAYOUT, DEPENDENCIES = "/_dash-layout", "/_dash-dependencies"
EMAIL = "bench-{n}@pfd.local"
PASSWORD = "bench-dashboard-password-42"  # noqa: S105 - throwaway accounts in a throwaway database
REQUEST_TIMEOUT_S = 60.0
WARMUP_S = 2.0  # after readiness: the first status round and monitoring sample land
QUANTILES = (0.5, 0.95)
HTTP_OK, HTTP_REDIRECT = 200, 300
PERCENT = 100


# ---------------------------------------------------------------- Dash request bodies, as the renderer forms them


@dataclass(frozen=True)
class Callback:
    """One server-side callback spec from /_dash-dependencies."""

    output: str  # "id.prop", or "..id1.prop1...id2.prop2.." for several outputs
    inputs: list[dict[str, str]]
    state: list[dict[str, str]]
    prevent_initial_call: bool

    @property
    def outputs(self) -> list[dict[str, str]]:
        parts = self.output.strip(".").split("...") if self.output.startswith("..") else [self.output]
        return [dict(zip(("id", "property"), part.rsplit(".", 1), strict=True)) for part in parts]

    @property
    def is_router(self) -> bool:
        return ROUTER_OUTPUT in self.output

    def body(self, props: dict[str, dict[str, Any]], changed: list[str]) -> dict[str, Any]:
        outputs = self.outputs
        return {"output": self.output, "outputs": outputs if self.output.startswith("..") else outputs[0],
                "inputs": [_with_value(dep, props) for dep in self.inputs],
                "state": [_with_value(dep, props) for dep in self.state], "changedPropIds": changed}


def _with_value(dep: dict[str, str], props: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """The renderer leaves out ``value`` when the prop is undefined in the layout."""
    found = props.get(dep["id"], {})
    return {"id": dep["id"], "property": dep["property"]} | (
        {"value": found[dep["property"]]} if dep["property"] in found else {})


def server_callbacks(dependencies: list[dict[str, Any]]) -> list[Callback]:
    """Server-side callbacks with plain string ids (clientside ones never reach the server)."""
    return [Callback(d["output"], d["inputs"], d["state"], bool(d.get("prevent_initial_call")))
            for d in dependencies if not d.get("clientside_function") and "{" not in d["output"]]


def collect_props(node: Any, into: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    """Every component with an id in a layout tree -> its props."""
    if isinstance(node, list):
        for child in node:
            collect_props(child, into)
    elif isinstance(node, dict):
        props = node.get("props") if "type" in node else None
        if isinstance(props, dict):
            if isinstance(props.get("id"), str):
                into[props["id"]] = props
            for value in props.values():
                collect_props(value, into)
        else:
            for value in node.values():
                collect_props(value, into)
    return into


def shell_props(layout: Any, content_id: str) -> dict[str, dict[str, Any]]:
    """The shell's components: without what ``content_id`` (the pages container) holds, which the router replaces."""
    props = collect_props(layout, {})
    for page_id in collect_props(props.get(content_id, {}).get("children"), {}):
        props.pop(page_id, None)
    return props


def fires_on_load(callback: Callback, props: dict[str, dict[str, Any]]) -> bool:
    """As the renderer: not the router, not deferred to a click, and its outputs and inputs are on the page."""
    return (not callback.prevent_initial_call and not callback.is_router
            and all(dep["id"] in props for dep in [*callback.outputs, *callback.inputs]))


def is_dash_error(answer: Answer) -> bool:
    """The error boundary answers 200 with a side update of the shell's error area."""
    return answer.status_code == HTTP_OK and f'"{ERROR_AREA}"' in answer.text and "sideUpdate" in answer.text


# ---------------------------------------------------------------- one browser


@dataclass(frozen=True)
class Answer:
    status_code: int
    text: str

    @property
    def is_success(self) -> bool:
        return HTTP_OK <= self.status_code < HTTP_REDIRECT

    def json(self) -> Any:
        return json.loads(self.text)


class Browser:
    """One logged-in client: its own cookies and keep-alive connection, requests one after another (aiohttp: a
    seventh of httpx's CPU per request, which matters with the load generator on the gateway's cores)."""

    def __init__(self, base_url: str) -> None:
        self.session = aiohttp.ClientSession(base_url=base_url, connector=aiohttp.TCPConnector(limit=1),
                                             cookie_jar=aiohttp.CookieJar(unsafe=True),  # cookies of 127.0.0.1
                                             timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S))
        self.headers: dict[str, str] = {}

    async def request(self, method: str, path: str, body: Any = None) -> Answer:
        async with self.session.request(method, path, json=body, headers=self.headers) as response:
            return Answer(response.status, await response.text())

    async def get(self, path: str) -> Answer:
        return await self.request("GET", path)

    async def post(self, path: str, body: Any) -> Answer:
        return await self.request("POST", path, body)

    def cookie(self, name: str) -> str:
        return next(cookie.value for cookie in self.session.cookie_jar if cookie.key == name)

    async def aclose(self) -> None:
        await self.session.close()


# ---------------------------------------------------------------- measuring


@dataclass
class Recorder:
    latencies_ms: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    error_samples: list[str] = field(default_factory=list)

    async def timed(self, kind: str, call: Any) -> Answer | None:
        started = time.perf_counter()
        try:
            answer = await call
        except (aiohttp.ClientError, TimeoutError) as exc:
            self._error(kind, f"{kind}: {type(exc).__name__} {exc}")
            return None
        self.latencies_ms[kind].append((time.perf_counter() - started) * 1000)
        if not answer.is_success or is_dash_error(answer):
            self._error(kind, f"{kind}: HTTP {answer.status_code} {answer.text[:200]}")
        return answer

    def _error(self, kind: str, sample: str) -> None:
        self.errors[kind] += 1
        self.error_samples.append(sample)


def quantiles_ms(values: list[float]) -> tuple[float, float, float]:
    if len(values) < 2:
        only = values[0] if values else float("nan")
        return only, only, only
    cuts = statistics.quantiles(values, n=PERCENT, method="inclusive")
    p50, p95 = (cuts[int(q * PERCENT) - 1] for q in QUANTILES)
    return p50, p95, max(values)


@dataclass(frozen=True)
class CpuUse:
    """CPU seconds spent during the load by the gateway (its supervisor and every worker) and this load generator."""

    gateway_s: float
    generator_s: float

    @classmethod
    def since(cls, gateway: psutil.Process, start: CpuUse | None = None) -> CpuUse:
        used = 0.0
        for process in [gateway, *gateway.children(recursive=True)]:
            try:
                times = process.cpu_times()
            except psutil.NoSuchProcess:
                continue
            used += times.user + times.system
        now = cls(used, time.process_time())
        return now if start is None else cls(now.gateway_s - start.gateway_s, now.generator_s - start.generator_s)


def report(recorder: Recorder, clients: int, elapsed_s: float, logins_ms: list[float], cpu: CpuUse,
           workers: int) -> None:
    everything = [v for values in recorder.latencies_ms.values() for v in values]
    print(f"{clients} clients for {elapsed_s:.0f} s, {len(everything)} requests "
          f"({len(everything) / elapsed_s:.1f} req/s), gateway workers: {workers}")
    print(f"  CPU during the load: gateway {cpu.gateway_s:.0f} s ({cpu.gateway_s / elapsed_s:.2f} cores), "
          f"load generator {cpu.generator_s:.0f} s ({cpu.generator_s / elapsed_s:.2f} cores) of {psutil.cpu_count()}")
    p50, p95, top = quantiles_ms(logins_ms)
    print(f"  login (not in the totals): n={len(logins_ms)} p50 {p50:.0f} ms, p95 {p95:.0f} ms, max {top:.0f} ms")
    width = max(len(kind) for kind in recorder.latencies_ms)
    for kind in sorted(recorder.latencies_ms):
        values = recorder.latencies_ms[kind]
        p50, p95, top = quantiles_ms(values)
        print(f"  {kind:<{width}}  n={len(values):>6}  p50 {p50:7.1f} ms  p95 {p95:7.1f} ms  max {top:7.1f} ms  "
              f"errors {recorder.errors.get(kind, 0)}")
    p50, p95, top = quantiles_ms(everything)
    errors = sum(recorder.errors.values())
    print(f"overall: p50 {p50:.1f} ms, p95 {p95:.1f} ms, max {top:.1f} ms, errors {errors} "
          f"(target p95 <= {TARGET_P95_MS:.0f} ms, 0 errors; p95 ratio {p95 / TARGET_P95_MS:.2f})")
    for sample in recorder.error_samples[:3]:
        print(f"  e.g. {sample}")


# ---------------------------------------------------------------- clients


async def login(client: Browser, n: int, slots: asyncio.Semaphore) -> float:
    """Log one client in (a few at a time: argon2 verification is CPU- and memory-bound); its latency in ms."""
    async with slots:
        started = time.perf_counter()
        answer = await client.post(LOGIN, {"email": EMAIL.format(n=n), "password": PASSWORD})
    if not answer.is_success:
        raise RuntimeError(f"login of {EMAIL.format(n=n)} refused: HTTP {answer.status_code} {answer.text[:200]}")
    client.headers[CSRF_HEADER] = client.cookie(CSRF_COOKIE)
    return (time.perf_counter() - started) * 1000


async def load_page(client: Browser, recorder: Recorder, page: str, path: str,
                    shell: dict[str, dict[str, Any]], callbacks: list[Callback]) -> None:
    await recorder.timed(f"{page} GET html", client.get(path))
    router = next(c for c in callbacks if c.is_router)
    location = {**shell, **{dep["id"]: {"pathname": path, "search": "", "hash": ""} for dep in router.inputs}}
    changed = [f"{dep['id']}.{dep['property']}" for dep in router.inputs[:1]]
    answer = await recorder.timed(f"{page} POST router",
                                  client.post(CALLBACK_PATH, router.body(location, changed)))
    if answer is None or not answer.is_success:
        return
    props = collect_props(answer.json().get("response", {}), dict(location))
    for callback in callbacks:
        if fires_on_load(callback, props):
            kind = f"{page} POST {callback.output.strip('.')}"
            await recorder.timed(kind, client.post(CALLBACK_PATH, callback.body(props, [])))


async def run_client(client: Browser, recorder: Recorder, deadline: float, think_s: float) -> None:
    layout = await recorder.timed("GET /_dash-layout", client.get(LAYOUT))
    dependencies = await recorder.timed("GET /_dash-dependencies", client.get(DEPENDENCIES))
    if layout is None or dependencies is None or not (layout.is_success and dependencies.is_success):
        return
    shell = shell_props(layout.json(), ROUTER_OUTPUT.split(".")[0])
    callbacks = server_callbacks(dependencies.json())
    while time.monotonic() < deadline:
        for page, path in PAGES.items():
            await load_page(client, recorder, page, path, shell, callbacks)
            await asyncio.sleep(think_s)  # a person reading the page before the next one (0: back to back)


async def load(base_url: str, gateway: psutil.Process, clients: int, duration_s: float, think_s: float,
               workers: int) -> None:
    browsers = [Browser(base_url) for _ in range(clients)]
    try:
        slots = asyncio.Semaphore(usable_cores())
        logins_ms = await asyncio.gather(*(login(client, n, slots) for n, client in enumerate(browsers)))
        recorder = Recorder()
        cpu = CpuUse.since(gateway)
        started = time.monotonic()
        try:
            await asyncio.gather(*(run_client(client, recorder, started + duration_s, think_s) for client in browsers))
        finally:
            elapsed = time.monotonic() - started
            cpu = CpuUse.since(gateway, cpu)
    finally:
        await asyncio.gather(*(client.aclose() for client in browsers))
    report(recorder, clients, elapsed, list(logins_ms), cpu, workers)


# ---------------------------------------------------------------- infrastructure


def provision_users(settings: GatewaySettings, count: int) -> None:
    async def work(auth: AuthService) -> None:
        for n in range(count):
            await auth.users.create(EMAIL.format(n=n), PASSWORD, Role.MEMBER)

    asyncio.run(with_auth(settings, work))


def start_stack(work: Path, clients: int, procs: list[ManagedProcess], workers: int) -> str:
    """Tansu, SeaweedFS and the gateway (``workers`` processes) with ``clients`` users (started into ``procs``);
    the gateway's URL."""
    broker_port, gw_port = free_port(), free_port()
    s3 = S3Settings(endpoint=f"127.0.0.1:{(ports := SeaweedPorts.pick()).s3}")
    procs.append(start_tansu(broker_port, work / "tansu.log"))
    procs.append(start_seaweed(work / "seaweed", ports, s3, work / "seaweed.log"))
    bootstrap = f"127.0.0.1:{broker_port}"
    asyncio.run(ensure_topics(bootstrap))
    infra = Infra("local", bootstrap, "", s3, work)
    provision_users(GatewaySettings(var_dir=work), clients)
    env = service_env("PFD_GATEWAY_", infra, port=gw_port, var_dir=str(work)) | {
        "PFD_GATEWAY_TELEMETRY__LOG_LEVEL": "WARNING", "PFD_GATEWAY_AUTH__CREATE_DEV_ADMIN": "false",
        # the consumer wait the gateway is deployed with, not the tests' 10 ms (idle polling: 0.2 cores)
        "PFD_GATEWAY_KAFKA__FETCH_MAX_WAIT_MS": str(KafkaSettings().fetch_max_wait_ms)}
    env["PFD_GATEWAY_WORKERS"] = str(workers)
    procs.append(start_service("gateway", [sys.executable, "-m", "pfd_gateway"], env, gw_port, work / "gw.log"))
    return f"http://127.0.0.1:{gw_port}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=DEFAULT_CLIENTS)
    parser.add_argument("--duration", type=float, default=DEFAULT_DURATION_S, help="seconds of load")
    parser.add_argument("--think", type=float, default=0.0, help="seconds each client pauses after a page (0: none)")
    parser.add_argument("--workers", type=int, default=None, help="gateway worker processes (default: the gateway's, one per usable core)")
    args = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="pfd-bench-dash-"))
    procs: list[ManagedProcess] = []
    try:
        workers = args.workers or usable_cores()  # `serve`'s default (the tests' environment says 1)
        base_url = start_stack(work, args.clients, procs, workers)
        time.sleep(WARMUP_S)
        asyncio.run(load(base_url, psutil.Process(procs[-1].pid), args.clients, args.duration, args.think,
                         workers))
    finally:
        for proc in reversed(procs):
            proc.kill()


if __name__ == "__main__":
    main()
