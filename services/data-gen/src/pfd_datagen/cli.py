"""``pfd-data-gen serve`` (default) and ``pfd-data-gen migrate``."""

from __future__ import annotations

import argparse

from pfd_shared.runtime.health import HealthApp
from pfd_shared.runtime.server import serve
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.logging import configure_logging

from pfd_datagen.bootstrap import build_datagen, configure_threads
from pfd_datagen.settings import DataGenSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pfd-data-gen", description="PFD data-gen: generate and import data sets.")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args(argv)
    settings = DataGenSettings()
    configure_logging(settings.service_name, settings.telemetry)
    if args.command == "migrate":
        build_datagen(settings).runtime.migrate()
        print("data-gen database is at the latest migration")
        return
    configure_threads(settings)
    S3ObjectStore(settings.s3).ensure_bucket()
    serve(HealthApp(build_datagen(settings).runtime), settings)
