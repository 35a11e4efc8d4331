"""A small day of data for the recap job tests, and a way to run one handler against it."""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cicero.config import Secret, load_settings
from cicero.db.connect import connect, create_pool
from cicero.domain.timezone import WIB
from cicero.jobs.registry import JobContext

DAY = datetime(2026, 2, 10, tzinfo=WIB)  # a Selasa
ADMIN = "6281100000099"
GROUP_A = "120363000000000001@g.us"
GROUP_DIT = "120363000000000010@g.us"
GROUP_HUMAS = "120363000000000011@g.us"


def at(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return DAY + timedelta(hours=hh, minutes=mm, seconds=ss)


CLIENTS = [
    # id, name, type, ig, tt, group, operator, supers, amplify
    ("DITBINMAS", "DIREKTORAT BINMAS", "DIREKTORAT", "ditbinmas", "ditbinmas", GROUP_DIT,
     "6281100000010", ["6281100000011"], False),
    ("BIDHUMAS", "BID HUMAS", "DIREKTORAT", "bidhumas", "bidhumas", GROUP_HUMAS,
     "6281100000020", ["6281100000021"], False),
    ("POLRES_A", "POLRES A", "ORG", "polres_a", "polres_a", GROUP_A, "6281200000001",
     ["6281200000002"], True),
    ("POLRES_B", "POLRES B", "ORG", "polres_b", "polres_b", None, "6281200000011",
     [], False),
]  # fmt: skip
LINKS = [("POLRES_A", "DITBINMAS"), ("POLRES_B", "DITBINMAS")]
STAFF = [
    # nrp, name, rank, unit, position, client, ig, tt, whatsapp, roles, exception
    ("75020001", "BUDI SANTOSO", "AKP", "SAT BINMAS", "KASAT BINMAS", "POLRES_A", "budi.s",
     "budis", "6281300000001", ("operator", "ditbinmas"), False),
    ("75020002", "DEDI KURNIAWAN", "BRIPTU", "SAT BINMAS", "BA SAT BINMAS", "POLRES_A", None,
     "dedik", "6281300000002", ("operator", "ditbinmas"), False),
    ("75020003", "ANDI WIJAYA", "BRIPKA", "POLSEK KOTA", "BHABINKAMTIBMAS", "POLRES_A",
     "andiwjy", None, "6281300000003", ("operator",), False),
    ("75020004", "FAJAR NUGROHO", "BRIPTU", "SAT BINMAS", "BA", "POLRES_A", "fajar", "fajar",
     None, ("operator",), True),
    ("75020011", "EKO SAPUTRA", "BRIPKA", "SAT BINMAS", "KASAT BINMAS", "POLRES_B", "eko.s",
     "ekos", "6281300000011", ("operator", "ditbinmas"), False),
    ("75020021", "HENDRA GUNAWAN", "AKBP", "SUBDIT BINPOLMAS", "KASUBDIT BINPOLMAS",
     "DITBINMAS", "hendra", "hendra", "6281300000021", ("ditbinmas",), False),
    ("75020031", "MAYA ANGGRAINI", "IPTU", "SUBBID PENMAS", "PAURSUBBID", "BIDHUMAS", "maya",
     None, "6281300000031", ("bidhumas",), False),
]  # fmt: skip
POSTS = [
    # platform, external id, client, posted at
    ("instagram", "A1", "POLRES_A", at(9)),
    ("instagram", "A2", "POLRES_A", at(11, 30)),
    ("instagram", "B1", "POLRES_B", at(8)),
    ("tiktok", "BT1", "POLRES_B", at(10)),
    ("instagram", "D1", "DITBINMAS", at(7)),
    ("instagram", "D2", "DITBINMAS", at(12)),
    ("tiktok", "DT1", "DITBINMAS", at(13)),
    ("instagram", "H1", "BIDHUMAS", at(8, 15)),
]
ENGAGEMENT = {
    "A1": ["budi.s", "andiwjy", "stranger"],
    "A2": ["budi.s"],
    "B1": ["eko.s"],
    "BT1": [],
    "D1": ["budi.s", "hendra", "eko.s"],
    "D2": ["hendra"],
    "DT1": ["budis", "dedik"],
    "H1": [],
}


async def seed(conn) -> dict[str, int]:
    for c in CLIENTS:
        await conn.execute(
            """INSERT INTO client (client_id, name, type, instagram, tiktok, group_jid,
                                   operator_wa, super_wa, amplify_enabled)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)""",
            *c,
        )
    await conn.executemany("INSERT INTO client_directorate VALUES ($1, $2)", LINKS)
    for nrp, name, rank, unit, pos, client, ig, tt, wa, roles, exc in STAFF:
        await conn.execute(
            """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram, tiktok,
                                  whatsapp, exception, wa_opt_in)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, true)""",
            nrp, name, rank, unit, pos, client, ig, tt, wa, exc,
        )  # fmt: skip
        for role in roles:
            await conn.execute("INSERT INTO staff_role VALUES ($1, $2)", nrp, role)
    ids = {}
    for platform, ext, client, when in POSTS:
        ids[ext] = await conn.fetchval(
            """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                                 last_seen_at) VALUES ($1, $2, $3, $4, $4, $4) RETURNING id""",
            platform, ext, client, when,
        )  # fmt: skip
    kinds = {ext: "like" if p == "instagram" else "comment" for p, ext, _, _ in POSTS}
    for ext, users in ENGAGEMENT.items():
        for u in users:
            await conn.execute(
                "INSERT INTO engagement VALUES ($1, $2, $3, $4, $4)",
                ids[ext],
                kinds[ext],
                u,
                at(14),
            )
    return ids


def settings(url: str, data_dir: Path | None = None, params: dict[str, Any] | None = None):
    overrides: dict[str, Any] = {"admin_numbers": [ADMIN]}
    if params:
        overrides["jobs"] = {job: {"params": p} for job, p in params.items()}
    s = load_settings({"CICERO_DATA_DIR": str(data_dir or "/tmp/cicero-recap-tests")}, overrides)
    from dataclasses import replace

    return replace(s, env=replace(s.env, database_url=Secret(url)))


def run_job(url: str, job: str, fire: datetime, fn, now: datetime | None = None, **kw) -> str:
    """Run handler `fn` as job `job` for fire time `fire` (now = fire + 4 s by default)."""

    async def go():
        pool = await create_pool(url)
        try:
            ctx = JobContext(
                job=job, fire_time=fire, now=now or fire + timedelta(seconds=4), pool=pool,
                settings=settings(url, **kw), log=logging.getLogger("test"),
            )  # fmt: skip
            return await fn(ctx)
        finally:
            await pool.close()

    return asyncio.run(go())


def query(url: str, sql: str, *args):
    async def go():
        conn = await connect(url)
        try:
            return [dict(r) for r in await conn.fetch(sql, *args)]
        finally:
            await conn.close()

    return asyncio.run(go())


def seeded(url: str) -> dict[str, int]:
    async def go():
        conn = await connect(url)
        try:
            return await seed(conn)
        finally:
            await conn.close()

    return asyncio.run(go())


def outbox(url: str, job: str, fire: datetime | None = None) -> list[dict]:
    return query(
        url,
        """SELECT key, session, recipient, kind, priority, body, attachment, attachment_name,
                  supersede_key, status
             FROM outbox WHERE job = $1 AND ($2::timestamptz IS NULL OR fire_time = $2)
            ORDER BY id""",
        job,
        fire,
    )


def recap_log(url: str, job: str, fire: datetime | None = None) -> list[dict]:
    return query(
        url,
        """SELECT report, scope, platform, posts::text, people::text FROM recap_log
            WHERE job = $1 AND ($2::timestamptz IS NULL OR fire_time = $2) ORDER BY seq""",
        job,
        fire,
    )
