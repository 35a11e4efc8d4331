"""docs/ and the README stand on their own: every link, path and page they name is in this
repository, and none points at the team's design notes outside it (they were cited as
`/work/shared/spec/menus.md`, `spec/scenario.md`, `data.md §3.5`)."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PAGES = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
OUTSIDE = re.compile(r"spec/|shared/|\.\./|\bDESIGN\b|\bSTYLE\b|§")
PAGE_NAME = re.compile(r"[\w-]+\.md\b")
LINK = re.compile(r"\]\(([^)#\s]+)")
PATH = re.compile(r"`((?:cicero|tests|bench|scenarios|config|docs)/[\w./-]+)`")


def lines() -> list[tuple[Path, int, str]]:
    return [
        (page, n, line) for page in PAGES for n, line in enumerate(page.read_text().splitlines(), 1)
    ]


def test_no_page_points_outside_the_repository() -> None:
    found = [f"{p.name}:{n}: {line.strip()}" for p, n, line in lines() if OUTSIDE.search(line)]
    assert found == []


def test_every_page_named_is_one_of_ours() -> None:
    ours = {p.name for p in PAGES}
    found = [
        f"{p.name}:{n}: {name}"
        for p, n, line in lines()
        for name in PAGE_NAME.findall(line)
        if name not in ours
    ]
    assert found == []


def test_every_link_and_named_path_exists() -> None:
    missing = []
    for page in PAGES:
        text = page.read_text()
        for target in LINK.findall(text):
            if "://" not in target and not (page.parent / target).exists():
                missing.append(f"{page.name}: link {target}")
        for path in PATH.findall(text):
            if "*" not in path and not (ROOT / path.rstrip("/.")).exists():
                missing.append(f"{page.name}: path {path}")
    assert missing == []
