"""Engagement merge through the real bulk upsert: never lost, never double-counted, bulk."""

from __future__ import annotations

import asyncio
import itertools
from datetime import timedelta
from typing import Any

import asyncpg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cicero.db.connect import connect
from cicero.db.engagement import EngagementRow, UnknownPosts, upsert_engagement
from cicero.domain.ingestion.rules import merge_engagement
from cicero.domain.people.usernames import Invalid, Platform, parse_username
from cicero.sim.upstream.world import FakeEngagement, FakePost, UpstreamWorld
from tests.conftest import fresh_database
from tests.integration.ingest.harness import IG, Rig, at, rig

# Spellings of a few people as upstream sends them, junk, and an exception (fajar).
NAMES = [
    "budi.s", "Budi.S", "@budi.s", "https://www.instagram.com/budi.s/?igsh=x", "citra_01",
    "@Citra_01", "dedi", "bad name", "instagram.com/p/DAbCdEf01", "x" * 31, "fajar", "eko.",
]  # fmt: skip
EXCLUDED = frozenset({"fajar"})
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def db(pg_server: object) -> str:
    url = fresh_database(pg_server)

    async def setup() -> None:
        conn = await connect(url)
        await conn.execute("INSERT INTO client (client_id, name, type) VALUES ('C', 'C', 'ORG')")
        await conn.close()

    asyncio.run(setup())
    return url


async def new_post(conn: asyncpg.Connection) -> int:
    return await conn.fetchval(
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at, last_seen_at)
           VALUES ('instagram', $1, 'C', $2, $2, $2) RETURNING id""",
        f"X{next(_ids)}",
        at(9),
    )


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(batches=st.lists(st.lists(st.sampled_from(NAMES), max_size=8), min_size=1, max_size=5))
def test_merge_never_loses_nor_double_counts(db: str, batches: list[list[str]]) -> None:
    async def main() -> Any:
        conn = await connect(db)
        try:
            post = await new_post(conn)
            new_total, out = 0, []
            for i, batch in enumerate(batches):
                when = at(10) + timedelta(minutes=30 * i)
                merge = merge_engagement(batch, Platform.INSTAGRAM, when, excluded=EXCLUDED)
                async with conn.transaction():
                    written = await upsert_engagement(
                        conn, [EngagementRow(post, "like", n) for n in merge.usernames], when
                    )
                new_total += written.new
                out.append(written.new)
            rows = await conn.fetch(
                "SELECT username, first_seen_at, last_seen_at FROM engagement WHERE post_id = $1",
                post,
            )
            return new_total, {r["username"]: (r["first_seen_at"], r["last_seen_at"]) for r in rows}
        finally:
            await conn.close()

    new_total, stored = asyncio.run(main())
    # The model: canonical names, junk and the exception left out, first and last sighting.
    model: dict[str, tuple[Any, Any]] = {}
    for i, batch in enumerate(batches):
        when = at(10) + timedelta(minutes=30 * i)
        for raw in batch:
            name = parse_username(raw, Platform.INSTAGRAM)
            if isinstance(name, Invalid) or name in EXCLUDED:
                continue
            model[name] = (model.get(name, (when,))[0], when)
    assert stored == model
    assert new_total == len(stored)  # each person counted once, in the run that first saw them


def test_the_handler_writes_engagement_with_a_statement_per_stage_not_per_row(
    pg_server: object,
) -> None:
    """300 likers on each of 3 posts: still one engagement INSERT per likers stage."""
    statements: list[str] = []

    async def init(conn: asyncpg.Connection) -> None:
        await conn.execute("SET TimeZone = 'UTC'")
        conn.add_query_logger(lambda q: statements.append(q.query))

    world = UpstreamWorld(
        posts=tuple(FakePost(IG, "polres_a", f"Q{i}", at(8 + i)) for i in range(3)),
        engagements=tuple(
            FakeEngagement(f"Q{i}", at(9), tuple(f"p{i}.{n:03d}" for n in range(300)))
            for i in range(3)
        ),
    )

    async def main() -> Any:
        async with rig(fresh_database(pg_server), world, pool_init=init) as r:
            statements.clear()
            await r.ingest(at(12))
            return await count_rows(r)

    async def count_rows(r: Rig) -> int:
        return await r.pool.fetchval("SELECT count(*) FROM engagement")

    rows = asyncio.run(main())
    assert rows == 900
    inserts = [s for s in statements if "INSERT INTO engagement AS e" in s]
    post_inserts = [s for s in statements if "INSERT INTO post" in s]
    assert len(inserts) == 1  # one likers stage with rows (TikTok has none here)
    assert len(post_inserts) == 1  # the IG posts stage; the TikTok feed is empty
    # Everything else (client list, pool resets, asyncpg's type introspection) is fixed cost.
    assert len(statements) < 900 / 10


def test_engagement_for_a_post_that_is_not_stored_is_refused_whole(db: str) -> None:
    """No per-row foreign key (migration 0051): the writer checks its posts once per call."""

    async def main() -> Any:
        conn = await connect(db)
        try:
            post = await new_post(conn)
            rows = [EngagementRow(post, "like", "budi.s"), EngagementRow(post + 10**9, "like", "x")]
            with pytest.raises(UnknownPosts, match=str(post + 10**9)):
                async with conn.transaction():
                    await upsert_engagement(conn, rows, at(10))
            return await conn.fetchval("SELECT count(*) FROM engagement WHERE post_id = $1", post)
        finally:
            await conn.close()

    assert asyncio.run(main()) == 0
