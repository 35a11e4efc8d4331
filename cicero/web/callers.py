"""Who is calling the ops pages: the one decision /healthz, /metrics and `/` ask.

Until the dashboard's login exists, ops are whoever calls from this machine (loopback):
they see everything, the pairing QR included. Anyone else learns only whether Cicero is
ok, degraded or down. The route table replaces this function with its identities; the
handlers only ask `is_ops`.
"""

from __future__ import annotations

import ipaddress

from aiohttp import web


def is_ops(request: web.BaseRequest) -> bool:
    """True for a caller on loopback (IPv4, IPv6, or IPv4 mapped into IPv6).

    `request.remote` is the socket's peer: aiohttp reads no X-Forwarded-For unless a
    middleware that trusts a proxy rewrites it, and none does.
    """
    return is_loopback(request.remote)


def is_loopback(address: str | None) -> bool:
    if not address:
        return False  # a Unix socket or an unknown peer: not proven local
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return ip.is_loopback
