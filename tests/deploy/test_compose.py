"""compose.yaml: schema (check-jsonschema) plus our own cross-reference checks.

Generic over the services of deploy/helm/pfd/values.yaml (`services:` map): every
enabled service there must run in compose too, and vice versa.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE_FILE = ROOT / "compose.yaml"
ENV_EXAMPLE = ROOT / ".env.example"
VALUES = ROOT / "deploy/helm/pfd/values.yaml"
SERVICE_DOCKERFILE = "deploy/docker/service.Dockerfile"
VAR_RE = re.compile(r"(?<!\$)\$\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-?+])([^}]*))?\}")
SECRET_NAME = re.compile(r"PASSWORD|SECRET|ROOT_USER|TOKEN")


def tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found, f"{name} is not installed in the test environment (pip install {name})"
    return found


@pytest.fixture(scope="module")
def compose() -> dict:
    return yaml.safe_load(COMPOSE_FILE.read_text())


@pytest.fixture(scope="module")
def services(compose: dict) -> dict:
    return compose["services"]


@pytest.fixture(scope="module")
def helm_services() -> dict:
    values = yaml.safe_load(VALUES.read_text())
    return {name: svc for name, svc in values["services"].items() if svc.get("enabled")}


def pfd_services(services: dict) -> dict:
    """Long-running services built from this repo (not one-shot jobs)."""
    return {n: s for n, s in services.items() if "build" in s and s.get("restart") != "no"}


def test_compose_schema() -> None:
    result = subprocess.run(
        [tool("check-jsonschema"), "--builtin-schema", "vendor.compose-spec", str(COMPOSE_FILE)],
        capture_output=True, text=True, timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_depends_on_targets_exist(services: dict) -> None:
    conditions = {"service_started", "service_healthy", "service_completed_successfully"}
    for name, svc in services.items():
        deps = svc.get("depends_on", {})
        targets = deps if isinstance(deps, list) else list(deps)
        for target in targets:
            assert target in services, f"{name} depends on unknown service {target}"
            if isinstance(deps, dict):
                condition = deps[target].get("condition", "service_started")
                assert condition in conditions, f"{name} -> {target}: {condition}"
                if condition == "service_healthy":
                    assert "healthcheck" in services[target], f"{target} has no healthcheck"
                if condition == "service_completed_successfully":
                    assert services[target].get("restart") == "no", f"{target} is not a one-shot job"
            # a profiled service may only depend on services active in the same profiles
            if services[target].get("profiles"):
                assert set(svc.get("profiles", [])) & set(services[target]["profiles"]), \
                    f"{name} depends on {target}, which only runs in profiles {services[target]['profiles']}"


def test_named_volumes_declared_and_bind_mounts_exist(compose: dict, services: dict) -> None:
    declared = set((compose.get("volumes") or {}).keys())
    used = set()
    for name, svc in services.items():
        for vol in svc.get("volumes", []):
            source = vol.split(":", 1)[0] if isinstance(vol, str) else vol.get("source", "")
            if source.startswith(("./", "../", "/")):
                if source.startswith("./"):
                    assert (ROOT / source).exists(), f"{name}: bind mount {source} missing"
                continue
            assert source in declared, f"{name}: named volume {source!r} not declared"
            used.add(source)
    assert declared <= used, f"declared but unused volumes: {declared - used}"


def compose_text() -> str:
    """compose.yaml without its full-line comments."""
    return "\n".join(line for line in COMPOSE_FILE.read_text().splitlines() if not line.lstrip().startswith("#"))


def documented_env_vars() -> set[str]:
    assert ENV_EXAMPLE.is_file(), ".env.example is missing at the repo root (the lead writes it)"
    names = set()
    for line in ENV_EXAMPLE.read_text().splitlines():
        match = re.match(r"^\s*#?\s*(?:export\s+)?([A-Z_][A-Z0-9_]*)\s*=", line)
        if match:
            names.add(match[1])
    return names


def test_every_variable_is_documented_in_env_example() -> None:
    used = {m[1] for m in VAR_RE.finditer(compose_text())}
    assert used, "compose.yaml interpolates no variables?"
    missing = used - documented_env_vars()
    assert not missing, f"document in .env.example: {sorted(missing)}"


def test_secrets_are_required_and_never_inline(services: dict) -> None:
    for match in VAR_RE.finditer(compose_text()):
        if SECRET_NAME.search(match[1]):
            assert match[2] == ":?", f"secret ${{{match[1]}}} must use ${{{match[1]}:?message}}"
    for name, svc in services.items():
        env = svc.get("environment") or {}
        if isinstance(env, list):
            env = dict((e.split("=", 1) + [""])[:2] for e in env)
        for key, value in env.items():
            if SECRET_NAME.search(key) or key.endswith(("ACCESS_KEY", "SECRET_KEY")):
                assert "${" in str(value), f"{name}: {key} must come from .env, not a literal"


def test_infrastructure_and_ordering(services: dict) -> None:
    for name in ("kafka", "kafka-init", "postgres", "minio", "minio-init", "gateway"):
        assert name in services, f"compose.yaml lacks {name}"
    for name in ("kafka", "postgres", "minio", "gateway"):
        assert "healthcheck" in services[name], f"{name} needs a healthcheck"
    assert re.match(r"apache/kafka:\d+\.\d+\.\d+$", services["kafka"]["image"])
    assert re.match(r"postgres:16[.\d]*(-\w+)?$", services["postgres"]["image"])
    for name in ("minio", "minio-init"):
        assert ":RELEASE." in services[name]["image"], f"{name} image must be pinned"
    assert services["kafka-init"]["entrypoint"] == ["pfd-topics"]
    deps = services["gateway"]["depends_on"]
    expected = {
        "kafka": "service_healthy",
        "kafka-init": "service_completed_successfully",
        "postgres": "service_healthy",
        "minio-init": "service_completed_successfully",
    }
    for target, condition in expected.items():
        assert deps[target]["condition"] == condition, f"gateway -> {target}"
    migrate = [n for n, s in services.items() if s.get("command") == ["migrate"]]
    assert migrate
    for job in migrate:  # each service waits for its own migration job
        owner = job.removesuffix("-migrate")
        assert services[owner]["depends_on"][job]["condition"] == "service_completed_successfully", job


def test_services_match_helm_values(services: dict, helm_services: dict) -> None:
    running = pfd_services(services)
    assert set(running) == set(helm_services), (
        f"compose PFD services {sorted(running)} != helm services {sorted(helm_services)}"
    )
    for name, helm in helm_services.items():
        svc = running[name]
        build = svc["build"]
        assert build["context"] == ".", f"{name}: build context must be the repo root"
        assert build["dockerfile"] == SERVICE_DOCKERFILE, build
        assert build["args"]["SERVICE"] == name and build["args"]["ENV_PREFIX"] == helm["envPrefix"], build
        assert str(build["args"].get("PORT", 8080)) == str(helm.get("port", 8080)), f"{name}: image port != helm"
        env = svc.get("environment") or {}
        assert env, f"{name}: no environment"
        prefix = helm["envPrefix"]
        assert all(key.startswith(prefix) for key in env), f"{name}: env keys must start with {prefix}"
        assert str(env[f"{prefix}HTTP__PORT"]) == str(helm.get("port", 8080)), f"{name}: port differs from helm"
        assert "healthcheck" in svc and "/health/ready" in json.dumps(svc["healthcheck"])


def test_every_service_image_is_wired_into_compose_and_helm(services: dict) -> None:
    built = {s["build"]["args"]["SERVICE"] for s in services.values() if "build" in s}
    all_helm = yaml.safe_load(VALUES.read_text())["services"]
    for pyproject in sorted(ROOT.glob("services/*/pyproject.toml")):
        if "pfd.services" not in pyproject.read_text():
            continue
        name = pyproject.parent.name
        assert name in built, f"compose builds no image of {name}"
        assert name in all_helm, f"add {name} to services: in values.yaml"


def test_each_database_is_created_by_postgres_init(services: dict, helm_services: dict) -> None:
    listed = set(re.split(r"[\s,]+", services["postgres"]["environment"]["PFD_DATABASES"].strip()))
    for name, svc in helm_services.items():
        db = svc.get("database") or {}
        if db.get("enabled"):
            assert db["name"] in listed, f"add {db['name']} to PFD_DATABASES in compose.yaml"
    script = ROOT / "deploy/postgres/init-databases.sh"
    assert "for db in" in script.read_text() and "PFD_DATABASES" in script.read_text()


def test_prometheus_scrapes_every_service(helm_services: dict) -> None:
    config = yaml.safe_load((ROOT / "deploy/prometheus/prometheus.yml").read_text())
    targets = {
        t for job in config["scrape_configs"] if job.get("metrics_path", "/metrics") == "/metrics"
        for static in job.get("static_configs", []) for t in static["targets"]
    }
    for name, svc in helm_services.items():
        assert f"{name}:{svc.get('port', 8080)}" in targets, f"prometheus does not scrape {name}"


def test_grafana_dashboard_and_otel_config() -> None:
    dashboards = list((ROOT / "deploy/grafana/dashboards").glob("*.json"))
    assert dashboards
    exprs = " ".join(
        t["expr"] for d in dashboards for p in json.loads(d.read_text())["panels"] for t in p.get("targets", [])
    )
    for needle in ("faststream_received_messages_total", "histogram_quantile(0.95",
                   "kafka_consumergroup_lag", "dead-letter", "http_requests_total",
                   "http_request_duration_seconds_bucket"):
        assert needle in exprs, f"dashboard lacks {needle}"
    for provisioning in (ROOT / "deploy/grafana/provisioning").rglob("*.yaml"):
        assert yaml.safe_load(provisioning.read_text())["apiVersion"] == 1
    otel = yaml.safe_load((ROOT / "deploy/otel/collector.yaml").read_text())
    for pipeline in otel["service"]["pipelines"].values():
        assert set(pipeline["receivers"]) <= set(otel["receivers"])
        assert set(pipeline["exporters"]) <= set(otel["exporters"])
