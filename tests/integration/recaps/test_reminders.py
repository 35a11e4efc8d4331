"""personal_reminder: bodies, once per person per stage per day, complete people left alone."""

import pytest

from cicero.domain.attendance.reminders import ReminderRow, due, run_stage
from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.layouts.reminder import Reminder, render
from cicero.jobs.reminders import personal_reminder
from tests.integration.recaps import expect, world

JOB = "personal_reminder"


@pytest.fixture(scope="module")
def ids(database_url):
    return world.seeded(database_url)


def test_stage_rule():
    assert run_stage([]) == "initial"
    assert run_stage([ReminderRow("followup1", True)]) == "initial"
    assert run_stage([ReminderRow("initial", False), ReminderRow("followup1", True)]) == "followup1"
    assert run_stage([ReminderRow("followup1", False)]) == "followup2"
    assert due(None, "initial") and not due(ReminderRow("initial", True), "followup2")
    assert not due(ReminderRow("followup1", False), "followup1")
    assert due(ReminderRow("followup2", False), "followup2")


def test_once_per_stage(database_url, ids):
    first = world.at(17, 5)
    world.run_job(database_url, JOB, first, personal_reminder)
    rows = world.outbox(database_url, JOB, first)
    assert sorted(r["recipient"] for r in rows) == [
        "6281300000001", "6281300000002", "6281300000011", "6281300000021", "6281300000031",
    ]  # fmt: skip
    budi = next(r for r in rows if r["recipient"] == "6281300000001")
    assert budi["key"] == outbox_key(JOB, first, "6281300000001", 1)
    assert budi["kind"] == "reminder" and budi["priority"] == 1
    d2 = expect.posts("D2")
    assert budi["body"] == render(Reminder("AKP BUDI SANTOSO", first.replace(second=4), 3, d2))
    assert budi["body"].startswith("Selamat Sore, Bapak/Ibu AKP BUDI SANTOSO")

    world.run_job(database_url, JOB, first, personal_reminder)  # same fire time: nothing new
    assert len(world.outbox(database_url, JOB, first)) == 5

    # hendra comments on DT1 before the follow-up: he hears "all done", once
    world.query(
        database_url,
        "INSERT INTO engagement VALUES ($1, 'comment', 'hendra', $2, $2) RETURNING 1",
        ids["DT1"],
        world.at(17, 20),
    )
    second = world.at(17, 35)
    world.run_job(database_url, JOB, second, personal_reminder)
    rows = {r["recipient"]: r["body"] for r in world.outbox(database_url, JOB, second)}
    assert len(rows) == 5
    assert rows["6281300000021"].endswith(
        "Tugas Likes dan komentar hari ini sudah dilaksanakan semua"
    )
    third = world.at(18, 5)
    world.run_job(database_url, JOB, third, personal_reminder)
    assert "6281300000021" not in {r["recipient"] for r in world.outbox(database_url, JOB, third)}
    state = world.query(
        database_url, "SELECT DISTINCT stage FROM reminder_state WHERE NOT complete"
    )
    assert state == [{"stage": "followup2"}]


def test_no_posts_no_reminder(database_url, ids):
    reason = world.run_job(
        database_url, JOB, world.at(17, 5) + world.timedelta(days=1), personal_reminder
    )
    assert reason == "0 reminders; DITBINMAS: no posts today; BIDHUMAS: no posts today"
