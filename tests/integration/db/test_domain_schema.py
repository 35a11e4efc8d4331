"""The domain schema (0002) on a real PostgreSQL: wib_date, handle checks, evidence kept."""

import asyncio
import re
from datetime import UTC, datetime

import asyncpg
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cicero.db.connect import connect


async def _with_conn(url, fn):
    conn = await connect(url)
    try:
        return await fn(conn)
    finally:
        await conn.close()


def run(url, fn):
    return asyncio.run(_with_conn(url, fn))


async def _seed(conn):
    await conn.execute(
        "INSERT INTO client (client_id, name, type, instagram) VALUES ('POLRES_A','A','ORG','polres_a')"
    )
    rows = await conn.fetch(
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at, last_seen_at)
           SELECT 'instagram', x.id, 'POLRES_A', x.t, x.t, x.t
             FROM unnest($1::text[], $2::timestamptz[]) AS x(id, t)
           RETURNING external_id, wib_date""",
        ["P1", "P0"],
        [datetime.fromtimestamp(1770312600, UTC), datetime.fromtimestamp(1770310799, UTC)],
    )
    return {r["external_id"]: r["wib_date"].isoformat() for r in rows}


def test_domain_schema(database_url):
    async def check(conn):
        days = await _seed(conn)
        assert days == {"P1": "2026-02-06", "P0": "2026-02-05"}  # data.md §2.4 boundaries
        pid = await conn.fetchval("SELECT id FROM post WHERE external_id = 'P1'")
        await conn.execute(
            "INSERT INTO engagement VALUES ($1, 'like', 'budi.s', now(), now())", pid
        )
        with pytest.raises(asyncpg.RestrictViolationError, match="never deleted"):
            await conn.execute("DELETE FROM post WHERE id = $1", pid)  # evidence stays
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO engagement VALUES ($1, 'like', '@Budi.S', now(), now())", pid
            )
        with pytest.raises(asyncpg.CheckViolationError):
            await conn.execute(
                "INSERT INTO client (client_id, name, type) VALUES ('polres_b', 'B', 'ORG')"
            )
        await conn.execute(
            """INSERT INTO staff (nrp, name, client_id, instagram)
               VALUES ('75020001', 'BUDI', 'POLRES_A', 'budi.s')"""
        )
        with pytest.raises(asyncpg.UniqueViolationError):
            await conn.execute(
                """INSERT INTO staff (nrp, name, client_id, instagram)
                   VALUES ('75020002', 'CITRA', 'POLRES_A', 'budi.s')"""
            )
        # losing the last role deactivates, checked at commit
        await conn.execute("INSERT INTO staff_role VALUES ('75020001', 'operator')")
        async with conn.transaction():
            await conn.execute("DELETE FROM staff_role WHERE nrp = '75020001'")
            await conn.execute("INSERT INTO staff_role VALUES ('75020001', 'ditbinmas')")
        assert await conn.fetchval("SELECT active FROM staff WHERE nrp = '75020001'")
        await conn.execute("DELETE FROM staff_role WHERE nrp = '75020001'")
        assert not await conn.fetchval("SELECT active FROM staff WHERE nrp = '75020001'")

    run(database_url, check)


def test_engagement_keeps_room_for_hot_updates_and_is_vacuumed_after_each_ingestion(
    database_url,
):
    async def options(conn):
        return await conn.fetchval("SELECT reloptions FROM pg_class WHERE relname = 'engagement'")

    assert sorted(run(database_url, options)) == [
        "autovacuum_vacuum_insert_scale_factor=0",
        "autovacuum_vacuum_insert_threshold=20000",
        "autovacuum_vacuum_scale_factor=0",
        "autovacuum_vacuum_threshold=20000",
        "fillfactor=50",
    ]


_CANONICAL = re.compile(r"[a-z0-9._]{1,30}")
_SPELLINGS = st.text(
    alphabet=st.sampled_from("abz09._-@ AZé名\t/")
    | st.characters(blacklist_characters="\x00", blacklist_categories=("Cs",)),
    max_size=33,
)


@settings(max_examples=150, deadline=None)
@given(names=st.lists(_SPELLINGS, min_size=1, max_size=20))
def test_the_username_check_admits_exactly_the_canonical_form(database_url, names):
    """Migration 0051's cheaper CHECK is the rule `^[a-z0-9._]{1,30}$` of data.md §3.5."""

    async def check(conn):
        await conn.execute(
            """INSERT INTO client (client_id, name, type) VALUES ('POLRES_U', 'U', 'ORG')
               ON CONFLICT DO NOTHING"""
        )
        pid = await conn.fetchval(
            """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                                 last_seen_at)
               VALUES ('instagram', 'U' || nextval('post_id_seq'), 'POLRES_U', now(), now(), now())
               RETURNING id"""
        )
        admitted = []
        for name in names:
            try:
                async with conn.transaction():
                    await conn.execute(
                        "INSERT INTO engagement VALUES ($1, 'like', $2, now(), now())"
                        " ON CONFLICT DO NOTHING",
                        pid, name,
                    )  # fmt: skip
                admitted.append(True)
            except asyncpg.CheckViolationError:
                admitted.append(False)
        return admitted

    assert run(database_url, check) == [_CANONICAL.fullmatch(n) is not None for n in names]
