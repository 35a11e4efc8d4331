"""Menu reports built from staff rows, link reports, the task list and per-content attendance,
on a real database:
who counts (data.md §4.3), what each recap shows, and that a request never reaches past its
scope's staff."""

from __future__ import annotations

from datetime import timedelta

import pytest

from cicero.domain.menus.model import BuildReport
from tests.integration.recaps import world
from tests.integration.recaps.test_on_demand import ask


@pytest.fixture(scope="module")
def ids(database_url: str) -> dict[str, int]:
    ids = world.seeded(database_url)
    rows = [  # A1 reported by BUDI (two links) and ANDI; yesterday's post by DEDI
        (ids["A1"], "75020001", "https://www.instagram.com/p/rb1", "https://fb.watch/rb1", world.at(10)),
        (ids["A1"], "75020003", "https://www.instagram.com/p/ra1", None, world.at(12)),
        (ids["A1"], "75020002", "https://www.instagram.com/p/late", None, world.at(16)),  # after NOW
    ]  # fmt: skip
    yesterday = world.query(
        database_url,
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                             last_seen_at) VALUES ('instagram', 'A0', 'POLRES_A', $1, $1, $1)
           RETURNING id""",
        world.at(9) - timedelta(days=1),
    )[0]["id"]
    rows.append((yesterday, "75020002", "https://www.instagram.com/p/rd0", None, world.at(8)))
    for post, nrp, ig, fb, when in rows:
        world.query(
            database_url,
            """INSERT INTO link_report (post_id, nrp, instagram_link, facebook_link, reported_at)
               VALUES ($1, $2, $3, $4, $5) RETURNING post_id""",
            post, nrp, ig, fb, when,
        )  # fmt: skip
    return ids


def one(url: str, req: BuildReport, message_id: str) -> str:
    (msg,) = ask(url, [req], message_id)
    return msg.body


def test_whatsapp_registration_counts_the_polres_operators(database_url: str, ids) -> None:
    body = one(database_url, BuildReport("wa_registration_attendance", "POLRES_A"), "R1")
    assert "*POLRES A*" in body and "*Jumlah Total Personil:* 4 pers" in body
    assert "❌ *Belum terdaftar:* 1 pers" in body and "- BRIPTU FAJAR NUGROHO" in body
    assert "EKO" not in body and "HENDRA" not in body  # other clients' staff


def test_directorate_completeness_is_per_satker(database_url: str, ids) -> None:
    body = one(database_url, BuildReport("staff_completeness", "DITBINMAS"), "R2")
    # ditbinmas role holders: HENDRA (DITBINMAS), BUDI and DEDI (POLRES_A), EKO (POLRES_B)
    assert "*Jumlah Total Personil:* 4 pers" in body
    assert body.index("1. *DIREKTORAT BINMAS* (1 pers)") < body.index("*POLRES B* (1 pers)")
    assert "*POLRES A* (2 pers)" in body and "BID HUMAS" not in body


def test_missing_handles_list_only_the_incomplete(database_url: str, ids) -> None:
    body = one(database_url, BuildReport("staff_missing_handles", "POLRES_A"), "R3")
    assert "- BRIPTU DEDI KURNIAWAN, Instagram kosong" in body
    assert "- BRIPKA ANDI WIJAYA, TikTok kosong" in body
    assert "BUDI" not in body and "FAJAR" not in body
    assert "Jumlah Personil Kurang : 2" in one(
        database_url, BuildReport("username_completeness", "POLRES_A"), "R4"
    )


def test_link_recap_today_and_yesterday(database_url: str, ids) -> None:
    today = one(database_url, BuildReport("amplify_link_recap", "POLRES_A", period="today"), "R5")
    assert "*Personil melapor:* 2 pers" in today and "*Jumlah Link:* 3" in today
    assert "AKP BUDI SANTOSO (SAT BINMAS): https://fb.watch/rb1" in today
    assert "p/late" not in today  # reported after the request
    yesterday = one(
        database_url, BuildReport("amplify_link_recap", "POLRES_A", period="yesterday"), "R6"
    )
    assert "Konten: Senin, 9/2/2026" in yesterday and "https://www.instagram.com/p/rd0" in yesterday
    assert "rb1" not in yesterday


def test_task_message_marks_every_post_new_before_any_broadcast(database_url: str, ids) -> None:
    body = one(database_url, BuildReport("task_message", "POLRES_A"), "R7")
    assert "Jumlah konten Instagram hari ini: 2" in body
    assert "1. [BARU] https://www.instagram.com/p/A1 (upload 09:00 WIB) : 3 likes" in body
    rows = world.query(database_url, "SELECT count(*) AS n FROM broadcast_state")
    assert rows[0]["n"] == 0  # an answer to a person, not the group broadcast


def test_daily_report_sends_the_full_recap_then_the_workbook(database_url: str, ids) -> None:
    text, file, caption = ask(
        database_url, [BuildReport("daily_report_instagram", "DITBINMAS", "instagram")], "R8"
    )
    assert "📋 Rekap Akumulasi Likes Instagram" in text.body and "(Simple)" not in text.body
    assert file.attachment_name and file.attachment_name.endswith(".xlsx")
    assert caption.body == "✅ File Excel dikirim."


def test_per_content_lists_each_post_with_its_mode(database_url: str, ids) -> None:
    body = one(
        database_url, BuildReport("likes_per_content", "POLRES_A", "instagram", "belum"), "R9"
    )
    a1, a2 = body.split("*1. ")[1].split("*2. ")
    assert (
        "❌ Belum (1 user):" in a1 and "DEDI KURNIAWAN (SAT BINMAS) : belum mengisi username" in a1
    )
    assert (
        "❌ Belum (2 user):" in a2 and "ANDI WIJAYA" in a2
    )  # A2: only BUDI (and FAJAR, exception)
    assert "✅ Sudah" not in body and "EKO" not in body
