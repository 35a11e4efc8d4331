"""Complaints (menus.md §5): detection, parsing, issue types and their automatic answers."""

import re
import string
from dataclasses import dataclass
from enum import StrEnum

from cicero.domain.menus.model import ComplaintData
from cicero.domain.people.usernames import Invalid, Platform, parse_username

_HEADER = re.compile(
    r"^((rincian|detail|uraian|keterangan|deskripsi)\s+)?kendala"
    r"(\s+(yang\s+(dihadapi|dialami)|berikut))?\s*[:：]?\s*$",
    re.IGNORECASE,
)
_MARKER = re.compile(r"^(?:[•●*\-–—]+|\d{1,2}[).])\s*")
_KV = re.compile(r"^([^:：]{1,40})[:：]\s*(.*)$")
_KEYS = {
    "nrp": "nrp", "nip": "nrp", "nrp/nip": "nrp", "nama": "nama", "polres": "polres",
    "username ig": "instagram", "username instagram": "instagram", "instagram": "instagram",
    "ig": "instagram", "username tiktok": "tiktok", "tiktok": "tiktok",
}  # fmt: skip


MAX_ISSUES, MAX_ISSUE_CHARS = 20, 500  # a pasted essay is still one short summary


@dataclass(frozen=True)
class Complaint:
    nrp: str | None
    name: str | None
    polres: str | None
    instagram: str | None  # canonical, or None when absent/invalid
    tiktok: str | None
    issues: tuple[str, ...]


def _lines(text: str) -> list[str]:
    return [_MARKER.sub("", ln.strip()).strip() for ln in text.splitlines() if ln.strip()]


def is_complaint(text: str) -> bool:
    lines = _lines(text)
    start = next((i for i, ln in enumerate(lines) if ln.lower().startswith("pesan komplain")), None)
    if start is None:
        return False
    return any(_HEADER.match(ln) for ln in lines[start + 1 :])


def parse(text: str) -> Complaint:
    kv: dict[str, str] = {}
    issues: list[str] = []
    in_issues = False
    for ln in _lines(text):
        if ln.lower().startswith("pesan komplain"):
            continue
        if _HEADER.match(ln):
            in_issues = True
            continue
        m = _KV.match(ln)
        key = _KEYS.get(" ".join(m.group(1).lower().split())) if m else None
        if m and key:
            kv.setdefault(key, m.group(2).strip())
        elif in_issues and len(issues) < MAX_ISSUES:
            issues.append(ln[:MAX_ISSUE_CHARS])
    digits = "".join(c for c in kv.get("nrp", "") if c.isascii() and c.isdigit())
    return Complaint(
        nrp=digits if 6 <= len(digits) <= 18 else None,
        name=kv.get("nama") or None,
        polres=kv.get("polres") or None,
        instagram=_handle(kv.get("instagram"), Platform.INSTAGRAM),
        tiktok=_handle(kv.get("tiktok"), Platform.TIKTOK),
        issues=tuple(issues),
    )


def _handle(raw: str | None, platform: Platform) -> str | None:
    if not raw:
        return None
    got = parse_username(raw, platform)
    return None if isinstance(got, Invalid) else got


class Issue(StrEnum):
    INSTAGRAM_NOT_RECORDED = "instagram_not_recorded"
    TIKTOK_NOT_RECORDED = "tiktok_not_recorded"
    ATTENDANCE_LESS = "attendance_less"
    ACTIVITY_FLAGGED_NOT_DONE = "activity_flagged_not_done"


_PUNCT = str.maketrans(dict.fromkeys(string.punctuation, " "))


def _norm(line: str) -> str:
    return " ".join(line.lower().translate(_PUNCT).split())


def classify(line: str) -> Issue | None:
    t = f" {_norm(line)} "
    done = " sudah melaksanakan " in t
    not_recorded = any(w in t for w in (" belum terdata ", " blm terdata ", " tidak terdata "))
    if done and not_recorded and (" ig " in t or " instagram " in t):
        return Issue.INSTAGRAM_NOT_RECORDED
    if done and not_recorded and " tiktok " in t:
        return Issue.TIKTOK_NOT_RECORDED
    if done and (" absen kurang " in t or " terabsen kurang " in t):
        return Issue.ATTENDANCE_LESS
    flagged = re.search(r" terabsen(si)? (belum|blm) melaksanakan ", t)
    if flagged or " status belum melaksanakan " in t:
        return Issue.ACTIVITY_FLAGGED_NOT_DONE
    return None


def answer(issue: Issue, c: Complaint, d: ComplaintData, lookback: str) -> str | None:
    """The automatic answer to one issue, or None when only a person can answer."""
    s = d.staff
    since = f" sejak {lookback}" if lookback else ""
    refresh = "Silakan muat ulang (refresh) dashboard/aplikasi untuk melihat data terbaru."
    if issue in (Issue.INSTAGRAM_NOT_RECORDED, Issue.TIKTOK_NOT_RECORDED):
        ig = issue is Issue.INSTAGRAM_NOT_RECORDED
        stored = (s.instagram if ig else s.tiktok) if s else None
        reported = c.instagram if ig else c.tiktok
        count = d.likes_in_window if ig else d.comments_in_window
        what, name = ("like", "Instagram") if ig else ("komentar", "TikTok")
        if stored and count >= 1:
            return f"Tercatat {what} Anda pada {count} konten{since}. {refresh}"
        found = d.reported_ig_found if ig else d.reported_tiktok_found
        lines = [
            f"Username {name} tercatat: {'@' + stored if stored else '-'} "
            f"({'ada aktivitas' if count else 'belum ada aktivitas'}).",
        ]
        if reported and reported != stored:
            lines.append(
                f"Username yang Anda laporkan: @{reported} "
                f"({'ada aktivitas' if found else 'belum ada aktivitas'})."
            )
        lines.append(
            f"Pastikan {what} dilakukan dengan akun yang tercatat dan akun tidak private. "
            "Jika username berbeda, perbarui lewat *userrequest*. Jika tetap tidak tercatat, "
            "hubungi operator satker Anda."
        )
        if not ig and stored and not count:
            lines.append("Kirim bukti tangkapan layar komentar Anda kepada operator.")
        return "\n".join(lines)
    if issue is Issue.ATTENDANCE_LESS:
        if not d.tasks_missing:
            return "Semua link tugas hari ini sudah tercatat."
        tasks = "\n".join(f"- {t}" for t in d.tasks_missing)
        return f"Tugas hari ini yang belum Anda laporkan linknya:\n{tasks}"
    m = d.metrics
    if m is not None and not m.all_zero:
        return f"Aktivitas akun Anda terbaca lengkap. {refresh}"
    return None
