"""Which address the actor system may listen on (DESIGN §8).

Thespian's actor ports carry pickles and no authentication: whoever can connect can run
code in Cicero. So they listen on loopback, or, for hosts that join later, on one
private address; never on all interfaces, never on a public one.
"""

from __future__ import annotations

import ipaddress

LOOPBACK = "127.0.0.1"
SHARED = ipaddress.ip_network(
    "100.64.0.0/10"
)  # carrier-grade NAT, and VPN meshes such as Tailscale


def actor_host_problem(text: str) -> str | None:
    """Why `text` may not be the actor system's listening address, or None."""
    try:
        ip = ipaddress.ip_address(text)
    except ValueError:
        return f"{text!r} is not an IP address (use {LOOPBACK}, or this host's private address)"
    if ip.version != 4:
        return f"{text} is IPv6; the actor system listens on IPv4 only"
    if ip.is_unspecified:
        return f"{text} means every interface; actor ports carry pickles: use {LOOPBACK}"
    if ip.is_loopback:
        return None
    if ip in SHARED:
        return None
    if ip.is_multicast or ip.is_reserved or not ip.is_private:
        return f"{text} is not a private address; actor ports must never face the internet"
    return None
