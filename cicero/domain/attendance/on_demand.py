"""On-demand reports: what a menu's `BuildReport` / `TriggerFetch` turns into (menus.md §3.1-3.2,
jobs.md §2.2-§3). Pure; the database side is `cicero.conversations.reports`.

A report key maps to one of the scheduled recaps' builders (same query, same layout), with the
menu's mode (semua / sudah / belum) as a filter on the counted people. A key without a builder
yet gets a plain Indonesian "belum tersedia" text, never a made-up report; so does a period
a report cannot honour. Reports 22, 30 and 34/35 count the posts of a period together
(`cicero.domain.attendance.periods`); the others are today's.

Fetches asked from a menu run now, through `cicero.domain.ingestion.manual_fetch`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import TypeVar

from cicero.domain.attendance import periods
from cicero.domain.attendance.rule import Attendance, Status
from cicero.domain.menus.model import BuildReport
from cicero.domain.people.usernames import Platform

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK


class Builder(StrEnum):
    CLIENT_RECAP = "client_recap"  # jobs.md §3.2 / §3.3, an ORG client's operators
    DIRECTORATE = "directorate"  # a jobs.md §2.2 report of a directorate (text and files)
    AMPLIFY = "amplify"  # jobs.md §3.8
    STAFF_DATA = "staff_data"  # registrations of the scope's staff (layouts.staff_data)
    LINK_RECAP = "link_recap"  # links reported for one day's posts (layouts.link_recap)
    TASK_MESSAGE = "task_message"  # jobs.md §3.1 for the scope, [BARU] against the last broadcast
    PER_CONTENT = "per_content"  # who did and did not engage, post by post (layouts.per_content)
    TIKTOK_ANALYTICS = "tiktok_analytics"  # an admin's accumulated TikTok recap of a client


class Mode(StrEnum):
    SEMUA = "semua"
    SUDAH = "sudah"
    BELUM = "belum"


# sudah = done in full (the layouts' "lengkap"); belum = everyone else, the partial ones too.
MODE_STATUSES: dict[Mode, frozenset[Status]] = {
    Mode.SUDAH: frozenset({Status.SUDAH}),
    Mode.BELUM: frozenset({Status.KURANG, Status.BELUM, Status.TANPA_USERNAME}),
}
MODE_LABEL = {Mode.SUDAH: "Sudah melaksanakan lengkap", Mode.BELUM: "Belum melaksanakan lengkap"}


@dataclass(frozen=True)
class Build:
    builder: Builder
    report: str  # for DIRECTORATE: the jobs.md §2.2 key to build; else the requested key
    platform: Platform | None = None
    mode: Mode = Mode.SEMUA
    note: str | None = None  # a line sent after the report (a request we could only partly meet)
    period: str | None = None  # LINK_RECAP: today / yesterday; DIRECTORATE: a periods.py key
    also: tuple[str, ...] = ()  # DIRECTORATE: further §2.2 keys sent after `report`


@dataclass(frozen=True)
class NotAvailable:
    text: str


Plan = Build | NotAvailable

# Directorate reports of jobs.md §2.2 built on demand as the scheduled jobs build them,
# with the periods they can honour (None: the menu asked for none, i.e. today).
_RANKING_PERIODS = frozenset({None, "today", "yesterday", "this_week", "last_week", "this_month",
                              "last_month"})  # fmt: skip
DIRECTORATE_REPORTS: dict[str, frozenset[str | None]] = {
    "likes_simple": frozenset({None, "today"}),
    "comments_simple": frozenset({None, "today"}),
    "likes_full": frozenset({None, "today"}),
    "comments_full": frozenset({None, "today"}),
    "likes_satker_summary": frozenset({None, "today"}),
    "comments_satker_summary": frozenset({None, "today"}),
    "likes_per_content_xlsx": frozenset({None, "today"}),
    "comments_per_content_xlsx": frozenset({None, "today"}),
    "daily_engagement": frozenset({None, "today"}),
    "engagement_ranking_xlsx": _RANKING_PERIODS,
    "kasat_binmas_likes": frozenset({None, "daily", "weekly", "monthly"}),
    "kasat_binmas_comments": frozenset({None, "daily", "weekly", "monthly"}),
    "kasatker_report": frozenset({None, "today", "week", "month", "all"}),
}
# Directorate menu items that are another name for one of them. menus.md §3.2: 19/20 ("today's
# likes / comments, Excel") are the per-content workbooks of today (28/29). (7 and 8, attendance
# of everyone, are the per-satker summaries `likes_satker_summary` / `comments_satker_summary`.)
DIRECTORATE_ALIASES = {
    "likes_today_xlsx": "likes_per_content_xlsx",
    "comments_today_xlsx": "comments_per_content_xlsx",
}
# 17/18, the daily report of one platform, "text + files": the full recap, then its workbook.
DIRECTORATE_COMPOSITES = {
    "daily_report_instagram": ("likes_full", "likes_per_content_xlsx"),
    "daily_report_tiktok": ("comments_full", "comments_per_content_xlsx"),
}
# Attendance asked on a directorate's scope (admin `absensilikes#DITBINMAS`, dashboard menu).
DIRECTORATE_ATTENDANCE = {
    "likes_attendance": "likes_simple",
    "comments_attendance": "comments_simple",
}
CLIENT_ATTENDANCE = {"likes_attendance": IG, "comments_attendance": TT}
PER_CONTENT = {"likes_per_content": IG, "comments_per_content": TT}  # any scope, with a mode

PERIOD_LABEL = {
    "yesterday": "Kemarin",
    "this_week": "Minggu ini",
    "last_week": "Minggu lalu",
    "this_month": "Bulan ini",
    "last_month": "Bulan lalu",
    "week": "Minggu ini",
    "month": "Bulan ini",
    "all": "Semua",
    "weekly": "Mingguan",
    "monthly": "Bulanan",
}

# Staff registrations, on any scope (a polres per satfung, a directorate per satker).
STAFF_DATA = frozenset(
    {"staff_completeness", "staff_missing_handles", "username_completeness",
     "wa_registration_attendance"}
)  # fmt: skip
LINK_PERIODS = frozenset({None, "today", "yesterday"})

# Items whose builder does not exist yet, by what the person asked for.
NOT_BUILT: dict[str, str] = {}
ACCOUNT_STATUS = (
    "📱 *Status Akun Sosial Media*\n"
    "Metrik akun (jumlah post, followers, following) belum tersedia: Cicero belum mengambil "
    "data profil akun personil. Periksa akun secara langsung di aplikasi."
)


def not_available(what: str) -> str:
    return (
        f"ℹ️ Laporan *{what}* belum tersedia di Cicero versi ini. "
        "Silakan pilih laporan lain atau hubungi admin."
    )


def plan(req: BuildReport, directorate: bool) -> Plan:
    """What to build for `req` on a scope that is (or is not) a directorate."""
    key, mode = req.report_key, _mode(req.mode)
    if key == "account_status":
        return NotAvailable(ACCOUNT_STATUS)
    if key in NOT_BUILT:
        return NotAvailable(not_available(NOT_BUILT[key]))
    if key in STAFF_DATA:
        return _today_only(req) or Build(Builder.STAFF_DATA, key)
    if key == "amplify_link_recap":
        if req.period not in LINK_PERIODS:
            return _period_refused(req.period)
        return Build(Builder.LINK_RECAP, key, IG, period=req.period or "today")
    if key in PER_CONTENT:
        return _today_only(req) or Build(Builder.PER_CONTENT, key, PER_CONTENT[key], mode)
    if key == "task_message":
        return _today_only(req) or Build(Builder.TASK_MESSAGE, key)
    if key == "amplify_attendance":
        if directorate:
            return NotAvailable(not_available("Absensi amplifikasi direktorat"))
        return Build(Builder.AMPLIFY, key, IG, mode)
    if key == "comments_attendance" and req.cumulative and not directorate:
        # `absensikomentar#C#akumulasi` and clientrequest 2.2: the previous system's "Rekap
        # Analitik" (its operators' own menu got the §3.3 recap, as here).
        return Build(Builder.TIKTOK_ANALYTICS, key, TT, mode)
    if key in CLIENT_ATTENDANCE and not directorate:
        return Build(Builder.CLIENT_RECAP, key, CLIENT_ATTENDANCE[key], mode)
    known = DIRECTORATE_REPORTS.keys() | DIRECTORATE_ALIASES.keys() | DIRECTORATE_COMPOSITES.keys()
    if not directorate:
        return NotAvailable(not_available(key) if key not in known else
                            "ℹ️ Laporan ini hanya untuk client direktorat.")  # fmt: skip
    note = None
    if key in DIRECTORATE_ATTENDANCE:
        target = DIRECTORATE_ATTENDANCE[key]
        if mode is not Mode.SEMUA:  # an admin command's sudah/belum
            note = (
                "ℹ️ Filter sudah/belum belum didukung untuk rekap direktorat; dikirim rekap lengkap."
            )
    else:
        target = DIRECTORATE_ALIASES.get(key, key)
    target, *also = DIRECTORATE_COMPOSITES.get(target, (target,))
    honoured = DIRECTORATE_REPORTS.get(target)
    if honoured is None:
        return NotAvailable(not_available(key))
    if req.period not in honoured:
        return _period_refused(req.period)
    period = None if req.period in periods.TODAY else req.period  # None: today, as scheduled
    return Build(
        Builder.DIRECTORATE, target, _platform(target), Mode.SEMUA, note, period, tuple(also)
    )


def _platform(report: str) -> Platform | None:
    if report.startswith("likes") or report.endswith("likes"):
        return IG
    if report.startswith("comments") or report.endswith("comments"):
        return TT
    return None


def _period_refused(period: str | None) -> NotAvailable:
    label = PERIOD_LABEL.get(period or "", period)
    return NotAvailable(
        f"ℹ️ Periode *{label}* belum tersedia untuk laporan ini; saat ini hanya data hari ini."
    )


def _today_only(req: BuildReport) -> NotAvailable | None:
    return None if req.period in (None, "today") else _period_refused(req.period)


def _mode(value: str | None) -> Mode:
    try:
        return Mode(value or "semua")
    except ValueError:
        return Mode.SEMUA


T = TypeVar("T")


def keep(mode: Mode, people: Iterable[T]) -> tuple[T, ...]:
    """The people the mode shows; `people` are `Attendance` or carry one as `.attendance`."""
    wanted = MODE_STATUSES.get(mode)
    items = tuple(people)
    if wanted is None:
        return items
    return tuple(p for p in items if _status(p) in wanted)


def _status(p: object) -> Status:
    a = p if isinstance(p, Attendance) else getattr(p, "attendance")  # noqa: B009
    return a.status


def mode_note(mode: Mode, shown: int, total: int) -> str | None:
    """The line under a filtered recap: which filter, and how many of how many."""
    if mode is Mode.SEMUA:
        return None
    return f"🔎 Mode: *{MODE_LABEL[mode]}* ({shown} dari {total} user ditampilkan)."
