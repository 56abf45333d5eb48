"""``pfd-gateway serve`` (default), ``pfd-gateway migrate`` and ``pfd-gateway create-admin --email E [--password P]``."""

from __future__ import annotations

import argparse

from pfd_shared.runtime.server import serve
from pfd_shared.telemetry.logging import configure_logging

from pfd_gateway.settings import GatewaySettings


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="pfd-gateway", description="PFD gateway: REST API and live events.")
    parser.add_argument("command", nargs="?", choices=["serve", "migrate", "create-admin"], default="serve")
    parser.add_argument("--email", help="create-admin: the admin's email")
    parser.add_argument("--password", help="create-admin: default generated and printed once; '-' reads stdin")
    args = parser.parse_args(argv)
    settings = GatewaySettings()
    if args.command == "create-admin":
        from pfd_gateway.auth.admin_cli import create_admin_command

        if not args.email:
            parser.error("create-admin needs --email")
        raise SystemExit(create_admin_command(settings, args.email, args.password))
    if args.command == "migrate":
        from pfd_gateway.bootstrap import build_gateway

        configure_logging(settings.service_name, settings.telemetry)
        build_gateway(settings).runtime.migrate()
        print("gateway database is at the latest migration")
        return
    from pfd_gateway.workers import serve_gateway_workers, worker_count

    if (workers := worker_count(settings)) > 1:
        serve_gateway_workers(settings, workers)
        return
    from pfd_gateway.bootstrap import create_app

    serve(create_app(settings), settings)
