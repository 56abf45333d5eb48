"""Helm chart deploy/helm/pfd: lint, render, validate against Kubernetes 1.31 schemas.

Generic over the `services:` map of values.yaml: a new service is one values entry.
Needs helm at .venv/bin/helm (tools/install_helm.sh) and kubernetes-validate.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
CHART = ROOT / "deploy/helm/pfd"
HELM = ROOT / ".venv/bin/helm"
PRODUCTION = CHART / "values-production.yaml"
K8S_VERSION = "1.31"
SECRET_ENV = re.compile(r"(DATABASE__URL|ACCESS_KEY|SECRET_KEY|PASSWORD|TOKEN)$")

pytestmark = pytest.mark.skipif(
    not HELM.exists(), reason=f"helm not installed at {HELM}: run tools/install_helm.sh"
)

WORKER = """
services:
  notifier:
    enabled: true
    image: { repository: notifier }
    envPrefix: PFD_NOTIFIER_
    port: 8080
    replicas: 2
    uses: { kafka: true }
    pdb: { enabled: true }
  xai:
    enabled: true
    image: { repository: xai }
    envPrefix: PFD_XAI_
    uses: { kafka: true, s3: true }
    autoscaling: { enabled: true, maxReplicas: 3 }
    database: { enabled: true, name: pfd_xai, migrate: true }
  training:
    enabled: false
    image: { repository: training }
    envPrefix: PFD_TRAINING_
"""


def tool(name: str) -> str:
    local = Path(sys.executable).parent / name
    found = str(local) if local.exists() else shutil.which(name)
    assert found, f"{name} is not installed in the test environment (pip install {name})"
    return found


def helm(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([str(HELM), *args], capture_output=True, text=True, timeout=120)


def render(*args: str) -> str:
    result = helm("template", "pfd", str(CHART), "--namespace", "pfd", *args)
    assert result.returncode == 0, result.stderr
    return result.stdout


def docs(manifest: str) -> list[dict]:
    return [d for d in yaml.safe_load_all(manifest) if d]


def by_kind(objects: list[dict], kind: str) -> dict[str, dict]:
    return {o["metadata"]["name"]: o for o in objects if o["kind"] == kind}


def kubernetes_validate(manifest: str) -> None:
    result = subprocess.run(
        [tool("kubernetes-validate"), "--strict", "-k", K8S_VERSION, "-"],
        input=manifest, capture_output=True, text=True, timeout=300,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def values() -> dict:
    return yaml.safe_load((CHART / "values.yaml").read_text())


def deep_merge(base: dict, override: dict) -> dict:
    out = dict(base)
    for key, value in override.items():
        out[key] = deep_merge(out[key], value) if isinstance(value, dict) and isinstance(out.get(key), dict) else value
    return out


def enabled_services(extra: dict | None = None) -> dict:
    """Effective enabled services: values.yaml + extra file, each over serviceDefaults."""
    merged = deep_merge(values(), extra or {})
    return {
        name: deep_merge(merged["serviceDefaults"], svc)
        for name, svc in merged["services"].items() if svc.get("enabled")
    }


VARIANTS = {"default": [], "production": ["-f", str(PRODUCTION)]}


@pytest.mark.parametrize("variant", VARIANTS)
def test_lint(variant: str) -> None:
    result = helm("lint", str(CHART), "--strict", *VARIANTS[variant])
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize("variant", VARIANTS)
def test_template_passes_kubernetes_validate(variant: str) -> None:
    kubernetes_validate(render(*VARIANTS[variant]))


def test_values_hold_no_secret_values() -> None:
    def walk(node: object, path: str) -> None:
        if isinstance(node, dict):
            for key, value in node.items():
                here = f"{path}.{key}"
                if re.search(r"password|passwd|token|credential|accesskey|secretkey", str(key), re.I) \
                        and not here.startswith(".secrets."):
                    assert value in (None, "", {}, []), f"secret-looking value at {here}"
                walk(value, here)
        elif isinstance(node, list):
            for i, item in enumerate(node):
                walk(item, f"{path}[{i}]")
        elif isinstance(node, str):
            assert not re.search(r"://[^/\s:@]+:[^/\s@]+@", node), f"credentials in URL at {path}"

    for file in (CHART / "values.yaml", PRODUCTION):
        walk(yaml.safe_load(file.read_text()), "")


def check_service_objects(objects: list[dict], services: dict) -> None:
    deployments = by_kind(objects, "Deployment")
    svcs, configmaps = by_kind(objects, "Service"), by_kind(objects, "ConfigMap")
    hpas, pdbs = by_kind(objects, "HorizontalPodAutoscaler"), by_kind(objects, "PodDisruptionBudget")
    assert {n.removeprefix("pfd-") for n in deployments} == set(services)
    for name, svc in services.items():
        full = f"pfd-{name}"
        port = svc.get("port", 8080)
        assert svcs[full]["spec"]["ports"][0]["port"] == port
        data = configmaps[f"{full}-config"]["data"]
        prefix = svc["envPrefix"]
        assert all(key.startswith(prefix) for key in data), f"{name}: foreign keys in ConfigMap"
        assert data[f"{prefix}HTTP__PORT"] == str(port)
        assert not any(SECRET_ENV.search(k) for k in data), f"{name}: secret in ConfigMap"
        pod = deployments[full]["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"]["type"] == "RuntimeDefault"
        (container,) = pod["containers"]
        sc = container["securityContext"]
        assert sc["readOnlyRootFilesystem"] is True and sc["allowPrivilegeEscalation"] is False
        assert sc["capabilities"]["drop"] == ["ALL"]
        assert {"name": "tmp", "mountPath": "/tmp"} in container["volumeMounts"]
        assert container["livenessProbe"]["httpGet"]["path"] == "/health/live"
        assert container["readinessProbe"]["httpGet"]["path"] == "/health/ready"
        assert container["ports"][0]["containerPort"] == port
        for env in container.get("env", []):
            assert "secretKeyRef" in env.get("valueFrom", {}), f"{name}: inline env {env['name']}"
        autoscaled = (svc.get("autoscaling") or {}).get("enabled", False)
        assert (full in hpas) == autoscaled, f"{name}: HPA presence"
        assert ("replicas" in deployments[full]["spec"]) != autoscaled
        if (svc.get("pdb") or {}).get("enabled") and (autoscaled or svc.get("replicas", 1) > 1):
            assert full in pdbs, f"{name}: PDB missing"


def hook_jobs(objects: list[dict]) -> dict[str, dict]:
    jobs = by_kind(objects, "Job")
    for name, job in jobs.items():
        hooks = job["metadata"]["annotations"]["helm.sh/hook"].split(",")
        assert {"pre-install", "pre-upgrade"} <= set(hooks), f"{name} is not a pre-install/upgrade hook"
    return jobs


def test_default_render_objects() -> None:
    objects = docs(render())
    check_service_objects(objects, enabled_services())
    jobs = hook_jobs(objects)
    migrate = jobs["pfd-gateway-migrate"]["spec"]["template"]["spec"]["containers"][0]
    assert migrate["command"] == ["pfd-gateway", "migrate"]
    names = {e["name"] for e in migrate["env"]}
    assert "PFD_GATEWAY_DATABASE__URL" in names
    topics = jobs["pfd-topics"]["spec"]["template"]["spec"]["containers"][0]
    assert topics["command"] == ["pfd-topics"]
    assert topics["args"][0] == "--bootstrap-servers"
    assert not by_kind(objects, "ServiceMonitor"), "ServiceMonitor must be opt-in"
    assert not by_kind(objects, "Ingress")


def test_production_ingress_keeps_websockets() -> None:
    objects = docs(render("-f", str(PRODUCTION)))
    (ingress,) = by_kind(objects, "Ingress").values()
    annotations = ingress["metadata"]["annotations"]
    for key in ("proxy-read-timeout", "proxy-send-timeout"):
        assert int(annotations[f"nginx.ingress.kubernetes.io/{key}"]) >= 3600
    backend = ingress["spec"]["rules"][0]["http"]["paths"][0]["backend"]["service"]
    assert backend == {"name": "pfd-gateway", "port": {"name": "http"}}
    assert ingress["spec"]["tls"]
    topics = hook_jobs(objects)["pfd-topics"]["spec"]["template"]["spec"]["containers"][0]
    assert topics["args"][-2:] == ["--replication-factor", "3"]
    check_service_objects(objects, enabled_services(yaml.safe_load(PRODUCTION.read_text())))


def test_new_services_come_from_a_values_entry(tmp_path: Path) -> None:
    extra = tmp_path / "workers.yaml"
    extra.write_text(WORKER)
    manifest = render("-f", str(extra))
    kubernetes_validate(manifest)
    objects = docs(manifest)
    check_service_objects(objects, enabled_services(yaml.safe_load(WORKER)))
    jobs = hook_jobs(objects)
    assert jobs["pfd-xai-migrate"]["spec"]["template"]["spec"]["containers"][0]["command"] == ["pfd-xai", "migrate"]
    assert "pfd-training" not in by_kind(objects, "Deployment")


def test_service_monitor_when_enabled() -> None:
    objects = docs(render("--set", "serviceMonitor.enabled=true"))
    monitors = by_kind(objects, "ServiceMonitor")
    assert set(monitors) == {f"pfd-{n}" for n in enabled_services()}
    for monitor in monitors.values():
        assert monitor["spec"]["endpoints"][0]["path"] == "/metrics"
    kubernetes_validate(yaml.safe_dump_all([o for o in objects if o["kind"] != "ServiceMonitor"]))


@pytest.mark.parametrize("bad", [
    "services.gateway.port=notaport",
    "services.gateway.envPrefix=gateway",
    "environment=staging",
    "telemetry.logFormat=xml",
    "services.gateway.unknownKey=1",
    "secrets.existingSecret=",
])
def test_schema_rejects_invalid_values(bad: str) -> None:
    result = helm("template", "pfd", str(CHART), "--set", bad)
    assert result.returncode != 0, f"{bad} was accepted"
