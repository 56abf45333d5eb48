"""``pfd-training serve`` (default) and ``pfd-training migrate``."""

from __future__ import annotations

import argparse

from pfd_shared.runtime.health import HealthApp
from pfd_shared.runtime.server import serve
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.logging import configure_logging

from pfd_training.bootstrap import build_training
from pfd_training.settings import TrainingSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pfd-training", description="PFD training: train and evaluate models.")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args(argv)
    settings = TrainingSettings()
    configure_logging(settings.service_name, settings.telemetry)
    if args.command == "migrate":
        build_training(settings).runtime.migrate()
        print("training database is at the latest migration")
        return
    S3ObjectStore(settings.s3).ensure_bucket()
    serve(HealthApp(build_training(settings)), settings)  # type: ignore[arg-type] - Training starts like a runtime
