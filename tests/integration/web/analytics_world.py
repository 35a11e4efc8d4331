"""A small world for the analytics (issue 17) whose figures are worked out by hand: DITBINMAS
with its satkers POLRES_A and POLRES_B, and POLRES_C outside it; Instagram posts of 5 and 6
February 2026 (one removed, one special task: neither counts) and the accounts' follower
counts as the daily profile fetch stored them (POLRES_B's unknown). Shared by the API,
page and Excel tests and the browser test."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import asyncpg

DAY_START = datetime(2026, 2, 5, 17, 0, tzinfo=UTC)  # 00:00 WIB on 6 Feb 2026
NOW = DAY_START + timedelta(hours=17)  # 17:00 WIB
FORMULA = "=cmd|' /C calc'!A0"
HTML_CAPTION = "<script>alert(1)</script> Jumat Curhat"


def wib(day: int, hh: int, mm: int = 0) -> datetime:
    return datetime(2026, 2, day, hh, mm, tzinfo=UTC) - timedelta(hours=7)


CLIENTS = [
    # client_id, name, type, instagram, tiktok
    ("DITBINMAS", "DIREKTORAT BINMAS", "DIREKTORAT", "ditbinmas", "ditbinmas"),
    ("POLRES_A", "POLRES A", "ORG", "polres_a", "polres_a"),
    ("POLRES_B", "POLRES B", "ORG", "polres_b", None),
    ("POLRES_C", "POLRES C", "ORG", "polres_c", None),
]
POSTS = [
    # platform, external_id, client, posted_at, kind, removed, caption, likes, comments, views, shares
    ("instagram", "A1", "POLRES_A", wib(5, 10), "routine", False, "Patroli", 100, 10, None, None),
    ("instagram", "A2", "POLRES_A", wib(6, 9), "routine", False, FORMULA, 50, 5, 900, None),
    ("instagram", "A3", "POLRES_A", wib(6, 12), "routine", False, HTML_CAPTION, 200, 20, None, None),
    ("instagram", "A4", "POLRES_A", wib(6, 13), "routine", True, "dihapus", 999, 0, None, None),
    ("instagram", "A5", "POLRES_A", wib(6, 14), "special", False, "tugas khusus", 500, 0, None, None),
    ("instagram", "B1", "POLRES_B", wib(6, 8), "routine", False, "Binmas", 30, 3, None, None),
    ("instagram", "D1", "DITBINMAS", wib(6, 7), "routine", False, "Dirbinmas", 400, 40, None, None),
    ("instagram", "C1", "POLRES_C", wib(6, 10), "routine", False, "lain", 70, 7, None, None),
    ("tiktok", "7468000000000000001", "POLRES_A", wib(6, 11), "routine", False, "Video", 10, 2, 100, 1),
]  # fmt: skip
PROFILES = [
    # client, platform, day, followers
    ("POLRES_A", "instagram", date(2026, 2, 4), 1000),
    ("POLRES_A", "instagram", date(2026, 2, 6), 1100),
    ("DITBINMAS", "instagram", date(2026, 1, 31), 5000),
    ("POLRES_A", "tiktok", date(2026, 2, 6), 200),
]


async def seed(conn: asyncpg.Connection) -> None:
    for client_id, name, kind, ig, tt in CLIENTS:
        await conn.execute(
            "INSERT INTO client (client_id, name, type, instagram, tiktok) VALUES ($1, $2, $3, $4, $5)",
            client_id, name, kind, ig, tt,
        )  # fmt: skip
    await conn.execute(
        "INSERT INTO client_directorate VALUES ('POLRES_A', 'DITBINMAS'), ('POLRES_B', 'DITBINMAS')"
    )
    for platform, ext, client, at, kind, removed, caption, likes, comments, views, shares in POSTS:
        await conn.execute(
            """INSERT INTO post (platform, external_id, client_id, kind, caption, posted_at,
                                 like_count, comment_count, view_count, share_count,
                                 first_seen_at, last_seen_at, removed_at)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $6, $6, $11)""",
            platform, ext, client, kind, caption, at, likes, comments, views, shares,
            NOW if removed else None,
        )  # fmt: skip
    for client, platform, day, followers in PROFILES:
        await conn.execute(
            """INSERT INTO account_profile (client_id, platform, wib_date, handle, followers,
                                            fetched_at)
               SELECT $1, $2, $3, CASE WHEN $2 = 'instagram' THEN instagram ELSE tiktok END, $4, $5
                 FROM client WHERE client_id = $1""",
            client, platform, day, followers, NOW,
        )  # fmt: skip
