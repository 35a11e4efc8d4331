"""The set-based attendance query agrees with the pure rule on random data (issue 7 §1)."""

from __future__ import annotations

import asyncio
from datetime import date, datetime, timedelta
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.db.attendance import (
    BIGINT_POSTS,
    org_attendance,
    org_posts,
    scope_attendance,
    scope_posts,
)
from cicero.db.connect import connect
from cicero.domain.attendance.rule import Person, compute
from cicero.domain.timezone import WIB

DAY = date(2026, 2, 6)
CUTOFF = datetime(2026, 2, 6, 15, 20, tzinfo=WIB)
CLIENTS = ("DITBINMAS", "POLRES_A", "POLRES_B")  # POLRES_A is linked to DITBINMAS
RATIOS = (Fraction(1), Fraction(1, 2), 0.95, Fraction(0), Fraction(2, 3))


@pytest.fixture(scope="module")
def db(database_url):
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(connect(database_url))
    loop.run_until_complete(
        conn.execute(
            """INSERT INTO client (client_id, name, type, tiktok) VALUES
                 ('DITBINMAS', 'DIT', 'DIREKTORAT', 'dit'), ('POLRES_A', 'A', 'ORG', 'pa'),
                 ('POLRES_B', 'B', 'ORG', NULL);
               INSERT INTO client_directorate VALUES ('POLRES_A', 'DITBINMAS');"""
        )
    )
    yield loop, conn
    loop.run_until_complete(conn.close())
    loop.close()


people_st = st.lists(
    st.tuples(
        st.sampled_from(CLIENTS),
        st.booleans(),  # has instagram
        st.booleans(),  # has tiktok
        st.booleans(),  # active
        st.booleans(),  # exception
        st.sampled_from([("operator",), ("ditbinmas",), ("operator", "ditbinmas")]),
    ),
    max_size=10,
)
posts_st = st.lists(
    st.tuples(
        st.sampled_from(CLIENTS),
        st.sampled_from(["instagram", "tiktok"]),
        st.integers(-2 * 3600, 26 * 3600),  # seconds after DAY's WIB midnight
        st.sampled_from(["routine", "routine", "special"]),
        st.sampled_from([None, -3600, 3600]),  # removed before / after the cut-off
        st.booleans(),  # tagged for ditbinmas
    ),
    max_size=7,
)
engagement_st = st.dictionaries(
    st.tuples(
        st.integers(0, 6),  # post index
        st.integers(0, 12),  # username u{i}; people hold handles u0..u9
        st.sampled_from(["like", "comment"]),
    ),
    st.booleans(),  # seen after the cut-off
    max_size=40,
)


async def _load(conn, people, posts, engagement):
    await conn.execute(
        "TRUNCATE engagement, post_tag, post, staff_role, staff RESTART IDENTITY CASCADE"
    )
    midnight = datetime.combine(DAY, datetime.min.time(), tzinfo=WIB)
    for i, (client, ig, tt, active, exc, roles) in enumerate(people):
        await conn.execute(
            """INSERT INTO staff (nrp, name, client_id, instagram, tiktok, active, exception)
               VALUES ($1, $2, $3, $4, $5, $6, $7)""",
            f"7500{i:04d}", f"P{i}", client, f"u{i}" if ig else None, f"u{i}" if tt else None,
            active, exc,
        )  # fmt: skip
        for role in roles:
            await conn.execute("INSERT INTO staff_role VALUES ($1, $2)", f"7500{i:04d}", role)
    ids = []
    for j, (client, platform, offset, kind, removed, tagged) in enumerate(posts):
        at = midnight + timedelta(seconds=offset)
        pid = await conn.fetchval(
            """INSERT INTO post (platform, external_id, client_id, kind, posted_at,
                                 first_seen_at, last_seen_at, removed_at)
               VALUES ($1, $2, $3, $4, $5, $5, $5, $6) RETURNING id""",
            platform, f"X{j}", client, kind, at,
            None if removed is None else CUTOFF + timedelta(seconds=removed),
        )  # fmt: skip
        if tagged:
            await conn.execute("INSERT INTO post_tag VALUES ($1, 'ditbinmas')", pid)
        ids.append(pid)
    for (j, u, kind), late in engagement.items():
        if j < len(ids):
            seen = CUTOFF + timedelta(seconds=1 if late else -1)
            await conn.execute(
                "INSERT INTO engagement VALUES ($1, $2, $3, $4, $4)", ids[j], kind, f"u{u}", seen
            )
    return ids


def _model(people, posts, ids, engagement, scope, platform, ratio):
    """data.md §4.1-4.3 written out plainly, then the pure rule."""
    directorate = scope == "DITBINMAS"
    midnight = datetime.combine(DAY, datetime.min.time(), tzinfo=WIB)
    chosen = []
    for j, (client, plat, offset, kind, removed, tagged) in enumerate(posts):
        at = midnight + timedelta(seconds=offset)
        if (
            plat == platform
            and at.date() == DAY
            and at <= CUTOFF  # first_seen_at = posted_at here
            and kind == "routine"
            and (removed is None or removed > 0)
            and (client == scope or (directorate and tagged))
        ):
            chosen.append((at, f"X{j}", ids[j]))
    post_ids = [pid for _, _, pid in sorted(chosen)]
    counted = []
    for i, (client, ig, tt, active, exc, roles) in enumerate(people):
        if not active:
            continue
        if directorate:
            ok = "ditbinmas" in roles and client in ("DITBINMAS", "POLRES_A")
        else:
            ok = client == scope and "operator" in roles
        if ok:
            counted.append(
                Person(
                    f"7500{i:04d}",
                    client,
                    f"P{i}",
                    "",
                    "",
                    "",
                    f"u{i}" if ig else None,
                    f"u{i}" if tt else None,
                    exc,
                )
            )
    kind = "like" if platform == "instagram" else "comment"
    pairs = {
        (ids[j], f"u{u}")
        for (j, u, k), late in engagement.items()
        if j < len(ids) and k == kind and not late
    }
    return post_ids, compute(counted, post_ids, pairs, platform, ratio)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=people_st,
    posts=posts_st,
    engagement=engagement_st,
    scope=st.sampled_from(CLIENTS),
    platform=st.sampled_from(["instagram", "tiktok"]),
    ratio=st.sampled_from(RATIOS),
)
def test_sql_agrees_with_pure_rule(db, people, posts, engagement, scope, platform, ratio):
    loop, conn = db

    async def go():
        ids = await _load(conn, people, posts, engagement)
        directorate = scope == "DITBINMAS"
        got_posts = await scope_posts(conn, scope, platform, DAY, CUTOFF, directorate)
        sql = await scope_attendance(
            conn, scope, platform, [p.id for p in got_posts], CUTOFF, directorate, ratio
        )
        return ids, got_posts, sql

    ids, got_posts, sql = loop.run_until_complete(go())
    want_ids, pure = _model(people, posts, ids, engagement, scope, platform, ratio)
    assert [p.id for p in got_posts] == want_ids
    assert {a.nrp: a for a in sql} == {a.nrp: a for a in pure}


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=people_st,
    posts=posts_st,
    engagement=engagement_st,
    scope=st.sampled_from(CLIENTS),
    platform=st.sampled_from(["instagram", "tiktok"]),
    only=st.lists(st.integers(0, 12), max_size=6),  # nrps; some of no one, some out of scope
)
def test_counting_only_some_people_gives_their_results(
    db, people, posts, engagement, scope, platform, only
):
    loop, conn = db
    nrps = [f"7500{i:04d}" for i in only]

    async def go():
        ids = await _load(conn, people, posts, engagement)
        directorate = scope == "DITBINMAS"
        got = await scope_posts(conn, scope, platform, DAY, CUTOFF, directorate)
        ids = [p.id for p in got]
        every = await scope_attendance(conn, scope, platform, ids, CUTOFF, directorate)
        some = await scope_attendance(conn, scope, platform, ids, CUTOFF, directorate, only=nrps)
        return every, some

    every, some = loop.run_until_complete(go())
    assert some == [a for a in every if a.nrp in nrps]


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=people_st,
    posts=posts_st,
    engagement=engagement_st,
    clients=st.lists(st.sampled_from(CLIENTS), unique=True),
    platform=st.sampled_from(["instagram", "tiktok"]),
    ratio=st.sampled_from(RATIOS),
)
def test_all_org_clients_at_once_as_each_alone(
    db, people, posts, engagement, clients, platform, ratio
):
    loop, conn = db

    async def go():
        await _load(conn, people, posts, engagement)
        together = await org_posts(conn, clients, platform, DAY, CUTOFF)
        counted = await org_attendance(conn, together, platform, CUTOFF, ratio)
        alone = {}
        for c in clients:
            ps = await scope_posts(conn, c, platform, DAY, CUTOFF, False)
            ids = [p.id for p in ps]
            alone[c] = ps, await scope_attendance(conn, c, platform, ids, CUTOFF, False, ratio)
        return together, counted, alone

    together, counted, alone = loop.run_until_complete(go())
    assert together == {c: ps for c, (ps, _) in alone.items()}
    assert counted == {c: people for c, (_, people) in alone.items()}


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    people=people_st,
    posts=posts_st,
    engagement=engagement_st,
    platform=st.sampled_from(["instagram", "tiktok"]),
    ratio=st.sampled_from(RATIOS),
)
def test_org_clients_read_from_masks_agree_with_pure_rule(
    db, people, posts, engagement, platform, ratio
):
    """Both ORG clients at once against the rule written out. With no sighting after the
    cut-off every client is counted from engagement_mask: P's places and the people with
    their masks, two statements for all clients, none of them counted alone."""
    loop, conn = db
    orgs = ["POLRES_A", "POLRES_B"]

    async def go():
        ids = await _load(conn, people, posts, engagement)
        together = await org_posts(conn, orgs, platform, DAY, CUTOFF)
        statements: list[str] = []

        def log(record):
            statements.append(record.query)

        conn.add_query_logger(log)
        try:
            counted = await org_attendance(conn, together, platform, CUTOFF, ratio)
        finally:
            conn.remove_query_logger(log)
        return ids, together, counted, statements

    ids, together, counted, statements = loop.run_until_complete(go())
    for client in orgs:
        want_ids, pure = _model(people, posts, ids, engagement, client, platform, ratio)
        assert [p.id for p in together[client]] == want_ids
        assert {a.nrp: a for a in counted[client]} == {a.nrp: a for a in pure}
    if not any(late for (j, _, _), late in engagement.items() if j < len(ids)):
        assert len(statements) == (2 if any(together.values()) else 1)


def test_org_client_beyond_bigint_masks_is_counted_alone(db):
    loop, conn = db
    n = BIGINT_POSTS + 2
    people = [(c, True, False, True, False, ("operator",)) for c in ("POLRES_A", "POLRES_B")] * 2
    posts = [("POLRES_A", "instagram", 3600 + 60 * j, "routine", None, False) for j in range(n)]
    posts.append(("POLRES_B", "instagram", 3600, "routine", None, False))
    engagement = {(j, i, "like"): False for i in range(4) for j in range(0, n, i + 1)}

    async def go():
        await _load(conn, people, posts, engagement)
        together = await org_posts(conn, ["POLRES_A", "POLRES_B"], "instagram", DAY, CUTOFF)
        counted = await org_attendance(conn, together, "instagram", CUTOFF)
        alone = {}
        for c, ps in together.items():
            ids = [p.id for p in ps]
            alone[c] = await scope_attendance(conn, c, "instagram", ids, CUTOFF, False)
        return together, counted, alone

    together, counted, alone = loop.run_until_complete(go())
    assert [len(together[c]) for c in ("POLRES_A", "POLRES_B")] == [n, 1]
    assert counted == alone
    assert counted["POLRES_A"][0].count == n  # person 0 liked every post, the last included


@pytest.mark.parametrize("n", [BIGINT_POSTS, BIGINT_POSTS + 1, 70])
def test_masks_on_both_sides_of_the_bigint_form(db, n):
    """Up to BIGINT_POSTS posts the done sets are bigints, beyond that bit strings; the highest
    posts (the bigint's top bit, the string's tail) must come back like the lowest."""
    loop, conn = db
    people = [("DITBINMAS", True, False, True, i == 3, ("ditbinmas",)) for i in range(5)]
    posts = [("DITBINMAS", "instagram", 3600 + 60 * j, "routine", None, False) for j in range(n)]
    # person i liked every (i + 1)-th post; person 4 only the last one
    engagement = {(j, i, "like"): False for i in range(4) for j in range(n) if j % (i + 1) == 0}
    engagement[(n - 1, 4, "like")] = False

    async def go():
        ids = await _load(conn, people, posts, engagement)
        got = await scope_posts(conn, "DITBINMAS", "instagram", DAY, CUTOFF, True)
        results = [
            await scope_attendance(conn, "DITBINMAS", "instagram", [p.id for p in got], CUTOFF,
                                   True, ratio)
            for ratio in (Fraction(1), Fraction(1, 2))
        ]  # fmt: skip
        return ids, got, results

    ids, got, results = loop.run_until_complete(go())
    assert len(got) == n
    for ratio, sql in zip((Fraction(1), Fraction(1, 2)), results, strict=True):
        want_ids, pure = _model(people, posts, ids, engagement, "DITBINMAS", "instagram", ratio)
        assert [p.id for p in got] == want_ids
        assert {a.nrp: a for a in sql} == {a.nrp: a for a in pure}
        assert sql[0].count == n and sql[4].done_posts == (want_ids[-1],)
