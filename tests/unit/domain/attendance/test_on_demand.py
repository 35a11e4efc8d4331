"""The pure on-demand mapping: every report a menu can ask for has a plan, never a crash."""

from __future__ import annotations

import pytest

from cicero.domain.attendance.on_demand import (
    ACCOUNT_STATUS,
    TT,
    Build,
    Builder,
    Mode,
    NotAvailable,
    keep,
    mode_note,
    plan,
)
from cicero.domain.attendance.rule import Attendance, Person, Status
from cicero.domain.menus import directorate
from cicero.domain.menus.model import BuildReport
from cicero.domain.people.usernames import Platform
from cicero.jobs.directorate_recaps import REPORTS

MENU_KEYS = {o.report for o in directorate.OPTIONS.values() if o.report} | {
    "likes_attendance", "comments_attendance", "amplify_attendance", "amplify_link_recap",
    "wa_registration_attendance", "username_completeness", "account_status",
}  # fmt: skip


@pytest.mark.parametrize("key", sorted(MENU_KEYS))
@pytest.mark.parametrize("is_directorate", [False, True])
def test_every_menu_key_has_a_plan(key: str, is_directorate: bool) -> None:
    p = plan(BuildReport(key, "X", mode="belum"), is_directorate)
    assert isinstance(p, Build | NotAvailable)
    if isinstance(p, Build) and p.builder is Builder.DIRECTORATE:
        assert is_directorate and {p.report, *p.also} <= REPORTS  # only what the jobs can build


def test_operator_attendance_keeps_its_mode_and_platform() -> None:
    assert plan(BuildReport("likes_attendance", "A", "instagram", "sudah"), False) == Build(
        Builder.CLIENT_RECAP, "likes_attendance", "instagram", Mode.SUDAH
    )
    p = plan(BuildReport("comments_attendance", "A", "tiktok", "belum"), False)
    assert isinstance(p, Build) and p.platform == "tiktok" and p.mode is Mode.BELUM
    assert plan(BuildReport("amplify_attendance", "A", None, "semua"), False).builder is Builder.AMPLIFY  # type: ignore[union-attr]  # fmt: skip


def test_directorate_attendance_with_a_mode_says_the_filter_is_not_applied() -> None:
    p = plan(BuildReport("likes_attendance", "DITBINMAS", "instagram", "sudah"), True)
    assert isinstance(p, Build) and p.report == "likes_simple" and p.note
    option_8 = plan(BuildReport("comments_satker_summary", "DITBINMAS", "tiktok"), True)
    assert option_8 == Build(Builder.DIRECTORATE, "comments_satker_summary", Platform.TIKTOK)
    option_7 = plan(BuildReport("likes_satker_summary", "DITBINMAS", "instagram"), True)
    assert option_7 == Build(Builder.DIRECTORATE, "likes_satker_summary", Platform.INSTAGRAM)
    refused = plan(BuildReport("likes_satker_summary", "POLRES_A", "instagram"), False)
    assert refused == NotAvailable("ℹ️ Laporan ini hanya untuk client direktorat.")


def test_registration_reports_build_on_any_scope_for_today_only() -> None:
    for key in ("staff_completeness", "staff_missing_handles", "username_completeness",
                "wa_registration_attendance"):  # fmt: skip
        for is_directorate in (False, True):
            assert plan(BuildReport(key, "X"), is_directorate) == Build(Builder.STAFF_DATA, key)
    assert isinstance(
        plan(BuildReport("staff_completeness", "X", period="weekly"), True), NotAvailable
    )


def test_link_recap_keeps_its_day_and_the_task_message_is_its_own_builder() -> None:
    for period in ("today", "yesterday"):
        p = plan(BuildReport("amplify_link_recap", "A", period=period), False)
        assert isinstance(p, Build) and p.builder is Builder.LINK_RECAP and p.period == period
    assert plan(BuildReport("amplify_link_recap", "A"), True).period == "today"  # type: ignore[union-attr]
    assert plan(BuildReport("task_message", "D"), True) == Build(
        Builder.TASK_MESSAGE, "task_message"
    )


def test_daily_reports_are_the_full_recap_then_its_workbook() -> None:
    ig = plan(BuildReport("daily_report_instagram", "D", "instagram"), True)
    assert ig == Build(
        Builder.DIRECTORATE, "likes_full", "instagram", also=("likes_per_content_xlsx",)
    )
    tt = plan(BuildReport("daily_report_tiktok", "D", "tiktok"), True)
    assert isinstance(tt, Build) and tt.also == ("comments_per_content_xlsx",)
    today = plan(BuildReport("comments_today_xlsx", "D", "tiktok"), True)
    assert isinstance(today, Build) and today.report == "comments_per_content_xlsx"
    assert (
        "hanya untuk client direktorat" in plan(BuildReport("daily_report_tiktok", "A"), False).text
    )  # type: ignore[union-attr]


def test_per_content_keeps_its_mode_on_any_scope() -> None:
    for is_directorate in (False, True):
        p = plan(BuildReport("comments_per_content", "X", "tiktok", "sudah"), is_directorate)
        assert p == Build(Builder.PER_CONTENT, "comments_per_content", "tiktok", Mode.SUDAH)


def test_dashboard_attendance_on_a_directorate_is_the_short_recap() -> None:
    p = plan(BuildReport("comments_attendance", "D", "tiktok", "semua"), True)
    assert isinstance(p, Build) and p.report == "comments_simple" and p.note is None


def test_unknown_keys_and_periods_are_not_available() -> None:
    assert "*nope* belum tersedia" in plan(BuildReport("nope", "A"), False).text  # type: ignore[union-attr]
    assert plan(BuildReport("account_status", "A", nrp="1"), False) == NotAvailable(ACCOUNT_STATUS)
    ranking = plan(BuildReport("engagement_ranking_xlsx", "D", period="week"), True)
    assert isinstance(ranking, NotAvailable) and "Periode *Minggu ini*" in ranking.text
    monthly = plan(BuildReport("likes_full", "D", "instagram", period="monthly"), True)
    assert isinstance(monthly, NotAvailable) and "Bulanan" in monthly.text
    assert isinstance(plan(BuildReport("likes_simple", "POLRES"), False), NotAvailable)


def _a(nrp: str, status: Status) -> Attendance:
    return Attendance(Person(nrp, "C", nrp, "BRIPDA", "SAT"), "h", (), 2, status)


def test_keep_filters_by_mode() -> None:
    people = [_a("1", Status.SUDAH), _a("2", Status.KURANG), _a("3", Status.BELUM),
              _a("4", Status.TANPA_USERNAME)]  # fmt: skip
    assert [a.person.nrp for a in keep(Mode.SUDAH, people)] == ["1"]
    assert [a.person.nrp for a in keep(Mode.BELUM, people)] == ["2", "3", "4"]
    assert len(keep(Mode.SEMUA, people)) == 4
    assert mode_note(Mode.SEMUA, 4, 4) is None
    assert (
        mode_note(Mode.BELUM, 3, 4)
        == "🔎 Mode: *Belum melaksanakan lengkap* (3 dari 4 user ditampilkan)."
    )


@pytest.mark.parametrize(
    ("number", "target"),
    [(22, "engagement_ranking_xlsx"), (30, "kasatker_report"), (34, "kasat_binmas_likes"),
     (35, "kasat_binmas_comments")],
)  # fmt: skip
def test_every_period_the_menu_offers_is_built(number: int, target: str) -> None:
    opt = directorate.OPTIONS[number]
    assert opt.report is not None
    for key, _ in opt.periods:
        p = plan(BuildReport(opt.report, "D", opt.platform, period=key), True)
        assert isinstance(p, Build) and p.builder is Builder.DIRECTORATE and p.report == target
        # today's is the scheduled report itself; other periods travel with the plan
        assert p.period == (None if key in ("today", "daily") else key)


def test_today_on_a_period_report_is_the_scheduled_report() -> None:
    assert plan(BuildReport("kasatker_report", "D", period="today"), True) == Build(
        Builder.DIRECTORATE, "kasatker_report"
    )
    weekly = plan(BuildReport("kasat_binmas_comments", "D", "tiktok", period="weekly"), True)
    assert weekly == Build(Builder.DIRECTORATE, "kasat_binmas_comments", TT, period="weekly")


def test_an_admins_accumulated_tiktok_recap_of_a_client_is_the_analytics() -> None:
    """`absensikomentar#C#akumulasi` and clientrequest 2.2 ask with `cumulative`: V2 answered
    them with its "Rekap Analitik"; the operator's own request stays the §3.3 recap."""
    asked = BuildReport("comments_attendance", "A", "tiktok", "belum", cumulative=True)
    assert plan(asked, False) == Build(Builder.TIKTOK_ANALYTICS, "comments_attendance", TT,
                                       Mode.BELUM)  # fmt: skip
    operator = BuildReport("comments_attendance", "A", "tiktok", "belum")
    assert plan(operator, False).builder is Builder.CLIENT_RECAP  # type: ignore[union-attr]
    likes = BuildReport("likes_attendance", "A", "instagram", cumulative=True)
    assert plan(likes, False).builder is Builder.CLIENT_RECAP  # type: ignore[union-attr]
    on_directorate = plan(BuildReport("comments_attendance", "D", "tiktok", cumulative=True), True)
    assert on_directorate.report == "comments_simple"  # type: ignore[union-attr]
