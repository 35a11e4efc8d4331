"""Playwright driving Debian's chromium (Playwright's own browser download cannot work here):
one browser per run, a fresh context per test with clipboard rights, and the watcher of
tests/browser/live.py. A test whose page logged a console error, a failed request or an
unexpected HTTP error fails; screenshots of each page it loaded are kept under
test-artifacts/browser/<test>/ when it fails."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.browser.live import CHROMIUM, FLAGS, Watch

ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts" / "browser"


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item: pytest.Item, call: pytest.CallInfo[Any]) -> Any:
    report = yield
    setattr(item, f"report_{report.when}", report)
    return report


@pytest.fixture(scope="module")
def chromium() -> Iterator[Any]:
    """Per module: Playwright's sync API keeps an event loop running on the test thread while
    it is up, which the rest of the suite (asyncio.run) cannot share."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is missing: apt-get install -y chromium (.ci/run does it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def watched(chromium: Any, request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Any]:
    """A new page factory: `watched(base_url)` gives a page on a fresh context and its Watch."""
    made: list[tuple[Any, Watch]] = []
    shots = tmp_path / "shots"
    shots.mkdir()

    def open_page(base: str) -> tuple[Any, Watch]:
        context = chromium.new_context(base_url=base, accept_downloads=True, locale="id-ID")
        context.grant_permissions(["clipboard-read", "clipboard-write"], origin=base)
        page = context.new_page()
        page.set_default_timeout(15_000)
        watch = Watch(page, shots, prefix=f"p{len(made) + 1}-")
        watch.attach()
        made.append((context, watch))
        return page, watch

    yield open_page
    problems = [p for _, w in made for p in w.problems]
    for context, _ in made:
        context.close()
    failed = getattr(request.node, "report_call", None)
    if (failed is not None and failed.failed) or problems:
        target = ARTIFACTS / request.node.name
        shutil.rmtree(target, ignore_errors=True)
        shutil.copytree(shots, target)
    assert not problems, "the pages reported problems:\n" + "\n".join(problems)
