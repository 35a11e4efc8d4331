"""Expected values built from world.py with the pure rule, independently of the SQL."""

from __future__ import annotations

from cicero.domain.attendance.rule import Person, compute
from cicero.domain.layouts.posts import PostRef
from cicero.domain.people.usernames import Platform
from tests.integration.recaps import world


def person(nrp: str) -> Person:
    row = next(s for s in world.STAFF if s[0] == nrp)
    n, name, rank, unit, pos, client, ig, tt, _, _, exc = row
    return Person(n, client, name, rank, unit, pos, ig, tt, exc)


def posts(*external_ids: str) -> tuple[PostRef, ...]:
    owners = {c[0]: c[4] for c in world.CLIENTS}
    refs = []
    for platform, ext, client, when in world.POSTS:
        if ext in external_ids:
            p = Platform(platform)
            refs.append(PostRef(p, ext, owners[client] if p is Platform.TIKTOK else "", when))
    return tuple(sorted(refs, key=lambda r: (r.posted_at, r.external_id)))


def attendance(nrps, ids: dict[str, int], refs, platform: str, ratio=1):
    """Attendance with done_posts as database ids, as the handlers produce it."""
    pairs = {(ids[ext], u) for ext, users in world.ENGAGEMENT.items() for u in users}
    return compute(
        [person(n) for n in nrps], [ids[r.external_id] for r in refs], pairs, platform, ratio
    )
