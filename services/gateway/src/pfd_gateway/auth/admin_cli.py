"""``pfd-gateway create-admin``: the first admin of a deployment, straight into the gateway's database."""

from __future__ import annotations

import asyncio
import sys

from pfd_gateway.auth.errors import AuthError
from pfd_gateway.auth.provisioning import create_user
from pfd_gateway.domain.access import Role
from pfd_gateway.settings import GatewaySettings


def create_admin_command(settings: GatewaySettings, email: str, password: str | None) -> int:
    """``--password -`` reads the password from stdin (keeps it out of the process list); exit status 1 on error."""
    if password == "-":  # noqa: S105 - the stdin marker
        password = sys.stdin.readline().rstrip("\n")
    try:
        created = asyncio.run(create_user(settings, email, password, Role.ADMIN))
    except AuthError as error:
        print(f"create-admin: {error.message}", file=sys.stderr)
        return 1
    print(f"created admin {created.user.email}")
    if created.generated_password:
        print(f"password (shown only this once): {created.generated_password}")
    return 0
