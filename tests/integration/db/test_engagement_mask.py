"""engagement_mask (migration 0100) stays equal to what engagement says, whoever writes there:
the ingestor's bulk upsert and its re-fetches, plain inserts, deletes (compaction), TRUNCATE;
and the places it rests on (post.day_seq, engagement's key) cannot move under it."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.db.connect import connect
from cicero.db.engagement import EngagementRow, upsert_engagement
from cicero.domain.timezone import WIB

START = datetime(2026, 2, 6, 5, 0, tzinfo=WIB)
CLIENTS = ("POLRES_A", "POLRES_B")

# The mask recomputed from engagement, as migration 0100 defines it.
_EXPECTED = """
SELECT p.client_id, p.platform, p.wib_date, e.kind, e.username,
       bit_or(1::bigint << p.day_seq) AS mask, max(e.first_seen_at) AS seen_until
  FROM engagement e JOIN post p ON p.id = e.post_id
 WHERE p.day_seq < 63
 GROUP BY 1, 2, 3, 4, 5
 ORDER BY 1, 2, 3, 4, 5
"""
_STORED = """
SELECT client_id, platform, wib_date, kind, username, mask, seen_until
  FROM engagement_mask ORDER BY 1, 2, 3, 4, 5
"""


@pytest.fixture(scope="module")
def db(database_url):
    loop = asyncio.new_event_loop()
    conn = loop.run_until_complete(connect(database_url))
    loop.run_until_complete(
        conn.execute(
            """INSERT INTO client (client_id, name, type) VALUES
                 ('POLRES_A', 'A', 'ORG'), ('POLRES_B', 'B', 'ORG')"""
        )
    )
    yield loop, conn
    loop.run_until_complete(conn.close())
    loop.close()


async def _post(conn: asyncpg.Connection, client: str, platform: str, hours: int, n: int) -> int:
    at = START + timedelta(hours=hours)
    pid = await conn.fetchval(
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                             last_seen_at)
           VALUES ($1, $2, $3, $4, $4, $4) RETURNING id""",
        platform, f"X{n}", client, at,
    )  # fmt: skip
    return int(pid)


posts_st = st.lists(
    st.tuples(st.sampled_from(CLIENTS), st.sampled_from(["instagram", "tiktok"]),
              st.sampled_from([0, 2, 20, 30])),  # hours after 05:00 WIB: two WIB days
    min_size=1, max_size=8,
)  # fmt: skip
# Steps: ("upsert", fire time, rows) through the ingestor's upsert, ("insert", ...) one
# plain statement, ("delete", post index) all of a post's rows.
row_st = st.tuples(st.integers(0, 7), st.sampled_from(["like", "comment"]), st.integers(0, 5))
step_st = st.one_of(
    st.tuples(st.sampled_from(["upsert", "insert"]), st.integers(0, 5), st.lists(row_st)),
    st.tuples(st.just("delete"), st.integers(0, 7), st.just([])),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(posts=posts_st, steps=st.lists(step_st, max_size=8))
def test_masks_equal_engagement_after_any_writes(db, posts, steps):
    loop, conn = db

    async def go():
        await conn.execute("TRUNCATE engagement, post_tag, post RESTART IDENTITY CASCADE")
        assert await conn.fetchval("SELECT count(*) FROM engagement_mask") == 0
        ids = [await _post(conn, c, p, h, n) for n, (c, p, h) in enumerate(posts)]
        for what, fire, rows in steps:
            at = START + timedelta(hours=fire)
            known = [(ids[j], kind, f"u{u}") for j, kind, u in rows if j < len(ids)]
            async with conn.transaction():
                if what == "upsert":
                    await upsert_engagement(conn, [EngagementRow(*r) for r in known], at)
                elif what == "insert" and known:
                    await conn.execute(
                        """INSERT INTO engagement
                           SELECT post_id, kind, username, $4, $4
                             FROM unnest($1::bigint[], $2::text[], $3::text[])
                                  AS r(post_id, kind, username)
                           ON CONFLICT DO NOTHING""",
                        [r[0] for r in known], [r[1] for r in known], [r[2] for r in known], at,
                    )  # fmt: skip
                elif what == "delete" and fire < len(ids):
                    await conn.execute("DELETE FROM engagement WHERE post_id = $1", ids[fire])
            assert await conn.fetch(_STORED) == await conn.fetch(_EXPECTED), (what, fire, rows)
        return await conn.fetch(_STORED)

    loop.run_until_complete(go())


def test_day_seq_is_each_posts_place_in_its_client_day(db):
    loop, conn = db

    async def go():
        await conn.execute("TRUNCATE engagement, post_tag, post RESTART IDENTITY CASCADE")
        for n, (client, platform, hours) in enumerate(
            [("POLRES_A", "instagram", 0), ("POLRES_A", "instagram", 1), ("POLRES_B", "instagram", 0),
             ("POLRES_A", "tiktok", 0), ("POLRES_A", "instagram", 20), ("POLRES_A", "instagram", 2)]
        ):  # fmt: skip
            await _post(conn, client, platform, hours, n)
        # a known post upserted again keeps its place and takes none
        await conn.execute(
            """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                                 last_seen_at)
               VALUES ('instagram', 'X1', 'POLRES_A', $1, $1, $1)
               ON CONFLICT (platform, external_id) DO UPDATE SET last_seen_at = EXCLUDED.last_seen_at""",
            START + timedelta(hours=1),
        )  # fmt: skip
        await _post(conn, "POLRES_A", "instagram", 3, 6)
        return [
            tuple(r) for r in await conn.fetch("SELECT external_id, day_seq FROM post ORDER BY id")
        ]

    assert loop.run_until_complete(go()) == [
        ("X0", 0), ("X1", 1), ("X2", 0), ("X3", 0), ("X4", 0), ("X5", 2), ("X6", 3)
    ]  # fmt: skip


def test_what_the_masks_rest_on_cannot_move(db):
    loop, conn = db

    async def go():
        await conn.execute("TRUNCATE engagement, post_tag, post RESTART IDENTITY CASCADE")
        pid = await _post(conn, "POLRES_A", "instagram", 0, 0)
        await conn.execute("INSERT INTO engagement VALUES ($1, 'like', 'budi', $2, $2)", pid, START)
        # a re-fetch moves last_seen_at: allowed, and the mask is as it was
        later = START + timedelta(hours=1)
        await conn.execute("UPDATE engagement SET last_seen_at = $1", later)
        await conn.execute("UPDATE post SET last_seen_at = $1, removed_at = $1", later)
        refused = []
        for statement, value in [
            ("UPDATE engagement SET first_seen_at = $1", later),
            ("UPDATE engagement SET username = $1", "andi"),
            ("UPDATE post SET posted_at = $1", later),
            ("UPDATE post SET client_id = $1", "POLRES_B"),
            ("UPDATE post SET day_seq = $1", 5),
        ]:
            with pytest.raises(asyncpg.RestrictViolationError):
                await conn.execute(statement, value)
            refused.append(statement)
        return refused, [
            tuple(r) for r in await conn.fetch("SELECT username, mask FROM engagement_mask")
        ]

    refused, masks = loop.run_until_complete(go())
    assert len(refused) == 5
    assert masks == [("budi", 1)]
