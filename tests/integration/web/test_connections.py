"""The web server closes connections that hold it without completing a request: idle ones
and slow-header ones (a byte at a time). aiohttp's default keeps both for an hour, so a
few hundred such sockets would have held the ops port's file descriptors indefinitely."""

from __future__ import annotations

import asyncio
import socket
import time
from pathlib import Path

import pytest
from aiohttp import web

from cicero.web import connections
from tests.integration.runtime import RunningCicero

SHORT = 0.5


async def serving(idle_timeout_s: float) -> tuple[web.AppRunner, int]:
    async def ok(_request: web.Request) -> web.Response:
        return web.Response(text="ok")

    app = web.Application()
    app.router.add_get("/", ok)
    runner = connections.runner(app, idle_timeout_s)
    await runner.setup()
    site = web.TCPSite(runner, "127.0.0.1", 0)
    await site.start()
    return runner, runner.addresses[0][1]


async def closed_after(port: int, trickle: bytes = b"", patience: float = 5.0) -> float | None:
    """Seconds until the server closes a connection that sends `trickle` a byte every 0.1 s
    (nothing when empty), or None if it is still open after `patience`."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    start = time.monotonic()
    try:
        for i in range(int(patience / 0.1)):
            if i < len(trickle):
                writer.write(trickle[i : i + 1])
            try:
                if await asyncio.wait_for(reader.read(1), 0.1) == b"":
                    return time.monotonic() - start
            except TimeoutError:
                pass
            except ConnectionResetError:
                return time.monotonic() - start
        return None
    finally:
        writer.close()


def test_idle_and_slow_header_connections_are_closed_and_keep_alive_still_works() -> None:
    async def go() -> tuple[float | None, float | None, list[int]]:
        runner, port = await serving(SHORT)
        try:
            idle = await closed_after(port)
            slow = await closed_after(port, b"GET / HTTP/1.1\r\nHost: x\r\nX-Pad: " + b"a" * 200)
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            statuses = []
            for _ in range(4):  # a client that keeps asking reuses its connection
                writer.write(b"GET / HTTP/1.1\r\nHost: x\r\n\r\n")
                status = await reader.readline()
                while (await reader.readline()) not in (b"\r\n", b""):
                    pass
                await reader.readexactly(2)  # "ok"
                statuses.append(int(status.split()[1]))
                await asyncio.sleep(SHORT / 3)
            writer.close()
            return idle, slow, statuses
        finally:
            await runner.cleanup()

    idle, slow, statuses = asyncio.run(go())
    assert idle is not None and idle < SHORT + 1.5, idle
    assert slow is not None and slow < SHORT + 1.5, slow
    assert statuses == [200] * 4


def test_oversized_headers_are_refused() -> None:
    async def go() -> bytes:
        runner, port = await serving(SHORT)
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET / HTTP/1.1\r\nHost: x\r\nX-Big: " + b"a" * 20_000 + b"\r\n\r\n")
            line = await reader.readline()
            writer.close()
            return line
        finally:
            await runner.cleanup()

    assert asyncio.run(go()).split()[1] == b"400"


@pytest.mark.slow
def test_the_running_service_bounds_them_too(tmp_path: Path, database_url: str) -> None:
    cicero = RunningCicero(tmp_path / "data", database_url)
    try:
        cicero.wait_healthy()
        idle = socket.create_connection(("127.0.0.1", cicero.port))
        idle.settimeout(connections.IDLE_TIMEOUT_S + 5)
        started = time.monotonic()
        assert idle.recv(1) == b""  # the server closed it
        assert time.monotonic() - started < connections.IDLE_TIMEOUT_S + 3
        idle.close()
    finally:
        assert cicero.stop() == 0
