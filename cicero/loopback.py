"""Loopback ports for the service's own listeners (SMTP sink, fake upstream, web, actor admin).

A port chosen now is often bound only later, after the actor system has forked and its
actors have bound their own sockets to port 0. Those get ports from the kernel's ephemeral
range, so a port chosen *inside* that range can be taken in between ("address already in
use" at the late bind). The ports handed out here lie below the ephemeral range, where the
kernel never assigns one by itself.
"""

import random
import socket
from pathlib import Path

_RANGE_FILE = Path("/proc/sys/net/ipv4/ip_local_port_range")
_LOWEST = 10000  # above the well-known and most registered service ports
_DEFAULT_EPHEMERAL_START = 32768
_ATTEMPTS = 200


def _ephemeral_start() -> int:
    try:
        return int(_RANGE_FILE.read_text().split()[0])
    except (OSError, ValueError, IndexError):
        return _DEFAULT_EPHEMERAL_START


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on now and that the kernel will not
    hand to another socket bound to port 0 (below the ephemeral range when there is room)."""
    top = _ephemeral_start()
    if top - _LOWEST >= _ATTEMPTS:
        rng = random.SystemRandom()  # independent of any seeded `random` in the process
        for _ in range(_ATTEMPTS):
            port = rng.randrange(_LOWEST, top)
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    continue
                return port
    with socket.socket() as sock:  # no room below the range: the kernel's choice
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])
