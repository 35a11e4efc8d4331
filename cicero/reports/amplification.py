"""An amplification client's recap input (jobs.md §3.8) from the database: today's official
IG posts and who reported links for them, for amplify_recap and the menus' reports."""

from __future__ import annotations

from datetime import date, datetime

import asyncpg

from cicero.db.amplify import link_counts
from cicero.db.attendance import ScopePost, scope_attendance, scope_posts
from cicero.db.recaps import ClientRow
from cicero.domain.attendance.rule import assess
from cicero.domain.layouts.amplification import AmplifyPerson, AmplifyRecap
from cicero.domain.people.usernames import Platform


async def amplify_recap_for(
    conn: asyncpg.Connection, c: ClientRow, day: date, now: datetime
) -> tuple[list[ScopePost], AmplifyRecap]:
    """An amplification client's §3.8 input for WIB day `day`, counted up to `now` (shared
    with the on-demand menu reports)."""
    posts = await scope_posts(conn, c.client_id, Platform.INSTAGRAM, day, now, False)
    ids = [p.id for p in posts]
    staff = await scope_attendance(conn, c.client_id, Platform.INSTAGRAM, ids, now, False)
    reported = await link_counts(conn, ids, day, now)
    people = []
    for a in staff:
        done, links = reported.get(a.nrp, ((), 0))
        # No handle is needed to report links: the nrp stands in for it.
        people.append(AmplifyPerson(assess(a.person, a.nrp, done, len(ids)), links))
    return posts, AmplifyRecap(c.name, now, tuple(p.ref for p in posts), tuple(people))
