"""Checked-in contracts are current: AsyncAPI per service, event catalogue, .env.example; import rules hold."""

import shutil
import subprocess
import sys
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
    folders = {p.parent.resolve() for p in ROOT.glob("services/*/pyproject.toml")}
    assert folders == installed
    for folder in folders:
        assert (folder / "asyncapi.yaml").exists(), folder


def test_import_contracts_hold() -> None:
    lint_imports = shutil.which("lint-imports", path=str(Path(sys.executable).parent))
    assert lint_imports, "import-linter is not installed"
    result = subprocess.run([lint_imports, "--config", str(ROOT / "pyproject.toml")], cwd=ROOT,
                            capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout + result.stderr
