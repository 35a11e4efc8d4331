"""How the web server holds connections: none longer than it must.

aiohttp keeps a connection that sends nothing, or sends its request line and headers a
byte at a time, for an hour by default (its keep-alive timer). Here the same timer closes
a connection that has not completed a request `IDLE_TIMEOUT_S` after it opened or after
its last response: idle keep-alive connections and slow-header ("slowloris") ones alike.
A request being handled is never cut. Request lines and header fields stay within
aiohttp's 8 KiB limits (an oversized one is answered 400).
"""

from __future__ import annotations

from aiohttp import web

IDLE_TIMEOUT_S = 10.0  # the status page refreshes every 5 s on one connection; probes reconnect
SHUTDOWN_TIMEOUT_S = 2.0  # requests still running when the web actor stops


def runner(app: web.Application, idle_timeout_s: float = IDLE_TIMEOUT_S) -> web.AppRunner:
    return web.AppRunner(
        app,
        access_log=None,
        keepalive_timeout=idle_timeout_s,
        shutdown_timeout=SHUTDOWN_TIMEOUT_S,
    )
