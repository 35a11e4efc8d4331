"""incomplete_data_recap and username_completeness_recap on a real database: recipients, keys,
bodies, and the quiet cases (everyone complete, nobody counted, no group, unknown client)."""

import pytest

from cicero.domain.delivery.outbox import outbox_key
from cicero.domain.layouts.username_data import StaffData, render_completeness, render_incomplete
from cicero.jobs.username_recaps import incomplete_data_recap, username_completeness_recap
from tests.conftest import fresh_database
from tests.integration.recaps import expect, world

NAMES = {c[0]: c[1] for c in world.CLIENTS}


@pytest.fixture(scope="module")
def ids(database_url):
    return world.seeded(database_url)


def staff(*nrps):
    return tuple(expect.person(n) for n in nrps)


def test_incomplete_data_to_admins_supers_and_operator(database_url, ids):
    job, fire = "incomplete_data_recap", world.at(6, 15)
    reason = world.run_job(database_url, job, fire, incomplete_data_recap)
    rows = world.outbox(database_url, job, fire)
    now = fire.replace(second=4)
    dit = render_incomplete(
        StaffData("DITBINMAS", "DIREKTORAT BINMAS", now,
                  staff("75020001", "75020002", "75020011", "75020021"), NAMES)
    )  # fmt: skip
    humas = render_incomplete(StaffData("BIDHUMAS", "BID HUMAS", now, staff("75020031"), NAMES))
    assert dit is not None and "*POLRES A* (1)\n- BRIPTU DEDI KURNIAWAN, Instagram kosong" in dit
    assert humas is not None and "- IPTU MAYA ANGGRAINI, TikTok kosong" in humas
    assert [(r["recipient"], r["key"], r["body"]) for r in rows] == [
        (world.ADMIN, outbox_key(job, fire, world.ADMIN, 1), dit),
        ("6281100000011", outbox_key(job, fire, "6281100000011", 1), dit),
        ("6281100000010", outbox_key(job, fire, "6281100000010", 1), dit),
        (world.ADMIN, outbox_key(job, fire, world.ADMIN, 2), humas),
        ("6281100000021", outbox_key(job, fire, "6281100000021", 1), humas),
        ("6281100000020", outbox_key(job, fire, "6281100000020", 1), humas),
    ]
    assert {(r["session"], r["kind"]) for r in rows} == {("operator", "operator_direct")}
    assert reason == "2 recaps, 6 messages"
    world.run_job(database_url, job, fire, incomplete_data_recap)  # a rerun adds nothing
    assert len(world.outbox(database_url, job, fire)) == 6


def test_incomplete_data_is_silent_when_complete_empty_or_unknown(database_url, ids):
    world.query(
        database_url,
        """INSERT INTO client (client_id, name, type) VALUES ('DITLANTAS', 'DIREKTORAT LANTAS',
           'DIREKTORAT') ON CONFLICT DO NOTHING RETURNING 1""",
    )
    job, fire = "incomplete_data_recap", world.at(7, 15)
    params = {job: {"clients": ["POLRES_B", "DITLANTAS", "nope"]}}
    reason = world.run_job(database_url, job, fire, incomplete_data_recap, params=params)
    assert world.outbox(database_url, job, fire) == []
    assert reason == (
        "0 recaps, 0 messages; POLRES_B: all complete; DITLANTAS: nobody counted; "
        "NOPE: no client row"
    )
    bad = {job: {"clients": "DITBINMAS"}}
    with pytest.raises(ValueError, match=r"params\.clients: give a list of client ids"):
        world.run_job(database_url, job, world.at(8, 15), incomplete_data_recap, params=bad)


def test_username_completeness_to_each_org_group(database_url, ids):
    job, fire = "username_completeness_recap", world.at(6, 45)
    reason = world.run_job(database_url, job, fire, username_completeness_recap)
    (row,) = world.outbox(database_url, job, fire)
    want = render_completeness(
        StaffData("POLRES_A", "POLRES A", fire.replace(second=4),
                  staff("75020001", "75020002", "75020003", "75020004"), NAMES)
    )  # fmt: skip
    assert (row["recipient"], row["key"], row["kind"], row["session"]) == (
        world.GROUP_A, outbox_key(job, fire, world.GROUP_A, 1), "group_broadcast", "gateway"
    )  # fmt: skip
    assert row["body"] == want
    assert "Jumlah Personil Lengkap : 2\nJumlah Personil Kurang : 2\n" in want
    assert "- BRIPKA ANDI WIJAYA - IG: andiwjy, TikTok: -" in want
    assert reason == "1 recaps, 1 messages; POLRES_B: no group id"


def test_username_completeness_skips_a_polres_nobody_counts(pg_server):
    url = fresh_database(pg_server)
    world.seeded(url)
    world.query(url, "DELETE FROM staff_role WHERE role_name = 'operator' RETURNING 1")
    job, fire = "username_completeness_recap", world.at(6, 45)
    reason = world.run_job(url, job, fire, username_completeness_recap)
    assert world.outbox(url, job, fire) == []
    assert reason == "0 recaps, 0 messages; POLRES_A: nobody counted; POLRES_B: no group id"
