"""Data that stops growing (issue 18 item 6): every table has a retention rule or a written
reason, and the housekeeping job deletes exactly what each rule says."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cicero.config import load_settings
from cicero.config.schema import Retention
from cicero.domain.runtime.retention import COMPACTED, TABLES, Purged, purged
from cicero.domain.timezone import WIB
from cicero.jobs.housekeeping import PURGES, housekeeping
from tests.conftest import fresh_database
from tests.integration.recaps import world

# The wall clock's now: audit_log's trigger lets rows go only a year older than that.
NOW = datetime.now(WIB).replace(microsecond=0)
DEFAULTS = Retention()


def test_every_table_of_the_schema_has_a_rule(pg_server: object) -> None:
    url = fresh_database(pg_server)
    tables = {
        r["table_name"]
        for r in world.query(
            url,
            """SELECT table_name FROM information_schema.tables
                WHERE table_schema = 'public' AND table_type = 'BASE TABLE'""",
        )
    }
    missing = sorted(tables - set(TABLES))
    assert not missing, f"give these a rule in cicero/domain/runtime/retention.py: {missing}"
    assert not sorted(set(TABLES) - tables), "rules for tables the schema no longer has"
    for table, rule in purged().items():
        assert rule.setting in Retention.model_fields, (table, rule.setting)
        assert table in COMPACTED or table in PURGES, table


def test_retention_settings_are_config_with_a_floor_for_engagement() -> None:
    overrides = {"retention": {"engagement_days": 40, "recap_log_days": 3}}
    keep = load_settings({}, overrides).config.retention
    assert (keep.engagement_days, keep.recap_log_days, keep.fetch_days) == (40, 3, 90)
    with pytest.raises(Exception, match="engagement_days"):
        load_settings({}, {"retention": {"engagement_days": 30}})  # the complaint check: 30


# One row older than its table's retention and one just inside it, per purged table: the
# statement (with {at} the row's instant and {day} its WIB date) and the rule's days.
ROWS = {
    "engagement_fetch": """INSERT INTO engagement_fetch (post_id, kind, started_at, finished_at,
                                                         outcome)
                           SELECT id, 'like', {at}, {at}, 'complete' FROM post LIMIT 1""",
    "ingest_run": """INSERT INTO ingest_run (platform, client_id, stage, fire_time, started_at,
                                             outcome)
                     VALUES ('instagram', 'POLRES_A', 'posts', {at}, {at}, 'complete')""",
    "job_run": "INSERT INTO job_run (job_key, fire_time, status) VALUES ('x', {at}, 'done')",
    "outbox": """INSERT INTO outbox (key, session, recipient, kind, status, created_at)
                 VALUES ('k' || {at}::text, 'gateway', '628123', 'broadcast', 'sent', {at})""",
    "inbox": """INSERT INTO inbox (session, message_id, chat, sender, received_at, handled_at)
                VALUES ('operator', 'm' || {at}::text, 'c', 's', {at}, {at})""",
    "recap_log": """INSERT INTO recap_log (job, fire_time, report, scope, platform, posts, people,
                                           built_at)
                    VALUES ('j', {at}, 'r', 'POLRES_A', 'instagram', '[]', '[]', {at})""",
    "reminder_state": """INSERT INTO reminder_state (wib_date, chat, client_id, stage, complete,
                                                     outbox_key, updated_at)
                         VALUES ({day}, 'c', 'POLRES_A', 'initial', false, 'k', {at})""",
    "broadcast_state": """INSERT INTO broadcast_state (client_id, wib_date, post_ids, fire_time,
                                                       queued_at)
                          VALUES ('POLRES_A', {day}, '{{}}', {at}, {at})""",
    "task_announcement": """INSERT INTO task_announcement (client_id, wib_date, post_id,
                                                           announced_at)
                            SELECT 'POLRES_A', {day}, id, {at} FROM post LIMIT 1""",
    "session_log": "INSERT INTO session_log (session, state, at) VALUES ('gateway', 'ready', {at})",
    "otp_request": "INSERT INTO otp_request (nrp, at) VALUES ('75020001', {at})",
    "otp_code": """INSERT INTO otp_code (nrp, email, code_hash, expires_at)
                   VALUES ('7502' || extract(epoch from {at})::bigint % 10000, 'a@b.c', 'h', {at})""",
    "staff_import": """INSERT INTO staff_import (client_id, file_sha256, created_at)
                       VALUES ('POLRES_A', repeat('a', 64), {at})""",
    "staff_import_row": """INSERT INTO staff_import_row (import_id, row_number, action)
                           SELECT id, 2, 'new' FROM staff_import WHERE created_at = {at}""",
    "audit_log": """INSERT INTO audit_log (at, actor, channel, action)
                    VALUES ({at}, 'cli', 'cli', 'staff.edit')""",
    "login_attempt": """INSERT INTO login_attempt (at, account, ip, outcome)
                        VALUES ({at}, 'staff:75020001', '127.0.0.1', 'failure')""",
    "auth_token": """INSERT INTO auth_token (token_hash, kind, subject, family, issued_at, expires_at)
                     VALUES (sha256(({at})::text::bytea), 'staff_access', '75020001',
                             substring(sha256(({at})::text::bytea) for 16),
                             {at} - interval '1 hour', {at})""",
    "password_link": """INSERT INTO password_link (token_hash, nrp, created_at, expires_at,
                                                   requested_by)
                        VALUES (sha256(({at})::text::bytea), '75020001', {at} - interval '15 minutes',
                                {at}, 'self')""",
    "dashboard_reset": """INSERT INTO dashboard_reset (token_hash, account_id, created_at, expires_at)
                          SELECT sha256(({at})::text::bytea), id, {at} - interval '1 hour', {at}
                            FROM dashboard_account LIMIT 1""",
    "ig_profile_refresh": "INSERT INTO ig_profile_refresh (nrp, at) VALUES ('75020001', {at})",
}


def test_housekeeping_deletes_what_each_rule_says_and_nothing_newer(pg_server: object) -> None:
    url = fresh_database(pg_server)
    world.seeded(url)
    world.query(
        url,
        """INSERT INTO dashboard_account (username, name, role, status, password_hash,
                                          password_set_at, registered_at)
           VALUES ('ops.satu', 'OPS', 'ops', 'active', '$argon2id$x', now(), now()) RETURNING 1""",
    )
    assert set(ROWS) == set(purged()) - COMPACTED
    for table, sql in ROWS.items():
        days = getattr(DEFAULTS, purged()[table].setting)
        for age in (days + 1, days - 1):  # one day older than the rule, one day newer
            at = NOW - timedelta(days=age)
            args = (at, at.date()) if "{day}" in sql else (at,)
            world.query(url, sql.format(at="$1::timestamptz", day="$2::date") + " RETURNING 1",
                        *args)  # fmt: skip
    # the latest state of a session stays however old it is
    world.query(url, "INSERT INTO session_log (session, state, at) VALUES ('old', 'ready', $1)"
                     " RETURNING 1", NOW - timedelta(days=999))  # fmt: skip
    counts = {t: _count(url, t) for t in ROWS}
    reason = world.run_job(url, "housekeeping", NOW, housekeeping, now=NOW)
    after = {t: _count(url, t) for t in ROWS}
    for table in ROWS:
        assert after[table] == counts[table] - 1, (table, counts[table], after[table], reason)
    assert world.query(url, "SELECT 1 AS x FROM session_log WHERE session = 'old'") == [{"x": 1}]
    assert "job_run -1" in reason


def test_housekeeping_compacts_engagement_older_than_its_days(pg_server: object) -> None:
    url = fresh_database(pg_server)
    world.seeded(url)  # a day of posts with engagement, world.DAY
    days = DEFAULTS.engagement_days
    within = world.run_job(url, "housekeeping", world.at(3, 30) + timedelta(days=days), housekeeping)
    kept = _count(url, "engagement")
    assert _count(url, "engagement_mask") > 0
    past = world.at(3, 30) + timedelta(days=days + 1)
    reason = world.run_job(url, "housekeeping", past, housekeeping)
    assert "engagement compacted" not in within and kept > 0
    assert f"engagement compacted: 1 days ({world.DAY.date()}..{world.DAY.date()}), {kept} rows" in reason
    assert _count(url, "engagement") == 0 and _count(url, "attendance_day") > 0
    assert _count(url, "engagement_mask") == 0  # its rows went with engagement's


def _count(url: str, table: str) -> int:
    return world.query(url, f"SELECT count(*) AS n FROM {table}")[0]["n"]


def test_rules_name_known_settings() -> None:
    assert all(isinstance(r, Purged) for r in purged().values())
