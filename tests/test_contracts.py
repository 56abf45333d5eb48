"""Checked-in contracts are current: AsyncAPI per service, event catalogue, .env.example; import rules hold."""

import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from pfd_shared.contracts import expected_files, service_packages

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("path, content", sorted(expected_files(ROOT).items()), ids=lambda v: str(v)[-40:])
def test_generated_document_is_current(path: Path, content: str) -> None:
    assert path.exists(), f"{path} is missing: run `make docs`"
    assert path.read_text() == content, f"{path.relative_to(ROOT)} is stale: run `make docs` and commit the result"


def test_every_service_folder_is_an_installed_service_with_asyncapi() -> None:
    installed = {p.folder for p in service_packages()}
    projects = {p.parent.resolve(): tomllib.loads(p.read_text())["project"]
                for p in ROOT.glob("services/*/pyproject.toml")}
    folders = {folder for folder, project in projects.items() if "pfd.services" in project.get("entry-points", {})}
    for folder in projects.keys() - folders:  # a package still without its service: nothing in it may run
        assert not projects[folder].get("scripts"), f"{folder.name} has scripts but no pfd.services entry point"
    assert folders == installed
    for folder in folders:
        assert (folder / "asyncapi.yaml").exists(), folder


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is not installed"
    result = subprocess.run([lint_imports, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
