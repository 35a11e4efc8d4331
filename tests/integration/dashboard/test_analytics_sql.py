"""The analytics' figures equal SQL over the stored posts (issue 17 item 4): hypothesis draws
posts (any client, platform, day, kind, removal, known or unknown counts), the daily profile
counts (some failed) and a period or range, and checks the one data function against
aggregates PostgreSQL computes on its own: per account, per day, per post (with each post's
followers of its day), top and bottom; and per day, per account, per post and the totals
agreeing with each other. And the API's answer, which PostgreSQL writes, is the value's JSON
to the byte."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any

import asyncpg
import orjson
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.dashboard.analytics import answer_json, compute
from cicero.db.connect import connect
from cicero.domain.analytics.figures import Analytics, Totals
from cicero.domain.attendance.view import DayRange, Period, period_range
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB
from tests.conftest import fresh_database

BASE = date(2026, 1, 20)
CLIENTS = ["DITBINMAS", "POLRES_A", "POLRES_B", "POLRES_C", "POLRES_D"]
FIELDS = ("likes", "comments", "views", "shares")
count = st.one_of(st.none(), st.integers(0, 10**7))
post = st.fixed_dictionaries({
    "client": st.sampled_from(CLIENTS), "platform": st.sampled_from(["instagram", "tiktok"]),
    "day": st.integers(0, 45), "minute": st.integers(0, 24 * 60 - 1),
    "kind": st.sampled_from(["routine", "routine", "routine", "special"]),
    "removed": st.booleans() | st.just(False), "likes": count, "comments": count,
    "views": count, "shares": count,
})  # fmt: skip
profile = st.fixed_dictionaries({
    "client": st.sampled_from(CLIENTS), "platform": st.sampled_from(["instagram", "tiktok"]),
    "day": st.integers(-5, 45), "followers": st.none() | st.integers(0, 10**6),
})  # fmt: skip
period = st.one_of(
    st.tuples(st.sampled_from(list(Period)), st.integers(0, 45)),
    st.tuples(st.just(None), st.integers(0, 45), st.integers(1, 31)),
)


@pytest.fixture(scope="module")
def db(pg_server: object) -> Iterator[tuple[asyncio.AbstractEventLoop, asyncpg.Connection]]:
    url = fresh_database(pg_server)
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(connect(url))
    loop.run_until_complete(conn.execute(
        """INSERT INTO client (client_id, name, type, instagram, tiktok, active) VALUES
             ('DITBINMAS', 'DIREKTORAT BINMAS', 'DIREKTORAT', 'ditbinmas', 'ditbinmas', true),
             ('POLRES_A', 'POLRES A', 'ORG', 'polres_a', 'polres_a', true),
             ('POLRES_B', 'POLRES B', 'ORG', 'polres_b', NULL, true),
             ('POLRES_C', 'POLRES C', 'ORG', 'polres_c', 'polres_c', false),
             ('POLRES_D', 'POLRES D', 'ORG', 'polres_d', 'polres_d', true);
           INSERT INTO client_directorate VALUES ('POLRES_A', 'DITBINMAS'),
             ('POLRES_B', 'DITBINMAS'), ('POLRES_C', 'DITBINMAS');"""
    ))  # fmt: skip
    yield loop, conn
    loop.run_until_complete(conn.close())
    loop.close()


def _days(drawn: tuple[Any, ...]) -> tuple[Period, DayRange]:
    if drawn[0] is None:
        start = BASE + timedelta(days=drawn[1])
        return Period.DAY, DayRange(start, start + timedelta(days=drawn[2] - 1))
    return drawn[0], period_range(drawn[0], BASE + timedelta(days=drawn[1]))


async def _store(conn: asyncpg.Connection, posts: list[dict[str, Any]],
                 profiles: list[dict[str, Any]]) -> None:  # fmt: skip
    rows = []
    for i, p in enumerate(posts):
        at = datetime.combine(BASE + timedelta(days=p["day"]), time(0), tzinfo=WIB)
        at += timedelta(minutes=p["minute"])
        rows.append((p["platform"], f"P{i}", p["client"], p["kind"], at, p["likes"],
                     p["comments"], p["views"], p["shares"], at if p["removed"] else None))  # fmt: skip
    await conn.executemany(
        """INSERT INTO post (platform, external_id, client_id, kind, posted_at, like_count,
                             comment_count, view_count, share_count, first_seen_at, last_seen_at,
                             removed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $5, $5, $10)""",
        rows,
    )
    await conn.executemany(
        """INSERT INTO account_profile (client_id, platform, wib_date, handle, followers,
                                        error_class, fetched_at)
           VALUES ($1, $2, $3, 'akun', $4, $5, now()) ON CONFLICT DO NOTHING""",
        [(f["client"], f["platform"], BASE + timedelta(days=f["day"]), f["followers"],
          "server" if f["followers"] is None else None) for f in profiles],
    )  # fmt: skip


FIGURE_SQL = """count(p.id)::int AS posts, sum(p.like_count) AS likes,
    sum(p.comment_count) AS comments, sum(p.view_count) AS views, sum(p.share_count) AS shares"""
LATEST = """(SELECT a.followers FROM account_profile a
              WHERE a.client_id = {client} AND a.platform = $2 AND a.followers IS NOT NULL
                AND a.wib_date <= {day} ORDER BY a.wib_date DESC LIMIT 1)"""
IN_SCOPE = """SELECT client_id FROM client WHERE client_id = $1
              UNION SELECT d.client_id FROM client_directorate d JOIN client c USING (client_id)
               WHERE $5 AND d.directorate_id = $1 AND c.active"""
COUNTED = "p.platform = $2 AND p.wib_date BETWEEN $3 AND $4 AND p.removed_at IS NULL AND p.kind = 'routine'"


async def _sql(conn: asyncpg.Connection, scope: str, platform: str, days: DayRange,
               directorate: bool) -> dict[str, Any]:  # fmt: skip
    args = (scope, platform, days.start, days.end, directorate)
    accounts = await conn.fetch(
        f"""SELECT s.client_id, {FIGURE_SQL}, {LATEST.format(client="s.client_id", day="$4")} AS followers
              FROM ({IN_SCOPE}) s LEFT JOIN post p ON p.client_id = s.client_id AND {COUNTED}
             GROUP BY s.client_id""",
        *args,
    )  # fmt: skip
    days_rows = await conn.fetch(
        f"""SELECT d::date AS day, {FIGURE_SQL}
              FROM generate_series($3::date, $4::date, interval '1 day') d
              LEFT JOIN post p ON p.wib_date = d::date AND {COUNTED}
                              AND p.client_id IN ({IN_SCOPE})
             GROUP BY d ORDER BY d""",
        *args,
    )  # fmt: skip
    posts = await conn.fetch(
        f"""SELECT p.external_id, p.client_id, p.like_count AS likes, p.comment_count AS comments,
                   p.view_count AS views, p.share_count AS shares,
                   coalesce(p.like_count, 0) + coalesce(p.comment_count, 0)
                       + coalesce(p.share_count, 0) AS interactions,
                   {LATEST.format(client="p.client_id", day="p.wib_date")} AS followers
              FROM post p WHERE {COUNTED} AND p.client_id IN ({IN_SCOPE})
             ORDER BY p.posted_at, p.external_id""",
        *args,
    )  # fmt: skip
    top = await conn.fetch(
        f"""SELECT p.external_id FROM post p WHERE {COUNTED} AND p.client_id IN ({IN_SCOPE})
             ORDER BY coalesce(p.like_count, 0) + coalesce(p.comment_count, 0)
                      + coalesce(p.share_count, 0) DESC, p.posted_at, p.external_id LIMIT 5""",
        *args,
    )  # fmt: skip
    return {"accounts": {r["client_id"]: r for r in accounts}, "days": days_rows,
            "posts": posts, "top": [r["external_id"] for r in top]}  # fmt: skip


def _figures(t: Totals) -> tuple[Any, ...]:
    return t.posts, t.likes, t.comments, t.views, t.shares


def _row(r: asyncpg.Record) -> tuple[Any, ...]:
    return (r["posts"], *(r[f] for f in FIELDS))


def _rate(interactions: int, followers: int | None) -> float | None:
    return None if not followers else interactions / followers


def _add(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return tuple(x if y is None else y if x is None else x + y for x, y in zip(a, b, strict=True))


def _agree(v: Analytics) -> None:
    """Per day, per account and per post add up to the same totals."""
    from functools import reduce

    zero: tuple[Any, ...] = (0, None, None, None, None)
    by_day = reduce(_add, (_figures(d.totals) for d in v.days), zero)
    by_account = reduce(_add, (_figures(a.totals) for a in v.accounts), zero)
    by_post = reduce(_add, ((1, p.likes, p.comments, p.views, p.shares) for p in v.posts), zero)
    assert by_day == by_account == by_post == _figures(v.totals)
    assert v.totals.interactions == sum(p.interactions for p in v.posts)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])  # fmt: skip
@given(posts=st.lists(post, max_size=40), profiles=st.lists(profile, max_size=25),
       drawn=period, scope=st.sampled_from(CLIENTS[:2] + CLIENTS[4:]),
       platform=st.sampled_from(list(Platform)))  # fmt: skip
def test_analytics_equal_sql_over_the_stored_posts(
    db: tuple[asyncio.AbstractEventLoop, asyncpg.Connection], posts: list[dict[str, Any]],
    profiles: list[dict[str, Any]], drawn: tuple[Any, ...], scope: str, platform: Platform,
) -> None:  # fmt: skip
    loop, conn = db
    kind, days = _days(drawn)
    directorate = scope == "DITBINMAS"

    async def example() -> tuple[Analytics, dict[str, Any]]:
        tx = conn.transaction()
        await tx.start()
        try:
            await _store(conn, posts, profiles)
            v = await compute(conn, scope, directorate, platform, kind, days)
            return v, await _sql(conn, scope, platform.value, days, directorate)
        finally:
            await tx.rollback()

    v, sql = loop.run_until_complete(example())
    # Per account: figures and followers as SQL sums and looks them up; the inactive satker
    # POLRES_C is not among a directorate's accounts.
    assert {a.account.client_id for a in v.accounts} == set(sql["accounts"])
    for a in v.accounts:
        row = sql["accounts"][a.account.client_id]
        assert _figures(a.totals) == _row(row)
        assert a.followers == row["followers"]
        assert a.engagement_rate == pytest.approx(_rate(a.totals.interactions, row["followers"]),
                                                  abs=1e-6)  # fmt: skip
    # Per day, every day of the range.
    assert [(d.day, *_figures(d.totals)) for d in v.days] == [(r["day"], *_row(r)) for r in sql["days"]]
    # Per post, in upload order, with its account's followers of its own day.
    assert [(p.external_id, p.client_id, p.likes, p.comments, p.views, p.shares, p.interactions,
             p.followers) for p in v.posts] == [tuple(r) for r in sql["posts"]]  # fmt: skip
    for p, r in zip(v.posts, sql["posts"], strict=True):
        assert p.engagement_rate == pytest.approx(_rate(r["interactions"], r["followers"]), abs=1e-6)
    assert [p.external_id for p in v.top] == sql["top"]
    assert not {p.external_id for p in v.top} & {p.external_id for p in v.bottom}
    assert len(v.bottom) == min(5, len(v.posts) - len(v.top))
    assert all(b.interactions <= t.interactions for b in v.bottom for t in v.top)
    _agree(v)
    assert v.period is kind and (v.range.start, v.range.end) == (days.start, days.end)


# The API's answer is written by PostgreSQL (cicero.db.analytics.ANSWER) and must be the bytes
# of the pure value's `as_json` once orjson encodes it: any text a post may carry (quotes,
# backslashes, control characters, non-ASCII, captions cut at 100 characters), instants
# with and without microseconds, any counts (rates of every size, half-way roundings, no or
# zero followers, days without a count), an author or none.
text = st.text(st.characters(codec="utf-8", exclude_characters="\x00"), max_size=130)
few = st.none() | st.integers(0, 20) | count | st.just(10**8)  # tiny rates, whole ones, huge ones
shown = st.fixed_dictionaries({
    "client": st.sampled_from(CLIENTS), "platform": st.sampled_from(["instagram", "tiktok"]),
    "day": st.integers(0, 12),  # instants shared often: ties ranked by id
    "micros": st.integers(0, 24 * 3600 * 10**6 - 1) | st.sampled_from([0, 3600 * 10**6]),
    "caption": st.none() | text, "author": st.none() | text,
    "id": st.text(st.characters(codec="utf-8", exclude_characters="\x00"), min_size=1, max_size=12),
    "likes": few, "comments": few, "views": count, "shares": few,
})  # fmt: skip
counted = st.fixed_dictionaries({
    "client": st.sampled_from(CLIENTS), "platform": st.sampled_from(["instagram", "tiktok"]),
    "day": st.integers(-3, 12),
    "followers": st.none() | st.integers(0, 20) | st.integers(0, 10**6) | st.just(2 * 10**6),
})  # fmt: skip
near = st.one_of(
    st.tuples(st.sampled_from(list(Period)), st.integers(0, 12)),
    st.tuples(st.just(None), st.integers(-2, 12), st.integers(1, 14)),
)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture,
                                                                   HealthCheck.too_slow])  # fmt: skip
@given(posts=st.lists(shown, max_size=25, unique_by=lambda p: p["id"]),
       profiles=st.lists(counted, max_size=25), drawn=near, scope=st.sampled_from(CLIENTS[:2] + CLIENTS[4:]),
       platform=st.sampled_from(list(Platform)))  # fmt: skip
def test_the_apis_answer_is_the_values_json_to_the_byte(
    db: tuple[asyncio.AbstractEventLoop, asyncpg.Connection], posts: list[dict[str, Any]],
    profiles: list[dict[str, Any]], drawn: tuple[Any, ...], scope: str, platform: Platform,
) -> None:  # fmt: skip
    loop, conn = db
    kind, days = _days(drawn)
    directorate = scope == "DITBINMAS"

    async def example() -> tuple[bytes, bytes]:
        tx = conn.transaction()
        await tx.start()
        try:
            await conn.executemany(
                """INSERT INTO post (platform, external_id, client_id, posted_at, caption, author,
                                     like_count, comment_count, view_count, share_count,
                                     first_seen_at, last_seen_at)
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $4, $4)""",
                [(p["platform"], p["id"], p["client"],
                  datetime.combine(BASE + timedelta(days=p["day"]), time(0), tzinfo=WIB)
                  + timedelta(microseconds=p["micros"]), p["caption"], p["author"], p["likes"],
                  p["comments"], p["views"], p["shares"]) for p in posts],
            )  # fmt: skip
            await _store(conn, [], profiles)
            v = await compute(conn, scope, directorate, platform, kind, days)
            answer = await answer_json(conn, scope, directorate, platform, kind, days)
            return orjson.dumps(v.as_json()), orjson.dumps(answer)
        finally:
            await tx.rollback()

    pure, sql = loop.run_until_complete(example())
    assert sql == pure


def test_rates_of_every_form_are_written_as_orjson_writes_them(
    db: tuple[asyncio.AbstractEventLoop, asyncpg.Connection],
) -> None:
    """With a million followers a post's rate is its interactions / 10^6: zero, below 0.00001
    (orjson's "1e-6"), whole numbers ("2.0"), trailing zeros cut, a million. Past any real
    account (a rate of 9 x 10^12, interactions past a bigint's reach in the arithmetic), the
    same number, and no error."""
    loop, conn = db
    likes = [0, 1, 9, 10, 11, 100, 999_999, 10**6, 2 * 10**6, 1_500_000, 123_456_789, 10**12]
    day = DayRange(BASE, BASE)

    async def example(likes: list[int]) -> tuple[Analytics, bytes]:
        tx = conn.transaction()
        await tx.start()
        try:
            at = datetime.combine(BASE, time(9), tzinfo=WIB)
            await conn.executemany(
                """INSERT INTO post (platform, external_id, client_id, posted_at, like_count,
                                     first_seen_at, last_seen_at)
                   VALUES ('instagram', $1, 'POLRES_A', $2, $3, $2, $2)""",
                [(f"R{i}", at + timedelta(minutes=i), n) for i, n in enumerate(likes)],
            )
            await _store(conn, [], [{"client": "POLRES_A", "platform": "instagram", "day": 0,
                                     "followers": 10**6}])  # fmt: skip
            v = await compute(conn, "POLRES_A", False, Platform.INSTAGRAM, Period.DAY, day)
            answer = await answer_json(conn, "POLRES_A", False, Platform.INSTAGRAM, Period.DAY, day)
            return v, orjson.dumps(answer)
        finally:
            await tx.rollback()

    v, sql = loop.run_until_complete(example(likes))
    assert [p.engagement_rate for p in v.posts] == [n / 10**6 for n in likes]
    assert sql == orjson.dumps(v.as_json())
    assert b'"engagement_rate":1e-6}' in sql and b'"engagement_rate":2.0}' in sql
    v, sql = loop.run_until_complete(example([9 * 10**18, 3]))
    assert orjson.loads(sql) == orjson.loads(orjson.dumps(v.as_json()))
    assert [p["engagement_rate"] for p in orjson.loads(sql)["posts"]] == [9 * 10**12, 0.000003]


def test_ties_rank_by_id_in_top_and_bottom_alike(
    db: tuple[asyncio.AbstractEventLoop, asyncpg.Connection],
) -> None:
    """Twelve posts with the same interactions at the same instant: top and bottom go by id
    (code points: "B" < "Z" < "a" < "é"), the pure value and the API's answer alike."""
    loop, conn = db
    ids = ["b", "a", "B", "é", "Z", "a1", "10", "9", "_", "ä", "A", "zz"]
    day = DayRange(BASE, BASE)

    async def example() -> tuple[Analytics, bytes]:
        tx = conn.transaction()
        await tx.start()
        try:
            at = datetime.combine(BASE, time(9), tzinfo=WIB)
            await conn.executemany(
                """INSERT INTO post (platform, external_id, client_id, posted_at, like_count,
                                     first_seen_at, last_seen_at)
                   VALUES ('instagram', $1, 'POLRES_A', $2, 7, $2, $2)""",
                [(i, at) for i in ids],
            )
            v = await compute(conn, "POLRES_A", False, Platform.INSTAGRAM, Period.DAY, day)
            answer = await answer_json(conn, "POLRES_A", False, Platform.INSTAGRAM, Period.DAY, day)
            return v, orjson.dumps(answer)
        finally:
            await tx.rollback()

    v, sql = loop.run_until_complete(example())
    ranked = sorted(ids)
    assert [p.external_id for p in v.top] == ranked[:5]
    assert [p.external_id for p in v.bottom] == ranked[::-1][:5]
    assert sql == orjson.dumps(v.as_json())
