"""Attendance for a whole scope in set-based queries (data.md §4.1-4.3).

A scope is an ORG client (its active `operator` staff) or a directorate (active holders of
its role on its own staff or a linked satker's). SQL selects the counted people and, per
username, the set of P's posts it engaged with (from engagement_mask, engagement grouped per
client, day and name); each person's status is then the domain's rule
(`cicero.domain.attendance.rule.status`), applied here.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import cache, partial
from itertools import compress, groupby
from operator import itemgetter
from typing import cast

import asyncpg

from cicero.domain.attendance.rule import (
    FULL,
    Attendance,
    Person,
    Ratio,
    Status,
    exact_ratio,
)
from cicero.domain.attendance.rule import status as status_rule
from cicero.domain.layouts.posts import PostRef
from cicero.domain.layouts.staff_data import StaffRecord
from cicero.domain.people.usernames import Platform

_BITS = bytes.maketrans(b"01", b"\x00\x01")  # a mask's "0"/"1" as falsy/truthy bytes
ENGAGEMENT_KIND = {Platform.INSTAGRAM: "like", Platform.TIKTOK: "comment"}


@dataclass(frozen=True)
class ScopePost:
    """A counted post: its database id, how messages show it, distinct engagers so far."""

    id: int
    ref: PostRef
    engagers: int


# P(scope, platform, WIB days $3..$8): routine posts of those days, known and not removed at the
# cut-off, owned by the scope's client or (directorate) tagged with its role; ordered by
# posted_at, external_id.
_POSTS = """
SELECT p.id, p.external_id, p.posted_at, coalesce(c.tiktok, '') AS owner,
       CASE WHEN $7 THEN (SELECT count(*) FROM engagement e  -- only the task list shows it
                           WHERE e.post_id = p.id AND e.kind = $5 AND e.first_seen_at <= $4)
            ELSE 0 END AS engagers
  FROM post p JOIN client c ON c.client_id = p.client_id
 WHERE p.platform = $2 AND p.wib_date BETWEEN $3 AND $8 AND p.kind = 'routine'
   AND p.first_seen_at <= $4 AND (p.removed_at IS NULL OR p.removed_at > $4)
   AND (p.client_id = $1
        OR ($6 AND EXISTS (SELECT 1 FROM post_tag t
                            WHERE t.post_id = p.id AND t.role_name = lower($1))))
 ORDER BY p.posted_at, p.external_id
"""


async def scope_posts(
    conn: asyncpg.Connection,
    scope: str,
    platform: Platform | str,
    day: date,
    cutoff: datetime,
    directorate: bool,
    count_engagers: bool = False,
    until: date | None = None,
) -> list[ScopePost]:
    """P in its order; `engagers` (distinct people so far) only when asked, else 0. The posts
    of WIB day `day`, or of days `day`..`until` (a report period) when `until` is given."""
    platform = Platform(platform)
    rows = await conn.fetch(
        _POSTS, scope, str(platform), day, cutoff, ENGAGEMENT_KIND[platform], directorate,
        count_engagers, until or day,
    )  # fmt: skip
    return [
        ScopePost(r["id"], PostRef(platform, r["external_id"], r["owner"], r["posted_at"]), r["engagers"])
        for r in rows
    ]  # fmt: skip


# data.md §4.3, whom to count (staff row `s`): active; an ORG client's own `operator` holders, or
# a directorate's role holders on its own staff or a linked satker's. {scope} and {directorate}
# are the query's parameter numbers. A directorate's holders as `IN` (a hashed set), not
# EXISTS: the planner costed EXISTS as a probe per staff row (~20,000 for 5,000 people), so
# reading the people looked dearer than a staff index probe per engagement row, 3-4 times
# slower in fact (bench/recaps_day.py's directorates: 29 -> 13 ms, 53 -> 17 ms).
_IN_SCOPE = """s.active
       AND CASE WHEN {directorate}
           THEN s.nrp IN (SELECT r.nrp FROM staff_role r WHERE r.role_name = lower({scope}))
                AND (s.client_id = {scope} OR s.client_id IN (SELECT d.client_id FROM client_directorate d
                                                              WHERE d.directorate_id = {scope}))
           ELSE s.client_id = {scope}
                AND EXISTS (SELECT 1 FROM staff_role r WHERE r.nrp = s.nrp AND r.role_name = 'operator')
           END"""

# The counted people of a scope: $1 scope, $2 is a directorate; {only}: with $3, the nrps of
# the scope to count (a person's result does not depend on who else is counted).
_PEOPLE = """
SELECT s.nrp, s.client_id, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok,
       s.exception  -- in Person's field order: `_attendances` makes one of each row
  FROM staff s
 WHERE {in_scope}{only}
 ORDER BY s.nrp COLLATE "C"  -- digits: the same order, without the locale's comparisons
"""

# Done sets come from engagement_mask (migration 0100): per client, platform, WIB day, kind
# and name, the mask of that client's posts of the day the name engaged with, bit `day_seq`.
# P's posts fall into groups (client, day); a person's done set is each group's mask carried
# over to P's order (`_Groups`). One row per name and group instead of one per name and post:
# ~20,000 rows instead of ~460,000 index entries hashed into groups for 20,000 people x 40
# posts (bench/recap.py: the done masks were ~110 ms of the server's ~140).
_PLACES = """
SELECT id, client_id, wib_date, day_seq FROM post WHERE id = ANY($1::bigint[])
"""

# P in one group (a client's posts of one day: the usual case): the people and their mask in
# one statement, the scope's rule evaluated once. $1 scope, $2 is a directorate, $3 client,
# $4 platform, $5 WIB day, $6 engagement kind, $7 Instagram handles (else TikTok's), $8
# cut-off; {only}: with $9, the nrps of the scope to count (a person's result does not depend
# on who else is counted). `late`: the mask holds a sighting after the cut-off.
_PEOPLE_MASKS = """
SELECT s.nrp, s.client_id, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok,
       s.exception,  -- in Person's field order: `_attendances` makes one of each row's first 9
       m.mask, m.seen_until > $8 AS late
  FROM staff s
  LEFT JOIN engagement_mask m
         ON m.client_id = $3 AND m.platform = $4 AND m.wib_date = $5 AND m.kind = $6
        AND m.username = CASE WHEN $7 THEN s.instagram ELSE s.tiktok END
 WHERE {in_scope}{only}
 ORDER BY s.nrp COLLATE "C"  -- digits: the same order, without the locale's comparisons
"""

# P in several groups (a directorate's tagged posts of other clients, a report period) or in
# none: the people (_PEOPLE), then per counted person's name its mask in each group (below).
# $1 and $2 as above, $3 the groups' clients, $4 their days (group g is the g-th pair, from 1), $5
# platform, $6 kind, $7 Instagram handles, $8 cut-off; {only}: with $9.
_GROUP_MASKS = """
SELECT m.username, g.g, m.mask, m.seen_until > $8 AS late
  FROM unnest($3::text[], $4::date[]) WITH ORDINALITY AS g(client_id, wib_date, g)
  JOIN engagement_mask m
    ON m.client_id = g.client_id AND m.platform = $5 AND m.wib_date = g.wib_date AND m.kind = $6
 WHERE m.username IN (SELECT CASE WHEN $7 THEN s.instagram ELSE s.tiktok END
                        FROM staff s
                       WHERE {in_scope}{only})
"""

# What the masks cannot say, read from engagement: P's posts without a bit (day_seq past 62:
# the client's 64th post of a day and later), for everyone, and all of P for the names whose
# mask holds a sighting after the cut-off. Per name, the mask of P's posts it engaged with by
# the cut-off. $1 and $2 as above, $3 post ids (P, in order), $4 kind, $5 cut-off, $6
# Instagram handles, $7 P's posts without a bit, $8 the late names; {only}: with $9.
#
# P's engagement read by post (index-only on the primary key where vacuum has marked pages
# visible) and aggregated once per username; then only the groups of counted people's
# handles are kept. A mask has bit i for P's i-th post: a bigint while P has at most
# BIGINT_POSTS posts (ORed in place; a bit string is copied by the aggregate on every row), a
# bit string beyond. {bit} and {mask} pick the form.
_DONE = """
WITH p AS MATERIALIZED (
    -- each post's bit in the mask: a username's done set is the OR of its posts' bits.
    SELECT id, {bit} AS bit, id = ANY($7::bigint[]) AS everyone
      FROM unnest($3::bigint[]) WITH ORDINALITY AS u(id, ord)
), m AS (
    -- Post by post through the primary key (OFFSET 0 keeps the planner from flattening it
    -- into a join it costs as a scan of the whole table, history included).
    SELECT e.username, {mask} AS mask
      FROM p CROSS JOIN LATERAL (
           SELECT e.username FROM engagement e
            WHERE e.post_id = p.id AND e.kind = $4 AND e.first_seen_at <= $5
              AND (p.everyone OR e.username = ANY($8::text[])) OFFSET 0) e
     GROUP BY e.username
)
SELECT m.username, m.mask
  FROM m
 WHERE m.username IN (SELECT CASE WHEN $6 THEN s.instagram ELSE s.tiktok END
                        FROM staff s
                       WHERE {in_scope}{only})
"""
BIGINT_POSTS = 63  # bits 0..62: bit 63 would make the bigint negative
MASK_BITS = 63  # engagement_mask: posts with day_seq 0..62 have a bit
_BIGINT_MASKS = {"bit": "1::bigint << (ord - 1)::int", "mask": "bit_or(p.bit)"}
_BIT_STRING_MASKS = {
    "bit": "set_bit(repeat('0', cardinality($3::bigint[]))::varbit, (ord - 1)::int, 1)",
    "mask": "bit_or(p.bit)::text",
}
_IN_SCOPE_HERE = _IN_SCOPE.format(scope="$1", directorate="$2")
_ONLY = " AND s.nrp = ANY(${}::text[])"
# some people only -> the query
_PEOPLE_MASKS_FORMS = {
    some: _PEOPLE_MASKS.format(in_scope=_IN_SCOPE_HERE, only=_ONLY.format(9) if some else "")
    for some in (True, False)
}
_PEOPLE_FORMS = {
    some: _PEOPLE.format(in_scope=_IN_SCOPE_HERE, only=_ONLY.format(3) if some else "")
    for some in (True, False)
}
_GROUP_MASKS_FORMS = {
    some: _GROUP_MASKS.format(in_scope=_IN_SCOPE_HERE, only=_ONLY.format(9) if some else "")
    for some in (True, False)
}
# (bigint masks, some people only) -> the query
_DONE_FORMS = {
    (bigint, some): _DONE.format(
        **(_BIGINT_MASKS if bigint else _BIT_STRING_MASKS),
        in_scope=_IN_SCOPE_HERE,
        only=_ONLY.format(9) if some else "",
    )
    for bigint in (True, False)
    for some in (True, False)
}


async def scope_attendance(
    conn: asyncpg.Connection,
    scope: str,
    platform: Platform | str,
    post_ids: Sequence[int],
    cutoff: datetime,
    directorate: bool,
    done_ratio: Ratio = FULL,
    only: Sequence[str] | None = None,
    earlier: Mapping[str, int] | None = None,
) -> list[Attendance]:
    """Each counted person's attendance against `post_ids` (the post set, in its order);
    `done_posts` holds post ids. Sorted by nrp; layouts order people themselves. `only`: just
    the counted people with these nrps (the reminders need a few hundred of thousands).
    `earlier`: per nrp, posts of the set done on compacted days (cicero.db.compaction)."""
    platform = Platform(platform)
    instagram = platform is Platform.INSTAGRAM
    kind = ENGAGEMENT_KIND[platform]
    rule = _status_rule(done_ratio)  # first: a bad ratio fails before any query
    ids = list(post_ids)
    some = [] if only is None else [list(only)]
    groups = _Groups(ids, await conn.fetch(_PLACES, ids) if ids else [])
    decode = _Masks(ids)  # a mask in P's order -> P's posts it marks
    masks: dict[str, int] = {}  # handle -> mask in P's order (or the group's: see `direct`)
    late: list[str] = []  # names whose masks hold sightings after the cut-off
    if len(groups.keys) == 1:
        ((client, day),) = groups.keys
        people = await conn.fetch(
            _PEOPLE_MASKS_FORMS[only is not None], scope, directorate, client, str(platform),
            day, kind, instagram, cutoff, *some,
        )  # fmt: skip
        at = 6 if instagram else 7
        late = [row[at] for row in people if row[10]]
        if (direct := groups.direct()) is not None and not late and not groups.unmasked:
            # The usual recap: each mask decoded as it is, no second pass.
            masks = {row[at]: row[9] for row in people if row[9] is not None}
            return _attendances(people, instagram, masks, direct, len(ids), rule, earlier)
        carry = groups.carry(0)
        masks = {row[at]: carry(row[9]) for row in people if row[9] is not None}
    else:
        people = await conn.fetch(_PEOPLE_FORMS[only is not None], scope, directorate, *some)
        if groups.keys and people:
            rows = await conn.fetch(
                _GROUP_MASKS_FORMS[only is not None], scope, directorate,
                [c for c, _ in groups.keys], [d for _, d in groups.keys], str(platform), kind,
                instagram, cutoff, *some,
            )  # fmt: skip
            carries = [groups.carry(g) for g in range(len(groups.keys))]
            for username, g, mask, is_late in rows:
                masks[username] = masks.get(username, 0) | carries[g - 1](mask)
                if is_late:
                    late.append(username)
    if people and (groups.unmasked or late):
        bigint = len(ids) <= BIGINT_POSTS
        rows = await conn.fetch(
            _DONE_FORMS[bigint, only is not None], scope, directorate, ids, kind, cutoff,
            instagram, groups.unmasked, late, *some,
        )  # fmt: skip
        read = {r[0]: r[1] if bigint else int(r[1][::-1], 2) for r in rows}
        for username in late:  # all of P read again for these: what the masks said goes
            masks[username] = 0
        for username, mask in read.items():
            masks[username] = masks.get(username, 0) | mask
    return _attendances(people, instagram, masks, decode, len(ids), rule, earlier)


class _Groups:
    """P's posts by the engagement_mask row that holds them: (client, WIB day), in order of
    first appearance; `carry(g)` turns group g's mask (bit day_seq) into a mask in P's order
    (bit i for P's i-th post), a byte at a time through tables. Posts without a bit are
    `unmasked`."""

    def __init__(self, post_ids: list[int], places: Iterable[asyncpg.Record]) -> None:
        order = {post: i for i, post in enumerate(post_ids)}
        self.keys: list[tuple[str, date]] = []
        self.unmasked: list[int] = []
        bits: dict[tuple[str, date], dict[int, int]] = {}  # group -> day_seq -> P's bit
        self.posts: dict[int, int] = {}  # the first group's day_seq -> post
        for post, client, day, seq in places:
            if seq >= MASK_BITS:
                self.unmasked.append(post)
                continue
            if (client, day) not in bits:
                self.keys.append((client, day))
            bits.setdefault((client, day), {})[seq] = 1 << order[post]
            if (client, day) == self.keys[0]:
                self.posts[seq] = post
        self.bits = [bits[key] for key in self.keys]

    def direct(self) -> _Masks | None:
        """When P is the first group's posts in the order of their day_seq (posts are stored
        in the order they were published), a decoder of that group's masks straight to P's
        posts; else None."""
        seqs = sorted(self.posts)
        if len(self.keys) != 1 or [self.bits[0][q] for q in seqs] != [
            1 << i for i in range(len(seqs))
        ]:
            return None
        return _Masks([self.posts.get(seq) for seq in range(seqs[-1] + 1)])

    def carry(self, g: int) -> Callable[[int], int]:
        bits = self.bits[g]
        tables: list[tuple[int, list[int]]] = []  # (the byte's shift, P's mask per byte value)
        for shift in range(0, MASK_BITS, 8):
            chunk = [bits.get(shift + i, 0) for i in range(8)]
            if not any(chunk):
                continue
            table = [0]
            for bit in chunk:  # value v + 2**i adds the chunk's i-th bit
                table += [t | bit for t in table]
            tables.append((shift, table))
        if len(tables) == 1 and tables[0][0] == 0:
            ((_, only_table),) = tables
            return lambda mask: only_table[mask & 255]

        def carry(mask: int) -> int:
            out = 0
            for shift, table in tables:
                out |= table[mask >> shift & 255]
            return out

        return carry


def _status_rule(done_ratio: Ratio) -> Callable[[int, int, bool, bool], Status]:
    """The domain's status rule for one ratio, cached: thousands of people, few distinct inputs."""
    return cache(partial(status_rule, done_ratio=exact_ratio(done_ratio)))


def _attendances(
    rows: Iterable[asyncpg.Record],
    instagram: bool,
    masks: Mapping[str, int | str],
    decode: Callable[[int | str], tuple[int, ...]],
    n: int,
    rule: Callable[[int, int, bool, bool], Status],
    earlier: Mapping[str, int] | None = None,
) -> list[Attendance]:
    """The counted people of `rows` (the staff columns of `_PEOPLE` first, in `Person`'s field
    order), each with the done set `decode` reads in the mask of their handle in `masks`, of
    `n` posts. The loop runs once per person
    (20,000 in a large directorate's recap), so a row becomes a `Person` whole, and people
    with the same mask (everyone `sudah`, typically) share one tuple of post ids."""
    done_sets: dict[int | str, tuple[int, ...]] = {}
    statuses: dict[tuple[int, bool, bool], Status] = {}  # (done, has a handle, exception)
    plain = [rule(done, n, True, False) for done in range(n + 1)]  # the usual person, by done
    people: list[Attendance] = []
    append = people.append
    new = tuple.__new__  # Person._make and Attendance(...) without their Python-level calls
    at = 6 if instagram else 7  # the handle's place in a row (Person's field order)
    for row in rows:
        person = new(Person, row if len(row) == 9 else row[:9])
        handle = cast("str | None", person[at])  # the platform's handle column
        done: tuple[int, ...] = ()
        if handle is not None and (mask := masks.get(handle)):
            if (known_done := done_sets.get(mask)) is None:
                known_done = done_sets[mask] = decode(mask)
            done = known_done
        if earlier and (before := earlier.get(person.nrp)) and handle is not None:
            status = rule(len(done) + before, n, True, person.exception)
            append(Attendance(person, handle, done, n, status, before))
            continue
        if handle is not None and not person[8]:  # a handle, no exception
            append(new(Attendance, (person, handle, done, n, plain[len(done)], 0)))
            continue
        key = (len(done), handle is not None, person.exception)
        known = statuses.get(key)
        if known is None:
            known = statuses[key] = rule(len(done), n, handle is not None, person.exception)
        append(new(Attendance, (person, handle, done, n, known, 0)))
    return people


class _Masks:
    """The posts a mask marks, in P's order: a bigint's bits from the lowest, a byte at a time
    through tables of the posts each byte value marks (five look-ups for 40 posts instead of
    a walk of 40 bits), or a bit string's characters."""

    def __init__(self, post_ids: Sequence[int | None]) -> None:
        """`post_ids[i]`: the post bit i marks; None: no post of P (the bit is ignored)."""
        self.post_ids = post_ids
        self.tables: list[tuple[list[tuple[int, ...]], int]] = []  # (table, the byte's shift)
        for k in range(0, len(post_ids), 8):
            table: list[tuple[int, ...]] = [()]
            for post in post_ids[k : k + 8]:  # value v + 2**i adds the chunk's i-th post
                table += [(*done, post) if post is not None else done for done in table]
            self.tables.append((table, k))

        # Up to 40 posts (five bytes) the look-ups written out: ~half the time of the loop.
        tables = [table for table, _ in self.tables] + [[()] * 256] * (5 - len(self.tables))
        self.small = len(self.tables) <= 5
        self.t0, self.t1, self.t2, self.t3, self.t4 = tables[:5]

    def __call__(self, mask: int | str) -> tuple[int, ...]:
        if self.small and isinstance(mask, int):
            return (self.t0[mask & 255] + self.t1[mask >> 8 & 255] + self.t2[mask >> 16 & 255]
                    + self.t3[mask >> 24 & 255] + self.t4[mask >> 32 & 255])  # fmt: skip
        if isinstance(mask, str):
            # only P-order masks are bit strings: no None among post_ids
            return tuple(
                compress(cast("Sequence[int]", self.post_ids), mask.encode().translate(_BITS))
            )
        done: tuple[int, ...] = ()
        for table, shift in self.tables:
            done += table[mask >> shift & 255]
        return done


# Many ORG scopes at once (org_engagement_recap counts every ORG client): each client's own P
# and its own `operator` holders, the rules of _POSTS, _PEOPLE and _DONE for `directorate` false.
# $1 the clients, $2 platform, $3 WIB day, $4 cut-off.
_ORG_POSTS = """
SELECT p.client_id, p.id, p.external_id, p.posted_at, coalesce(c.tiktok, '') AS owner
  FROM post p JOIN client c ON c.client_id = p.client_id
 WHERE p.platform = $2 AND p.wib_date = $3 AND p.kind = 'routine'
   AND p.first_seen_at <= $4 AND (p.removed_at IS NULL OR p.removed_at > $4)
   AND p.client_id = ANY($1::text[])
 ORDER BY p.client_id, p.posted_at, p.external_id
"""


async def org_posts(
    conn: asyncpg.Connection,
    clients: Sequence[str],
    platform: Platform | str,
    day: date,
    cutoff: datetime,
) -> dict[str, list[ScopePost]]:
    """Each ORG client's P (as `scope_posts` with `directorate` false), in one query."""
    platform = Platform(platform)
    posts: dict[str, list[ScopePost]] = {c: [] for c in clients}
    for r in await conn.fetch(_ORG_POSTS, list(clients), str(platform), day, cutoff):
        ref = PostRef(platform, r["external_id"], r["owner"], r["posted_at"])
        posts[r["client_id"]].append(ScopePost(r["id"], ref, 0))
    return posts


# The counted people of many ORG scopes with their masks, one row per person: an ORG client's
# P is its own posts of one WIB day, so one engagement_mask group (`_Groups`) per scope. $1 the
# scopes, $2 and $3 each one's group (client, WIB day; a NULL day for an empty P: no mask), $4
# platform, $5 engagement kind, $6 cut-off; {handle} the platform's handle column. `late` as in
# _PEOPLE_MASKS. The people as _IN_SCOPE's ORG rule counts them (in scope_staff too).
_ORG_PEOPLE_MASKS = """
SELECT s.nrp, s.client_id, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok,
       s.exception,  -- in Person's field order: `_attendances` makes one of each row's first 9
       m.mask, m.seen_until > $6 AS late
  FROM staff s
  LEFT JOIN (SELECT g.scope, m.username, m.mask, m.seen_until
               FROM unnest($1::text[], $2::text[], $3::date[]) AS g(scope, client_id, wib_date)
               JOIN engagement_mask m  -- the groups' masks only, through the primary key
                 ON m.client_id = g.client_id AND m.platform = $4 AND m.wib_date = g.wib_date
                AND m.kind = $5) m
         ON m.scope = s.client_id AND m.username = s.{handle}
 WHERE s.active AND s.client_id = ANY($1::text[])
   AND EXISTS (SELECT 1 FROM staff_role r WHERE r.nrp = s.nrp AND r.role_name = 'operator')
 ORDER BY s.client_id COLLATE "C", s.nrp COLLATE "C"  -- a run per client, each by nrp
"""
_ORG_PEOPLE_MASKS_FORMS = {
    instagram: _ORG_PEOPLE_MASKS.format(handle="instagram" if instagram else "tiktok")
    for instagram in (True, False)
}


async def org_attendance(
    conn: asyncpg.Connection,
    posts: Mapping[str, Sequence[ScopePost]],
    platform: Platform | str,
    cutoff: datetime,
    done_ratio: Ratio = FULL,
) -> dict[str, list[Attendance]]:
    """Each ORG client's attendance against its P (`posts`, from `org_posts`), as
    `scope_attendance` with `directorate` false gives it: two queries for all clients (P's
    places, then the people with their masks). A client whose masks cannot say it all is
    counted on its own by `scope_attendance`: P beyond one mask group or with posts without a
    bit (its 64th post of a day and later), or a mask holding a sighting after the cut-off."""
    platform = Platform(platform)
    instagram = platform is Platform.INSTAGRAM
    rule = _status_rule(done_ratio)  # first: a bad ratio fails before any query
    ids = {c: [p.id for p in ps] for c, ps in posts.items()}
    every = [i for c in ids for i in ids[c]]
    places = {r[0]: r for r in await conn.fetch(_PLACES, every)} if every else {}
    groups = {c: _Groups(ids[c], [places[i] for i in ids[c]]) for c in ids}
    together = [c for c, g in groups.items() if len(g.keys) <= 1 and not g.unmasked]
    keys = [groups[c].keys[0] if groups[c].keys else (c, None) for c in together]
    staff = await conn.fetch(
        _ORG_PEOPLE_MASKS_FORMS[instagram], together, [k[0] for k in keys],
        [k[1] for k in keys], str(platform), ENGAGEMENT_KIND[platform], cutoff,
    ) if together else []  # fmt: skip
    people: dict[str, list[Attendance]] = {c: [] for c in ids}
    alone = set(ids) - set(together)
    at = 6 if instagram else 7  # the handle's place in a row
    for client, run in groupby(staff, key=itemgetter(1)):
        rows = list(run)
        if any(row[10] for row in rows):
            alone.add(client)
            continue
        group = groups[client]
        masks: dict[str, int | str] = {}
        if not group.keys:  # no posts: nothing done
            decode = _Masks([])
        elif (direct := group.direct()) is not None:  # the usual recap: masks decoded as they are
            masks = {r[at]: r[9] for r in rows if r[9] is not None}
            decode = direct
        else:
            carry = group.carry(0)
            masks = {r[at]: carry(r[9]) for r in rows if r[9] is not None}
            decode = _Masks(ids[client])
        people[client] = _attendances(rows, instagram, masks, decode, len(ids[client]), rule)
    for c in sorted(alone):
        people[c] = await scope_attendance(conn, c, platform, ids[c], cutoff, False, done_ratio)
    return people


_SCOPE_STAFF = f"""
SELECT s.nrp, s.client_id, s.name, s.rank, s.unit, s.position, s.instagram, s.tiktok,
       s.exception, s.whatsapp
  FROM staff s
 WHERE {_IN_SCOPE.format(scope="$1", directorate="$2")}
 ORDER BY s.nrp
"""


async def scope_staff(conn: asyncpg.Connection, scope: str, directorate: bool) -> list[StaffRecord]:
    """The people a recap of `scope` counts (same rule as `scope_attendance`), with their
    WhatsApp binding; sorted by nrp."""
    rows = await conn.fetch(_SCOPE_STAFF, scope, directorate)
    return [StaffRecord(person_from_row(r), r["whatsapp"]) for r in rows]


_SCOPE_CHATS = f"""
SELECT s.nrp, s.whatsapp
  FROM staff s
 WHERE {_IN_SCOPE.format(scope="$1", directorate="$2")}
   AND s.wa_opt_in AND s.whatsapp IS NOT NULL
"""


async def scope_chats(conn: asyncpg.Connection, scope: str, directorate: bool) -> dict[str, str]:
    """nrp -> WhatsApp number of the people a recap of `scope` counts who accept reminders."""
    return {r["nrp"]: r["whatsapp"] for r in await conn.fetch(_SCOPE_CHATS, scope, directorate)}


def person_from_row(r: asyncpg.Record) -> Person:
    """A `Person` from a row holding the staff columns (client_id as `client_id`)."""
    return Person(
        nrp=r["nrp"], client=r["client_id"], name=r["name"], rank=r["rank"], unit=r["unit"],
        position=r["position"], instagram=r["instagram"], tiktok=r["tiktok"],
        exception=r["exception"],
    )  # fmt: skip
