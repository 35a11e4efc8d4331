"""The dashboard's Excel exports (api.md §3 `/api/exports/*.xlsx`), as pure `Workbook`s:
the attendance view and the amplification of a scope, the same values the pages show.
Names follow jobs.md §1: `{Prefix}_{CLIENT}_{Hari}_{dd-mm-yyyy}_{hh-mm-ss}.xlsx` (WIB)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any

from cicero.domain.attendance.view import PERIOD_LABEL, AttendanceView
from cicero.domain.layouts.sheets import STATUS_LABEL, Sheet, Workbook, workbook_filename
from cicero.domain.people.usernames import Platform

ATTENDANCE_PREFIX = {Platform.INSTAGRAM: "Absensi_Likes", Platform.TIKTOK: "Absensi_Komentar"}
AMPLIFICATION_PREFIX = {"routine": "Rekap_Amplifikasi", "special": "Rekap_Amplifikasi_Khusus"}
ATTENDANCE_HEAD = ("No", "Satker", "Satfung", "NRP", "Pangkat", "Nama", "Jabatan", "Username",
                   "Jumlah", "Status", "Pengecualian")  # fmt: skip
NO_POSTS = "Tidak ada konten pada periode ini."


def attendance_workbook(v: AttendanceView, at: datetime) -> Workbook:
    """A summary sheet and one row per counted person in recap order (no people when P is empty)."""
    s = v.summary()
    platform = "Instagram (likes)" if v.platform is Platform.INSTAGRAM else "TikTok (komentar)"
    summary_rows: list[tuple[str, str | int]] = [
        ("Client", f"{v.scope_name} ({v.scope})"),
        ("Platform", platform),
        ("Periode", f"{PERIOD_LABEL[v.period]}: {v.range.start.isoformat()} s.d. {v.range.end.isoformat()}"),
        ("Jumlah konten", len(v.posts)),
        ("Batas lengkap (konten)", v.required if v.posts else 0),
        ("Personil", s["total"]),
        ("Sudah", s["sudah"]),
        ("Kurang", s["kurang"]),
        ("Belum", s["belum"]),
        ("Tanpa username", s["tanpa_username"]),
    ]  # fmt: skip
    if not v.posts:
        summary_rows.append(("Keterangan", NO_POSTS))
    if v.data_incomplete:
        summary_rows.append(("Keterangan", "Data belum lengkap: pengambilan data terakhir gagal."))
    rows = tuple(
        (i, g.client_name, g.unit, a.nrp, a.rank, a.name, a.position, a.handle or "-",
         a.count if a.handle else "-", STATUS_LABEL[a.status], "Ya" if a.exception else "")
        for i, (g, a) in enumerate(((g, a) for g in v.groups for a in g.people), start=1)
    )  # fmt: skip
    posts = tuple((i, p.ref.link, p.engaged) for i, p in enumerate(v.posts, start=1))
    return Workbook(
        workbook_filename(ATTENDANCE_PREFIX[v.platform], v.scope, at),
        (
            Sheet("Ringkasan", ("Keterangan", "Nilai"), tuple(summary_rows)),
            Sheet("Absensi", ATTENDANCE_HEAD, rows),
            Sheet("Konten", ("No", "Link", "Personil yang melaksanakan"), posts),
        ),
    )


def amplification_workbook(data: Mapping[str, Any], at: datetime) -> Workbook:
    """The body of `GET /api/amplification` as a workbook: per person, then per post."""
    client = data["client"]["client_id"]
    people = tuple(
        (i, p["unit"], p["nrp"], p["rank"], p["name"], p["posts_done"], p["links"],
         STATUS_LABEL_BY_VALUE[p["status"]])
        for i, p in enumerate(data["people"], start=1)
    )  # fmt: skip
    reports: list[tuple[Any, ...]] = []
    for post in data["posts"]:
        for r in post["reporters"]:
            links: Mapping[str, str] = r["links"]
            reports.append((post["link"], r["nrp"], r["rank"], r["name"], r["unit"],
                            *(links.get(k, "") for k in LINK_KEYS)))  # fmt: skip
    return Workbook(
        workbook_filename(AMPLIFICATION_PREFIX[data["kind"]], client, at),
        (
            Sheet("Per Personil", ("No", "Satfung", "NRP", "Pangkat", "Nama", "Tugas Selesai",
                                   "Jumlah Link", "Status"), people),
            Sheet("Per Konten", ("Konten", "NRP", "Pangkat", "Nama", "Satfung",
                                 *(k.capitalize() for k in LINK_KEYS)), tuple(reports)),
        ),
    )


LINK_KEYS: Sequence[str] = ("instagram", "facebook", "twitter", "tiktok", "youtube")
STATUS_LABEL_BY_VALUE = {s.value: label for s, label in STATUS_LABEL.items()}
