"""The ops digest leads with failures and counts the switched-off jobs' fire times.

A day of the default schedule skips 78 fire times of disabled jobs; listed first by time
and cut at 30 lines, they hid a failure later in the day."""

from __future__ import annotations

from datetime import datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from cicero.domain.layouts.ops_digest import MAX_LINES, Digest, RowIssue, RunIssue, render
from cicero.domain.timezone import WIB

DAY = datetime(2026, 11, 24, tzinfo=WIB)
AT = DAY.replace(hour=23, minute=45)


def disabled_day() -> list[RunIssue]:
    runs = [RunIssue("dashboard_subscription_expiry", DAY + timedelta(minutes=30 * i), "skipped",
                     "disabled") for i in range(48)]  # fmt: skip
    runs += [RunIssue("dashboard_premium_request_expiry", DAY + timedelta(hours=i, minutes=20),
                      "skipped", "disabled") for i in range(24)]  # fmt: skip
    runs += [RunIssue("ditbinmas_data_recap", DAY.replace(hour=h), "skipped", "disabled")
             for h in (8, 12, 16)]  # fmt: skip
    runs += [RunIssue(job, DAY.replace(hour=23, minute=m), "skipped", "disabled")
             for job, m in (("satbinmas_media_recap", 5), ("ditbinmas_full_recap", 24),
                            ("premium_expiry", 0))]  # fmt: skip
    return runs


def test_a_late_failure_leads_and_the_78_disabled_fire_times_are_one_line() -> None:
    late = RunIssue("ditbinmas_leader_recap", DAY.replace(hour=18, minute=20), "failed",
                    "worker crashed")  # fmt: skip
    dead = RowIssue("org_engagement_recap", "6281200000002", "dead", "not on WhatsApp")
    text = render(Digest(AT, (*disabled_day(), late), (dead,)))
    lines = text.splitlines()
    assert len(disabled_day()) == 78 and len(lines) < 15, text
    assert lines[2:4] == [
        "*Jadwal gagal* (1)",
        "- 18:20 ditbinmas_leader_recap: failed (worker crashed)",
    ]
    assert lines[5:7] == [
        "*Pesan gagal / diragukan* (1)",
        "- org_engagement_recap → 62*******0002: dead (not on WhatsApp)",
    ]
    assert lines[-1] == (
        "_Jadwal nonaktif: 78 waktu jadwal dilewati sesuai pengaturan_ (dashboard_premium_request_expiry"
        " 24, dashboard_subscription_expiry 48, ditbinmas_data_recap 3, ditbinmas_full_recap 1,"
        " premium_expiry 1, satbinmas_media_recap 1)"
    )
    assert "Tidak ada masalah" not in text


def test_missed_and_overlap_skips_follow_the_failures() -> None:
    runs = (
        RunIssue("amplify_recap", DAY.replace(hour=15, minute=5), "missed", "outside grace"),
        RunIssue("ingest_social", DAY.replace(hour=9), "skipped", "still running"),
        RunIssue("ingest_social", DAY.replace(hour=22), "failed", "instagram: 500"),
    )
    titles = [line for line in render(Digest(AT, runs, ())).splitlines() if line.startswith("*J")]
    assert titles == ["*Jadwal gagal* (1)", "*Jadwal terlewat* (1)", "*Jadwal dilewati* (1)"]


def test_only_disabled_fire_times_is_a_day_without_problems() -> None:
    text = render(Digest(AT, tuple(disabled_day()), ()))
    assert text.endswith("Tidak ada masalah hari ini.") and "Jadwal gagal" not in text


statuses = st.sampled_from(["failed", "missed", "skipped"])
issues = st.builds(
    RunIssue,
    job=st.sampled_from(["a", "b", "c"]),
    fire_time=st.integers(0, 24 * 60 - 1).map(lambda m: DAY + timedelta(minutes=m)),
    status=statuses,
    reason=st.sampled_from(["disabled", "boom", ""]),
)


@given(st.lists(issues, max_size=200))
def test_every_failure_shows_while_the_failures_fit_a_section(runs: list[RunIssue]) -> None:
    text = render(Digest(AT, tuple(runs), ()))
    failed = [r for r in runs if r.status == "failed"]
    if len(failed) <= MAX_LINES:
        for r in failed:
            assert f"{r.job}: failed" in text
    assert len(text.splitlines()) <= 4 * (MAX_LINES + 3) + 4
