"""Static checks of every services/*/Dockerfile (built with the repo root as context).

Generic: a new service folder with a Dockerfile is checked automatically.
"""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILE = ROOT / "deploy/docker/service.Dockerfile"  # the one recipe of every service image
TORCH_ALLOWED = {"training", "xai", "deploy"}  # services whose images may carry torch
BASE_IMAGE = "python:3.11-slim"


def service_folders() -> list[Path]:
    """Folders of runnable services (a pfd.services entry point)."""
    return sorted(p.parent for p in ROOT.glob("services/*/pyproject.toml")
                  if "pfd.services" in tomllib.loads(p.read_text())["project"].get("entry-points", {}))


def build_args() -> dict[str, dict[str, str]]:
    """Each service's build arguments, from compose.yaml's build sections (keyed by SERVICE)."""
    compose = yaml.safe_load((ROOT / "compose.yaml").read_text())
    found: dict[str, dict[str, str]] = {}
    for svc in compose["services"].values():
        build = svc.get("build") or {}
        if build.get("dockerfile") == DOCKERFILE.relative_to(ROOT).as_posix():
            args = {k: str(v) for k, v in (build.get("args") or {}).items()}
            found[args["SERVICE"]] = args
    return found


def parse(path: Path) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) pairs, continuation lines joined, comments dropped."""
    instructions: list[tuple[str, str]] = []
    buf = ""
    for raw in path.read_text().splitlines():
        line = raw.strip()
        if not buf and (not line or line.startswith("#")):
            continue
        if buf and line.startswith("#"):
            continue
        if line.endswith("\\"):
            buf += line[:-1] + " "
            continue
        buf += line
        keyword, _, rest = buf.partition(" ")
        instructions.append((keyword.upper(), rest.strip()))
        buf = ""
    return instructions


def stages(instructions: list[tuple[str, str]]) -> list[list[tuple[str, str]]]:
    out: list[list[tuple[str, str]]] = []
    for ins in instructions:
        if ins[0] == "FROM":
            out.append([])
        if out:
            out[-1].append(ins)
    return out


def resolve_args(text: str, instructions: list[tuple[str, str]], given: dict[str, str] | None = None) -> str:
    values = dict(given or {})
    for keyword, rest in instructions:
        if keyword == "ARG" and "=" in rest:
            name, _, value = rest.partition("=")
            values.setdefault(name.strip(), value.strip())
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: values.get(m[1] or m[2], m[0]), text)


def exec_form(rest: str) -> list[str]:
    assert rest.startswith("["), f"use the exec (JSON) form, got: {rest}"
    return json.loads(rest)


def copy_sources(rest: str) -> list[str] | None:
    """Context sources of a COPY/ADD, or None for COPY --from=<stage>."""
    words = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
    if any(w.startswith("--from") for w in words):
        return None
    words = [w for w in words if not w.startswith("--")]
    return words[:-1]


def project(folder: Path) -> dict:
    pyproject = folder / "pyproject.toml"
    assert pyproject.is_file(), f"{pyproject.relative_to(ROOT)} is missing"
    return tomllib.loads(pyproject.read_text())["project"]


def test_every_service_is_built_from_the_one_recipe() -> None:
    assert DOCKERFILE.is_file(), f"{DOCKERFILE.relative_to(ROOT)} is missing"
    built = build_args()
    for folder in service_folders():
        assert folder.name in built, f"no compose service builds {folder.name} from {DOCKERFILE.name}"
    assert not list(ROOT.glob("services/*/Dockerfile")), "services are built from deploy/docker/service.Dockerfile"


@pytest.fixture(params=[f.name for f in service_folders()])
def service(request: pytest.FixtureRequest) -> tuple[Path, dict[str, str]]:
    args = build_args().get(request.param)
    if args is None:
        pytest.fail(f"compose.yaml builds no image of {request.param}")
    return ROOT / "services" / request.param, args


def test_copy_sources_exist(service: tuple[Path, dict[str, str]]) -> None:
    folder, args = service
    instructions = parse(DOCKERFILE)
    sources: list[str] = []
    for keyword, rest in instructions:
        if keyword in {"COPY", "ADD"}:
            found = copy_sources(resolve_args(rest, instructions, args))
            if found is not None:
                sources += found
    assert sources, "no COPY from the build context"
    for src in sources:
        assert not src.startswith(("/", "..")), f"COPY source outside the context: {src}"
        assert list(ROOT.glob(src.rstrip("/"))), f"COPY source {src!r} does not exist in the repo"
    normalized = {s.rstrip("/") for s in sources}
    for needed in ("constraints.txt", "shared", folder.relative_to(ROOT).as_posix()):
        assert needed in normalized, f"the image of {folder.name} must COPY {needed}"


def test_multi_stage_python_slim_with_pinned_constraints(service: tuple[Path, dict[str, str]]) -> None:
    folder, args = service
    instructions = parse(DOCKERFILE)
    parts = stages(instructions)
    assert len(parts) >= 2, "expected a builder and a runtime stage"
    for part in parts:
        image = resolve_args(part[0][1].split()[0], instructions, args)
        assert image == BASE_IMAGE, f"stage base {image!r}, expected {BASE_IMAGE}"
    runs = resolve_args(" ".join(rest for keyword, rest in instructions if keyword == "RUN"), instructions, args)
    installs = re.findall(r"pip install[^&;]*", runs)
    assert installs, "no pip install"
    for cmd in installs:
        assert "-c constraints.txt" in cmd or "--constraint constraints.txt" in cmd, f"unpinned: {cmd}"
        assert " -e " not in f" {cmd} " and "--editable" not in cmd, f"editable install: {cmd}"
    joined = " ".join(installs)
    assert "./shared" in joined and f"./{folder.relative_to(ROOT).as_posix()}" in joined, "install shared + service"


def test_runtime_stage_is_non_root_with_healthcheck() -> None:
    runtime = stages(parse(DOCKERFILE))[-1]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users and users[-1].split(":")[0] == "10001", "runtime must run as uid 10001"
    checks = [rest for keyword, rest in runtime if keyword == "HEALTHCHECK"]
    assert checks, "runtime stage needs a HEALTHCHECK"
    check = checks[-1]
    assert "urllib" in check and "/health/ready" in check and "127.0.0.1" in check, check
    assert "python" in check.split("CMD", 1)[1], "healthcheck must use python (no curl in slim)"


def test_entrypoint_is_the_services_declared_console_script(service: tuple[Path, dict[str, str]]) -> None:
    folder, args = service
    instructions = parse(DOCKERFILE)
    runtime = stages(instructions)[-1]
    entrypoints = [exec_form(rest) for keyword, rest in runtime if keyword == "ENTRYPOINT"]
    assert entrypoints == [["pfd-service"]], "the runtime runs the pfd-service link"
    runs = resolve_args(" ".join(rest for keyword, rest in instructions if keyword == "RUN"), instructions, args)
    linked = re.search(r"ln -s /opt/venv/bin/(\S+) /opt/venv/bin/pfd-service", runs)
    assert linked, "the builder links pfd-service to the service's script"
    scripts = project(folder).get("scripts", {})
    assert linked[1] in scripts, f"{linked[1]!r} not in [project.scripts] of {folder.name}"
    for keyword, rest in runtime:
        if keyword == "CMD":
            exec_form(rest)


def test_the_listener_env_matches_the_settings_prefix(service: tuple[Path, dict[str, str]]) -> None:
    folder, args = service
    settings = next(folder.glob("src/*/settings.py")).read_text()
    assert f'env_prefix="{args["ENV_PREFIX"]}"' in settings, f"{folder.name}: ENV_PREFIX differs from its settings"


def test_shared_declares_pfd_topics() -> None:
    scripts = tomllib.loads((ROOT / "shared/pyproject.toml").read_text())["project"].get("scripts", {})
    assert "pfd-topics" in scripts, "kafka-init and the topics hook run pfd-topics"


def test_no_torch_outside_model_services(service: tuple[Path, dict[str, str]]) -> None:
    folder, args = service
    if folder.name in TORCH_ALLOWED:
        pytest.skip(f"{folder.name} may use torch")
    assert args.get("TORCH", "none") == "none" and "torch" not in args.get("SHARED_EXTRAS", ""), folder.name
    deps = project(folder).get("dependencies", [])
    shared = tomllib.loads((ROOT / "shared/pyproject.toml").read_text())["project"]["dependencies"]
    for dep in [*deps, *shared]:
        name = re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0].lower()
        assert name not in {"torch", "torchvision", "torchaudio"}, f"{folder.name} must not depend on {dep}"
