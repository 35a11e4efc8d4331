"""amplify_recap: link reports of today counted per person, recap_log from link_report rows."""

import json

import pytest

from cicero.domain.attendance.rule import assess
from cicero.domain.layouts.amplification import AmplifyPerson, AmplifyRecap, render
from cicero.jobs.amplify import amplify_recap
from tests.integration.recaps import expect, world

JOB = "amplify_recap"
FIRE = world.at(15, 5)


@pytest.fixture(scope="module")
def ids(database_url):
    ids = world.seeded(database_url)
    reports = [
        ("A1", "75020001", "https://www.instagram.com/p/x1", "https://www.tiktok.com/@b/video/1", world.at(10)),
        ("A2", "75020001", "https://www.instagram.com/p/x2", None, world.at(12)),
        ("A1", "75020003", None, "https://www.tiktok.com/@a/video/2", world.at(13)),
        ("A2", "75020002", "https://www.instagram.com/p/x3", None, world.at(9) + world.timedelta(days=1)),
    ]  # fmt: skip
    for post, nrp, ig, tt, when in reports:
        world.query(
            database_url,
            """INSERT INTO link_report (post_id, nrp, instagram_link, tiktok_link, reported_at)
               VALUES ($1, $2, $3, $4, $5) RETURNING 1""",
            ids[post], nrp, ig, tt, when,
        )  # fmt: skip
    return ids


def test_amplify_recap(database_url, ids):
    world.run_job(database_url, JOB, FIRE, amplify_recap)
    rows = world.outbox(database_url, JOB, FIRE)
    assert [r["recipient"] for r in rows] == ["6281200000001", "6281200000002", world.GROUP_A]
    assert {r["session"] for r in rows} == {"operator"}
    refs = expect.posts("A1", "A2")
    done = {"75020001": (["A1", "A2"], 3), "75020003": (["A1"], 1)}
    people = []
    for nrp in ("75020001", "75020002", "75020003", "75020004"):
        posts, links = done.get(nrp, ([], 0))
        a = assess(expect.person(nrp), nrp, [ids[p] for p in posts], 2)
        people.append(AmplifyPerson(a, links))
    want = render(AmplifyRecap("POLRES A", FIRE.replace(second=4), refs, tuple(people)))
    assert rows[0]["body"] == want
    assert "Jumlah Total Link dari 5 Platform Sosial Media: 4" in want
    assert (
        "SAT BINMAS – AKP BUDI SANTOSO (Sudah: 2 Tugas / Belum: 0 Tugas / Total Link: 3 Link)"
        in want
    )
    (log,) = world.recap_log(database_url, JOB, FIRE)
    assert (log["scope"], log["platform"], json.loads(log["posts"])) == (
        "POLRES_A",
        "instagram",
        ["A1", "A2"],
    )
    statuses = {p["nrp"]: (p["status"], p["done"]) for p in json.loads(log["people"])}
    assert statuses == {
        "75020001": ("sudah", 2), "75020002": ("belum", 0),
        "75020003": ("kurang", 1), "75020004": ("sudah", 0),
    }  # fmt: skip
    world.run_job(database_url, JOB, FIRE, amplify_recap)
    assert len(world.outbox(database_url, JOB, FIRE)) == 3
