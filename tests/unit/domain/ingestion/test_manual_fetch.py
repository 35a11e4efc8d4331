"""Fetches asked from menus (domain.manual_fetch): what is fetched, the ledger key, the texts."""

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.ingestion import manual_fetch as mf
from cicero.domain.ingestion.rules import ClientFlags, Stage
from cicero.domain.ingestion.summary import StageResult
from cicero.domain.menus.model import TriggerFetch
from cicero.domain.people.usernames import Platform
from cicero.domain.timezone import WIB

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
AT = datetime(2026, 2, 10, 9, 0, tzinfo=WIB)


def ask(platform: str, what: str, report: str | None = None) -> mf.FetchRequest | None:
    return mf.request_for(TriggerFetch("A", platform, what, report), "operator", "c", "m", AT)


@pytest.mark.parametrize(
    ("platform", "what", "work"),
    [
        ("instagram", "posts", ((IG, Stage.POSTS),)),  # fetchinsta#, operator 2.1.1
        ("instagram", "likes", ((IG, Stage.LIKERS),)),  # fetchlikes#
        ("tiktok", "comments", ((TT, Stage.COMMENTS),)),  # fetchcomments#
        ("tiktok", "engagement", ((TT, Stage.COMMENTS),)),  # directorate 15
        ("instagram", "all", ((IG, Stage.POSTS), (IG, Stage.LIKERS))),  # directorate 12
        ("all", "all", ((IG, Stage.POSTS), (TT, Stage.POSTS), (IG, Stage.LIKERS),
                        (TT, Stage.COMMENTS))),  # directorate 16
    ],
)  # fmt: skip
def test_what_each_request_fetches(platform, what, work):
    req = ask(platform, what)
    assert req is not None and req.work() == work


def test_unknown_words_are_refused_not_guessed():
    assert ask("facebook", "posts") is None
    assert ask("instagram", "everything") is None


text = st.text(min_size=1, max_size=30)


@given(text, text, text, st.sampled_from([None, "likes_full", "task_message"]))
def test_the_ledger_key_round_trips(session, chat, message_id, report):
    req = mf.request_for(
        TriggerFetch("POLRES_A", "all", "all", report), session, chat, message_id, AT
    )
    assert req is not None
    key = mf.ledger_key(req)
    assert mf.is_key(key) and mf.from_key(key, AT) == req


def test_ops_see_a_request_without_its_number_or_message():
    req = mf.request_for(
        TriggerFetch("POLRES_A", "instagram", "posts"), "operator",
        "6281234567890@s.whatsapp.net", "3EB0ABCDEF", AT,
    )  # fmt: skip
    assert req is not None
    shown = mf.shown(mf.ledger_key(req))
    assert shown == "manual_fetch/POLRES_A/instagram/posts (62*******7890@s.whatsapp.net)"
    assert mf.shown("ingest_social/instagram") == "ingest_social/instagram"
    assert mf.shown("manual_fetch/broken") == "manual_fetch"


@given(text, text, text)
def test_no_shown_key_holds_the_chat_s_number(session, digits, message_id):
    chat = "62" + "".join(c for c in digits if c.isdigit()).rjust(9, "1")
    req = mf.request_for(TriggerFetch("POLRES_A", "all", "all"), session, chat, message_id, AT)
    assert req is not None
    assert chat not in mf.shown(mf.ledger_key(req))


def test_foreign_keys_are_not_requests():
    assert mf.from_key("ingest_social", AT) is None
    assert mf.from_key("manual_fetch/A/x/posts/-/s/c/m", AT) is None  # not a platform
    assert not mf.is_key("ingest_social/instagram")


def flags(**kw) -> ClientFlags:
    base = {"client_id": "A", "active": True, "instagram": "a", "instagram_enabled": True,
            "tiktok": "a", "tiktok_enabled": True}  # fmt: skip
    return ClientFlags(**{**base, **kw})


def test_runnable_keeps_only_what_the_client_runs():
    req = ask("all", "all")
    assert req is not None
    assert mf.runnable(req, flags()) == req
    cut = mf.runnable(req, flags(tiktok_enabled=False))
    assert isinstance(cut, mf.FetchRequest) and cut.platforms == (IG,)
    assert "tidak aktif" in mf.runnable(ask("tiktok", "posts"), flags(tiktok=None))  # type: ignore[arg-type,operator]
    assert "tidak ditemukan" in mf.runnable(req, None)  # type: ignore[operator]
    assert "tidak ditemukan" in mf.runnable(req, flags(active=False))  # type: ignore[operator]


def test_expiry_after_the_grace():
    req = ask("instagram", "posts")
    assert req is not None
    assert not mf.expired(req, AT + mf.GRACE)
    assert mf.expired(req, AT + mf.GRACE + timedelta(seconds=1))


def test_summary_says_what_came_in_and_what_failed():
    req = ask("all", "all", "task_message")
    assert req is not None
    results = [
        StageResult(IG, "A", Stage.POSTS, "complete", posts=3, new_posts=1),
        StageResult(IG, "A", Stage.LIKERS, "complete", engagements=40),
        StageResult(TT, "A", Stage.POSTS, "failed", error_class="rate_limited"),
        StageResult(TT, "A", Stage.COMMENTS, "skipped", reason="over budget"),
    ]
    assert mf.summary("POLRES A", req, results) == (
        "📥 *Pengambilan data POLRES A selesai*\n"
        "✅ Instagram: 3 konten hari ini (1 baru), 40 likes baru\n"
        "⚠️ TikTok: gagal mengambil konten (rate_limited), komentar dilewati (kuota API)\n"
        "Rekap menyusul di pesan berikut."
    )
