"""``pfd-notifier serve`` (default) and ``pfd-notifier migrate``."""

from __future__ import annotations

import argparse

from pfd_shared.runtime.health import HealthApp
from pfd_shared.runtime.server import serve
from pfd_shared.telemetry.logging import configure_logging

from pfd_notifier.bootstrap import build_notifier
from pfd_notifier.settings import NotifierSettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pfd-notifier", description="PFD notifier: in-app, email, webhooks, digests.")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate"], default="serve")
    args = parser.parse_args(argv)
    settings = NotifierSettings()
    configure_logging(settings.service_name, settings.telemetry)
    if args.command == "migrate":
        build_notifier(settings).migrate()
        print("notifier database is at the latest migration")
        return
    serve(HealthApp(build_notifier(settings)), settings)  # type: ignore[arg-type] - same start/stop/ready protocol
