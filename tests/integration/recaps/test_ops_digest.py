"""ops_digest: the day's failed/skipped/missed fires and dead/in_doubt rows, to admins only,
and each upstream key's requests sent and spared that day.

A recipient WhatsApp rejects becomes a `dead` row in the session (tested there); here such a
row is reported while the other recipients' rows of the same run stay untouched."""

from datetime import timedelta

from cicero.domain.layouts.ops_digest import Digest, RowIssue, RunIssue, UpstreamUse, render
from cicero.jobs.client_recaps import org_engagement_recap
from cicero.jobs.ops_digest import ops_digest
from tests.integration.recaps import world


def test_digest(database_url):
    world.seeded(database_url)
    fire = world.at(15, 20)
    world.run_job(database_url, "org_engagement_recap", fire, org_engagement_recap)
    world.query(
        database_url,
        """UPDATE outbox SET status = 'dead', error = 'not on WhatsApp'
            WHERE recipient = '6281200000002' RETURNING 1""",
    )
    world.query(
        database_url,
        """INSERT INTO job_run (job_key, fire_time, status, reason) VALUES
             ('ingest_social', $1, 'failed', 'upstream 500'),
             ('amplify_recap', $2, 'missed', 'outside grace') RETURNING 1""",
        world.at(9),
        world.at(15, 5),
    )
    day = world.at(9).date()
    world.query(  # today's instagram counts; tiktok's are yesterday's: none today
        database_url,
        """INSERT INTO upstream_host (name, calls_day, calls, saved, updated_at)
           VALUES ('instagram', $1, 1234, 2345, $3), ('tiktok', $2, 50, 60, $3) RETURNING 1""",
        day, day - timedelta(days=1), world.at(22),
    )  # fmt: skip
    digest_fire = world.at(23, 45)
    reason = world.run_job(database_url, "ops_digest", digest_fire, ops_digest)
    assert reason == "2 run issues, 1 row issues to 1"
    (row,) = world.outbox(database_url, "ops_digest", digest_fire)
    assert row["recipient"] == world.ADMIN and row["session"] == "operator"
    assert row["kind"] == "admin_notice"
    want = render(
        Digest(
            digest_fire.replace(second=4),
            (
                RunIssue("ingest_social", world.at(9), "failed", "upstream 500"),
                RunIssue("amplify_recap", world.at(15, 5), "missed", "outside grace"),
            ),
            (RowIssue("org_engagement_recap", "6281200000002", "dead", "not on WhatsApp"),),
            (UpstreamUse("instagram", 1234, 2345), UpstreamUse("tiktok", 0, 0)),
        )
    )
    assert row["body"] == want
    assert "- 09:00 ingest_social: failed (upstream 500)" in want
    assert "- org_engagement_recap → 62*******0002: dead (not on WhatsApp)" in want
    assert want.endswith("*Kuota upstream hari ini*\n- instagram: 1.234 permintaan, 2.345 dihemat"
                         "\n- tiktok: 0 permintaan, 0 dihemat")
    others = world.outbox(database_url, "org_engagement_recap", fire)
    assert {r["status"] for r in others if r["recipient"] != "6281200000002"} == {"pending"}
