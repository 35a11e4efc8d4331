"""A link report as the app submits it (api.md §2.1), judged without I/O: the caller brings
the post, the stored report of this person (if any) and the clock.

The order of the checks is the spec's: the post and its window, then each field's link,
then at least one link (Instagram for special tasks), then the keys within the body. Keys
already used by other reports are the database's to find (a unique index, in the insert's
transaction), since only it sees racing submitters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

from cicero.domain.amplification.links import FIELDS, LinkField, first_url, fits, key

Links = dict[LinkField, str]


@dataclass(frozen=True)
class Refusal:
    status: int
    code: str
    fields: Mapping[str, str]


def clean(raw: Mapping[LinkField, str]) -> tuple[Links, dict[str, str]]:
    """Each non-empty field's first https URL, if its host fits; problems per column."""
    links: Links = {}
    problems: dict[str, str] = {}
    for f in FIELDS:
        text = raw.get(f, "").strip()
        if not text:
            continue
        url = first_url(text)
        if url is None or not fits(url, f):
            problems[f.column] = f"bukan link https {f.value} yang valid"
            continue
        links[f] = url
    return links, problems


def keys(links: Links) -> dict[str, LinkField]:
    out: dict[str, LinkField] = {}
    for f, url in links.items():
        k = key(url)
        if k is not None:
            out[k] = f
    return out


def judge(
    raw: Mapping[LinkField, str],
    special: bool,
    posted_at: datetime,
    now: datetime,
    window: timedelta,
) -> Links | Refusal:
    """The links to store, or why the submission is refused (422)."""
    if now > posted_at + window:
        return Refusal(422, "window_closed", {})
    links, problems = clean(raw)
    if problems:
        return Refusal(422, "invalid_link", problems)
    if not links:
        return Refusal(422, "no_links", {f.column: "isi minimal satu link" for f in FIELDS})
    if special and LinkField.INSTAGRAM not in links:
        return Refusal(422, "invalid", {LinkField.INSTAGRAM.column: "wajib untuk tugas khusus"})
    seen: dict[str, LinkField] = {}
    for f, url in links.items():
        k = key(url)
        if k is not None and k in seen:
            return Refusal(422, "invalid", {f.column: f"sama dengan {seen[k].column}"})
        if k is not None:
            seen[k] = f
    return links


def same_report(stored: Mapping[LinkField, str | None], links: Links) -> bool:
    """An identical replay: the stored report holds exactly these links."""
    return {f: v for f, v in stored.items() if v} == dict(links)
