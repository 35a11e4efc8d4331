"""org_engagement_recap on a real database: rows, bodies, evidence, once-a-day no content."""

import json

import pytest

from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.layouts.client_recap import ClientRecap, render_likes
from cicero.jobs.client_recaps import org_engagement_recap
from tests.integration.recaps import expect, world

JOB = "org_engagement_recap"
FIRE = world.at(15, 20)


@pytest.fixture(scope="module")
def ids(database_url):
    return world.seeded(database_url)


def test_rows_bodies_and_evidence(database_url, ids):
    reason = world.run_job(database_url, JOB, FIRE, org_engagement_recap)
    assert "POLRES_B: no group id" in reason
    rows = world.outbox(database_url, JOB, FIRE)
    by_key = {r["key"]: r for r in rows}
    # POLRES_A: likes recap to group, operator, super; TikTok "no content" to the group only
    refs = expect.posts("A1", "A2")
    people = expect.attendance(["75020001", "75020002", "75020003", "75020004"], ids, refs,
                               "instagram")  # fmt: skip
    likes = render_likes(ClientRecap("POLRES A", FIRE.replace(second=4), refs, people))
    for to in (world.GROUP_A, "6281200000001", "6281200000002"):
        assert by_key[outbox_key(JOB, FIRE, to, 1)]["body"] == likes
    assert "✅ *Melaksanakan lengkap* : *2 user*" in likes  # budi + exception fajar
    assert "❌ *Belum melaksanakan* : *1 user*" in likes  # dedi has no IG handle
    assert (
        by_key[outbox_key(JOB, FIRE, world.GROUP_A, 2)]["body"]
        == "Tidak ada konten pada akun Official Tiktok *POLRES A* hari ini."
    )
    assert outbox_key(JOB, FIRE, "6281200000001", 2) not in by_key
    # POLRES_B has no group: its operator still gets both recaps (no supers)
    op_b = [r for r in rows if r["recipient"] == "6281200000011"]
    assert [r["body"].splitlines()[2] for r in op_b] == [
        "📋 *Rekap Akumulasi Likes Instagram*",
        "📋 *Rekap Akumulasi Komentar TikTok*",
    ]
    assert {r["session"] for r in rows} == {"gateway"}
    assert {r["priority"] for r in rows} == {2}
    log = {(r["scope"], r["platform"]): r for r in world.recap_log(database_url, JOB, FIRE)}
    assert set(log) == {
        ("POLRES_A", "instagram"), ("POLRES_A", "tiktok"),
        ("POLRES_B", "instagram"), ("POLRES_B", "tiktok"),
    }  # fmt: skip
    a_ig = log["POLRES_A", "instagram"]
    assert a_ig["report"] == JOB and json.loads(a_ig["posts"]) == ["A1", "A2"]
    assert json.loads(a_ig["people"]) == [a.transcript() for a in people]
    assert json.loads(log["POLRES_A", "tiktok"]["posts"]) == []


def test_same_fire_time_twice_adds_nothing(database_url, ids):
    before = world.query(database_url, "SELECT count(*) AS n FROM outbox")[0]["n"]
    logs = world.query(database_url, "SELECT count(*) AS n FROM recap_log")[0]["n"]
    world.run_job(database_url, JOB, FIRE, org_engagement_recap, now=FIRE.replace(minute=50))
    assert world.query(database_url, "SELECT count(*) AS n FROM outbox")[0]["n"] == before
    assert world.query(database_url, "SELECT count(*) AS n FROM recap_log")[0]["n"] == logs


def test_no_content_goes_once_a_day(database_url, ids):
    later = world.at(18, 20)
    world.run_job(database_url, JOB, later, org_engagement_recap)
    to_group = [
        r for r in world.outbox(database_url, JOB, later) if r["recipient"] == world.GROUP_A
    ]
    assert [r["body"].splitlines()[2] for r in to_group] == ["📋 *Rekap Akumulasi Likes Instagram*"]
