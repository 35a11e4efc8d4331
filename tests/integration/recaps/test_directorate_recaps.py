"""The directorate jobs on a real database: reports in order, files read back, evidence, bad input."""

import io
import json

import openpyxl
import pytest

from cicero.domain.attendance.daily_progress import progress, satker_scores
from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.layouts import daily_engagement, directorate_simple, engagement_files
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.people.usernames import Platform
from cicero.jobs.directorate_recaps import directorate_recap
from tests.conftest import fresh_database
from tests.integration.recaps import expect, world

DIT_PEOPLE = ["75020001", "75020002", "75020011", "75020021"]
NAMES = {c[0]: c[1] for c in world.CLIENTS}


@pytest.fixture(scope="module")
def ids(database_url):
    return world.seeded(database_url)


def _book(row):
    return openpyxl.load_workbook(io.BytesIO(row["attachment"]))


def test_bidhumas_evening(database_url, ids):
    job, fire = "bidhumas_evening_recap", world.at(15, 45)
    reason = world.run_job(database_url, job, fire, directorate_recap)
    rows = world.outbox(database_url, job, fire)
    for to in (world.GROUP_HUMAS, "6281100000021"):
        mine = [r for r in rows if r["recipient"] == to]
        assert [r["key"] for r in mine] == [outbox_key(job, fire, to, i) for i in (1, 2, 3, 4)]
        refs = expect.posts("H1")
        people = expect.attendance(["75020031"], ids, refs, "instagram")
        want = directorate_simple.render(
            DirectorateRecap(
                "BIDHUMAS",
                "BID HUMAS",
                Platform.INSTAGRAM,
                fire.replace(second=4),
                refs,
                people,
                NAMES,
            )
        )
        assert mine[0]["body"] == want
        assert "❌ *Belum Melaksanakan :* 1 pers" in want
        assert mine[1]["body"] == "Tidak ada konten TikTok pada akun Official BID HUMAS hari ini."
        assert mine[2]["attachment_name"].startswith(
            "Rekap_Likes_Per_Konten_BIDHUMAS_Selasa_10-02-2026"
        )
        assert mine[2]["priority"] == 3 and mine[3]["body"] == "✅ File Excel dikirim."
        sheet = _book(mine[2])["BID HUMAS"]
        values = list(sheet.iter_rows(values_only=True))
        assert values[0][:7] == ("No", "NRP", "Pangkat", "Nama", "Satfung", "Jabatan", "Username")
        assert values[1] == (1, "75020031", "IPTU", "MAYA ANGGRAINI", "SUBBID PENMAS", "PAURSUBBID",
                             "maya", 0, 0, "Belum")  # fmt: skip
    log = world.recap_log(database_url, job, fire)
    assert [(r["report"], r["platform"]) for r in log] == [
        ("likes_simple", "instagram"), ("comments_simple", "tiktok"),
        ("likes_per_content_xlsx", "instagram"), ("comments_per_content_xlsx", "tiktok"),
    ]  # fmt: skip
    assert json.loads(log[0]["people"]) == [
        {"nrp": "75020031", "client": "BIDHUMAS", "status": "belum", "done": 0, "total": 1}
    ]
    assert "8 messages to 2" in reason
    # the same fire time again adds nothing
    world.run_job(database_url, job, fire, directorate_recap)
    assert len(world.outbox(database_url, job, fire)) == 8
    assert len(world.recap_log(database_url, job, fire)) == 4


def test_ditbinmas_group_daily_engagement_and_ranking(database_url, ids):
    job, fire = "ditbinmas_group_recap", world.at(15, 20)
    world.run_job(database_url, job, fire, directorate_recap)
    rows = world.outbox(database_url, job, fire)
    assert {r["recipient"] for r in rows} == {world.GROUP_DIT}
    ig_refs, tt_refs = expect.posts("D1", "D2"), expect.posts("DT1")
    ig = expect.attendance(DIT_PEOPLE, ids, ig_refs, "instagram")
    tt = expect.attendance(DIT_PEOPLE, ids, tt_refs, "tiktok")
    want = daily_engagement.render(
        daily_engagement.DailyEngagement(
            "DIREKTORAT BINMAS", fire.replace(second=4), ig_refs, tt_refs,
            satker_scores(ig, NAMES, "DITBINMAS"), satker_scores(tt, NAMES, "DITBINMAS"),
            progress(ig, 2, tt, 1),
        )
    )  # fmt: skip
    assert rows[0]["body"] == want
    assert "- 1. POLRES A — 1 likes" in want  # budi liked D1; hendra is the directorate's own
    names = [r["attachment_name"] for r in rows if r["attachment"]]
    assert [n.split("_Selasa")[0] for n in names] == [
        "Absensi_All_Engagement_Instagram_DITBINMAS", "Absensi_Belum_Engagement_Instagram_DITBINMAS",
        "Absensi_All_Engagement_TikTok_DITBINMAS", "Absensi_Belum_Engagement_TikTok_DITBINMAS",
        "Rekap_Likes_Per_Konten_DITBINMAS", "Rekap_Komentar_Per_Konten_DITBINMAS",
        "Rekap_Ranking_Engagement_DITBINMAS",
    ]  # fmt: skip
    assert rows[-1]["body"] == (
        "✅ File Excel rekap ranking engagement (DIREKTORAT BINMAS) dikirim."
    )
    ranking = _book(rows[-2])
    assert ranking.sheetnames == ["Instagram", "TikTok"]
    ig_rows = list(ranking["Instagram"].iter_rows(values_only=True))
    assert [r[1] for r in ig_rows[1:]] == ["DIREKTORAT BINMAS", "POLRES A", "POLRES B"]
    assert ig_rows[1][2:4] == (1, 1)  # hendra, sudah
    per_content = _book(next(r for r in rows if "Likes_Per_Konten" in (r["attachment_name"] or "")))
    assert per_content.sheetnames == ["DIREKTORAT BINMAS", "POLRES A", "POLRES B"]


def test_daily_engagement_txt_files_read_back(database_url, ids):
    job, fire = "ditbinmas_group_recap", world.at(18, 10)
    world.run_job(database_url, job, fire, directorate_recap)
    rows = world.outbox(database_url, job, fire)
    txt = [r for r in rows if (r["attachment_name"] or "").endswith(".txt")]
    assert [r["attachment_name"] for r in txt] == [
        f"Absensi_{kind}_Engagement_{platform}_DITBINMAS_Selasa_10-02-2026_18-10-04.txt"
        for platform in ("Instagram", "TikTok") for kind in ("All", "Belum")
    ]  # fmt: skip
    assert rows[1:5] == txt  # right after the report, no caption text between them
    mimes = world.query(database_url, "SELECT attachment_mime FROM outbox WHERE job = $1 AND "
                        "fire_time = $2 AND attachment_name LIKE '%.txt'", job, fire)  # fmt: skip
    assert {m["attachment_mime"] for m in mimes} == {"text/plain"}
    assert {r["priority"] for r in txt} == {3}
    at = fire.replace(second=4)
    for (platform, exts), (all_row, belum_row) in zip(
        ((Platform.INSTAGRAM, ("D1", "D2")), (Platform.TIKTOK, ("DT1",))),
        (txt[:2], txt[2:]), strict=True,
    ):  # fmt: skip
        refs = expect.posts(*exts)
        people = expect.attendance(DIT_PEOPLE, ids, refs, str(platform))
        recap = DirectorateRecap(
            "DITBINMAS", "DIREKTORAT BINMAS", platform, at, refs, people, NAMES
        )
        assert all_row["attachment"].decode() == engagement_files.all_users(recap).text
        assert belum_row["attachment"].decode() == engagement_files.not_yet_done(recap).text
    ig_all = txt[0]["attachment"].decode()
    assert "- AKP BUDI SANTOSO – SAT BINMAS : budi.s (1/2)" in ig_all
    tt_belum = txt[3]["attachment"].decode()
    assert (
        "POLRES B: 1 pers\nBelum Komentar (1):\n- BRIPKA EKO SAPUTRA – SAT BINMAS : ekos (0/1)"
        in tt_belum
    )
    assert "BUDI" not in tt_belum  # commented on the one TikTok post


def test_daily_engagement_without_posts_sends_no_files(pg_server):
    url = fresh_database(pg_server)
    world.seeded(url)
    world.query(url, "UPDATE post SET removed_at = $1 RETURNING 1", world.at(6))
    job, fire = "ditbinmas_group_recap", world.at(15, 20)
    world.run_job(url, job, fire, directorate_recap)
    (row,) = world.outbox(url, job, fire)
    assert row["body"] == "Tidak ada tugas hari ini." and row["attachment"] is None


def test_kasatker_report_to_the_directorate_operator(database_url, ids):
    job, fire = "ditbinmas_kasatker_report", world.at(18, 23)
    reason = world.run_job(database_url, job, fire, directorate_recap)
    (row,) = world.outbox(database_url, job, fire)
    assert (row["recipient"], row["kind"], row["key"]) == (
        "6281100000010", "directorate_personal", outbox_key(job, fire, "6281100000010", 1)
    )  # fmt: skip
    text = row["body"]
    assert text.startswith("*KEPADA YTH.*\nKASAT BINMAS POLRES JAJARAN\n")  # config header
    assert "Periode Selasa, 10 Februari 2026, pukul 18.23.04 WIB." in text
    # POLRES A: IG 1 of 2 took part (Dedi has no IG), TikTok 2 of 2 -> 75 %;
    # POLRES B: IG 1/1, TikTok 0/1 -> 50 %; the directorate's own staff are not a satker.
    assert "*KEPATUHAN AKTIF* (0 Satker)\n-\n" in text
    assert "*KEPATUHAN SEDANG* (2 Satker)\n1. POLRES A : 75%\n2. POLRES B : 50%\n" in text
    assert "*KEPATUHAN RENDAH* (0 Satker)\n-\n" in text and "DIREKTORAT BINMAS :" not in text
    log = world.recap_log(database_url, job, fire)
    assert [(r["report"], r["platform"], json.loads(r["posts"])) for r in log] == [
        ("kasatker_report", "instagram", ["D1", "D2"]), ("kasatker_report", "tiktok", ["DT1"]),
    ]  # fmt: skip
    assert "1 messages to 1" in reason


def test_kasatker_thresholds_from_config_and_bad_ones(database_url, ids):
    job = "ditbinmas_kasatker_report"
    params = {job: {"kasatker_aktif": 0.75, "kasatker_sedang": 0.6}}
    world.run_job(database_url, job, world.at(19), directorate_recap, params=params)
    (row,) = world.outbox(database_url, job, world.at(19))
    assert "*KEPATUHAN AKTIF* (1 Satker)\n1. POLRES A : 75%\n" in row["body"]
    assert "*KEPATUHAN RENDAH* (1 Satker)\n1. POLRES B : 50%\n" in row["body"]
    assert "• *SEDANG* : Personil yang sudah melaksanakan 60% - 74.9%" in row["body"]
    bad = {job: {"kasatker_aktif": 0.4, "kasatker_sedang": 0.6}}
    with pytest.raises(ValueError, match=r"kasatker_aktif/kasatker_sedang: .*sedang <= aktif"):
        world.run_job(database_url, job, world.at(20), directorate_recap, params=bad)
    with pytest.raises(ValueError, match="kasatker_header: give a list of text lines"):
        world.run_job(database_url, job, world.at(20), directorate_recap,
                      params={job: {"kasatker_header": "KEPADA YTH."}})  # fmt: skip
    assert world.outbox(database_url, job, world.at(20)) == []


def test_kasatker_without_posts_or_satkers(pg_server):
    url = fresh_database(pg_server)
    world.seeded(url)
    job = "ditbinmas_kasatker_report"
    world.query(url, "DELETE FROM client_directorate RETURNING 1")
    world.query(url, "DELETE FROM staff_role WHERE role_name = 'ditbinmas' AND nrp <> '75020021' "
                     "RETURNING 1")  # fmt: skip
    world.run_job(url, job, world.at(18, 23), directorate_recap)
    (row,) = world.outbox(url, job, world.at(18, 23))
    assert row["body"] == "Tidak ada satker DIREKTORAT BINMAS untuk laporan kepatuhan Kasatker."
    world.query(url, "UPDATE post SET removed_at = $1 RETURNING 1", world.at(6))
    world.run_job(url, job, world.at(19), directorate_recap)
    (row,) = world.outbox(url, job, world.at(19))
    assert row["body"].startswith("Tidak ada konten Instagram maupun TikTok pada akun official")


def test_ditbinmas_leader_kasat_binmas(database_url, ids):
    job, fire = "ditbinmas_leader_recap", world.at(18, 20)
    world.run_job(database_url, job, fire, directorate_recap)
    rows = world.outbox(database_url, job, fire)
    assert {r["recipient"] for r in rows} == {"6281100000011"}
    kasat_likes = rows[2]["body"]
    assert kasat_likes.startswith(
        "📋 *Absensi Likes Kasat Binmas*\n🗓️ Periode: Selasa, 10 Februari 2026\n"
        "📈 Total konten periode ini: 2\n👥 Total Kasat Binmas: 2 pers\n"
    )
    assert "  1. AKP BUDI SANTOSO (POLRES A) — 1/2 konten" in kasat_likes
    assert "  2. BRIPKA EKO SAPUTRA (POLRES B) — 1/2 konten" in kasat_likes
    log = world.recap_log(database_url, job, fire)
    kasat = json.loads(next(r for r in log if r["report"] == "kasat_binmas_likes")["people"])
    assert sorted(p["nrp"] for p in kasat) == ["75020001", "75020011"]


def test_directorate_without_members_and_unknown_directorate(database_url, ids):
    world.query(
        database_url,
        """INSERT INTO client (client_id, name, type, instagram, group_jid)
           VALUES ('DITLANTAS', 'DIREKTORAT LANTAS', 'DIREKTORAT', 'ditlantas',
                   '120363000000000077@g.us') RETURNING 1""",
    )
    world.query(
        database_url,
        """INSERT INTO post (platform, external_id, client_id, posted_at, first_seen_at,
                             last_seen_at) VALUES ('instagram', 'L1', 'DITLANTAS', $1, $1, $1)
           RETURNING 1""",
        world.at(9),
    )
    job, fire = "bidhumas_evening_recap", world.at(20, 15)
    params = {job: {"directorate": "DITLANTAS", "reports": ["likes_simple"]}}
    world.run_job(database_url, job, fire, directorate_recap, params=params)
    (row,) = world.outbox(database_url, job, fire)
    assert "*Jumlah Total Personil:* 0 pers" in row["body"]
    assert row["recipient"] == "120363000000000077@g.us"
    params = {job: {"directorate": "DITNOPE", "reports": ["likes_simple"]}}
    reason = world.run_job(database_url, job, world.at(22, 15), directorate_recap, params=params)
    assert reason == "DITNOPE: no client row, nothing built"


def test_excel_failure_sends_a_notice_and_the_rest(pg_server):
    url = fresh_database(pg_server)
    world.seeded(url)
    world.query(url, "UPDATE staff SET name = 'MAYA' || chr(1) WHERE nrp = '75020031' RETURNING 1")
    job, fire = "bidhumas_evening_recap", world.at(15, 45)
    reason = world.run_job(url, job, fire, directorate_recap)
    assert "excel failed" in reason
    mine = [r for r in world.outbox(url, job, fire) if r["recipient"] == world.GROUP_HUMAS]
    assert [r["attachment"] for r in mine] == [None, None, None]
    assert mine[0]["body"].startswith("Mohon ijin Komandan,")
    assert mine[2]["body"] == "⚠️ File Excel gagal dibuat; rekap teks tetap dikirim."


def test_full_recap_goes_only_to_configured_numbers(database_url, ids):
    job, fire = "ditbinmas_full_recap", world.at(18, 24)
    reason = world.run_job(database_url, job, fire, directorate_recap)
    assert world.outbox(database_url, job, fire) == []  # shipped config: no numbers yet
    assert "DITBINMAS: no recipients" in reason
    params = {job: {"numbers": ["081300000777", "not a number"]}}
    reason = world.run_job(database_url, job, world.at(19, 24), directorate_recap, params=params)
    likes, comments = world.outbox(database_url, job, world.at(19, 24))
    assert {likes["recipient"], comments["recipient"]} == {"6281300000777"}
    assert likes["kind"] == "directorate_personal"
    assert likes["body"].splitlines()[2] == "📋 Rekap Akumulasi Likes Instagram"
    assert comments["body"].splitlines()[2:4] == [  # the TikTok full recap's own wording
        "📋 *Rekap Akumulasi Komentar TikTok*",
        "*Polres*: *DIREKTORAT BINMAS*",
    ]
    assert "bad recipient 'not a number'" in reason
