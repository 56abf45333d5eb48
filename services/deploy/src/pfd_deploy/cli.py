"""``pfd-deploy serve`` (default) and ``pfd-deploy migrate``."""

from __future__ import annotations

import argparse

from pfd_shared.runtime.server import serve
from pfd_shared.storage.s3 import S3ObjectStore
from pfd_shared.telemetry.logging import configure_logging

from pfd_deploy.bootstrap import build_deploy, http_app
from pfd_deploy.settings import DeploySettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pfd-deploy", description="PFD deploy: ONNX export, model registry, "
                                                                    "inference.")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args(argv)
    settings = DeploySettings()
    configure_logging(settings.service_name, settings.telemetry)
    if args.command == "migrate":
        build_deploy(settings).runtime.migrate()
        print("deploy database is at the latest migration")
        return
    S3ObjectStore(settings.s3).ensure_bucket()
    serve(http_app(build_deploy(settings)), settings)
