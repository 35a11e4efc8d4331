from dataclasses import replace

import pytest

from cicero.domain.menus import complaints
from cicero.domain.menus.complaints import Complaint, Issue
from cicero.domain.menus.model import (
    AccountMetrics,
    ComplaintData,
    SendEmail,
    SendText,
    Session,
    StaffView,
)
from tests.unit.domain.menus.world import ADMIN, OPERATOR, World

BASIC = "Pesan Komplain\nNRP: 89050124\nKendala\n- sudah melaksanakan absen kurang"


@pytest.mark.parametrize(
    ("text", "yes"),
    [
        (BASIC, True),
        ("halo\nPesan Komplain\nNRP: 1\nRincian Kendala:\n- x", True),
        ("Pesan Komplain\nKendala yang dihadapi：\nx", True),
        ("Pesan Komplain\nNRP: 1\n- x", False),
        ("Kendala\nPesan Komplain", False),
        ("pesan komplain kendala", False),
    ],
)
def test_detection(text, yes):
    assert complaints.is_complaint(text) is yes


def test_parse_fields_anywhere_and_markers():
    c = complaints.parse(
        "Pesan Komplain\n• Nama : Andi\nKendala\n1) sudah melaksanakan like ig belum terdata\n"
        "NRP/NIP: 8905-0123\nUsername TikTok： @Andi.T\n2. lain-lain\n\n"
    )
    assert c.name == "Andi" and c.nrp == "89050123" and c.tiktok == "andi.t"
    assert c.issues == ("sudah melaksanakan like ig belum terdata", "lain-lain")


@pytest.mark.parametrize(
    ("line", "issue"),
    [
        ("Sudah melaksanakan like IG, tapi belum terdata!", Issue.INSTAGRAM_NOT_RECORDED),
        ("sudah melaksanakan komen tiktok blm terdata", Issue.TIKTOK_NOT_RECORDED),
        ("sudah melaksanakan tapi terabsen kurang", Issue.ATTENDANCE_LESS),
        ("terabsensi belum melaksanakan", Issue.ACTIVITY_FLAGGED_NOT_DONE),
        ("status belum melaksanakan padahal sudah", Issue.ACTIVITY_FLAGGED_NOT_DONE),
        ("aplikasi error", None),
    ],
)
def test_classify(line, issue):
    assert complaints.classify(line) is issue


S = StaffView("1", instagram="me", tiktok="me.tt")
C = Complaint("1", None, None, "other", None, ())


@pytest.mark.parametrize(
    ("issue", "data", "want"),
    [
        (
            Issue.INSTAGRAM_NOT_RECORDED,
            ComplaintData("1", S, likes_in_window=3),
            "3 konten sejak 1 Sept",
        ),
        (Issue.INSTAGRAM_NOT_RECORDED, ComplaintData("1", S), "@other"),
        (Issue.TIKTOK_NOT_RECORDED, ComplaintData("1", S), "bukti"),
        (Issue.ATTENDANCE_LESS, ComplaintData("1", S), "Semua link"),
        (Issue.ATTENDANCE_LESS, ComplaintData("1", S, tasks_missing=("post A",)), "- post A"),
        (
            Issue.ACTIVITY_FLAGGED_NOT_DONE,
            ComplaintData("1", S, metrics=AccountMetrics(ig_posts=2)),
            "refresh",
        ),
        (Issue.ACTIVITY_FLAGGED_NOT_DONE, ComplaintData("1", S, metrics=AccountMetrics()), None),
        (Issue.ACTIVITY_FLAGGED_NOT_DONE, ComplaintData("1", S), None),
    ],
)
def test_answers(issue, data, want):
    got = complaints.answer(issue, C, data, "1 Sept 2025")
    assert (got is None) if want is None else (want in got)


def test_privileged_dm_without_automatic_answer_asks_for_a_solution():
    w = World()
    w.staff["89050124"] = replace(w.staff["89050124"], instagram="rina.ig")
    text = "Pesan Komplain\nNRP: 89050124\nKendala\n- aplikasi tidak bisa dibuka"
    r = w.send(OPERATOR, text)
    assert "WhatsApp: 6281234500022" in r and "Ketik solusi" in r
    r = w.send(OPERATOR, "Silakan perbarui aplikasi")
    assert "✅ Respon komplain telah dikirim ke RINA (89050124)" in r
    assert [e.to for e in w.effects if isinstance(e, SendText)] == ["6281234500022"]


def test_email_fallback_and_no_contact():
    w = World()
    w.staff["89050123"] = replace(w.staff["89050123"], email="andi@x.id")
    w.send(ADMIN, BASIC.replace("89050124", "89050123"))
    assert isinstance(w.effects[-1], SendEmail)
    assert w.effects[-1].subject == "Tindak Lanjut Laporan Cicero - ANDI PRATAMA"
    w.staff["89050123"] = replace(w.staff["89050123"], email=None)
    assert "❌ Gagal mengirim" in w.send(ADMIN, BASIC.replace("89050124", "89050123"))


def test_scope_and_unknown_nrp():
    w = World()
    g = frozenset({"LAINNYA"})
    r = w.send("6281255500003", BASIC, session=Session.GATEWAY, group=g, chat="g")
    assert "tidak terdaftar pada client ini" in r and "RINA" not in r
    assert "tidak terdaftar" in w.send(OPERATOR, BASIC.replace("89050124", "11112222"))
    assert "NRP/NIP tidak ditemukan" in w.send(OPERATOR, "Pesan Komplain\nKendala\n- x")


def test_unprivileged_dm_is_not_a_complaint():
    w = World()
    assert (
        w.send("6289900000009", BASIC)
        == "Ketik *userrequest* untuk melihat atau memperbarui data Anda."
    )
    assert w.effects == []
