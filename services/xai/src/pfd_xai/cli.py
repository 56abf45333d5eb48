"""``pfd-xai serve`` (default) and ``pfd-xai migrate``."""

from __future__ import annotations

import argparse

from pfd_shared.runtime.health import HealthApp
from pfd_shared.runtime.server import serve
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.logging import configure_logging

from pfd_xai.bootstrap import build_xai, configure_threads
from pfd_xai.settings import XaiSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pfd-xai", description="PFD xai: explain trained models' decisions.")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args(argv)
    settings = XaiSettings()
    configure_logging(settings.service_name, settings.telemetry)
    if args.command == "migrate":
        build_xai(settings).runtime.migrate()
        print("xai database is at the latest migration")
        return
    configure_threads(settings)
    S3ObjectStore(settings.s3).ensure_bucket()
    serve(HealthApp(build_xai(settings).runtime), settings)
