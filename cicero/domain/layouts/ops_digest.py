"""The daily ops digest: what went wrong today, in one WhatsApp message to the admins (in
place of the old system's dozens of admin messages a day).

Failures lead: failed runs, then messages that died or are in doubt, then fire times
missed, then fire times skipped for a reason worth reading (a run still going). The fire
times of switched-off jobs are skipped by design, dozens a day: they are one count per job
at the end, never a list that pushes a real failure out of sight. Each section shows at
most `MAX_LINES` lines and counts the rest.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from cicero.domain.people.phones import mask_phone
from cicero.domain.runtime.schedule import DISABLED
from cicero.domain.text.calendar_id import angka, hari, jam_upload, tgl

MAX_LINES = 30  # per section; the rest is counted
REASON_CHARS = 120


@dataclass(frozen=True)
class RunIssue:
    job: str
    fire_time: datetime
    status: str  # skipped | missed | failed
    reason: str


@dataclass(frozen=True)
class RowIssue:
    job: str
    recipient: str
    status: str  # dead | in_doubt
    error: str


@dataclass(frozen=True)
class UpstreamUse:
    """One upstream host's (platform and key's) requests of the day: sent, and spared by
    engagement fetches left `unchanged` (data.md §3.4)."""

    host: str  # instagram, instagram_fallback, tiktok, tiktok_fallback
    calls: int
    saved: int


@dataclass(frozen=True)
class Digest:
    at: datetime
    runs: tuple[RunIssue, ...]
    rows: tuple[RowIssue, ...]
    upstream: tuple[UpstreamUse, ...] = ()


def _section(title: str, lines: list[str]) -> list[str]:
    if not lines:
        return []
    out = ["", f"*{title}* ({angka(len(lines))})", *lines[:MAX_LINES]]
    if len(lines) > MAX_LINES:
        out.append(f"… dan {angka(len(lines) - MAX_LINES)} lainnya")
    return out


def _run(r: RunIssue) -> str:
    reason = f" ({r.reason[:REASON_CHARS]})" if r.reason else ""
    return f"- {jam_upload(r.fire_time)} {r.job}: {r.status}{reason}"


def _row(r: RowIssue) -> str:
    error = f" ({r.error[:REASON_CHARS]})" if r.error else ""
    return f"- {r.job or '-'} → {mask_phone(r.recipient)}: {r.status}{error}"


def is_disabled(r: RunIssue) -> bool:
    return r.status == "skipped" and r.reason == DISABLED


def render(d: Digest) -> str:
    runs = sorted(d.runs, key=lambda r: (r.fire_time, r.job))
    disabled = Counter(r.job for r in runs if is_disabled(r))
    lines = [f"*Ringkasan Ops Cicero – {hari(d.at)}, {tgl(d.at)}*"]
    lines += _section("Jadwal gagal", [_run(r) for r in runs if r.status == "failed"])
    lines += _section("Pesan gagal / diragukan", [_row(r) for r in d.rows])
    lines += _section("Jadwal terlewat", [_run(r) for r in runs if r.status == "missed"])
    lines += _section(
        "Jadwal dilewati",
        [_run(r) for r in runs if r.status == "skipped" and not is_disabled(r)],
    )
    if disabled:
        total = sum(disabled.values())
        lines += [
            "",
            f"_Jadwal nonaktif: {angka(total)} waktu jadwal dilewati sesuai pengaturan_ ("
            + ", ".join(f"{job} {angka(n)}" for job, n in sorted(disabled.items()))
            + ")",
        ]
    if not [r for r in runs if not is_disabled(r)] and not d.rows:
        lines += ["", "Tidak ada masalah hari ini."]
    if d.upstream:  # RapidAPI quota is what the service costs
        lines += ["", "*Kuota upstream hari ini*"]
        lines += [f"- {u.host}: {angka(u.calls)} permintaan, {angka(u.saved)} dihemat"
                  for u in d.upstream]  # fmt: skip
    return "\n".join(lines)
