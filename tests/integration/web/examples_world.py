"""data.md §4.8's worked examples A and B (day 2026-02-06) as rows: A is POLRES_A's Instagram
likes, B DITBINMAS's TikTok comments with its satkers POLRES_A and POLRES_B. Shared by the
dashboard's agreement test and the browser tests."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import asyncpg

DAY_START = datetime(2026, 2, 5, 17, 0, tzinfo=UTC)  # 00:00 WIB on 6 Feb 2026
NOW = DAY_START + timedelta(hours=17)  # 17:00 WIB
GROUP_A = "120363000000000001@g.us"


def wib(hh: int, mm: int = 0, ss: int = 0) -> datetime:
    return DAY_START + timedelta(hours=hh, minutes=mm, seconds=ss)


# Example A: staff of POLRES_A with role operator.
A_STAFF = [
    # nrp, name, rank, unit, position, instagram, active, exception
    ("75020001", "BUDI SANTOSO", "BRIPKA", "SAT BINMAS", "BA", "budi.s", True, False),
    ("75020002", "CITRA DEWI", "BRIPTU", "SAT BINMAS", "BA", "citra_01", True, False),
    ("75020003", "DEDI <B>KURNIA</B>", "BRIPDA", "SAT LANTAS", "BA", "dedi", True, False),
    ("75020004", "EKA PUTRI", "BRIPDA", "SAT LANTAS", "BA", None, True, False),
    ("75020005", "FAJAR NUGROHO", "AIPDA", "SAT SAMAPTA", "BA", "fajar", True, True),
    ("75020006", "GITA LESTARI", "BRIPTU", "SAT SAMAPTA", "BA", "gita", True, False),
    ("75020007", "HADI WIBOWO", "BRIPKA", "SAT SAMAPTA", "BA", "hadi", False, False),
]  # fmt: skip
A_POSTS = [("P0", DAY_START - timedelta(seconds=1)), ("P1", wib(0, 30)),
           ("P2", wib(10)), ("P3", wib(16, 45))]  # fmt: skip
A_LIKES = {"P1": ["budi.s", "citra_01", "dedi"], "P2": ["budi.s", "citra_01"], "P3": ["budi.s"]}

# Example B: holders of role ditbinmas, in output order.
B_STAFF = [
    # nrp, name, rank, position, client, unit, tiktok, exception, comments
    ("76010001", "RUDI HARTONO", "KBP", "DIRBINMAS", "DITBINMAS", "DITBINMAS", "rudi", False, 1),
    ("76010002", "ANDI BM", "AKBP", "KASUBDIT BINPOLMAS", "DITBINMAS", "DITBINMAS", "andi.bm", False, 4),
    ("76010003", "BONO", "BRIPKA", "BANIT", "DITBINMAS", "DITBINMAS", None, False, 0),
    ("76010004", "SARI", "AKP", "KASAT BINMAS", "POLRES_A", "SAT BINMAS", "sari", False, 2),
    ("76010005", "JOKO", "IPDA", "KANIT BINPOLMAS", "POLRES_A", "SAT BINMAS", "joko", False, 0),
    ("76010006", "BAYU", "AIPTU", "PS. KANIT BINMAS", "POLRES_A", "SAT BINMAS", "bayu", True, 0),
    ("76010007", "ZAKI", "BRIPDA", "BA SAT BINMAS", "POLRES_B", "SAT BINMAS", "zaki", False, 3),
    ("76010008", "ADI", "BRIPTU", "BA SAT BINMAS", "POLRES_B", "SAT BINMAS", "adi", False, 1),
]  # fmt: skip
B_ORDER = ["76010001", "76010002", "76010003", "76010004", "76010005", "76010006", "76010008",
           "76010007"]  # fmt: skip
B_STATUS = {"76010001": "kurang", "76010002": "sudah", "76010003": "tanpa_username",
            "76010004": "sudah", "76010005": "belum", "76010006": "sudah", "76010008": "kurang",
            "76010007": "sudah"}  # fmt: skip
B_POSTS = ["7468000000000000001", "7468000000000000002", "7468000000000000003",
           "7468000000000000004"]  # fmt: skip


async def seed(conn: asyncpg.Connection) -> None:
    await conn.execute(
        f"""INSERT INTO client (client_id, name, type, instagram, tiktok, group_jid, operator_wa,
                                amplify_enabled) VALUES
             ('POLRES_A', 'POLRES A', 'ORG', 'polres_a', 'polres_a', '{GROUP_A}', '6281200000001', true),
             ('POLRES_B', 'POLRES B', 'ORG', 'polres_b', 'polres_b', NULL, '6281200000011', false),
             ('DITBINMAS', 'DIREKTORAT BINMAS', 'DIREKTORAT', 'ditbinmas', 'ditbinmas', NULL,
              '6281100000010', false);
           INSERT INTO client_directorate VALUES ('POLRES_A', 'DITBINMAS'), ('POLRES_B', 'DITBINMAS');"""
    )
    for nrp, name, rank, unit, position, ig, active, exc in A_STAFF:
        await conn.execute(
            """INSERT INTO staff (nrp, name, rank, unit, position, client_id, instagram, active,
                                  exception) VALUES ($1, $2, $3, $4, $5, 'POLRES_A', $6, $7, $8)""",
            nrp, name, rank, unit, position, ig, active, exc,
        )  # fmt: skip
        await conn.execute("INSERT INTO staff_role VALUES ($1, 'operator')", nrp)
    for nrp, name, rank, position, client, unit, tt, exc, _ in B_STAFF:
        await conn.execute(
            """INSERT INTO staff (nrp, name, rank, unit, position, client_id, tiktok, exception)
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8)""",
            nrp, name, rank, unit, position, client, tt, exc,
        )  # fmt: skip
        await conn.execute("INSERT INTO staff_role VALUES ($1, 'ditbinmas')", nrp)
    # A POLRES_B member with only `operator` is not counted in B.
    await conn.execute(
        """INSERT INTO staff (nrp, name, rank, unit, position, client_id, tiktok)
           VALUES ('76010009', 'OPERATOR B', 'BRIPDA', 'SAT BINMAS', 'BA', 'POLRES_B', 'opb');
           INSERT INTO staff_role VALUES ('76010009', 'operator')"""
    )
    ids = {}
    for code, at in A_POSTS:
        ids[code] = await conn.fetchval(
            """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                                 last_seen_at) VALUES ('instagram', $1, 'POLRES_A', $2, $2, $2)
               RETURNING id""",
            code, at,
        )  # fmt: skip
    for code, names in A_LIKES.items():
        for u in names:
            await conn.execute(
                "INSERT INTO engagement VALUES ($1, 'like', $2, $3, $3)", ids[code], u, wib(16, 50)
            )
    for i, video in enumerate(B_POSTS):
        ids[video] = await conn.fetchval(
            """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                                 last_seen_at) VALUES ('tiktok', $1, 'DITBINMAS', $2, $2, $2)
               RETURNING id""",
            video, wib(8 + i),
        )  # fmt: skip
    for _, _, _, _, _, _, tt, _, comments in B_STAFF:
        for video in B_POSTS[:comments]:
            await conn.execute(
                "INSERT INTO engagement VALUES ($1, 'comment', $2, $3, $3)", ids[video], tt, wib(16, 50)
            )
