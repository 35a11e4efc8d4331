"""On-demand reports from the menus (cicero.conversations.reports) on a real database: the
scheduled recaps' builders, the mode filter, honest "belum tersedia", keys from the message."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

import pytest

from cicero.conversations import reports
from cicero.db.connect import connect
from cicero.db.inbox import InboxMessage
from cicero.db.outbox import NewMessage
from cicero.domain.delivery.outbox import reply_key
from cicero.domain.layouts.client_recap import ClientRecap, render_likes
from cicero.domain.menus.model import BuildReport
from tests.integration.recaps import expect, world

NOW = world.at(15, 20, 4)
OPERATOR_A = "6281200000001"


@pytest.fixture(scope="module")
def ids(database_url: str) -> dict[str, int]:
    return world.seeded(database_url)


def ask(url: str, requests: Sequence[BuildReport], message_id: str = "M1") -> list[NewMessage]:
    m = InboxMessage(
        session="operator", message_id=message_id, chat=f"{OPERATOR_A}@s.whatsapp.net",
        sender=OPERATOR_A, is_group=False, text="3", push_name="", received_at=NOW,
    )  # fmt: skip

    async def go() -> list[NewMessage]:
        conn = await connect(url)
        try:
            async with conn.transaction():
                return await reports.run(conn, world.settings(url), requests, m, NOW)
        finally:
            await conn.close()

    return asyncio.run(go())


def people_lines(body: str) -> list[str]:
    return [line for line in body.splitlines() if line.startswith("- ") and line != "-"]


def test_semua_is_the_scheduled_recap_keyed_from_the_message(database_url: str, ids) -> None:
    (msg,) = ask(database_url, [BuildReport("likes_attendance", "POLRES_A", "instagram", "semua")])
    refs = expect.posts("A1", "A2")
    people = expect.attendance(["75020001", "75020002", "75020003", "75020004"], ids, refs,
                               "instagram")  # fmt: skip
    assert msg.body == render_likes(ClientRecap("POLRES A", NOW, refs, people))
    assert msg.key == reply_key("operator", "M1", reports.FIRST_PART)
    assert (msg.in_reply_to, msg.job, msg.recipient) == ("M1", "on_demand", f"{OPERATOR_A}@s.whatsapp.net")  # fmt: skip
    assert msg.session == "operator" and msg.priority == 2 and msg.kind == "menu_reply"


def test_mode_sudah_shows_only_the_complete(database_url: str, ids) -> None:
    (msg,) = ask(database_url, [BuildReport("likes_attendance", "POLRES_A", "instagram", "sudah")])
    lines = people_lines(msg.body)
    assert any("BUDI SANTOSO" in x for x in lines) and any("FAJAR NUGROHO" in x for x in lines)
    assert not any("DEDI" in x or "ANDI" in x for x in lines)
    assert "✅ *Melaksanakan lengkap* : *2 user*" in msg.body
    assert msg.body.endswith("🔎 Mode: *Sudah melaksanakan lengkap* (2 dari 4 user ditampilkan).")


def test_mode_belum_shows_the_partial_and_the_missing(database_url: str, ids) -> None:
    (msg,) = ask(database_url, [BuildReport("likes_attendance", "POLRES_A", "instagram", "belum")])
    lines = people_lines(msg.body)
    assert any("ANDI WIJAYA" in x and "(1/2 konten)" in x for x in lines)  # kurang
    assert any("DEDI KURNIAWAN" in x for x in lines)  # no IG handle
    assert not any("BUDI" in x or "FAJAR" in x for x in lines)
    assert "✅ *Melaksanakan lengkap* : *0 user*" in msg.body
    assert "(2 dari 4 user ditampilkan)" in msg.body


def test_unknown_and_unbuilt_keys_say_not_available(database_url: str, ids) -> None:
    got = ask(
        database_url,
        [
            BuildReport("no_such_report", "POLRES_A"),
            BuildReport("kasatker_report", "DITBINMAS", period="yesterday"),
            BuildReport("likes_simple", "DITBINMAS", "instagram", period="weekly"),
            BuildReport("likes_simple", "NOPE"),
        ],
        "M2",
    )
    assert [m.key for m in got] == [reply_key("operator", "M2", p) for p in (10, 11, 12, 13)]
    assert "*no_such_report* belum tersedia" in got[0].body
    assert "Periode *Kemarin* belum tersedia" in got[1].body
    assert "Periode *Mingguan* belum tersedia" in got[2].body
    assert got[3].body == "❌ Client *NOPE* tidak ditemukan."
    for m in got:
        assert "Jumlah" not in m.body and "Mohon ijin" not in m.body  # nothing like a report


def test_directorate_file_report_sends_the_workbook_and_its_caption(database_url: str, ids) -> None:
    asked = BuildReport("likes_per_content_xlsx", "DITBINMAS", "instagram")
    file, caption = ask(database_url, [asked], "M3")
    assert file.attachment and file.attachment_name and file.attachment_name.endswith(".xlsx")
    assert file.priority == 3 and caption.body == "✅ File Excel dikirim."


def test_nothing_is_written_twice_when_a_step_reruns(database_url: str, ids) -> None:
    from cicero.db.outbox import enqueue

    msgs = ask(database_url, [BuildReport("likes_attendance", "POLRES_A", "instagram")], "M6")

    async def go(ms: list[NewMessage]) -> None:
        conn = await connect(database_url)
        try:
            await enqueue(conn, ms, NOW)
            await enqueue(conn, ms, NOW)
        finally:
            await conn.close()

    asyncio.run(go(msgs))
    rows = world.query(database_url, "SELECT key FROM outbox WHERE in_reply_to = 'M6'")
    assert [r["key"] for r in rows] == [reply_key("operator", "M6", 10)]


def test_kasatker_report_of_today_is_the_scheduled_letter(database_url: str, ids) -> None:
    (msg,) = ask(database_url, [BuildReport("kasatker_report", "DITBINMAS", period="today")], "M7")
    assert "POLRES A" in msg.body and "POLRES B" in msg.body
    assert any(band in msg.body for band in ("AKTIF", "SEDANG", "RENDAH"))


def test_directorate_items_7_and_8_are_the_per_satker_summaries(database_url: str, ids) -> None:
    """dirrequest 7 and 8: the counts per satker, the directorate first, half the posts making
    Lengkap (D1, D2 on Instagram; DT1 on TikTok)."""
    likes, comments = ask(
        database_url,
        [BuildReport("likes_satker_summary", "DITBINMAS", "instagram"),
         BuildReport("comments_satker_summary", "DITBINMAS", "tiktok")],
        "M9",
    )  # fmt: skip
    assert likes.body.endswith(
        "*Batas Lengkap :* 1/2 konten\n*Daftar Link Konten :*\n"
        "https://www.instagram.com/p/D1\nhttps://www.instagram.com/p/D2\n\n"
        "*Jumlah Total Personil :* 4 pers\n✅ *Sudah melaksanakan :* 3 pers\n"
        "- ✅ Melaksanakan lengkap : 3 pers\n- ⚠️ Melaksanakan kurang lengkap : 0 pers\n"
        "❌ *Belum melaksanakan :* 1 pers\n⚠️❌ *Belum Update Username Instagram :* 1 pers\n\n"
        "1. DIREKTORAT BINMAS\n*Jumlah Personil :* 1 pers\n*Sudah Melaksanakan :* 1 pers\n"
        "- Melaksanakan lengkap : 1 pers\n- Melaksanakan kurang lengkap : 0 pers\n"
        "*Belum melaksanakan :* 0 pers\n*Belum Update Username Instagram :* 0 pers\n\n"
        "2. POLRES A\n*Jumlah Personil :* 2 pers\n*Sudah Melaksanakan :* 1 pers\n"
        "- Melaksanakan lengkap : 1 pers\n- Melaksanakan kurang lengkap : 0 pers\n"
        "*Belum melaksanakan :* 1 pers\n*Belum Update Username Instagram :* 1 pers\n\n"
        "3. POLRES B\n*Jumlah Personil :* 1 pers\n*Sudah Melaksanakan :* 1 pers\n"
        "- Melaksanakan lengkap : 1 pers\n- Melaksanakan kurang lengkap : 0 pers\n"
        "*Belum melaksanakan :* 0 pers\n*Belum Update Username Instagram :* 0 pers"
    )
    assert comments.body.endswith(
        "*1. DIREKTORAT BINMAS*\n*Jumlah user:* 1\n*Sudah Melaksanakan* : *0 user*\n"
        "- Melaksanakan Lengkap : 0 user\n*Belum Melaksanakan* : *1 user*\n\n"
        "*2. POLRES A*\n*Jumlah user:* 2\n*Sudah Melaksanakan* : *2 user*\n"
        "- Melaksanakan Lengkap : 2 user\n\n"
        "*3. POLRES B*\n*Jumlah user:* 1\n*Sudah Melaksanakan* : *0 user*\n"
        "- Melaksanakan Lengkap : 0 user\n*Belum Melaksanakan* : *1 user*\n\nTerimakasih."
    )


def test_an_admins_accumulated_tiktok_recap_is_the_analytics(database_url: str, ids) -> None:
    """`absensikomentar#POLRES_B#akumulasi`: POLRES B's BT1 has no comment; EKO, its operator
    with TikTok, has not reached the target of one."""
    asked = BuildReport("comments_attendance", "POLRES_B", "tiktok", "semua", cumulative=True)
    (msg,) = ask(database_url, [asked], "M10")
    lines = msg.body.splitlines()
    assert lines[2:4] == ["📊 *Rekap Analitik Komentar TikTok*",
                          "*POLRES B* | Selasa, 10/2/2026 | Jam 15.20.04 WIB"]  # fmt: skip
    assert "• Personel mencapai target : 0/1 (0%)" in lines
    assert "• Partisipan unik : 0 akun" in lines
    assert (
        "• Performa tertinggi : BT1 – 0 akun (https://www.tiktok.com/@polres_b/video/BT1)" in lines
    )
    assert "- BRIPKA EKO SAPUTRA : ekos (0/1 konten)" in lines
