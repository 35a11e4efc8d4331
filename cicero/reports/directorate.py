"""A directorate's reports (jobs.md §2.2 keys) built from the database: texts and Excel files
for its scope, each logged in recap_log per platform it counts; an Excel build failure sends
a notice instead. The scheduled directorate jobs (cicero.jobs.directorate_recap) and the
menus' on-demand reports (cicero.reports.on_demand) both build them here.

`kasatker_report` reads `kasatker_header` (lines), `kasatker_invite_link`, `kasatker_aktif`
and `kasatker_sedang` (ratios; jobs.md §4: 0.9 and 0.5) from the job's params.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from fractions import Fraction
from functools import partial
from typing import Any

import asyncpg

from cicero.db.attendance import ScopePost, scope_attendance, scope_posts
from cicero.db.compaction import compacted_done
from cicero.db.recaps import (
    ClientRow,
    RecapEntry,
    directorate_satkers,
)
from cicero.domain.attendance.daily_progress import progress, satker_scores
from cicero.domain.attendance.rule import Attendance, Ratio, exact_ratio
from cicero.domain.delivery.outbox import MessageKind
from cicero.domain.layouts import (
    daily_engagement,
    directorate_full,
    directorate_simple,
    engagement_files,
    kasat_binmas,
    kasatker_report,
    satker_summary,
    sheets,
)
from cicero.domain.layouts.directorate_recap import DirectorateRecap
from cicero.domain.people.usernames import Platform
from cicero.reports.batch import Attachment, Batch
from cicero.reports.xlsx import WorkbookError, attachment

IG, TT = Platform.INSTAGRAM, Platform.TIKTOK
# jobs.md §4 table: the TikTok full recap and both per-satker summaries count half the posts.
DEFAULT_RATIO: dict[str, Ratio] = {
    "comments_full": Fraction(1, 2),
    "likes_satker_summary": satker_summary.HALF,
    "comments_satker_summary": satker_summary.HALF,
}
EXCEL_SENT = "✅ File Excel dikirim."


@dataclass(frozen=True)
class Text:
    body: str


@dataclass(frozen=True)
class File:
    build: Callable[[], sheets.Workbook | engagement_files.TextFile]
    caption: str = ""  # the text sent after the file; none when empty


Output = Text | File


@dataclass
class DirectorateReports:
    """Builds the §2.2 reports of one directorate for WIB day `day`, counted up to `now`; shared
    by the scheduled jobs and the on-demand menu reports (`cicero.reports.on_demand`).
    A menu's period counts the posts of days `day`..`until` together, named by `period`."""

    conn: asyncpg.Connection
    d: ClientRow
    names: dict[str, str]
    ratios: dict[str, Ratio]
    day: date
    now: datetime
    letter: kasatker_report.Letter = field(default_factory=kasatker_report.Letter)
    until: date | None = None
    period: str = ""  # the period in words for the layouts' headers; "" is the one day
    period_key: str | None = None  # the menu's period (periods.py keys); None is the one day
    entries: list[RecapEntry] = field(default_factory=list)
    _cache: dict[tuple[Platform, Fraction], tuple[list[ScopePost], list[Attendance]]] = field(
        default_factory=dict
    )

    async def data(
        self, platform: Platform, report: str
    ) -> tuple[list[ScopePost], list[Attendance]]:
        ratio = self.ratios.get(report, DEFAULT_RATIO.get(report, 1))
        key = (platform, exact_ratio(ratio))
        if key not in self._cache:
            posts = await scope_posts(
                self.conn, self.d.client_id, platform, self.day, self.now, True, until=self.until
            )
            # Days of the period whose engagement was compacted count from attendance_day.
            earlier = await compacted_done(
                self.conn, self.d.client_id, platform, self.day, self.until or self.day
            )
            people = await scope_attendance(
                self.conn, self.d.client_id, platform, [p.id for p in posts], self.now, True, ratio,
                earlier=earlier,
            )  # fmt: skip
            self._cache[key] = posts, people if posts else []
        return self._cache[key]

    def log(
        self, report: str, platform: Platform, posts: list[ScopePost], people: Iterable[Attendance]
    ) -> None:
        self.entries.append(
            RecapEntry(report, self.d.client_id, str(platform),
                       tuple(p.ref.external_id for p in posts), tuple(people))
        )  # fmt: skip

    async def report(self, key: str) -> list[Output]:
        platform = IG if key.startswith("likes") or key.endswith("likes") else TT
        ratio = self.ratios.get(key, DEFAULT_RATIO.get(key, 1))
        if key in ("likes_simple", "comments_simple", "likes_full", "comments_full"):
            posts, people = await self.data(platform, key)
            self.log(key, platform, posts, people)
            recap = self._recap(platform, posts, people, ratio)
            layout = directorate_simple if key.endswith("simple") else directorate_full
            return [Text(layout.render(recap))]
        if key in ("likes_satker_summary", "comments_satker_summary"):
            posts, people = await self.data(platform, key)
            self.log(key, platform, posts, people)
            summary = satker_summary.SatkerSummary(
                self.d.client_id, self.d.name, platform, self.now, tuple(p.ref for p in posts),
                tuple(people), tuple(await directorate_satkers(self.conn, self.d.client_id)),
                self.names, ratio,
            )  # fmt: skip
            return [Text(satker_summary.render(summary))]
        if key in ("likes_per_content_xlsx", "comments_per_content_xlsx"):
            posts, people = await self.data(platform, key)
            self.log(key, platform, posts, people)
            return [self._per_content(platform, posts, people)] if posts else []
        if key in ("kasat_binmas_likes", "kasat_binmas_comments"):
            posts, people = await self.data(platform, key)
            kasat = kasat_binmas.KasatBinmasRecap(
                self.d.client_id, self.d.name, platform, self.now,
                tuple(p.ref for p in posts), tuple(people),
                tuple(await directorate_satkers(self.conn, self.d.client_id)), self.names,
                self.period_key,
            )  # fmt: skip
            self.log(key, platform, posts, kasat.kasat())
            return [Text(kasat_binmas.render(kasat))]
        if key == "daily_engagement":
            return await self._daily()
        if key == "engagement_ranking_xlsx":
            return await self._ranking()
        if key == "kasatker_report":
            return await self._kasatker()
        raise ValueError(f"unknown report {key!r}")  # config is checked against REPORTS

    def _per_content(
        self, platform: Platform, posts: list[ScopePost], people: Iterable[Attendance]
    ) -> File:
        prefix = "Rekap_Likes_Per_Konten" if platform is IG else "Rekap_Komentar_Per_Konten"
        refs = [(p.id, p.ref) for p in posts]

        def build() -> sheets.Workbook:
            return sheets.per_content_workbook(
                prefix, self.d.client_id, self.now, refs, people, self.names, self.d.client_id
            )

        return File(build, EXCEL_SENT)

    async def _daily(self) -> list[Output]:
        ig_posts, ig = await self.data(IG, "daily_engagement")
        tt_posts, tt = await self.data(TT, "daily_engagement")
        self.log("daily_engagement", IG, ig_posts, ig)
        self.log("daily_engagement", TT, tt_posts, tt)
        report = daily_engagement.DailyEngagement(
            name=self.d.name, at=self.now,
            instagram_posts=tuple(p.ref for p in ig_posts),
            tiktok_posts=tuple(p.ref for p in tt_posts),
            instagram_ranking=satker_scores(ig, self.names, self.d.client_id),
            tiktok_ranking=satker_scores(tt, self.names, self.d.client_id) if tt_posts else (),
            progress=progress(ig, len(ig_posts), tt, len(tt_posts)),
        )  # fmt: skip
        out: list[Output] = [Text(daily_engagement.render(report))]
        counted = [(IG, ig_posts, ig), (TT, tt_posts, tt)]
        for platform, posts, people in counted:
            if posts:  # jobs.md §3.6: per platform an all-users and a not-yet-done .txt
                recap = self._recap(platform, posts, people, self.ratios.get("daily_engagement", 1))
                out += [
                    File(partial(engagement_files.all_users, recap)),
                    File(partial(engagement_files.not_yet_done, recap)),
                ]
        out += [self._per_content(p, posts, people) for p, posts, people in counted if posts]
        return out

    def _recap(
        self, platform: Platform, posts: list[ScopePost], people: list[Attendance], ratio: Ratio
    ) -> DirectorateRecap:
        return DirectorateRecap(
            directorate=self.d.client_id, name=self.d.name, platform=platform,
            at=self.now, posts=tuple(p.ref for p in posts), people=tuple(people),
            client_names=self.names, done_ratio=ratio,
        )  # fmt: skip

    async def _kasatker(self) -> list[Output]:
        counted = []
        for platform in (IG, TT):
            posts, people = await self.data(platform, "kasatker_report")
            self.log("kasatker_report", platform, posts, people)
            if posts:
                counted.append((platform, people))
        satkers = await directorate_satkers(self.conn, self.d.client_id)
        report = kasatker_report.KasatkerReport(
            self.d.name, self.now, tuple(p for p, _ in counted),
            kasatker_report.compliance([people for _, people in counted], satkers, self.names,
                                       self.d.client_id),
            self.letter, self.period,
        )  # fmt: skip
        return [Text(kasatker_report.render(report))]

    async def _ranking(self) -> list[Output]:
        ig_posts, ig = await self.data(IG, "engagement_ranking_xlsx")
        tt_posts, tt = await self.data(TT, "engagement_ranking_xlsx")
        self.log("engagement_ranking_xlsx", IG, ig_posts, ig)
        self.log("engagement_ranking_xlsx", TT, tt_posts, tt)
        if not ig_posts and not tt_posts:
            return []

        def build() -> sheets.Workbook:
            return sheets.ranking_workbook(
                "Rekap_Ranking_Engagement", self.d.client_id, self.now,
                [("Instagram", ig), ("TikTok", tt)], self.names, self.d.client_id,
            )  # fmt: skip

        caption = f"✅ File Excel rekap ranking engagement ({self.d.name}) dikirim."
        return [File(build, f"{caption}\nPeriode: {self.period}" if self.period else caption)]


REPORTS = frozenset(
    {
        "likes_simple", "comments_simple", "likes_full", "comments_full",
        "likes_satker_summary", "comments_satker_summary", "likes_per_content_xlsx",
        "comments_per_content_xlsx", "kasat_binmas_likes", "kasat_binmas_comments",
        "daily_engagement", "engagement_ranking_xlsx", "kasatker_report",
    }
)  # fmt: skip


def build_files(outputs: list[Output]) -> tuple[dict[int, Attachment | str], list[str]]:
    """Each `File` output built into an attachment (by output index), or its build error."""
    files: dict[int, Attachment | str] = {}
    for i, o in enumerate(outputs):
        if isinstance(o, File):
            built = o.build()
            if isinstance(built, engagement_files.TextFile):
                data = built.text.encode("utf-8")
                files[i] = Attachment(built.filename, data, engagement_files.TEXT_MIME)
                continue
            try:
                files[i] = attachment(built)
            except WorkbookError as err:
                files[i] = str(err)
    return files, [f for f in files.values() if isinstance(f, str)]


def add_outputs(
    batch: Batch,
    to: str,
    outputs: list[Output],
    files: dict[int, Attachment | str],
    kind: MessageKind | str,
) -> None:
    """The outputs in order for one recipient: a file is followed by its caption text."""
    for i, o in enumerate(outputs):
        if isinstance(o, Text):
            batch.text(to, o.body, kind)
        elif isinstance(built := files[i], Attachment):
            batch.file(to, built, kind)
            if o.caption:
                batch.text(to, o.caption, kind)
        else:
            batch.text(to, "⚠️ File Excel gagal dibuat; rekap teks tetap dikirim.", kind)


def kasatker_letter(job: str, params: dict[str, Any]) -> kasatker_report.Letter:
    """The kasatker letter's config parts; a bad value fails the run naming its key."""
    key = f"jobs.{job}.params"
    header = params.get("kasatker_header", [])
    if not isinstance(header, list) or not all(isinstance(line, str) for line in header):
        raise ValueError(f"{key}.kasatker_header: give a list of text lines")
    link = params.get("kasatker_invite_link", "")
    if not isinstance(link, str):
        raise ValueError(f"{key}.kasatker_invite_link: give a text")
    try:
        default = kasatker_report.Thresholds()
        aktif = exact_ratio(params.get("kasatker_aktif", default.aktif))
        sedang = exact_ratio(params.get("kasatker_sedang", default.sedang))
        thresholds = kasatker_report.Thresholds(aktif, sedang)
    except (ValueError, TypeError) as err:
        raise ValueError(f"{key}.kasatker_aktif/kasatker_sedang: {err}") from None
    return kasatker_report.Letter(tuple(header), link, thresholds)
