"""The web app served on a real loopback port from a thread of its own (its own event loop),
so a real browser can reach it while the test drives Playwright's sync API; and a watcher
that fails a test on any console error, page error, failed request or unexpected HTTP error,
and keeps a screenshot of every page it loaded."""

from __future__ import annotations

import asyncio
import contextlib
import re
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aiohttp import web
from playwright.sync_api import ConsoleMessage, Page, Request, Response

from cicero.config import Settings
from cicero.loopback import free_port
from cicero.web.app import build_app

CHROMIUM = "/usr/bin/chromium"
FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
         "--disable-background-networking", "--disable-component-update", "--disable-sync"]  # fmt: skip


@contextlib.contextmanager
def live_app(
    url: str, settings: Settings, status: Callable[[], tuple[dict[str, Any] | None, float]],
    now: Callable[[], Any],
) -> Iterator[str]:  # fmt: skip
    """Serve the app until the block ends; yields its base URL."""
    port = free_port()
    loop = asyncio.new_event_loop()
    ready = threading.Event()
    runner_box: dict[str, web.AppRunner] = {}

    def serve() -> None:
        asyncio.set_event_loop(loop)
        app = build_app(status, url, [], settings, now=now)
        runner = web.AppRunner(app, access_log=None)
        loop.run_until_complete(runner.setup())
        loop.run_until_complete(web.TCPSite(runner, "127.0.0.1", port).start())
        runner_box["runner"] = runner
        ready.set()
        loop.run_forever()
        loop.run_until_complete(runner.cleanup())
        loop.close()

    thread = threading.Thread(target=serve, name="live-app", daemon=True)
    thread.start()
    assert ready.wait(30), "the app did not start"
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        loop.call_soon_threadsafe(loop.stop)
        thread.join(10)


@dataclass
class Watch:
    """Everything that went wrong on the pages of one test, and what was expected to."""

    page: Page
    shots: Path
    prefix: str = ""  # which page of the test (a test may open several)
    problems: list[str] = field(default_factory=list)
    allowed: list[tuple[int, re.Pattern[str]]] = field(default_factory=list)
    loads: int = 0

    def attach(self) -> None:
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda err: self.problems.append(f"page error: {err}"))
        self.page.on("requestfailed", self._failed)
        self.page.on("response", self._response)
        self.page.on("load", lambda _page: self.shot())

    def expect(self, status: int, path: str) -> None:
        """A refusal this test provokes on purpose (a wrong password, a CSRF-less POST)."""
        self.allowed.append((status, re.compile(re.escape(path))))

    def shot(self, name: str = "") -> None:
        self.loads += 1
        label = name or re.sub(r"[^a-z0-9]+", "-", self.page.url.split("//", 1)[-1].lower())[:60]
        with contextlib.suppress(Exception):  # a page navigating away mid-shot
            self.page.screenshot(path=str(self.shots / f"{self.prefix}{self.loads:02d}-{label}.png"), full_page=True)

    def _expected(self, status: int, url: str) -> bool:
        return any(s == status and rx.search(url) for s, rx in self.allowed)

    def _console(self, msg: ConsoleMessage) -> None:
        if msg.type != "error":
            return
        # Chromium logs every 4xx/5xx a script receives as a console error; the response
        # handler judges those, so only an unexpected one counts (once).
        text = msg.text
        if "Failed to load resource" in text and any(
            f"status of {s}" in text for s, _ in self.allowed
        ):
            return
        self.problems.append(f"console error: {text} ({msg.location.get('url', '')})")

    def _failed(self, request: Request) -> None:
        failure = request.failure or ""
        if "ERR_ABORTED" in failure and request.resource_type == "document":
            return  # a navigation replaced by the next one
        self.problems.append(f"request failed: {request.method} {request.url}: {failure}")

    def _response(self, response: Response) -> None:
        if response.status >= 400 and not self._expected(response.status, response.url):
            self.problems.append(f"HTTP {response.status}: {response.request.method} {response.url}")


def off_thread(make: Callable[[], Any]) -> Any:
    """Run coroutine `make()` to completion on a thread of its own: Playwright's sync API keeps
    an event loop running on the test's thread."""
    box: dict[str, Any] = {}

    def go() -> None:
        try:
            box["value"] = asyncio.run(make())
        except BaseException as err:  # handed back to the test's thread
            box["error"] = err

    thread = threading.Thread(target=go)
    thread.start()
    thread.join()
    if "error" in box:
        raise box["error"]
    return box.get("value")
