"""Service functions behind the system pages: log ring, host, connectivity, bridge, overview, sign-in guard."""

import asyncio
import logging
import threading
from pathlib import Path

import flask
import pytest
from sqlalchemy.ext.asyncio import create_async_engine

from pfd_shared.settings import S3Settings
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.logging import correlation_id_var

from pfd_gateway.connectivity import ConnectivityChecks
from pfd_gateway.dashboard.bridge import BridgeError, LoopBridge
from pfd_gateway.dashboard.guard import install_guard
from pfd_gateway.dashboard.pages.login import safe_next
from pfd_gateway.host_metrics import HostMetrics, parse_nvidia_smi
from pfd_gateway.logbuffer import LogBuffer


def test_log_buffer_is_bounded_filtered_and_keeps_the_correlation_id() -> None:
    buffer = LogBuffer(capacity=3)
    logger = logging.getLogger("pfd.test.logbuffer")
    logger.setLevel(logging.DEBUG)
    buffer.install(logger)
    try:
        token = correlation_id_var.set("cid-1")
        for n in range(4):
            logger.info("message %d", n)
        logger.error("broken")
        correlation_id_var.reset(token)
    finally:
        buffer.uninstall(logger)
    assert [e.message for e in buffer.recent()] == ["broken", "message 3", "message 2"]
    assert [e.message for e in buffer.recent("ERROR")] == ["broken"]
    assert buffer.recent()[0].correlation_id == "cid-1"
    assert len(buffer.recent(limit=1)) == 1
    with pytest.raises(ValueError, match="unknown log level"):
        buffer.recent("LOUD")


def test_nvidia_smi_rows_are_parsed_and_host_is_read(tmp_path: Path) -> None:
    gpus = parse_nvidia_smi("NVIDIA A100, 37, 1024, 40960\nNVIDIA T4, 0, 0, 15360\n")
    assert [(g.name, g.utilization_percent, g.memory_total_mb) for g in gpus] == [
        ("NVIDIA A100", 37.0, 40960.0), ("NVIDIA T4", 0.0, 15360.0)]
    with pytest.raises(ValueError):
        parse_nvidia_smi("garbage")
    snapshot = HostMetrics(tmp_path).read()
    assert 0 <= snapshot.cpu_percent <= 100 and snapshot.memory_total_bytes > 0 and snapshot.disk_total_bytes > 0
    assert snapshot.gpus or snapshot.gpu_note
    assert snapshot.to_dict()["at"].endswith("+00:00")


class _DeadBroker:
    async def ping(self, timeout: float) -> bool:
        return False


async def test_connectivity_reports_unreachable_dependencies_without_raising(tmp_path: Path) -> None:
    engine = create_async_engine(f"sqlite+aiosqlite:///{tmp_path}/ok.db")
    store = S3ObjectStore(S3Settings(endpoint="127.0.0.1:9", bucket="nowhere"))
    dead = _DeadBroker()
    checks = ConnectivityChecks(broker=dead, bootstrap_servers="127.0.0.1:9", engine=engine,  # type: ignore[arg-type]
                                database_target="sqlite", store=store, store_target="127.0.0.1:9/nowhere",
                                timeout_s=2)
    try:
        broker, database, objects = await checks.check_all()
    finally:
        await engine.dispose()
    assert (broker.ok, database.ok, objects.ok) == (False, True, False)
    assert "describe-cluster" in broker.detail and database.detail == "SELECT 1 answered"
    assert objects.detail


def test_bridge_runs_coroutines_on_the_loop_and_times_out() -> None:
    loop = asyncio.new_event_loop()
    thread = threading.Thread(target=loop.run_forever, daemon=True)
    thread.start()
    bridge = LoopBridge(timeout_s=0.2)

    async def where() -> int:
        return threading.get_ident()

    try:
        with pytest.raises(BridgeError, match="not running"):
            bridge.run(where())
        bridge.bind(loop)
        assert bridge.run(where()) == thread.ident
        with pytest.raises(BridgeError, match="did not answer"):
            bridge.run(asyncio.sleep(5))
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(2)
        loop.close()


def test_guard_redirects_pages_refuses_data_callbacks_and_lets_the_router_and_login_through() -> None:
    server = flask.Flask("guard-test")
    server.add_url_rule("/<path:path>", "any", view_func=lambda path: "ok", methods=["GET", "POST"])
    install_guard(server, lambda token: "user" if token == "good" else None)  # type: ignore[arg-type,return-value]
    client = server.test_client()
    assert client.get("/system?x=1").headers["Location"] == "/login?next=/system%3Fx%3D1"
    assert client.get("/login").status_code == 200
    assert client.get("/assets/style.css").status_code == 200
    assert client.post("/_dash-update-component", json={"output": "home-stats.children"}).status_code == 401
    assert client.post("/_dash-update-component", json={"output": "..._pages_content.children..."}).status_code == 200
    client.set_cookie("pfd_session", "good")
    assert client.get("/system").status_code == 200


def test_login_only_follows_same_site_paths() -> None:
    assert safe_next("/system?x=1") == "/system?x=1"
    assert safe_next("//evil.example") == "/" and safe_next("https://evil.example") == "/" and safe_next(None) == "/"
