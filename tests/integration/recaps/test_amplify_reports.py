"""amplify_daily_report and amplify_monthly_excel on a real database: the operator gets the
day's link recaps (today, then yesterday) and the month's workbook, read back with openpyxl."""

import io
import json
from datetime import timedelta

import openpyxl
import pytest

from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.layouts import link_recap
from cicero.domain.layouts.amplify_monthly import LINK_HEAD, PERSON_HEAD
from cicero.jobs.amplify_reports import amplify_daily_report, amplify_monthly_excel, month_window
from tests.conftest import fresh_database
from tests.integration.recaps import expect, world

OPERATOR = "6281200000001"  # POLRES_A's; POLRES_B does no amplification
YESTERDAY = world.at(10) - timedelta(days=1)
IG, TT = "https://www.instagram.com/p/", "https://www.tiktok.com/@x/video/"
REPORTS = [
    # post, nrp, instagram, tiktok, reported at
    ("A1", "75020001", IG + "x1", TT + "1", world.at(10)),
    ("A2", "75020001", IG + "x2", None, world.at(12)),
    ("A1", "75020003", None, TT + "2", world.at(13)),
    ("Y1", "75020002", IG + "y1", None, YESTERDAY + timedelta(hours=2)),
    ("Y1", "75020003", IG + "y3", None, world.at(9)),  # yesterday's post, reported today
]


def seed_reports(url):
    ids = world.seeded(url)
    ids["Y1"] = world.query(
        url,
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                             last_seen_at) VALUES ('instagram', 'Y1', 'POLRES_A', $1, $1, $1)
           RETURNING id""",
        YESTERDAY,
    )[0]["id"]
    for post, nrp, ig, tt, when in REPORTS:
        world.query(
            url,
            """INSERT INTO link_report (post_id, nrp, instagram_link, tiktok_link, reported_at)
               VALUES ($1, $2, $3, $4, $5) RETURNING 1""",
            ids[post], nrp, ig, tt, when,
        )  # fmt: skip
    return ids


@pytest.fixture(scope="module")
def ids(database_url):
    return seed_reports(database_url)


def reported(*picks):
    refs = {r.external_id: r for r in expect.posts("A1", "A2")}
    refs["Y1"] = link_recap.PostRef(refs["A1"].platform, "Y1", "", YESTERDAY)
    return tuple(
        link_recap.ReportedLinks(refs[post], expect.person(nrp), (ig, None, None, tt, None))
        for post, nrp, ig, tt, _ in (REPORTS[i] for i in picks)
    )


def test_daily_report_today_then_yesterday(database_url, ids):
    job, fire = "amplify_daily_report", world.at(21, 7)
    reason = world.run_job(database_url, job, fire, amplify_daily_report)
    rows = world.outbox(database_url, job, fire)
    now = fire.replace(second=4)
    today = link_recap.render(
        link_recap.LinkRecap("POLRES A", fire, now, expect.posts("A1", "A2"), reported(0, 2, 1))
    )
    (y1,) = reported(3, 4)[:1]
    yesterday = link_recap.render(
        link_recap.LinkRecap("POLRES A", fire - timedelta(days=1), now, (y1.post,), reported(3, 4))
    )
    assert [(r["recipient"], r["key"], r["kind"], r["body"]) for r in rows] == [
        (OPERATOR, outbox_key(job, fire, OPERATOR, 1), "operator_direct", today),
        (OPERATOR, outbox_key(job, fire, OPERATOR, 2), "operator_direct", yesterday),
    ]
    assert "*Jumlah Link:* 4" in today and "*Personil melapor:* 2 pers" in today
    assert f"{IG}y3" in yesterday  # a report made today on yesterday's post still counts
    log = world.recap_log(database_url, job, fire)
    assert [(r["report"], r["scope"], json.loads(r["posts"])) for r in log] == [
        ("amplify_daily_report", "POLRES_A", ["A1", "A2"]),
        ("amplify_daily_report_yesterday", "POLRES_A", ["Y1"]),
    ]
    done = {p["nrp"]: (p["status"], p["done"]) for p in json.loads(log[0]["people"])}
    assert done == {
        "75020001": ("sudah", 2), "75020002": ("belum", 0),
        "75020003": ("kurang", 1), "75020004": ("sudah", 0),  # exception
    }  # fmt: skip
    assert reason == "2 recaps, 2 messages"
    world.run_job(database_url, job, fire, amplify_daily_report)
    assert len(world.outbox(database_url, job, fire)) == 2


def test_daily_report_skips_days_without_posts_and_clients_without_operator(database_url, ids):
    job, fire = "amplify_daily_report", world.at(21, 7) + timedelta(days=2)  # nothing posted
    reason = world.run_job(database_url, job, fire, amplify_daily_report)
    assert world.outbox(database_url, job, fire) == []
    assert reason == (
        "0 recaps, 0 messages; POLRES_A: no posts on 2026-02-12; POLRES_A: no posts on 2026-02-11"
    )
    world.query(database_url, "UPDATE client SET operator_wa = NULL WHERE client_id = 'POLRES_A' "
                              "RETURNING 1")  # fmt: skip
    try:
        reason = world.run_job(database_url, job, world.at(21, 8), amplify_daily_report)
        assert reason == "0 recaps, 0 messages; POLRES_A: no operator number"
    finally:
        world.query(database_url, "UPDATE client SET operator_wa = $1 WHERE client_id = "
                                  "'POLRES_A' RETURNING 1", OPERATOR)  # fmt: skip


def test_month_window_is_the_wib_month():
    start, end = month_window(world.at(23))
    assert (start.isoformat(), end.isoformat()) == (
        "2026-02-01T00:00:00+07:00", "2026-03-01T00:00:00+07:00"
    )  # fmt: skip
    start, end = month_window(world.at(23) + timedelta(days=320))  # December
    assert (start.month, end.year, end.month) == (12, 2027, 1)


def test_monthly_excel_read_back(database_url, ids):
    job, fire = "amplify_monthly_excel", world.at(23) + timedelta(days=18)  # 28 Feb, cron L
    reason = world.run_job(database_url, job, fire, amplify_monthly_excel)
    book_row, caption = world.outbox(database_url, job, fire)
    assert (book_row["recipient"], book_row["priority"], caption["recipient"]) == (
        OPERATOR, 3, OPERATOR
    )  # fmt: skip
    assert book_row["attachment_name"] == (
        "Rekap_Link_Amplifikasi_Bulanan_POLRES_A_Sabtu_28-02-2026_23-00-04.xlsx"
    )
    assert caption["body"] == (
        "✅ File Excel rekap link amplifikasi Februari 2026 (POLRES A) dikirim."
    )
    book = openpyxl.load_workbook(io.BytesIO(book_row["attachment"]))
    assert book.sheetnames == ["Rekap per Personil", "Daftar Link"]
    people = list(book["Rekap per Personil"].iter_rows(values_only=True))
    assert people[0] == PERSON_HEAD
    # unit order (SAT before POLSEK), then person order; counts per platform (IG, FB, X, TT, YT)
    assert [r[1:4] + r[6:] for r in people[1:]] == [
        ("75020001", "AKP", "BUDI SANTOSO", 2, 3, 2, 0, 0, 1, 0),
        ("75020002", "BRIPTU", "DEDI KURNIAWAN", 1, 1, 1, 0, 0, 0, 0),
        ("75020004", "BRIPTU", "FAJAR NUGROHO", 0, 0, 0, 0, 0, 0, 0),
        ("75020003", "BRIPKA", "ANDI WIJAYA", 2, 2, 1, 0, 0, 1, 0),
    ]
    links = list(book["Daftar Link"].iter_rows(values_only=True))
    assert links[0] == LINK_HEAD
    assert [(r[0], r[1], r[5], r[6], r[9]) for r in links[1:]] == [
        ("10/02/2026", "75020001", "https://www.instagram.com/p/A1", f"{IG}x1", f"{TT}1"),
        ("10/02/2026", "75020001", "https://www.instagram.com/p/A2", f"{IG}x2", None),
        ("09/02/2026", "75020002", "https://www.instagram.com/p/Y1", f"{IG}y1", None),
        ("10/02/2026", "75020003", "https://www.instagram.com/p/Y1", f"{IG}y3", None),
        ("10/02/2026", "75020003", "https://www.instagram.com/p/A1", None, f"{TT}2"),
    ]
    assert reason == "1 workbooks, 2 messages"


def test_monthly_excel_without_reports_says_so(pg_server):
    url = fresh_database(pg_server)
    world.seeded(url)
    job, fire = "amplify_monthly_excel", world.at(23) + timedelta(days=18)
    world.run_job(url, job, fire, amplify_monthly_excel)
    (row,) = world.outbox(url, job, fire)
    assert row["body"] == "Tidak ada laporan link amplifikasi *POLRES A* pada bulan Februari 2026."
    assert row["attachment"] is None
