"""A small world for the web tests: two polres and a directorate, staff with and without
passwords, today's posts, the app served over real HTTP on loopback from embedded
PostgreSQL, on a clock the test moves."""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import bcrypt
from aiohttp.test_utils import TestClient, TestServer

from cicero.config import load_settings
from cicero.db.connect import connect
from cicero.web.app import build_app
from cicero.web.passwords import hasher
from tests.integration.web.openapi_check import check_response

# 2026-11-23, 09:00 WIB
T0 = datetime(2026, 11, 23, 2, 0, tzinfo=UTC)
PASSWORD = "kopi tubruk pagi"
BUDI, SITI, ANDI, DEDI, EKO, FAJAR = (
    "75020001", "75020002", "75020003", "75020004", "75020005", "75020006",
)  # fmt: skip
PHONE = {BUDI: "6281300000001", DEDI: "6281300000004"}
GOOD = {"escalated": "", "actors": {}, "reports": {}}


@dataclass
class Clock:
    t: datetime = T0

    def now(self) -> datetime:
        return self.t

    def move(self, **delta: float) -> None:
        self.t += timedelta(**delta)


async def seed(conn: asyncpg.Connection) -> None:
    await conn.execute(
        """INSERT INTO client (client_id, name, type, instagram, amplify_enabled) VALUES
             ('POLRES_A', 'POLRES A', 'ORG', 'polres_a', true),
             ('POLRES_B', 'POLRES B', 'ORG', 'polres_b', true),
             ('POLRES_C', 'POLRES C', 'ORG', 'polres_c', false),
             ('DITBINMAS', 'DIREKTORAT BINMAS', 'DIREKTORAT', 'ditbinmas', true);
           INSERT INTO client_directorate (client_id, directorate_id) VALUES
             ('POLRES_A', 'DITBINMAS');
           UPDATE client SET operator_wa = '6281200000001' WHERE client_id = 'POLRES_A';"""
    )
    staff = [
        (BUDI, "BUDI SANTOSO", "BRIPKA", "SAT BINMAS", "BA SAT BINMAS", "POLRES_A", "budi.s",
         "budis", PHONE[BUDI], True),
        (SITI, "SITI AMINAH", "BRIPTU", "SAT LANTAS", "BA", "POLRES_A", "siti_a", None, None, True),
        (ANDI, "ANDI PRATAMA", "BRIPDA", "SAT BINMAS", "BA", "POLRES_B", "andi.p", None, None,
         True),
        (DEDI, "DEDI KURNIA", "AIPDA", "SAT SAMAPTA", "BA", "POLRES_A", None, None, PHONE[DEDI],
         True),
        (EKO, "EKO PUTRO", "BRIGPOL", "SAT RESKRIM", "BA", "POLRES_A", None, None, None, False),
        (FAJAR, "FAJAR NUGROHO", "IPDA", "SAT INTELKAM", "KANIT", "POLRES_C", None, None, None,
         True),
    ]  # fmt: skip
    await conn.executemany(
        """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram, tiktok,
                              whatsapp, active) VALUES ($1,$2,$3,$4,$5,$6,$7,$8,$9,$10)""",
        staff,
    )
    await conn.executemany(
        "INSERT INTO staff_role (nrp, role_name) VALUES ($1, $2)",
        [(BUDI, "operator"), (BUDI, "ditbinmas"), (SITI, "operator"), (ANDI, "operator"),
         (DEDI, "operator"), (EKO, "operator"), (FAJAR, "operator")],
    )  # fmt: skip
    argon = hasher().hash(PASSWORD)
    legacy = bcrypt.hashpw(PASSWORD.encode(), bcrypt.gensalt(rounds=4)).decode()
    await conn.executemany(
        "INSERT INTO staff_password (nrp, hash, set_at) VALUES ($1, $2, $3)",
        [(BUDI, argon, T0), (SITI, argon, T0), (ANDI, argon, T0), (EKO, argon, T0),
         (FAJAR, legacy, T0)],
    )  # fmt: skip


WIB_MIDNIGHT = datetime(2026, 11, 22, 17, 0, tzinfo=UTC)  # 00:00 WIB on the 23rd
MEDIA = {
    "thumbnail": "https://scontent.cdninstagram.com/t1.jpg",
    "video": None,
    "images": [
        "https://scontent.cdninstagram.com/a.jpg",
        "https://scontent.cdninstagram.com/b.jpg",
    ],
}
# shortcode, owner, kind, posted at, removed
POSTS = [
    ("DAbc001", "POLRES_A", "routine", WIB_MIDNIGHT + timedelta(hours=7, minutes=15), False),
    ("DAbc002", "DITBINMAS", "routine", WIB_MIDNIGHT + timedelta(hours=8), False),
    ("DAbc003", "POLRES_A", "routine", WIB_MIDNIGHT, False),  # 00:00:00 WIB: today
    ("DAbc000", "POLRES_A", "routine", WIB_MIDNIGHT - timedelta(seconds=1), False),  # yesterday
    ("DAbc0B1", "POLRES_B", "routine", WIB_MIDNIGHT + timedelta(hours=6), False),
    ("DAbc0C1", "POLRES_C", "routine", WIB_MIDNIGHT + timedelta(hours=6), False),  # no amplify
    ("DAbc0R1", "POLRES_A", "routine", WIB_MIDNIGHT + timedelta(hours=6), True),  # removed
    ("DAbcS01", "POLRES_A", "special", WIB_MIDNIGHT + timedelta(hours=7), False),
    ("DAbc0T1", "POLRES_B", "routine", WIB_MIDNIGHT + timedelta(hours=5), False),  # tagged
    ("DAbcOLD", "POLRES_A", "routine", WIB_MIDNIGHT - timedelta(days=3), False),
]
BUDI_TODAY = ["DAbc003", "DAbc0T1", "DAbc001", "DAbc002"]  # by posted_at


async def seed_posts(conn: asyncpg.Connection) -> None:
    for code, owner, kind, at, removed in POSTS:
        await conn.execute(
            """INSERT INTO post (platform, external_id, client_id, kind, caption, posted_at,
                                 like_count, media, first_seen_at, last_seen_at, removed_at)
               VALUES ('instagram', $1, $2, $3, $4, $5, $6, $7, $5, $5, $8)""",
            code, owner, kind, None if code == "DAbc003" else f"Kegiatan {code}", at,
            None if code == "DAbc002" else 10, json.dumps(MEDIA), at if removed else None,
        )  # fmt: skip
    await conn.execute(
        """INSERT INTO post_tag (post_id, role_name)
           SELECT id, 'ditbinmas' FROM post WHERE external_id = 'DAbc0T1'"""
    )


@dataclass
class App:
    client: TestClient
    clock: Clock
    url: str
    tokens: dict[str, str] = field(default_factory=dict)

    async def call(
        self, method: str, path: str, body: Any = None, token: str | None = None,
        headers: dict[str, str] | None = None, raw: bytes | None = None,
    ) -> tuple[int, Any, Any]:  # fmt: skip
        h = dict(headers or {})
        if token is not None:
            h["Authorization"] = f"Bearer {token}"
        data = raw if raw is not None else (json.dumps(body) if body is not None else None)
        if data is not None:
            h.setdefault("Content-Type", "application/json")
        resp = await self.client.request(method, path, data=data, headers=h, allow_redirects=False)
        payload = await resp.read()
        try:
            parsed: Any = json.loads(payload)
        except ValueError:
            try:
                parsed = payload.decode("utf-8")
            except UnicodeDecodeError:
                parsed = payload  # a file (an Excel export)
        check_response(method, path, resp.status, parsed, resp.headers.get("Content-Type", ""))
        return resp.status, parsed, resp.headers

    async def login(self, nrp: str, password: str = PASSWORD, **extra: Any) -> str:
        status, body, _ = await self.call(
            "POST", "/api/auth/user-login",
            {"nrp": nrp, "password": password, "whatsapp": password, **extra},
        )  # fmt: skip
        assert status == 200, body
        self.tokens[nrp] = body["token"]
        return str(body["token"])

    async def sql(self, query: str, *args: Any) -> Any:
        conn = await connect(self.url)
        try:
            return await conn.fetch(query, *args)
        finally:
            await conn.close()


@contextlib.asynccontextmanager
async def serve(
    url: str,
    overrides: dict[str, Any] | None = None,
    environ: dict[str, str] | None = None,
    adjust: Any = None,
) -> AsyncIterator[App]:
    settings = load_settings(environ or {}, overrides=overrides or {})
    if adjust is not None:  # e.g. point the upstream client at a fake
        settings = adjust(settings)
    clock = Clock()
    app = build_app(lambda: (GOOD, 0.1), url, [], settings, now=clock.now)
    async with TestClient(TestServer(app)) as client:
        yield App(client, clock, url)


async def seeded(url: str) -> None:
    conn = await connect(url)
    try:
        await seed(conn)
        await seed_posts(conn)
    finally:
        await conn.close()


def run(coro: Any) -> Any:
    return asyncio.run(coro)
