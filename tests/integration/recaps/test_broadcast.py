"""task_broadcast: once per change of the day's post set, [BARU] marks, supersede key, 17:15."""

import pytest

from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.layouts.task_broadcast import TaskBroadcast, TaskPost, render
from cicero.jobs.broadcast import task_broadcast
from tests.integration.recaps import expect, world

JOB = "task_broadcast"


@pytest.fixture(scope="module")
def ids(database_url):
    return world.seeded(database_url)


def run(url, hh, mm):
    return world.run_job(url, JOB, world.at(hh, mm), task_broadcast)


def test_once_per_change(database_url, ids):
    reason = run(database_url, 10, 0)
    assert "POLRES_B: no group id" in reason
    first = world.outbox(database_url, JOB, world.at(10))
    assert {r["recipient"] for r in first} == {world.GROUP_A, world.GROUP_DIT, world.GROUP_HUMAS}
    a1 = expect.posts("A1")[0]
    row = next(r for r in first if r["recipient"] == world.GROUP_A)
    assert row["key"] == outbox_key(JOB, world.at(10), world.GROUP_A, 1)
    assert row["body"] == render(TaskBroadcast("POLRES A", (TaskPost(a1, 0, new=True),)))
    assert "1. [BARU] https://www.instagram.com/p/A1 (upload 09:00 WIB) : 0 likes" in row["body"]
    assert row["supersede_key"] == "task_broadcast|POLRES_A|2026-02-10"
    assert row["priority"] == 1 and row["session"] == "gateway"

    assert run(database_url, 10, 30) == "0 broadcasts; POLRES_B: no group id"
    assert world.outbox(database_url, JOB, world.at(10, 30)) == []

    run(database_url, 12, 0)  # A2 (11:30) and D2 (12:00) appeared
    noon = world.outbox(database_url, JOB, world.at(12))
    assert {r["recipient"] for r in noon} == {world.GROUP_A, world.GROUP_DIT}
    a1, a2 = expect.posts("A1", "A2")
    row = next(r for r in noon if r["recipient"] == world.GROUP_A)
    want = TaskBroadcast("POLRES A", (TaskPost(a1, 0, new=False), TaskPost(a2, 0, new=True)))
    assert row["body"] == render(want)

    run(database_url, 12, 0)  # the same fire time again
    assert len(world.outbox(database_url, JOB, world.at(12))) == 2
    announced = world.query(
        database_url,
        "SELECT post_id FROM task_announcement WHERE client_id = 'POLRES_A' ORDER BY post_id",
    )
    assert [r["post_id"] for r in announced] == [ids["A1"], ids["A2"]]


def test_not_after_1715(database_url, ids):
    assert run(database_url, 17, 30) == "after 17:15 WIB: no broadcast"
    assert world.outbox(database_url, JOB, world.at(17, 30)) == []
