"""The daily ops digest (jobs.md §2, §5.8): what went wrong today, in one message to admins."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from cicero.domain.people.phones import mask_phone
from cicero.domain.text.calendar_id import angka, hari, jam_upload, tgl

MAX_LINES = 30  # per section; the rest is counted


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
    out = ["", f"*{title}* ({angka(len(lines))})"]
    out += lines[:MAX_LINES] or ["-"]
    if len(lines) > MAX_LINES:
        out.append(f"… dan {angka(len(lines) - MAX_LINES)} lainnya")
    return out


def render(d: Digest) -> str:
    lines = [f"*Ringkasan Ops Cicero – {hari(d.at)}, {tgl(d.at)}*"]
    lines += _section(
        "Jadwal tidak berjalan / gagal",
        [f"- {jam_upload(r.fire_time)} {r.job}: {r.status}"
         + (f" ({r.reason[:120]})" if r.reason else "") for r in d.runs],
    )  # fmt: skip
    lines += _section(
        "Pesan gagal / diragukan",
        [f"- {r.job or '-'} → {mask_phone(r.recipient)}: {r.status}"
         + (f" ({r.error[:120]})" if r.error else "") for r in d.rows],
    )  # fmt: skip
    if not d.runs and not d.rows:
        lines += ["", "Tidak ada masalah hari ini."]
    if d.upstream:  # RapidAPI quota is what the service costs
        lines += ["", "*Kuota upstream hari ini*"]
        lines += [f"- {u.host}: {angka(u.calls)} permintaan, {angka(u.saved)} dihemat"
                  for u in d.upstream]  # fmt: skip
    return "\n".join(lines)
