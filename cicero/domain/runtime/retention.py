"""What each table keeps, and for how long (issue 18: data that stops growing).

Every table of the schema is here, with one of three rules:
* `Purged`: rows older than a `[retention]` setting (days) are deleted by the housekeeping
  job, or, for engagement, compacted into per person, day and platform counts;
* `Kept`: rows are kept for good, for the reason given (they grow slowly: with the staff,
  the clients or the posts, never with the fire times);
* `Bounded`: the table does not grow with time (one row per job, session, chat, host…).

A test checks that every table of the migrated schema is listed, and the housekeeping
integration test that every `Purged` rule deletes what it says and nothing newer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Purged:
    setting: str  # the [retention] key, in days
    rule: str


@dataclass(frozen=True)
class Kept:
    reason: str


@dataclass(frozen=True)
class Bounded:
    reason: str


Rule = Purged | Kept | Bounded

TABLES: dict[str, Rule] = {
    # ---- growing with the fire times: purged
    "engagement": Purged(
        "engagement_days",
        "compacted into attendance_day (per scope, day and platform: posts counted and, per "
        "person, posts done), so week, month and year reports stay exact; then deleted",
    ),
    "engagement_mask": Purged(
        "engagement_days",
        "engagement grouped per client, day and name for the recaps (migration 0100), kept "
        "equal to engagement by triggers: its rows go when compaction deletes theirs",
    ),
    "engagement_fetch": Purged("fetch_days", "one row per post and fetch"),
    "ingest_run": Purged("ingest_days", "one row per client, stage and fire time"),
    "job_run": Purged("ledger_days", "the ledger: one row per job and fire time"),
    "outbox": Purged("outbox_days", "sent, dead and in-doubt messages with their texts and files"),
    "inbox": Purged("inbox_days", "handled incoming messages"),
    "recap_log": Purged("recap_log_days", "who each recap counted; the same day's is read"),
    "reminder_state": Purged("reminder_days", "one row per chat, client and day"),
    "broadcast_state": Purged("broadcast_days", "the post set of each client's last broadcast"),
    "task_announcement": Purged("broadcast_days", "the posts each broadcast showed, per day"),
    "session_log": Purged("session_log_days", "session state changes; each one's latest stays"),
    "otp_request": Purged("otp_days", "code requests (an hour of them limits requests)"),
    "otp_code": Purged("otp_days", "one pending code per person; expired ones go"),
    "staff_import": Purged("import_days", "import batches, with their rows"),
    "staff_import_row": Purged("import_days", "the rows of a purged batch"),
    "audit_log": Purged("audit_days", "who changed what; append-only, kept a year (api.md)"),
    "login_attempt": Purged("login_days", "login tries, read for lockouts of at most a day"),
    "auth_token": Purged("token_days", "sessions and app tokens, once expired or revoked"),
    "password_link": Purged("otp_days", "single-use password links, once expired"),
    "dashboard_reset": Purged("otp_days", "single-use dashboard reset links, once expired"),
    "ig_profile_refresh": Purged("refresh_days", "profile refreshes, counted per person and day"),
    # ---- kept for good
    "attendance_day": Kept(
        "the history of attendance once engagement is compacted: about 30,000 counts a day "
        "for 5,000 staff in 30 clients, stored as arrays per scope, day and platform"
    ),
    "post": Kept("never deleted (data.md §1.1): evidence the recaps refer to; ~40 a day"),
    "post_tag": Kept("which directorate a post is also a task for; with the posts"),
    "link_report": Kept(
        "amplification evidence a member of staff submitted, read by the monthly reports; "
        "one row per post reported and person"
    ),
    "account_profile": Kept(
        "each official account's daily follower count, which the analytics read for any "
        "period; one row per account, platform and day (about 22,000 a year for 30 clients)"
    ),
    "link_report_url": Kept("each reported link once (refusing repeats); with link_report"),
    # ---- not growing with time
    "client": Bounded("one row per client"),
    "client_directorate": Bounded("one row per satker and directorate"),
    "directorate_user": Bounded("one row per directorate menu user"),
    "role": Bounded("one row per role"),
    "staff": Bounded("one row per member of staff (leavers are deactivated, not added)"),
    "staff_role": Bounded("roles of the staff"),
    "chat_state": Bounded("one row per chat with an open menu"),
    "job_cursor": Bounded("one row per job"),
    "job_pause": Bounded("one row per paused job"),
    "job_run_tally": Bounded("one row per job and outcome: the settled runs counted"),
    "upstream_host": Bounded("one row per upstream host"),
    "dashboard_account": Bounded("one row per dashboard account"),
    "staff_password": Bounded("one row per member of staff with an app password"),
    "ig_profile": Bounded("one row per Instagram handle looked up, replaced when refreshed"),
    "schema_migration": Bounded("one row per migration"),
    "sim_line": Bounded("simulation only: one row per simulated session"),
    "sim_wa": Bounded("simulation only: the simulated network's messages; empty in production"),
}


# Purged with engagement by compaction, not by a statement of their own.
COMPACTED = frozenset({"engagement", "engagement_mask"})


def purged() -> dict[str, Purged]:
    return {table: rule for table, rule in TABLES.items() if isinstance(rule, Purged)}
