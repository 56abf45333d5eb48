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

ROOT = Path(__file__).resolve().parents[2]
DOCKERFILES = sorted(ROOT.glob("services/*/Dockerfile"))
TORCH_ALLOWED = {"training", "xai", "deploy"}  # folders whose images may carry torch
BASE_IMAGE = "python:3.11-slim"


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


def resolve_args(text: str, instructions: list[tuple[str, str]]) -> str:
    defaults = {}
    for keyword, rest in instructions:
        if keyword == "ARG" and "=" in rest:
            name, _, value = rest.partition("=")
            defaults.setdefault(name.strip(), value.strip())
    return re.sub(r"\$\{(\w+)\}|\$(\w+)", lambda m: defaults.get(m[1] or m[2], m[0]), text)


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


def test_every_service_folder_with_code_has_a_dockerfile() -> None:
    assert DOCKERFILES, "no services/*/Dockerfile found"
    for pyproject in ROOT.glob("services/*/pyproject.toml"):
        if "pfd.services" not in tomllib.loads(pyproject.read_text())["project"].get("entry-points", {}):
            continue  # a library still without a runnable service (test_contracts keeps it script-free)
        assert (pyproject.parent / "Dockerfile").is_file(), f"{pyproject.parent.name} has no Dockerfile"


@pytest.fixture(params=DOCKERFILES, ids=[p.parent.name for p in DOCKERFILES])
def dockerfile(request: pytest.FixtureRequest) -> Path:
    return request.param


def test_copy_sources_exist(dockerfile: Path) -> None:
    folder = dockerfile.parent.relative_to(ROOT).as_posix()
    sources: list[str] = []
    for keyword, rest in parse(dockerfile):
        if keyword in {"COPY", "ADD"}:
            found = copy_sources(rest)
            if found is not None:
                sources += found
    assert sources, "no COPY from the build context"
    for src in sources:
        assert not src.startswith(("/", "..")), f"COPY source outside the context: {src}"
        assert list(ROOT.glob(src.rstrip("/"))), f"COPY source {src!r} does not exist in the repo"
    normalized = {s.rstrip("/") for s in sources}
    for needed in ("constraints.txt", "shared", folder):
        assert needed in normalized, f"{dockerfile.relative_to(ROOT)} must COPY {needed}"


def test_multi_stage_python_slim_with_pinned_constraints(dockerfile: Path) -> None:
    instructions = parse(dockerfile)
    parts = stages(instructions)
    assert len(parts) >= 2, "expected a builder and a runtime stage"
    for part in parts:
        image = resolve_args(part[0][1].split()[0], instructions)
        assert image == BASE_IMAGE, f"stage base {image!r}, expected {BASE_IMAGE}"
    runs = " ".join(rest for keyword, rest in instructions if keyword == "RUN")
    installs = re.findall(r"pip install[^&;]*", runs)
    assert installs, "no pip install"
    folder = dockerfile.parent.relative_to(ROOT).as_posix()
    for cmd in installs:
        assert "-c constraints.txt" in cmd or "--constraint constraints.txt" in cmd, f"unpinned: {cmd}"
        assert " -e " not in f" {cmd} " and "--editable" not in cmd, f"editable install: {cmd}"
    joined = " ".join(installs)
    assert "./shared" in joined and f"./{folder}" in joined, "must install ./shared and the service"


def test_runtime_stage_is_non_root_with_healthcheck(dockerfile: Path) -> None:
    runtime = stages(parse(dockerfile))[-1]
    users = [rest for keyword, rest in runtime if keyword == "USER"]
    assert users and users[-1].split(":")[0] == "10001", "runtime must run as uid 10001"
    checks = [rest for keyword, rest in runtime if keyword == "HEALTHCHECK"]
    assert checks, "runtime stage needs a HEALTHCHECK"
    check = checks[-1]
    assert "urllib" in check and "/health/ready" in check and "127.0.0.1" in check, check
    assert "python" in check.split("CMD", 1)[1], "healthcheck must use python (no curl in slim)"


def test_entrypoint_is_a_declared_console_script(dockerfile: Path) -> None:
    runtime = stages(parse(dockerfile))[-1]
    entrypoints = [exec_form(rest) for keyword, rest in runtime if keyword == "ENTRYPOINT"]
    assert entrypoints, "runtime stage needs an ENTRYPOINT"
    script = entrypoints[-1][0]
    scripts = project(dockerfile.parent).get("scripts", {})
    assert script in scripts, f"ENTRYPOINT {script!r} not in [project.scripts] of {dockerfile.parent.name}"
    for keyword, rest in runtime:
        if keyword == "CMD":
            exec_form(rest)


def test_shared_declares_pfd_topics() -> None:
    scripts = tomllib.loads((ROOT / "shared/pyproject.toml").read_text())["project"].get("scripts", {})
    assert "pfd-topics" in scripts, "kafka-init and the topics hook run pfd-topics"


def test_no_torch_outside_model_services(dockerfile: Path) -> None:
    folder = dockerfile.parent
    if folder.name in TORCH_ALLOWED:
        pytest.skip(f"{folder.name} may use torch")
    deps = project(folder).get("dependencies", [])
    shared = tomllib.loads((ROOT / "shared/pyproject.toml").read_text())["project"]["dependencies"]
    for dep in [*deps, *shared]:
        name = re.split(r"[\s\[<>=!~;]", dep, maxsplit=1)[0].lower()
        assert name not in {"torch", "torchvision", "torchaudio"}, f"{folder.name} must not depend on {dep}"
    assert "torch" not in dockerfile.read_text().lower(), f"{dockerfile} mentions torch"
