"""SSRF guard: a webhook host is resolved and EVERY address checked before anything is sent to it.

Private, loopback, link-local, multicast, unspecified and other non-public addresses are refused unless an
allowed network (``webhooks.allowed_networks``) contains them. The request then goes to the checked address
(the name is not resolved a second time, so DNS rebinding cannot swap it).
"""

from __future__ import annotations

import asyncio
import socket
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address

Address = IPv4Address | IPv6Address
Network = IPv4Network | IPv6Network


class TargetRefused(Exception):
    """The webhook's host resolves to an address the guard refuses (or does not resolve)."""


def refused_kind(address: Address) -> str | None:
    """Why an address is not a public one (None: it is public)."""
    if isinstance(address, IPv6Address) and address.ipv4_mapped is not None:
        return refused_kind(address.ipv4_mapped)
    for kind, flag in (("loopback", address.is_loopback), ("link-local", address.is_link_local),
                       ("multicast", address.is_multicast), ("unspecified", address.is_unspecified),
                       ("private", address.is_private), ("reserved", address.is_reserved)):
        if flag:
            return kind
    return None if address.is_global else "non-public"


def check_addresses(host: str, addresses: Sequence[Address], allowed: Sequence[Network]) -> None:
    if not addresses:
        raise TargetRefused(f"{host} does not resolve to any address")
    for address in addresses:
        kind = refused_kind(address)
        if kind and not any(address.version == net.version and address in net for net in allowed):
            raise TargetRefused(f"{host} resolves to {address}, a {kind} address: refused "
                                "(an admin can allow its network in PFD_NOTIFIER_WEBHOOKS__ALLOWED_NETWORKS)")


async def resolve_checked(host: str, port: int, allowed: Sequence[Network]) -> list[Address]:
    """Every address of ``host``, all checked; ``TargetRefused`` when one is refused or none exists."""
    try:
        literal = ip_address(host.strip("[]"))
        addresses: list[Address] = [literal]
    except ValueError:
        try:
            infos = await asyncio.get_running_loop().getaddrinfo(host, port, type=socket.SOCK_STREAM)
        except socket.gaierror as exc:
            raise TargetRefused(f"{host} does not resolve: {exc.strerror or exc}") from exc
        addresses = list(dict.fromkeys(ip_address(info[4][0]) for info in infos))
    check_addresses(host, addresses, allowed)
    return addresses
